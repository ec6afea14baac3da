import type * as gcp from "@pulumi/gcp";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { LoadedService } from "../../catalog/load";
import type { PlatformConfig } from "../../catalog/schema/platform";
import { ArtifactRegistry, asRepository, repositoryUrl } from "../registry";
import { DIGEST_REF } from "./common";
import { createServiceIdentity, type ServiceIdentity } from "./identity";
import { dockerBuildOf } from "../../catalog/docker-build";
import { dockerfileLaunch } from "../docker/launch";
import { serviceDockerImage, servicePackImage, type BuildOptions } from "./image";
import type { DockerImage } from "../docker/image";
import type { PackImage } from "../pack/image";
import { CloudRunJob, type JobSchedule } from "./targets/cloud-run-job";
import { CloudRunService } from "./targets/cloud-run-service";
import { GkeWorkload } from "./targets/gke";
import type { RolloutState, StableRelease, TrafficDecision } from "./rollout";

export { accountId, createServiceIdentity, type ServiceIdentity } from "./identity";
export { kubernetesProvider, GkeCluster, type KubernetesTarget } from "./kubernetes-provider";
export { CloudRunJob, type JobSchedule } from "./targets/cloud-run-job";
export { CloudRunService } from "./targets/cloud-run-service";
export { GkeWorkload } from "./targets/gke";
export { trafficFor, nextStep, canarySteps, type RolloutState, type StableRelease, type TrafficDecision, type TrafficTarget } from "./rollout";

export interface ServiceArgs {
  /** One service as loaded for this stack by loadCatalog(). */
  service: LoadedService;
  platform: PlatformConfig;
  stack: string;
  /**
   * <repositoryUrl>/<image>@sha256:<digest> of an image built elsewhere (a promotion). Without it the service
   * builds its own: with PackImage, or from its Dockerfile while build.dockerfile is set. A tag alone is refused.
   */
  image?: pulumi.Input<string>;
  /** Pipeline settings for the PackImage build (tags, log folder). */
  build?: BuildOptions;
  repository: ArtifactRegistry | gcp.artifactregistry.Repository;
  /** From kubernetesProvider(); required for kind: gke. */
  k8sProvider?: k8s.Provider;
  /** `image` is a rollback pinned in gantry:pins (no build; a canary does not apply). */
  pinned?: boolean;
  /** Cloud Run: the release that last served all traffic, for a canary to split with. */
  stable?: pulumi.Input<StableRelease | undefined>;
  /** Cloud Run: gantry:rollouts.<service>. */
  rolloutState?: RolloutState;
}

/**
 * Why an image reference cannot be deployed, or undefined when it can. Digest only, so a deploy is
 * reproducible and a moved tag cannot change what runs; and from the stack's repository, the one the
 * runtimes are known to be able to pull from (see identity.ts).
 */
export function imageRefProblem(image: string, repositoryUrl: string, adoptFrom: readonly string[] = []): string | undefined {
  if (!DIGEST_REF.test(image)) return `image "${image}" is not pinned by digest (<image>@sha256:<64 hex>)`;
  // A preview may run its base stack's image of an unchanged service (gantry:adoptFrom), and nothing else's.
  if (![repositoryUrl, ...adoptFrom].some((r) => image.startsWith(`${r}/`))) return `image "${image}" is not in the stack's repository ${repositoryUrl}`;
  return undefined;
}

/** A Dockerfile image's own command, which the GKE secrets wrapper must exec in place of the CNB launcher. */
function dockerLaunch(service: LoadedService): { launch?: string[] } {
  const build = dockerBuildOf(service);
  const launch = build && Object.keys(service.spec.secrets ?? {}).length > 0 ? dockerfileLaunch(build) : undefined;
  return launch ? { launch } : {};
}

