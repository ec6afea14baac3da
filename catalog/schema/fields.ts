import { z } from "zod";

/** Field schemas shared by the service variants and the platform config. Grammar lives here; cross-field rules live in ../rules. */

/** Kubernetes and the Cloud Run API hold counts and seconds in 32-bit integers. */
export const INT32_MAX = 2_147_483_647;
export const count = (min: number, max = INT32_MAX) => z.number().int().min(min).max(max);
/** A whole number the cloud bounds; `what` says the bound in the cloud's words, after the value given. */
export const ranged = (min: number, max: number, what: string) =>
  z
    .number()
    .int()
    .min(min, { error: (i) => `${String(i.input)} is out of range: ${what}` })
    .max(max, { error: (i) => `${String(i.input)} is out of range: ${what}` });

/** An environment variable name as a shell and a container runtime take it. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const processName = z
  .string()
  .regex(/^[A-Za-z0-9_]+$/, "must be a Procfile process name: letters, digits and _ only (Google's builder reads Procfile lines as `^(\\w+):`)");

export const cpu = z
  .union([z.number(), z.string().regex(/^\d+(\.\d+)?$/, 'must be a number of vCPUs such as 1, 2 or "0.5"')])
  .transform((v) => Number(v))
  .meta({ description: "vCPUs. Cloud Run: 0.08 to below 1 in steps of 0.001, or 1, 2, 4, 6, 8. GKE: any Kubernetes CPU quantity." });

export const gkeCpu = z
  .union([z.number().positive().max(INT32_MAX), z.string().regex(/^(\d+(\.\d+)?|\d+m)$/, 'must be a Kubernetes CPU quantity such as "250m", "0.5" or 2')])
  .transform((v) => String(v))
  .refine((v) => !/^0*(\.0*)?m?$/.test(v), "must be more than 0: a container with no CPU request is not schedulable on Autopilot and starves on Standard")
  .meta({ description: 'Kubernetes CPU quantity, e.g. "250m", "0.5", 2.' });

export const memory = z
  .string()
  .regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/, 'must be a memory quantity such as "512Mi" or "2Gi"')
  .meta({ description: 'Memory limit as a Kubernetes quantity, e.g. "512Mi", "2Gi".' });

export const duration = z
  .string()
  .regex(/^(?=\d)(\d+h)?(\d+m)?(\d+(\.\d{1,9})?s)?$/, 'must be a duration such as "300s", "15m" or "1h30m"')
  .meta({ description: 'Duration, e.g. "300s", "15m", "1h30m".' });

export const port = z.number().int().min(1).max(65535);

export const envValue = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

export const envMap = z
  .record(z.string(), envValue)
  .meta({ description: "Plain environment variables. Values are stored in Pulumi state and visible in the console: put secrets under `secrets`." });

export const secretRef = z
  .union([
    z.string().meta({ description: 'Secret Manager secret id ("db-password") or "db-password:3" to pin a version.' }),
    z.strictObject({
      secret: z.string().meta({ description: "Secret Manager secret id, or projects/<project>/secrets/<id>." }),
      version: z.union([z.literal("latest"), count(1), z.string().regex(/^(latest|[1-9]\d*)$/, 'must be "latest" or a version number')]).default("latest"),
    }),
  ])
  .transform((v) => {
    if (typeof v !== "string") return { secret: v.secret, version: String(v.version) };
    // [\s\S], not ".": a newline in the reference must reach the secret id check, not fail this match.
    const m = /^([\s\S]*?)(?::([^:/]+))?$/.exec(v)!;
    return { secret: m[1]!, version: m[2] ?? "latest" };
  });

export const secretsMap = z
  .record(z.string(), secretRef)
  .meta({ description: "Environment variables whose value comes from Secret Manager at run time. Only the reference is deployed, never the value." });

// GCP label grammar (resource-manager/docs/labels-overview#requirements): international lowercase letters allowed.
export const labels = z
  .record(
    z.string().regex(/^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u, "a label key must be 1-63 characters of lowercase letters, digits, _ and -, starting with a lowercase letter"),
    z.string().regex(/^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u, "a label value must be at most 63 characters of lowercase letters, digits, _ and -"),
  )
  .meta({ description: "GCP labels put on every resource." });

export const probe = z.strictObject({
  type: z.enum(["http", "tcp", "grpc"]).default("http"),
  path: z.string().regex(/^\//, "must start with /").optional().meta({ description: "HTTP path (http probes)." }),
  port: port.optional().meta({ description: "Defaults to the container port." }),
  initialDelaySeconds: count(0).optional(),
  periodSeconds: count(1).optional(),
  timeoutSeconds: count(1).optional(),
  failureThreshold: count(1).optional(),
});

export const build = z
  .strictObject({
    env: z
      .record(z.string(), envValue)
      .optional()
      .meta({ description: "Build-time environment (e.g. GOOGLE_PYTHON_VERSION, GOOGLE_ENTRYPOINT, BP_*). Written to project.toml [[io.buildpacks.build.env]]." }),
    secretEnv: z
      .array(z.string().regex(ENV_NAME, "must be an environment variable name: letters, digits and _, not starting with a digit"))
      .optional()
      .meta({
        description:
          "Secret build-time values, by name only: each is read from the environment of whoever runs pulumi up and passed to pack as --env NAME, so the value never enters this file, project.toml, logs or Pulumi state.",
      }),
    defaultProcess: processName.optional().meta({ description: "Process the image starts by default (pack --default-process)." }),
    include: z.array(z.string()).optional().meta({ description: "gitignore-style patterns: only these files are sent to the build (project.toml include)." }),
    exclude: z.array(z.string()).optional().meta({ description: "gitignore-style patterns kept out of the build (project.toml exclude)." }),
    dockerfile: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "Escape hatch while migrating: build from this Dockerfile (relative to this file) with docker buildx instead of buildpacks. `gantry migrate` says when it can go." }),
    context: z.string().min(1).optional().meta({ description: "Docker build context, relative to this file. Defaults to the source folder. Only with dockerfile." }),
    target: z.string().min(1).optional().meta({ description: "Stage of a multi-stage Dockerfile to build (docker build --target). Only with dockerfile." }),
    args: z
      .record(z.string(), envValue)
      .optional()
      .meta({ description: "Docker build args (--build-arg). Only with dockerfile. Kept in Pulumi state and in the image: never secrets." }),
  })
  .meta({ description: "How the source becomes an image: Cloud Native Buildpacks, or (dockerfile, context, target, args) a Dockerfile kept while migrating." });

export type ProbeSpec = z.output<typeof probe>;
export type SecretRef = z.output<typeof secretRef>;

/** A Kubernetes IntOrString for rollout budgets: a pod count, or a percentage of the desired replicas. */
const podsOrPercent = z.union([
  count(0),
  z.string().regex(/^(100|[1-9]?\d)%$/, 'must be a pod count or a percentage from "0%" to "100%", such as "25%"'),
]);

