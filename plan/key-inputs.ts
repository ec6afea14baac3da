import * as pulumi from "@pulumi/pulumi";
import { flatten, SECRET_TEXT, UNKNOWN_TEXT } from "./values";

/*
 * The few inputs of each resource type a reviewer reads a plan for: what it is called, where it runs, which
 * image, how big, who may do what. Everything else is in `pulumi preview --diff` once credentials exist.
 */

const KEYS: Record<string, string[]> = {
  "gcp:artifactregistry/repository:Repository": ["project", "location", "repositoryId", "dockerConfig.immutableTags"],
  "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": ["project", "repository", "role", "member"],
  "pulumi-nodejs:dynamic/gantry:PackImage": ["repository", "runImage"],
  "docker-build:index:Image": ["tags"],
  "pulumi:pulumi:StackReference": ["name"],
  "gcp:serviceaccount/account:Account": ["project", "accountId"],
  "gcp:serviceaccount/iAMMember:IAMMember": ["role", "member"],
  "gcp:secretmanager/secretIamMember:SecretIamMember": ["project", "secretId", "role"],
  "gcp:cloudrunv2/service:Service": [
    "name",
    "project",
    "location",
    "template.containers.0.image",
    "template.containers.0.resources.limits.cpu",
    "template.containers.0.resources.limits.memory",
    "template.scaling.minInstanceCount",
    "template.scaling.maxInstanceCount",
    "ingress",
    "deletionProtection",
  ],
  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": ["name", "role", "member"],
  "gcp:cloudrunv2/job:Job": ["name", "project", "location", "template.template.containers.0.image", "template.taskCount", "template.parallelism", "deletionProtection"],
  "gcp:cloudrunv2/jobIamMember:JobIamMember": ["name", "role"],
  "gcp:cloudscheduler/job:Job": ["name", "schedule", "timeZone"],
  "gcp:container/cluster:Cluster": ["name", "project", "location", "deletionProtection"],
  "pulumi:providers:kubernetes": ["context"],
  "kubernetes:core/v1:Namespace": ["metadata.name"],
  "kubernetes:core/v1:ServiceAccount": ["metadata.namespace", "metadata.name"],
  "kubernetes:core/v1:Service": ["metadata.namespace", "metadata.name", "spec.type"],
  "kubernetes:apps/v1:Deployment": ["metadata.namespace", "metadata.name", "spec.replicas", "spec.template.spec.containers.0.image"],
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": ["metadata.namespace", "metadata.name", "spec.minReplicas", "spec.maxReplicas"],
  "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass": ["metadata.namespace", "metadata.name"],
};
const FALLBACK = ["name", "project", "location"];


/** label -> value for the plan; labels are the last path segments that tell them apart. */
export function keyInputs(type: string, inputs: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of KEYS[type] ?? FALLBACK) {
    const value = at(inputs, p);
    if (value === undefined) continue;
    out[label(p)] = render(value);
  }
  return out;
}

function at(value: unknown, dotted: string): unknown {
  let cur = value;
  for (const key of dotted.split(".")) {
    if (pulumi.isUnknown(cur)) return cur;
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function label(dotted: string): string {
  const parts = dotted.split(".").filter((p) => !/^\d+$/.test(p));
  const last = parts[parts.length - 1]!;
  // "limits.cpu" reads better than "cpu"; "metadata.name" is just the name.
  return ["cpu", "memory"].includes(last) ? parts.slice(-2).join(".") : last;
}

function render(value: unknown): string {
  if (pulumi.isUnknown(value)) return UNKNOWN_TEXT;
  if (typeof value === "string") return value;
  // A secret anywhere inside hides the whole value: its neighbours could say what it is.
  if ([...flatten(value).values()].some((l) => l.secret)) return SECRET_TEXT;
  return JSON.stringify(value);
}
