import * as pulumi from "@pulumi/pulumi";
import { ciTags, runStack } from "./program";

// `pulumi up` on stack dev, staging or prod: the catalog in services/ and the gantry: settings of Pulumi.<stack>.yaml.
// A stack with gantry:stage: build only builds and pushes the images.
export const services = runStack({ stack: pulumi.getStack(), build: { tags: ciTags() } });
