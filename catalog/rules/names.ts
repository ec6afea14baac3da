import type { Rule, RuleIssue } from "./types";

// Cloud Run v2 serviceId: fewer than 50 characters (service.proto CreateServiceRequest.service_id).
// Jobs get the same cap: the API allows more, but a job name and its execution token must fit 63 characters.
export const CLOUD_RUN_NAME = /^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$/;
export const DNS1035_LABEL = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
// pulumi-gcp >= 8 spends one of the 64 label slots on goog-pulumi-provisioned.
const MAX_USER_LABELS = 63;

export const nameRule: Rule = (spec) => {
  const { name, kind } = spec;
  if (kind === "gke") {
    return DNS1035_LABEL.test(name)
      ? []
      : [{ path: ["name"], message: `"${name}" is not a valid Kubernetes Service name: 1-63 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen` }];
  }
  if (name.length > 49) {
    return [{ path: ["name"], message: `"${name}" is ${name.length} characters; Cloud Run ${kind} names must be at most 49` }];
  }
  return CLOUD_RUN_NAME.test(name)
    ? []
    : [{ path: ["name"], message: `"${name}" is not a valid Cloud Run ${kind} name: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen` }];
};

export const namespaceRule: Rule = (spec) =>
  spec.kind === "gke" && spec.namespace !== undefined && !DNS1123_LABEL.test(spec.namespace)
    ? [{ path: ["namespace"], message: `"${spec.namespace}" is not a valid namespace: 1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit` }]
    : [];

export const labelsRule: Rule = (spec, ctx) => {
  // The grammar of each key and value is the schema's (fields.ts labels); the count needs the platform's too.
  const issues: RuleIssue[] = [];
  const labels = spec.labels ?? {};
  const total = new Set([...Object.keys(ctx.platform.labels), ...Object.keys(labels), "gantry-service"]).size;
  if (total > MAX_USER_LABELS) {
    issues.push({ path: ["labels"], message: `${total} labels with the platform's and Gantry's own; GCP allows 64 and Pulumi uses one` });
  }
  return issues;
};
