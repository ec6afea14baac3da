import * as pulumi from "@pulumi/pulumi";
import { ciTags, deployStackWithReleases } from "./program";

// `pulumi up` on stack dev, staging or prod: the catalog in services/ and the gantry: settings of Pulumi.<stack>.yaml.
const deployed = deployStackWithReleases({ stack: pulumi.getStack(), build: { tags: ciTags() } });
export const services = deployed.services;
/** Each service's recent releases, read back by the next up, `gantry history` and `gantry rollback`. */
export const releases = deployed.releases;
