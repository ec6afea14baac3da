import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { LoadedService } from "../../catalog/load";
import { durationSeconds } from "../../catalog/rules/quantities";
import type { PlatformConfig } from "../../catalog/schema/platform";
import { dockerBuildOf } from "../../catalog/docker-build";
import { dockerImage, type DockerImage } from "../docker/image";
import { registryPassword, type TokenSource } from "../docker/registry-auth";
import { cacheFor } from "../pack/cache";
import { registryUrl } from "../registry/address";
import { PackImage } from "../pack/image";
import type { TrustLevel } from "../pack/build-record";

/** What the pipeline running `pulumi up` adds to every build. */
export interface BuildOptions {
  /** Extra tags for every image, e.g. `git-<commit>`. */
  tags?: string[];
  logDir?: string;
  statCacheDir?: string;
  packCommand?: string;
  /** Access token for Artifact Registry, for Dockerfile builds; default GOOGLE_OAUTH_ACCESS_TOKEN, else gcloud. */
  registryToken?: TokenSource;
}


/**
 * A pull request's preview (a stack with a base stack) runs code nobody reviewed: what it pushes is marked untrusted,
 * and never adopted by a trusted stack. Every other stack is deployed by a reviewed pipeline or a person.
 */
export function stackTrust(platform: Pick<PlatformConfig, "baseStack" | "nameSuffix">): TrustLevel {
  return platform.baseStack !== undefined || platform.nameSuffix !== undefined ? "untrusted" : "trusted";
}

/** The image of one service, built from its source with the stack's builder and run image. */
export function servicePackImage(name: string, service: LoadedService, platform: PlatformConfig, build: BuildOptions, opts: pulumi.CustomResourceOptions): PackImage {
  const { spec } = service;
  const registry = registryUrl(platform);
  const serviceFile = path.relative(service.sourceDir, path.join(service.dir, path.basename(service.file)));
  return new PackImage(
    name,
    {
      serviceName: spec.name,
      repository: `${registry}/${spec.name}`,
      sourceDir: service.sourceDir,
      builder: platform.builder,
      runImage: platform.runImage,
      buildEnv: spec.build?.env,
      // Names only: pack reads each value from the environment of `pulumi up` (--env NAME), so no value enters state.
      secretEnv: spec.build?.secretEnv,
      include: spec.build?.include,
      exclude: spec.build?.exclude,
      // service.yaml describes deployment, not the app: editing minInstances must not rebuild the image.
      alwaysExclude: serviceFile.startsWith("..") ? [] : [serviceFile.split(path.sep).join("/")],
      defaultProcess: spec.build?.defaultProcess,
      cache: cacheFor(platform.buildCache, spec.name, registry),
      tags: build.tags,
      trustedBuilders: platform.trustedBuilders,
      lifecycleImage: platform.lifecycleImage,
      network: platform.buildNetwork,
      engine: platform.buildEngine,
      maxParallelBuilds: platform.maxParallelBuilds,
      maxParallelRebases: platform.maxParallelRebases,
      trust: stackTrust(platform),
      // A preview's image of an unchanged service is its base stack's: same inputs, adopted from there.
      adoptFrom: (platform.adoptFrom ?? []).map((r) => `${r}/${name}`),
      projectId: name,
      timeoutSeconds: durationSeconds(platform.buildTimeout),
      logDir: build.logDir,
      statCacheDir: build.statCacheDir,
      packCommand: build.packCommand,
    },
    opts,
  );
}

/** The image of a service that still builds from its Dockerfile (build.dockerfile), pushed where its buildpacks image would go. */
export function serviceDockerImage(name: string, service: LoadedService, platform: PlatformConfig, build: BuildOptions, opts: pulumi.CustomResourceOptions): DockerImage {
  const docker = dockerBuildOf(service);
  if (!docker) throw new Error(`${service.file} has no build.dockerfile`);
  return dockerImage(
    name,
    {
      serviceName: service.spec.name,
      repository: `${registryUrl(platform)}/${service.spec.name}`,
      context: docker.context,
      dockerfile: docker.dockerfile,
      target: docker.target,
      buildArgs: docker.args,
      registryPassword: registryPassword(build.registryToken),
      statCacheDir: build.statCacheDir,
    },
    opts,
  );
}
