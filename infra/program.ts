import type * as pulumi from "@pulumi/pulumi";
import { servicesForStack } from "../environments/naming";
import { kubernetesProvider, Service } from "../components/service";
import { launchCommands } from "../preflight/catalog";
import { buildStack, catalogForStack, ciCommit, type BuiltImageOutputs, type ProgramOptions } from "./build-stage";
import { JenkinsAgentCache } from "./jenkins/agent-cache";
import { promotedImages } from "./promotion";
import { stackRegistry } from "./registry";
import { pinnedImage, releaseHistory, previousReleases, type ReleaseInputs } from "./releases";
import { stableRelease, type ReleaseHistory } from "../environments/releases";

export interface ServiceOutputs {
  kind: string;
  url?: pulumi.Output<string | undefined>;
  jobName?: pulumi.Output<string | undefined>;
  schedule?: pulumi.Output<unknown>;
  image: pulumi.Output<string>;
  digest: pulumi.Output<string>;
  fingerprint?: pulumi.Output<string | undefined>;
  /** The run image under the deployed image, so a plan can tell a rebase from nothing to do. */
  runImage?: pulumi.Output<string | undefined>;
  serviceAccount: pulumi.Output<string>;
  /** The command the buildpacks image starts, as predicted before the build; `gantry plan` flags a change of it. */
  launch?: string;
  /** Deployed from gantry:pins (a rollback): a stack promoting from this one passes over it unless told. */
  pinned?: boolean;
}

export interface StackOutputs {
  services: Record<string, ServiceOutputs>;
  /** The release history: each service's last gantry:releaseHistory releases, newest last. */
  releases: pulumi.Output<ReleaseHistory>;
}

/** A stack's program: every service deployed with its release history, or (gantry:stage: build) every image built and pushed. */
export function runStack(opts: ProgramOptions): StackOutputs | { services: Record<string, BuiltImageOutputs>; releases?: undefined } {
  const catalog = opts.catalog ?? catalogForStack(opts);
  return catalog.platforms[opts.stack]!.stage === "build" ? { services: buildStack({ ...opts, catalog }) } : deployStackWithReleases({ ...opts, catalog });
}

/** Everything one stack deploys: the registry, and every service's image and workload. */
export function deployStack(opts: ProgramOptions): Record<string, ServiceOutputs> {
  return deployStackWithReleases(opts).services;
}

/** deployStack, and the release history this deploy leaves (the stack's `releases` output). */
export function deployStackWithReleases(opts: ProgramOptions): StackOutputs {
  const catalog = opts.catalog ?? catalogForStack(opts);
  const { stack } = opts;
  const platform = catalog.platforms[stack]!;
  if (platform.stage === "build") throw new Error(`stack ${stack} is a build stage (gantry:stage: build): run it with runStack(), which deploys nothing`);
  const declared = catalog.services[stack] ?? [];
  // As deployed in this stack: a PR preview's names carry its suffix; outputs stay keyed by declared name.
  const services = servicesForStack(declared, platform);
  const promotion = platform.promoteFrom ? promotedImages(platform, stack, declared.map((s) => s.spec.name)) : undefined;
  const promoted = promotion?.images;
  // The history as the last deployment left it, read back from this stack's own outputs.
  const previous = previousReleases(stack);

  const registry = stackRegistry(platform, services);
  // The agents' cache disks or claims, in the stack whose config owns them (docs/jenkins.md).
  if (platform.jenkins) new JenkinsAgentCache("jenkins-agent-cache", { platform });
  const needsCluster = services.some((s) => s.spec.kind === "gke");
  const k8s = needsCluster ? kubernetesProvider({ platform, stack, repository: registry, nodeServiceAccountEmail: platform.gke?.nodeServiceAccount }) : undefined;

  // A promoting stack builds nothing, so what its images start was recorded where they were built.
  const launches = platform.promoteFrom ? {} : (launchCommands(catalog)[stack] ?? {});
  const outputs: Record<string, ServiceOutputs> = {};
  const released: ReleaseInputs[] = [];
  for (const [i, service] of services.entries()) {
    const name = declared[i]!.spec.name;
    const pin = platform.pins[name];
    // A pin wins over promotion and over a build: it is this stack's rollback, reviewed as a config change.
    const image = pin ? undefined : promoted?.[name];
    const imageArg = pin
      ? { image: pinnedImage({ name, stack, pin, file: declared[i]!.file, own: previous, ...(promotion ? { source: promotion.releases, sourceName: platform.promoteFrom! } : {}) }), pinned: true }
      : image
        ? { image: image.apply((p) => p.image) }
        : {};
    const stable = previous.apply((h) => stableOf(h[name]));
    const rolloutState = platform.rollouts[name];
    const svc = new Service(name, { service, platform, stack, repository: registry, k8sProvider: k8s?.provider, build: opts.build, ...imageArg, ...(service.spec.kind === "service" ? { stable, ...(rolloutState ? { rolloutState } : {}) } : {}) });
    released.push({ name, image: svc.imageRef, pinned: pin !== undefined, ...(svc.packImage ? { fingerprint: svc.packImage.fingerprint } : image ? { fingerprint: image.apply((p) => p.fingerprint) } : {}), ...(svc.revision ? { revision: svc.revision } : {}), ...(svc.traffic ? { traffic: svc.traffic } : {}) });
    outputs[name] = {
      kind: service.spec.kind,
      ...(service.spec.kind !== "job" ? { url: svc.url } : {}),
      ...(service.spec.kind === "job" ? { jobName: svc.jobName, schedule: svc.schedule } : {}),
      image: svc.imageRef,
      digest: svc.imageRef.apply((ref) => ref.slice(ref.indexOf("@") + 1)),
      ...(svc.packImage ? { fingerprint: svc.packImage.fingerprint, runImage: svc.packImage.runImage } : {}),
      // Passed on, so a stack promoting from this one in turn still knows what the image was built from.
      ...(image ? { fingerprint: image.apply((p) => p.fingerprint), runImage: image.apply((p) => p.runImage) } : {}),
      serviceAccount: svc.serviceAccountEmail,
      ...(typeof launches[name] === "string" ? { launch: launches[name] } : {}),
      ...(pin ? { pinned: true } : {}),
    };
  }
  const releases = releaseHistory({ previous, released, limit: platform.releaseHistory, now: opts.now ?? (() => new Date()), commit: ciCommit(opts.env) });
  return { services: outputs, releases };
}

/** What a canary splits with: the newest release that served all traffic, and its revision. */
function stableOf(history: ReleaseHistory[string] | undefined) {
  const s = history ? stableRelease(history) : undefined;
  return s ? { digest: s.digest, ...(s.revision ? { revision: s.revision } : {}) } : undefined;
}

