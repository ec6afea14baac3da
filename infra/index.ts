import * as pulumi from "@pulumi/pulumi";
import { ciTags, runStack } from "./program";
import { quietStackTraces } from "./stack-traces";

quietStackTraces();

// `pulumi up` on stack dev, staging or prod: the catalog in services/ and the gantry: settings of Pulumi.<stack>.yaml.
// A stack with gantry:stage: build only builds and pushes the images (and keeps no release history).
const run = runStack({ stack: pulumi.getStack(), build: { tags: ciTags() } });
export const services = run.services;
/** Each service's recent releases, read back by the next up, `gantry history` and `gantry rollback`. */
export const releases = run.releases;
