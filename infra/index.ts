import * as pulumi from "@pulumi/pulumi";
import { ciTags, deployStack } from "./program";

// `pulumi up` on stack dev, staging or prod: the catalog in services/ and the gantry: settings of Pulumi.<stack>.yaml.
export const services = deployStack({ stack: pulumi.getStack(), build: { tags: ciTags() } });
