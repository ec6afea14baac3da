import { durationSeconds } from "./quantities";
import type { Rule, RuleIssue } from "./types";

export const cloudRunServiceScalingRule: Rule = (spec, ctx) => {
  if (spec.kind !== "service") return [];
  const issues: RuleIssue[] = [];
  const timeout = durationSeconds(spec.timeout);
  if (timeout < 1 || timeout > 3600) {
    issues.push({ path: ["timeout"], message: `"${spec.timeout}" is out of range: a request timeout is 1s to 3600s` });
  }
  const min = spec.minInstances ?? ctx.platform.scaling.minInstances;
  const max = spec.maxInstances ?? ctx.platform.scaling.maxInstances;
  if (min > max) {
    const field = spec.minInstances !== undefined ? "minInstances" : "maxInstances";
    issues.push({ path: [field], message: `minInstances ${min} is above maxInstances ${max}` });
  }
  if (spec.public && spec.ingress === "internal") {
    issues.push({ path: ["public"], severity: "warning", message: `public: true grants allUsers, but ingress "internal" still blocks traffic from the internet; set ingress: all` });
  }
  return issues;
};

export const gkeScalingRule: Rule = (spec) => {
  if (spec.kind !== "gke" || !spec.autoscaling) return [];
  const min = spec.autoscaling.minReplicas ?? Math.max(1, spec.replicas);
  return min > spec.autoscaling.maxReplicas
    ? [{ path: ["autoscaling", "maxReplicas"], message: `maxReplicas ${spec.autoscaling.maxReplicas} is below minReplicas ${min}` }]
    : [];
};
