import { cloudRunJob, cloudRunService, gkeWorkload, type ServiceKind } from "./schema/service";

const SHAPES: Record<ServiceKind, Record<string, unknown>> = { service: cloudRunService.shape, job: cloudRunJob.shape, gke: gkeWorkload.shape };
const KIND_NAME: Record<ServiceKind, string> = { service: "a Cloud Run service", job: "a Cloud Run job", gke: "a GKE workload" };

// What this kind does instead of the field another kind takes; fields not listed get the plain "only <kind>".
const INSTEAD: Record<ServiceKind, Record<string, string>> = {
  job: {
    port: "a job serves no port: it runs its tasks to completion and exits",
    concurrency: "a job serves no requests; it runs tasks, parallelism at once",
    timeout: "a job's time limit is taskTimeout, per task attempt",
    minInstances: "a job scales by tasks and parallelism",
    maxInstances: "a job scales by tasks and parallelism",
    ingress: "a job is not reachable over the network",
    public: "a job is not reachable over the network",
    cpuIdle: "a job's CPU is always allocated while its tasks run",
    executionEnvironment: "jobs always run on gen2",
    startupProbe: "a job has no probes: a task succeeds by exiting 0",
    livenessProbe: "a job has no probes: a task succeeds by exiting 0",
    rollout: "a job serves no traffic: each execution runs the image deployed when it starts (roll back with gantry rollback)",
    replicas: "a job scales by tasks and parallelism",
    autoscaling: "a job scales by tasks and parallelism",
    serviceType: "a job is not reachable over the network",
    namespace: "Cloud Run has no namespaces; each job is named by its name",
    podSecurity: "Cloud Run runs each task in its own sandbox; there is no pod security level to choose",
  },
  service: {
    process: "a service starts its image's default process; pick another with build.defaultProcess",
    tasks: "a service scales with minInstances and maxInstances",
    parallelism: "a service scales with minInstances and maxInstances",
    taskTimeout: "a service's request time limit is timeout",
    replicas: "a Cloud Run service scales with minInstances and maxInstances",
    autoscaling: "a Cloud Run service scales with minInstances, maxInstances and concurrency",
    serviceType: "a Cloud Run service is exposed with ingress and public",
    namespace: "Cloud Run has no namespaces; each service is named by its name",
    podSecurity: "Cloud Run runs each instance in its own sandbox; there is no pod security level to choose",
    maxRetries: "a request is not retried by Cloud Run: the caller retries it, and a crashed instance is replaced",
    schedule: "a service serves requests; work on a schedule is a kind: job with schedule: {cron, timeZone}",
  },
  gke: {
    minInstances: "on GKE use replicas, or autoscaling.minReplicas",
    maxInstances: "on GKE use autoscaling.maxReplicas",
    concurrency: "GKE scales on CPU: autoscaling.targetCPUUtilization",
    timeout: "a GKE Service has no request timeout of its own",
    ingress: "a GKE workload is exposed with serviceType (ClusterIP, NodePort, LoadBalancer)",
    cpuIdle: "GKE bills the pod's requests whether or not it serves",
    executionEnvironment: "GKE runs the pod on its nodes; there is no gen1/gen2",
    process: "a GKE workload starts its image's default process; pick another with build.defaultProcess",
    tasks: "a GKE workload is a Deployment that keeps running and scales with replicas or autoscaling; run-to-completion work is a kind: job",
    parallelism: "a GKE workload is a Deployment that keeps running and scales with replicas or autoscaling; run-to-completion work is a kind: job",
    taskTimeout: "a GKE workload is a Deployment that keeps running, with no time limit; run-to-completion work is a kind: job",
    maxRetries: "Kubernetes restarts a Deployment's failed container without limit; run-to-completion work is a kind: job",
    schedule: "a GKE workload is a Deployment that keeps running; work on a schedule is a kind: job (Gantry makes no Kubernetes CronJob)",
  },
};

/**
 * For a top-level field this kind does not take but another does: which kind takes it and what this kind uses
 * instead, e.g. `port` on a job. Undefined for a field no kind takes (a typo, answered by did-you-mean).
 */
export function otherKindField(kind: unknown, key: string): string | undefined {
  if (kind !== "service" && kind !== "job" && kind !== "gke") return undefined;
  if (key in SHAPES[kind]) return undefined;
  const takers = (Object.keys(SHAPES) as ServiceKind[]).filter((k) => key in SHAPES[k]);
  if (takers.length === 0) return undefined;
  const only = `only kind: ${takers.join(" or ")} ${takers.length === 1 ? "takes" : "take"} this field, not ${KIND_NAME[kind]} (kind: ${kind})`;
  const instead = INSTEAD[kind][key];
  return instead ? `${only}; ${instead}` : only;
}