/** One declared service deployed to its target: Cloud Run service, Cloud Run job or GKE. */
export class Service extends pulumi.ComponentResource {
  readonly identity: ServiceIdentity;
  /** The build, when this service builds its own image. */
  readonly packImage?: PackImage;
  /** The build, when this service still builds its own image from a Dockerfile. */
  readonly dockerImage?: DockerImage;
  readonly serviceAccountEmail: pulumi.Output<string>;
  /** The digest reference deployed, once checked. */
  readonly imageRef: pulumi.Output<string>;
  /** Cloud Run URL, or the in-cluster URL on GKE; undefined for jobs. */
  readonly url: pulumi.Output<string | undefined>;
  readonly jobName: pulumi.Output<string | undefined>;
  readonly schedule: pulumi.Output<JobSchedule | undefined>;
  /** Cloud Run services: the traffic split this deploy sets, and the revision serving it. */
  readonly traffic?: pulumi.Output<TrafficDecision>;
  readonly revision?: pulumi.Output<string | undefined>;
  readonly cloudRunService?: CloudRunService;
  readonly cloudRunJob?: CloudRunJob;
  readonly gkeWorkload?: GkeWorkload;

  constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    const { service, platform, stack } = args;
    const spec = service.spec;
    // Each stack's file is merged with its own environments override; another stack's would deploy the wrong sizes.
    if (service.stack !== stack) throw new Error(`${service.file} was loaded for stack "${service.stack}", not "${stack}"`);
    if (spec.kind === "gke" && !args.k8sProvider) {
      throw new Error(`${service.file}: kind: gke needs k8sProvider (from kubernetesProvider()); the ambient default provider is never used`);
    }
    super("gantry:service:Service", name, {}, opts);

    const url = repositoryUrl(asRepository(args.repository));
    if (args.image === undefined) {
      if (spec.build?.dockerfile !== undefined) this.dockerImage = serviceDockerImage(name, service, platform, args.build ?? {}, { parent: this });
      else this.packImage = servicePackImage(name, service, platform, args.build ?? {}, { parent: this });
    }
    const image = args.image ?? this.dockerImage?.imageRef ?? this.packImage!.imageRef;
    this.imageRef = pulumi.all([image, url]).apply(([image, repoUrl]) => {
      const problem = imageRefProblem(image, repoUrl, platform.adoptFrom);
      if (problem) throw new Error(`${service.file}: ${problem}`);
      return image;
    });

    this.identity = createServiceIdentity(name, { service, platform, stack }, { parent: this });
    this.serviceAccountEmail = this.identity.email;

    const targetOpts = { parent: this };
    const targetArgs = {
      service,
      platform,
      stack,
      image: this.imageRef,
      serviceAccountEmail: this.identity.email,
      secretAccess: this.identity.secretAccess,
    };
    switch (spec.kind) {
      case "service":
        this.cloudRunService = new CloudRunService(
          name,
          { ...targetArgs, ...(args.stable !== undefined ? { stable: args.stable } : {}), ...(args.rolloutState ? { rolloutState: args.rolloutState } : {}), pinned: args.pinned ?? false },
          targetOpts,
        );
        this.traffic = this.cloudRunService.traffic;
        this.revision = this.cloudRunService.revision;
        this.url = this.cloudRunService.url.apply((u): string | undefined => u);
        this.jobName = pulumi.output<string | undefined>(undefined);
        this.schedule = pulumi.output<JobSchedule | undefined>(undefined);
        break;
      case "job":
        this.cloudRunJob = new CloudRunJob(name, targetArgs, targetOpts);
        this.url = pulumi.output<string | undefined>(undefined);
        this.jobName = this.cloudRunJob.jobName.apply((n): string | undefined => n);
        this.schedule = this.cloudRunJob.schedule;
        break;
      case "gke":
        this.gkeWorkload = new GkeWorkload(
          name,
          { ...targetArgs, provider: args.k8sProvider!, serviceAccountId: this.identity.account.name, ...dockerLaunch(service) },
          targetOpts,
        );
        this.url = this.gkeWorkload.url.apply((u): string | undefined => u);
        this.jobName = pulumi.output<string | undefined>(undefined);
        this.schedule = pulumi.output<JobSchedule | undefined>(undefined);
        break;
    }

    this.registerOutputs({
      url: this.url,
      jobName: this.jobName,
      schedule: this.schedule,
      imageRef: this.imageRef,
      fingerprint: this.packImage?.fingerprint,
      serviceAccountEmail: this.serviceAccountEmail,
    });
  }
}
