import * as pulumi from "@pulumi/pulumi";
import { buildStack, ciTags } from "./build-stage";
import { quietStackTraces } from "./stack-traces";
import type * as Program from "./program";

quietStackTraces();

// `pulumi up` on stack dev, staging or prod: the catalog in services/ and the gantry: settings of Pulumi.<stack>.yaml.
// A stack with gantry:stage: build only builds and pushes the images (and keeps no release history); it never loads
// the deploy stage's modules (./program and what it declares: workloads, identities, the Google Cloud and Kubernetes
// SDKs), a tenth of a fleet preview's time. The stage is checked with the rest of the stack's config either way.
const stack = pulumi.getStack();
const build = { tags: ciTags() };
const run =
  new pulumi.Config("gantry").get("stage") === "build"
    ? { services: buildStack({ stack, build }), releases: undefined }
    : (require("./program") as typeof Program).runStack({ stack, build });
export const services = run.services;
/** Each service's recent releases, read back by the next up, `gantry history` and `gantry rollback`. */
export const releases = run.releases;
