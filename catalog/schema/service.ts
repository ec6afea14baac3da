import { z } from "zod";
import * as f from "./fields";

/**
 * The service.yaml schema. Strict everywhere: an unknown key is an error, because a misspelled
 * `minInstance` silently ignored is how a service ends up cold-starting in prod.
 */

const common = {
  name: z.string().meta({ description: "Service name: lowercase letters, digits and hyphens, starting with a letter." }),
  description: z.string().max(512).optional(),
  source: z.string().default(".").meta({ description: "Source folder, relative to this file. Defaults to the folder holding service.yaml." }),
  build: f.build.optional(),
  env: f.envMap.optional(),
  secrets: f.secretsMap.optional(),
  labels: f.labels.optional(),
  memory: f.memory.default("512Mi"),
  environments: z
    .record(z.string(), z.record(z.string(), z.unknown()))
    .optional()
    .meta({ description: "Per-stack overrides merged over this file before validation, e.g. environments: { prod: { minInstances: 2 } }." }),
};

export const cloudRunService = z.strictObject({
  ...common,
  kind: z.literal("service").meta({ description: "A Cloud Run service." }),
  cpu: f.cpu.default(1),
  port: f.port.default(8080),
  concurrency: f.ranged(1, 1000, "Cloud Run allows 1 to 1000 concurrent requests per instance").optional().meta({ description: "Maximum concurrent requests per instance (1 to 1000). Default 80, or 1 below one vCPU." }),
  timeout: f.duration.default("300s").meta({ description: "Request timeout, at most 3600s." }),
  minInstances: f.count(0).optional(),
  maxInstances: f.count(1).optional(),
  ingress: z.enum(["all", "internal", "internal-and-cloud-load-balancing"]).default("internal"),
  public: z.boolean().default(false).meta({ description: "Grant allUsers run.invoker. Off unless asked for." }),
  executionEnvironment: z.enum(["gen1", "gen2"]).optional(),
  cpuIdle: z.boolean().default(true).meta({ description: "Request-based billing: CPU is throttled outside requests. Must stay true below one vCPU." }),
  startupProbe: f.probe.optional(),
  livenessProbe: f.probe.optional(),
  rollout: f.cloudRunRollout.optional(),
});

export const cloudRunJob = z.strictObject({
  ...common,
  kind: z.literal("job").meta({ description: "A Cloud Run job, optionally on a schedule." }),
  cpu: f.cpu.default(1),
  process: f.processName.optional().meta({ description: "Procfile process the job runs (container command /cnb/process/<process>)." }),
  tasks: f.ranged(1, 10000, "a job runs 1 to 10000 tasks").default(1),
  parallelism: f.count(0).optional().meta({ description: "Tasks run at once; 0 or unset means as many as possible." }),
  taskTimeout: f.duration.default("600s").meta({ description: "Per-attempt timeout, at most 168h." }),
  maxRetries: f.ranged(0, 10, "0 to 10 retries per task").default(3),
  schedule: z
    .union([
      z.string(),
      z.strictObject({
        cron: z.string().meta({ description: 'unix-cron expression, e.g. "0 3 * * *".' }),
        timeZone: z.string().default("Etc/UTC").meta({ description: 'tz database name, e.g. "Europe/Berlin".' }),
      }),
    ])
    .transform((v) => (typeof v === "string" ? { cron: v, timeZone: "Etc/UTC" } : v))
    .optional(),
});

export const gkeWorkload = z.strictObject({
  ...common,
  kind: z.literal("gke").meta({ description: "A Deployment, Service and HorizontalPodAutoscaler on GKE." }),
  cpu: f.gkeCpu.default("500m"),
  port: f.port.default(8080),
  namespace: z.string().optional().meta({ description: "Namespace, created by Gantry; defaults to the service's name. Kubernetes', GKE's and the build agents' own namespaces are refused." }),
  replicas: f.count(0).default(2),
  autoscaling: z
    .strictObject({
      minReplicas: f.count(1).optional(),
      maxReplicas: f.count(1),
      targetCPUUtilization: z.number().int().min(1).max(100).default(70),
    })
    .optional(),
  serviceType: z.enum(["ClusterIP", "NodePort", "LoadBalancer"]).default("ClusterIP"),
  public: z.boolean().default(false).meta({ description: "Allow serviceType NodePort or LoadBalancer, which reach the workload from outside the cluster. Off unless asked for, as on Cloud Run." }),
  podSecurity: z
    .enum(["restricted", "baseline"])
    .default("restricted")
    .meta({ description: "Pod Security Admission level enforced on the namespace Gantry creates; services sharing a namespace must agree." }),
  startupProbe: f.probe.optional(),
  livenessProbe: f.probe.optional(),
  rollout: f.gkeRollout.optional(),
});

export const serviceFile = z.discriminatedUnion("kind", [cloudRunService, cloudRunJob, gkeWorkload]);

export type ServiceFile = z.output<typeof serviceFile>;
export type CloudRunServiceFile = z.output<typeof cloudRunService>;
export type CloudRunJobFile = z.output<typeof cloudRunJob>;
export type GkeWorkloadFile = z.output<typeof gkeWorkload>;
export type ServiceKind = ServiceFile["kind"];
export const serviceKinds = ["service", "job", "gke"] as const;

/** Every key that may appear in a service file of the given kind, for did-you-mean suggestions. */
export function knownKeys(kind: unknown): string[] {
  const variant = kind === "job" ? cloudRunJob : kind === "gke" ? gkeWorkload : kind === "service" ? cloudRunService : undefined;
  if (variant) return Object.keys(variant.shape);
  return [...new Set([...Object.keys(cloudRunService.shape), ...Object.keys(cloudRunJob.shape), ...Object.keys(gkeWorkload.shape)])];
}
