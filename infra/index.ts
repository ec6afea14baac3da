import * as pulumi from "@pulumi/pulumi";
import { ciTags, runStack } from "./program";

// `pulumi up` on stack dev, staging or prod: the catalog in services/ and the gantry: settings of Pulumi.<stack>.yaml.
// A stack with gantry:stage: build only builds and pushes the images (and keeps no release history).
const run = withoutStackCapture(() => runStack({ stack: pulumi.getStack(), build: { tags: ciTags() } }));
export const services = run.services;
/** Each service's recent releases, read back by the next up, `gantry history` and `gantry rollback`. */
export const releases = run.releases;

/**
 * The SDK records a stack trace, mapped through source maps, for every promise it makes for a resource's properties
 * (a leak-debugging aid nobody reads here): with a PackImage's 37 properties at 500 services that was most of a
 * preview's time and memory (bench/engine.bench.ts). Resources are declared synchronously, so capture is off only
 * while they are; a user's mistake is a RunError, which the engine prints without a stack anyway.
 */
function withoutStackCapture<T>(declare: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return declare();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
