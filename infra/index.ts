import * as pulumi from "@pulumi/pulumi";
import { buildStack, catalogForStack, ciTags } from "./build-stage";
import { quietStackTraces } from "./stack-traces";
import type * as Program from "./program";

quietStackTraces();

// `pulumi up` on stack dev, staging or prod: the catalog in services/ and the gantry: settings of Pulumi.<stack>.yaml.
// A stack with gantry:stage: build only builds and pushes the images (and keeps no release history); it never loads
// the deploy stage's modules (./program and what it declares: workloads, identities, the Google Cloud and Kubernetes
// SDKs), a tenth of a fleet preview's time. The stage is read from the checked config, as runStack reads it.
const options = { stack: pulumi.getStack(), build: { tags: ciTags() } };
const catalog = catalogForStack(options);
const run =
  catalog.platforms[options.stack]!.stage === "build"
    ? { services: buildStack({ ...options, catalog }), releases: undefined }
    : (require("./program") as typeof Program).runStack({ ...options, catalog });
export const services = run.services;
/** Each service's recent releases, read back by the next up, `gantry history` and `gantry rollback`. */
export const releases = run.releases;
