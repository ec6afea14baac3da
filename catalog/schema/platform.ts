import { z } from "zod";
import { gkeCpu, INT32_MAX, labels, memory } from "./fields";
import { jenkinsConfig, serviceFolder } from "./jenkins";
import { allowedSecretProjects, secretsPolicy } from "./secrets-policy";
import { durationSeconds, memoryMiB } from "../rules/quantities";

/**
 * Platform settings, one set per stack, under the `gantry:` namespace of Pulumi.<stack>.yaml.
 * `pulumi config set` writes every value as a string, so numbers and booleans are coerced.
 */

const bool = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);
const int = (min: number, max = INT32_MAX) =>
  z.union([z.number(), z.string().regex(/^\d+$/, "must be a whole number").transform(Number)]).pipe(z.number().int().min(min).max(max));

const DIGEST_PINNED = /^[a-z0-9.-]+(?::\d+)?(?:\/[a-z0-9._-]+)+(?::[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?@sha256:[a-f0-9]{64}$/;
const pinnedImage = (what: string) =>
  z.string().regex(DIGEST_PINNED, `${what} must be pinned by digest (<image>@sha256:<64 hex>), so every build of a stack uses the same one`);

const DIGEST_REF = /^[^\s@]+@sha256:[a-f0-9]{64}$/;
const serviceNameKey = z.string().regex(/^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$/, "must be a service name");

export const GOOGLE_BUILDER = "gcr.io/buildpacks/builder@sha256:5977b4bd47d3e9ff729eefe9eb99d321d4bba7aa3b14986323133f40b622aef1";
export const GOOGLE_RUN_IMAGE = "gcr.io/buildpacks/google-22/run@sha256:a8ccb6641b4d98b0adf6397f954e7194611d1ae61310f0561f1c00fdf7f9ba96";

export const platformConfig = z.strictObject({
  project: z
    .string()
    .regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, "must be a GCP project id: 6-30 lowercase letters, digits and hyphens, starting with a letter")
    .meta({ description: "GCP project id." }),
  region: z
    .string()
    .regex(/^[a-z]+-[a-z]+[0-9]{1,2}$/, 'must be a region id such as "europe-west1"')
    .meta({ description: "Region for Cloud Run, Artifact Registry and Cloud Scheduler." }),
  registry: z
    .strictObject({
      repository: z
        .string()
        .regex(/^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/, "must be 1-63 lowercase letters, digits and hyphens, starting with a letter")
        .default("gantry"),
      keepRecentVersions: int(1).default(10).meta({ description: "Cleanup policy: keep this many most recent versions of each image." }),
      deleteUntaggedAfterDays: int(1).default(14).meta({ description: "Cleanup policy: delete untagged versions older than this." }),
      immutableTags: bool.default(false),
      url: z
        .string()
        .regex(/^[a-z0-9.-]+(?::\d+)?(?:\/[a-z0-9._-]+)*$/, "must be a registry address, <host>[:port][/path], with no scheme or tag")
        .optional()
        .meta({
          description:
            "On a stage: build stack, push images here instead of <region>-docker.pkg.dev/<project>/<repository>: any OCI registry (a mirror, or the local registry of a test).",
        }),
      project: z
        .string()
        .regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, "must be a GCP project id")
        .optional()
        .meta({ description: "Project holding the repository when it is not this stack's: a stack that promotes pulls from the registry its source stack pushes to, and creates none." }),
    })
    .prefault({}),
  builder: pinnedImage("builder").default(GOOGLE_BUILDER).meta({ description: "Buildpacks builder image, pinned by digest." }),
  runImage: pinnedImage("runImage").default(GOOGLE_RUN_IMAGE).meta({ description: "Run (base) image, pinned by digest. Changing it rebases every image instead of rebuilding." }),
  trustedBuilders: z
    .array(z.string())
    .default(["gcr.io/buildpacks/builder", "paketobuildpacks/builder-jammy-base", "paketobuildpacks/builder-jammy-full", "heroku/builder"])
    .meta({ description: "Builder repositories allowed to run as one trusted creator container (pack --trust-builder); it receives registry credentials." }),
  lifecycleImage: pinnedImage("lifecycleImage")
    .optional()
    .meta({ description: "Lifecycle image for builders not on trustedBuilders (pack --lifecycle-image), pinned by digest: a mirror in your own registry instead of Docker Hub's buildpacksio/lifecycle." }),
  buildNetwork: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, "must be a Docker network name, such as host")
    .optional()
    .meta({ description: "Docker network of the build containers (pack --network), e.g. host to reach a package mirror or registry on the agent itself. Default: an ephemeral network per build." }),
  stage: z
    .enum(["deploy", "build"])
    .default("deploy")
    .meta({
      description:
        "deploy: build every image and deploy it. build: build and push every image and deploy nothing (no registry, service, IAM or cluster resource): a pipeline's build stage before the deploy, whose outputs are the digests.",
    }),
  deletionProtection: bool.default(true),
  promoteFrom: z
    .string()
    .regex(/^[^/\s]+\/[^/\s]+\/[^/\s]+$/, 'must be a fully qualified stack, <org>/<project>/<stack> (the local file backend\'s org is "organization")')
    .optional()
    .meta({ description: "Deploy the images another stack deployed, by digest, instead of building: its `services` output, read with a StackReference." }),
  nameSuffix: z
    .string()
    .regex(/^[a-z0-9](?:[-a-z0-9]{0,10}[a-z0-9])?$/, "must be 1-12 lowercase letters, digits and hyphens, not starting or ending with a hyphen")
    .optional()
    .meta({ description: "Appended to every name derived from a service (Cloud Run, GKE, service accounts) so this stack can share a project with another; `gantry preview` sets it to pr-<n>." }),
  baseStack: z
    .string()
    .optional()
    .meta({ description: "The stack this one is a copy of (a PR preview): service.yaml `environments.<baseStack>` overrides apply here." }),
  adoptFrom: z
    .array(z.string().regex(/^[a-z0-9.-]+(?::\d+)?(?:\/[a-z0-9._-]+)+$/, "must be a registry repository URL, <host>/<path>, without tag or digest"))
    .optional()
    .meta({
      description:
        "Repositories (as <region>-docker.pkg.dev/<project>/<repository>) whose images a preview adopts, besides its own, when one was built from the same inputs: `gantry preview` sets its base stack's. Previews only.",
    }),
  scaling: z
    .strictObject({
      minInstances: int(0).default(0),
      maxInstances: int(1).default(10),
      minInstancesCap: int(0).optional().meta({ description: "Upper bound on every Cloud Run service's minInstances, service.yaml included; PR previews set 0 so an idle preview costs nothing." }),
    })
    .refine((s) => s.minInstances <= s.maxInstances, { message: "minInstances is above maxInstances: every service left to these defaults would be refused", path: ["minInstances"] })
    .prefault({}),
  maxParallelBuilds: int(1, 64).default(4).meta({ description: "pack processes run at once during one pulumi up; they share one Docker daemon." }),
  maxParallelRebases: int(1, 256)
    .default(16)
    .meta({ description: "Rebases run at once during one pulumi up or gantry build: a rebase only moves manifests in the registry, so far more than builds." }),
  buildTimeout: z
    .string()
    .regex(/^(?=\d)(\d+h)?(\d+m)?(\d+s)?$/, 'must be a duration such as "30m"')
    .refine((d) => durationSeconds(d) >= 60 && durationSeconds(d) <= 24 * 3600, "must be 1m to 24h: a shorter timeout kills every build before pack has pulled the builder")
    .default("30m")
    .meta({ description: "A pack run taking longer is killed with its children." }),
  labels: labels.default({}),
  buildEngine: z
    .enum(["pack", "lifecycle"])
    .default("pack")
    .meta({
      description:
        "How images are built: pack (an agent with a Docker engine) or lifecycle (the builder image's own lifecycle, run in the agent pod's build container as the builder's non-root user: no Docker daemon, no privilege).",
    }),
  buildCache: z
    .discriminatedUnion("mode", [
      z.strictObject({ mode: z.literal("volume") }).meta({ description: "A Docker volume per service on the build host's daemon." }),
      z
        .strictObject({
          mode: z.literal("bind"),
          mountPath: z
            .string()
            .startsWith("/", "must be an absolute path")
            // It lands inside pack's `;`-separated --cache value, and is the agent pod's mountPath too.
            .regex(/^[A-Za-z0-9._/-]+$/, "may hold letters, digits, . _ - and / only")
            .default("/var/cache/pack"),
          serviceFolder,
        })
        .meta({ description: "A folder per service under mountPath, on the agent's persistent cache disk." }),
      z.strictObject({ mode: z.literal("image") }).meta({ description: "A cache image per service in the registry (<repository>/<service>-cache); needs no disk." }),
    ])
    .default({ mode: "volume" })
    .meta({ description: "Where pack keeps each service's dependency cache between builds." }),
  gke: z
    .strictObject({
      kubeconfig: z.string().optional().meta({ description: "Path to a kubeconfig file, or its contents. Unset: the ambient kubeconfig of whoever runs pulumi." }),
      context: z.string().optional().meta({ description: "kubeconfig context to use." }),
      nodeServiceAccount: z
        .string()
        .regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]@[a-z0-9.-]+\.iam\.gserviceaccount\.com$|^\d+-compute@developer\.gserviceaccount\.com$/, "must be a service account email")
        .optional()
        .meta({ description: "Node service account of an existing cluster; it is granted read access to the repository so nodes can pull images." }),
      autopilot: bool.optional().meta({
        description: "Whether the cluster is GKE Autopilot (the kind Gantry creates; the default): its pods must ask for 1 to 6.5 GiB per vCPU. Set false for an existing Standard cluster.",
      }),
      nodeAllocatable: z
        .strictObject({ cpu: gkeCpu, memory: memory.refine((m) => memoryMiB(m) > 0, "must be more than 0") })
        .optional()
        .meta({
          description:
            "Standard clusters: the CPU and memory the largest node of the pools GKE workloads run on gives pods (kubectl describe node, Allocatable). A workload asking for more is refused here instead of staying Pending.",
        }),
      cluster: z
        .strictObject({
          name: z.string().regex(/^[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?$/, "must be 1-40 lowercase letters, digits and hyphens, starting with a letter"),
          location: z.string().optional().meta({ description: "Region or zone; default the stack's region." }),
        })
        .optional()
        .meta({ description: "Create an Autopilot GKE cluster with Workload Identity in infra/ and deploy GKE services to it." }),
    })
    .refine((g) => !(g.cluster && (g.kubeconfig || g.context)), "give either cluster (Gantry creates it) or kubeconfig/context (an existing cluster), not both")
    .refine((g) => !(g.cluster && g.autopilot === false), { message: "the cluster Gantry creates is Autopilot; autopilot: false applies to an existing cluster only", path: ["autopilot"] })
    .refine((g) => !(g.nodeAllocatable && g.autopilot !== false), {
      message: "nodeAllocatable describes a Standard cluster's nodes: set autopilot: false with it (Autopilot sizes its nodes to the pods)",
      path: ["nodeAllocatable"],
    })
    .optional()
    .meta({ description: "Where kind: gke services run." }),
  releaseHistory: int(2, 100)
    .default(20)
    .meta({ description: "Releases kept per service in the stack's `releases` output (gantry history, rollback); the oldest drop off." }),
  pins: z
    .record(
      serviceNameKey,
      z.strictObject({
        image: z.string().regex(DIGEST_REF, "must be an image pinned by digest (<image>@sha256:<64 hex>), as `gantry rollback` writes it"),
        reason: z.string().max(500).optional(),
      }),
    )
    .default({})
    .meta({ description: "Rollbacks: each service listed deploys this image, built before, instead of building (or promoting). Written by `gantry rollback`, removed by `gantry unpin`." }),
  rollouts: z
    .record(
      serviceNameKey,
      z.strictObject({
        digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, "must be sha256:<64 hex>, the canary's digest"),
        percent: int(0, 100).meta({ description: "The canary's share of the traffic." }),
        aborted: bool.optional().meta({ description: "All traffic back on the previous revision." }),
      }),
    )
    .default({})
    .meta({ description: "Where each canary stands, for the digest named: written by `gantry rollout advance|abort`. A new digest starts again at its first step." }),
  promotePins: bool
    .default(false)
    .meta({ description: "A promoting stack deploys a pinned (rolled back) image of its source too. Default: it deploys the source's latest release that is not a pin." }),
  jenkins: jenkinsConfig,
  secrets: secretsPolicy,
  allowedSecretProjects,
}).superRefine((c, ctx) => {
  if (c.stage === "deploy" && c.registry.url !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["registry", "url"],
      message: "applies to a stage: build stack only; a deploying stack pushes to the Artifact Registry repository it deploys from (registry.repository, registry.project)",
    });
  }
  if (c.stage === "build" && c.promoteFrom !== undefined) {
    ctx.addIssue({ code: "custom", path: ["stage"], message: "a stack that promotes (promoteFrom) deploys images another stack built: it has nothing to build" });
  }
  if (c.adoptFrom !== undefined && c.baseStack === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["adoptFrom"],
      message: "adoptFrom is for previews (stacks with gantry:baseStack): a trusted stack adopts only from its own repository, which no pull-request identity can write",
    });
  }
  if (c.buildEngine === "lifecycle" && c.buildCache.mode === "volume") {
    ctx.addIssue({ code: "custom", path: ["buildCache"], message: 'the lifecycle engine has no Docker volumes: use {mode: bind, mountPath} (the agent\'s cache claim) or {mode: image}' });
  }
});

export type PlatformConfig = z.output<typeof platformConfig>;
export const platformKeys = Object.keys(platformConfig.shape);