/** Canary steps and tag defaults: Cloud Deploy's and Flagger's usual 10/50/100 ladder. */
export const DEFAULT_CANARY_STEPS = [10, 50, 100] as const;
export const DEFAULT_CANARY_TAG = "canary";

export const cloudRunRollout = z
  .strictObject({
    strategy: z
      .enum(["all", "canary"])
      .default("all")
      .meta({ description: "all: each new revision takes all traffic at once. canary: it takes steps[0] % (and a tag URL), the previous revision the rest, and moves on with `gantry rollout advance`." }),
    steps: z
      .array(ranged(1, 100, "a canary step is 1 to 100 % of the traffic"))
      .min(1, "a canary needs at least one step")
      .max(10, "a canary has at most 10 steps")
      .optional()
      .meta({ description: "Traffic shares of the new revision, increasing and ending at 100. Default [10, 50, 100]." }),
    tag: z
      .string()
      .regex(/^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/, "must be lowercase letters, digits and hyphens, starting with a letter (it becomes part of a URL)")
      .optional()
      .meta({ description: 'Revision tag of the new revision while it is a canary: its own URL (https://<tag>---<service>-...run.app) for smoke tests. Default "canary".' }),
  })
  .meta({ description: "How a new revision takes traffic." });

export const gkeRollout = z
  .strictObject({
    strategy: z
      .string()
      .refine((v) => v === "rolling", "a GKE workload rolls its pods (strategy: rolling, with maxSurge and maxUnavailable); canary traffic splitting is Cloud Run's (kind: service)")
      .default("rolling")
      .meta({ description: "rolling: the Deployment replaces pods a few at a time." }),
    maxSurge: podsOrPercent.optional().meta({ description: 'Pods above the desired count during a rollout. Default "25%" (at least one pod: Kubernetes rounds up).' }),
    maxUnavailable: podsOrPercent.optional().meta({ description: "Pods below the desired count during a rollout. Default 0: serving capacity never drops." }),
    progressDeadline: duration.optional().meta({ description: 'A rollout making no progress this long is marked failed (progressDeadlineSeconds). Default "10m".' }),
  })
  .meta({ description: "How a new image replaces the pods." });

export type CloudRunRollout = z.output<typeof cloudRunRollout>;
export type GkeRollout = z.output<typeof gkeRollout>;
