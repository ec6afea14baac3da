import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { fingerprintSource } from "../pack/fingerprint";
import { dockerignorePatterns } from "./dockerignore";
import { REGISTRY_USERNAME } from "./registry-auth";

export interface DockerImageArgs {
  serviceName: string;
  /** `<region>-docker.pkg.dev/<project>/<repository>/<service>`: the same path a buildpacks build pushes to. */
  repository: string;
  /** Absolute build context folder. */
  context: string;
  /** Absolute path of the Dockerfile. */
  dockerfile: string;
  target?: string;
  buildArgs?: Record<string, string>;
  /** An access token for the registry, as a Pulumi secret (see registry-auth.ts). */
  registryPassword: pulumi.Input<string>;
  /** Stat cache folder for the context fingerprint; default .gantry/cache/fingerprints. */
  statCacheDir?: string;
}

export interface DockerImage {
  image: dockerbuild.Image;
  /** The tag pushed: `d-<16 hex>`, derived from everything that makes up the build. */
  tag: pulumi.Output<string>;
  digest: pulumi.Output<string>;
  /** `<repository>@sha256:<digest>`, what the service deploys. */
  imageRef: pulumi.Output<string>;
}

export const BUILD_PLATFORM = dockerbuild.Platform.Linux_amd64;

/**
 * A service image built from its Dockerfile with docker buildx (@pulumi/docker-build) and pushed to the
 * service's Artifact Registry path; deployed, like a buildpacks image, by digest only.
 */
export function dockerImage(name: string, args: DockerImageArgs, opts: pulumi.CustomResourceOptions): DockerImage {
  const registryHost = args.repository.split("/")[0]!;
  const cacheRef = `${args.repository}:buildcache`;
  const tag = pulumi.output(contentTag(args));
  const buildArgs = args.buildArgs ?? {};
  const image = new dockerbuild.Image(
    name,
    {
      tags: [pulumi.interpolate`${args.repository}:${tag}`],
      push: true,
      platforms: [BUILD_PLATFORM],
      context: { location: args.context },
      dockerfile: { location: args.dockerfile },
      ...(args.target !== undefined ? { target: args.target } : {}),
      ...(Object.keys(buildArgs).length > 0 ? { buildArgs } : {}),
      cacheFrom: [{ registry: { ref: cacheRef } }],
      // The cache only makes builds faster: a failed export (say, immutable tags refusing to move :buildcache) must not fail the deploy.
      cacheTo: [{ registry: { ref: cacheRef, mode: dockerbuild.CacheMode.Max, ignoreError: true } }],
      registries: [{ address: registryHost, username: REGISTRY_USERNAME, password: args.registryPassword }],
    },
    // Deleting the resource would delete the pushed tags; images stay for rollback, and the repository's cleanup policies remove old ones, as for buildpacks images.
    { ...opts, retainOnDelete: true },
  );
  // `ref` is tag@digest and a tag can move; the deploy pins the repository path to the digest alone.
  const imageRef = pulumi.interpolate`${args.repository}@${image.digest}`;
  return { image, tag, digest: image.digest, imageRef };
}

/**
 * A tag that changes exactly when the build's inputs do, so a push never overwrites a tag with a different
 * image (with gantry:registry.immutableTags it could not), while an unchanged service keeps its tag and
 * docker-build sees nothing to do. The fingerprint is the buildpacks one, over the context minus .dockerignore.
 */
export async function contentTag(args: Pick<DockerImageArgs, "serviceName" | "context" | "dockerfile" | "target" | "buildArgs" | "statCacheDir">): Promise<string> {
  const cacheDir = path.resolve(args.statCacheDir ?? path.join(process.cwd(), ".gantry", "cache", "fingerprints"));
  const statCachePath = path.join(cacheDir, `${args.serviceName}-docker.json`);
  const exclude = [".git/", ...dockerignorePatterns(args.context)];
  const insideContext = path.relative(args.context, cacheDir);
  if (!insideContext.startsWith("..") && !path.isAbsolute(insideContext)) exclude.push(`/${insideContext.split(path.sep).join("/")}/`);
  let dockerfileText: string;
  try {
    dockerfileText = fs.readFileSync(args.dockerfile, "utf8");
  } catch {
    throw new pulumi.RunError(`${args.serviceName}: cannot read its Dockerfile ${args.dockerfile}; run \`npx gantry validate\``);
  }
  const source = await fingerprintSource(args.context, { exclude, statCachePath });
  const parts = [source.digest, dockerfileText, args.target ?? "", JSON.stringify(Object.entries(args.buildArgs ?? {}).sort()), BUILD_PLATFORM];
  return `d-${createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 16)}`;
}
