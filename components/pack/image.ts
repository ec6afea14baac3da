import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { projectDescriptor } from "./descriptor";
import { combineFingerprint, fingerprintSource } from "./fingerprint";
import type { TrustLevel } from "./build-record";
import type { EngineName } from "./engines/engine";
import { builderIsTrusted } from "./engines/pack";
import { moduleProvider } from "./module-provider";
import { packProvider, type CacheSpec, type PackBuildSettings, type PackImageOutputs, type PackImageProps, type PackImageState } from "./provider";

export interface PackImageArgs {
  serviceName: string;
  /** Registry path of the image, without tag: `<region>-docker.pkg.dev/<project>/<repo>/<service>`. */
  repository: pulumi.Input<string>;
  /** Source folder (absolute). */
  sourceDir: string;
  builder: string;
  runImage: string;
  /** Build env from service.yaml; goes into project.toml. */
  buildEnv?: Record<string, string>;
  /** Extra build env passed as `--env K=V` (e.g. from the pipeline). */
  env?: Record<string, string>;
  /** Secret build env: names only, read by pack from the environment `pulumi up` runs in. */
  secretEnv?: string[];
  include?: string[];
  exclude?: string[];
  /** Files of Gantry's own inside the source folder that must not be uploaded (relative paths). */
  alwaysExclude?: string[];
  defaultProcess?: string;
  cache?: CacheSpec;
  tags?: string[];
  /** Run trusted (one creator container). Default: when the builder is on `trustedBuilders`. */
  trustBuilder?: boolean;
  trustedBuilders?: string[];
  /** `--lifecycle-image` for an untrusted builder, pinned by digest. */
  lifecycleImage?: string;
  /** `--network` of the build containers, e.g. "host" to reach a package mirror or registry on the agent itself. */
  network?: string;
  /** "pack" (default: a Docker engine on the agent) or "lifecycle" (inside the builder image, daemonless). */
  engine?: EngineName;
  /** Where the builder image keeps its lifecycle; default /cnb/lifecycle. */
  lifecycleDir?: string;
  maxParallelBuilds?: number;
  /** Rebases at once (registry work only); default 16. */
  maxParallelRebases?: number;
  /** "untrusted" for a pull request's preview: its images are never adopted by a trusted stack. Default trusted. */
  trust?: TrustLevel;
  /** Repositories besides `repository` whose image of the same inputs is adopted (a preview's base stack's). */
  adoptFrom?: string[];
  /**
   * The project id in project.toml; default serviceName. A preview passes the declared name, not its suffixed one, so
   * its inputs (and so its fingerprint and tag) are its base stack's and the base's image can be adopted.
   */
  projectId?: string;
  timeoutSeconds?: number;
  /** Full build logs, SBOMs and progress.log; default .gantry/logs. */
  logDir?: string;
  /** Stat cache for the fingerprint; default .gantry/cache/fingerprints. */
  statCacheDir?: string;
  packCommand?: string;
}

/**
 * An image built from source with Cloud Native Buildpacks and published to a registry, pinned by digest.
 * Unchanged source: no pack call. An image the registry already holds for the same inputs (another stack, agent or
 * `gantry build` shard built it): adopted, no pack call. A new run image alone: `pack rebase`. Anything else: `pack build`.
 */
export class PackImage extends pulumi.dynamic.Resource {
  declare readonly digest: pulumi.Output<string>;
  /** `repository@sha256:...`: what deployments pin. */
  declare readonly imageRef: pulumi.Output<string>;
  declare readonly runImage: pulumi.Output<string>;
  declare readonly fingerprint: pulumi.Output<string>;
  // The rest of the inputs (under build and settings) and of what the last operation did (tag, lastOperation,
  // adoptedFrom, logPath, buildpacks, sbomDir) are in the resource's state (`pulumi stack export`, `gantry plan`) but
  // are not Outputs here: nothing in a program reads them, and every declared property costs every preview
  // (PackImageProps).

  constructor(name: string, args: PackImageArgs, opts?: pulumi.CustomResourceOptions) {
    const cwd = process.cwd();
    const descriptor = projectDescriptor({ serviceName: args.projectId ?? args.serviceName, include: args.include, exclude: args.exclude, buildEnv: args.buildEnv, alwaysExclude: args.alwaysExclude });
    const statCachePath = path.join(args.statCacheDir ?? path.join(cwd, ".gantry", "cache", "fingerprints"), `${args.serviceName}.json`);
    const source = fingerprintSource(args.sourceDir, { include: descriptor.include, exclude: descriptor.exclude, statCachePath }).then((f) => f.digest);
    const env = args.env ?? {};
    const secretEnv = [...(args.secretEnv ?? [])].sort();
    const defaultProcess = args.defaultProcess ?? "";
    const trustedBuilders = args.trustedBuilders ?? [];
    const fingerprint = source.then((s) =>
      combineFingerprint({ source: s, builder: args.builder, env: JSON.stringify(Object.entries(env).sort()), secretEnv: secretEnv.join(","), descriptor: descriptor.toml, defaultProcess }),
    );
    super(
      sharedProvider(),
      name,
      {
        repository: args.repository,
        runImage: args.runImage,
        fingerprint,
        build: { source, builder: args.builder, env, secretEnv, projectToml: descriptor.toml, defaultProcess },
        settings: {
          serviceName: args.serviceName,
          path: path.resolve(args.sourceDir),
          cache: args.cache ?? { format: "volume", name: `gantry-cache-${args.serviceName}` },
          tags: args.tags ?? [],
          trustBuilder: args.trustBuilder ?? builderIsTrusted(args.builder, trustedBuilders),
          trustedBuilders,
          lifecycleImage: args.lifecycleImage ?? "",
          network: args.network ?? "",
          engine: args.engine ?? "pack",
          lifecycleDir: args.lifecycleDir ?? "/cnb/lifecycle",
          upload: { ...(descriptor.include ? { include: descriptor.include } : {}), ...(descriptor.exclude ? { exclude: descriptor.exclude } : {}) },
          buildEnv: args.buildEnv ?? {},
          // The fingerprint's matcher, so the lifecycle engine copies exactly the set the fingerprint hashed.
          uploadFilterModule: require.resolve("ignore"),
          maxParallelBuilds: args.maxParallelBuilds ?? 4,
          maxParallelRebases: args.maxParallelRebases ?? 16,
          trust: args.trust ?? "trusted",
          adoptFrom: args.adoptFrom ?? [],
          timeoutSeconds: args.timeoutSeconds ?? 1800,
          logDir: path.resolve(args.logDir ?? path.join(cwd, ".gantry", "logs")),
          packCommand: args.packCommand ?? "pack",
        } satisfies PackBuildSettings,
        digest: undefined,
        imageRef: undefined,
      } satisfies Record<keyof PackImageProps | "digest" | "imageRef", unknown>,
      opts,
      "gantry",
      "PackImage",
    );
  }
}

let shared: pulumi.dynamic.ResourceProvider<PackImageProps, PackImageState | PackImageOutputs> | undefined;
/** One provider object for every PackImage (the SDK serializes a provider once per object), made on first use. */
function sharedProvider(): pulumi.dynamic.ResourceProvider<PackImageProps, PackImageState | PackImageOutputs> {
  return (shared ??= moduleProvider(path.join(__dirname, "provider.ts"), "packProvider", packProvider));
}
