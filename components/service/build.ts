import * as pulumi from "@pulumi/pulumi";
import type { LoadedService } from "../../catalog/load";
import type { PlatformConfig } from "../../catalog/schema/platform";
import type { DockerImage } from "../docker/image";
import type { PackImage } from "../pack/image";
import { serviceDockerImage, servicePackImage, type BuildOptions } from "./image";

export interface ServiceBuildArgs {
  service: LoadedService;
  platform: PlatformConfig;
  build?: BuildOptions;
}

/**
 * One service's image and nothing else: what a stage: build stack declares per service. The image is the same
 * resource a deploying Service builds (servicePackImage or serviceDockerImage), so a build stage and a deploy agree
 * on the fingerprint, the tag and therefore the image.
 */
export class ServiceBuild extends pulumi.ComponentResource {
  readonly packImage?: PackImage;
  readonly dockerImage?: DockerImage;
  /** <repository>/<service>@sha256:<digest> as pushed. */
  readonly imageRef: pulumi.Output<string>;

  constructor(name: string, args: ServiceBuildArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gantry:service:ServiceBuild", name, {}, opts);
    const { service, platform } = args;
    if (service.spec.build?.dockerfile !== undefined) this.dockerImage = serviceDockerImage(name, service, platform, args.build ?? {}, { parent: this });
    else this.packImage = servicePackImage(name, service, platform, args.build ?? {}, { parent: this });
    this.imageRef = this.dockerImage?.imageRef ?? this.packImage!.imageRef;
    this.registerOutputs({ imageRef: this.imageRef });
  }
}
