import type { ProbeSpec } from "../schema/fields";
import type { Rule, RuleIssue } from "./types";

type Limits = { initialDelayMax: number; periodMax: number };
// Cloud Run v2 probe limits (magic-modules cloudrunv2/Service.yaml probe descriptions).
const CLOUD_RUN: Record<"startupProbe" | "livenessProbe", Limits> = {
  startupProbe: { initialDelayMax: 240, periodMax: 240 },
  livenessProbe: { initialDelayMax: 3600, periodMax: 3600 },
};

function checkProbe(field: "startupProbe" | "livenessProbe", probe: ProbeSpec, limits: Limits | undefined): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const at = (k: string) => [field, k];
  if (probe.type === "http" && probe.path === undefined) issues.push({ path: [field], message: "an http probe needs a path, e.g. path: /healthz" });
  if (probe.type !== "http" && probe.path !== undefined) issues.push({ path: at("path"), message: `path applies to http probes only (type is ${probe.type})` });
  if (limits) {
    if ((probe.initialDelaySeconds ?? 0) > limits.initialDelayMax) {
      issues.push({ path: at("initialDelaySeconds"), message: `${probe.initialDelaySeconds} is above Cloud Run's ${limits.initialDelayMax} for a ${field}` });
    }
    if ((probe.periodSeconds ?? 10) > limits.periodMax) {
      issues.push({ path: at("periodSeconds"), message: `${probe.periodSeconds} is above Cloud Run's ${limits.periodMax} for a ${field}` });
    }
  }
  const period = probe.periodSeconds ?? 10;
  const timeout = probe.timeoutSeconds ?? 1;
  if (timeout > 3600) issues.push({ path: at("timeoutSeconds"), message: `${timeout} is above 3600` });
  if (timeout >= period) {
    issues.push({ path: at(probe.timeoutSeconds !== undefined ? "timeoutSeconds" : "periodSeconds"), message: `timeoutSeconds ${timeout} must be below periodSeconds ${period}` });
  }
  return issues;
}

export const probesRule: Rule = (spec) => {
  if (spec.kind === "job") return [];
  const issues: RuleIssue[] = [];
  for (const field of ["startupProbe", "livenessProbe"] as const) {
    const probe = spec[field];
    if (probe) issues.push(...checkProbe(field, probe, spec.kind === "service" ? CLOUD_RUN[field] : undefined));
  }
  return issues;
};
