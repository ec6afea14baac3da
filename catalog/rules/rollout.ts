import { DEFAULT_CANARY_STEPS, INT32_MAX } from "../schema/fields";
import { durationSeconds } from "./quantities";
import type { Rule, RuleIssue } from "./types";

/**
 * Canary steps must climb to 100: a ladder that never reaches 100 would leave the previous revision serving
 * forever, and a step that goes down is an abort, which has its own command.
 */
export const cloudRunRolloutRule: Rule = (spec) => {
  if (spec.kind !== "service" || !spec.rollout) return [];
  const { strategy, steps, tag } = spec.rollout;
  const issues: RuleIssue[] = [];
  if (strategy === "all") {
    if (steps) issues.push({ path: ["rollout", "steps"], message: "steps apply to strategy: canary; with strategy: all each new revision takes all traffic at once" });
    if (tag) issues.push({ path: ["rollout", "tag"], message: "tag applies to strategy: canary (the new revision's URL while it is a canary)" });
    return issues;
  }
  const ladder = steps ?? DEFAULT_CANARY_STEPS;
  ladder.forEach((step, i) => {
    if (i > 0 && step <= ladder[i - 1]!) issues.push({ path: ["rollout", "steps", i], message: `${step} does not go up from ${ladder[i - 1]}: each step must give the new revision more traffic than the one before` });
  });
  if (ladder[ladder.length - 1] !== 100) {
    // At the list, not its last item: were an item refused by the schema, the rest would end early and mislead.
    issues.push({ path: steps ? ["rollout", "steps"] : ["rollout", "strategy"], message: `the last step is ${ladder[ladder.length - 1]}: a canary must end at 100, or the previous revision keeps serving for good` });
  }
  return issues;
};

/** Kubernetes refuses a rollout that may neither add nor remove a pod, and a deadline must fit its int32 field. */
export const gkeRolloutRule: Rule = (spec) => {
  if (spec.kind !== "gke" || !spec.rollout) return [];
  const { maxSurge, maxUnavailable, progressDeadline } = spec.rollout;
  const issues: RuleIssue[] = [];
  const zero = (v: number | string | undefined, dflt: number | string) => /^0%?$/.test(String(v ?? dflt));
  if (zero(maxSurge, GKE_ROLLOUT_DEFAULTS.maxSurge) && zero(maxUnavailable, GKE_ROLLOUT_DEFAULTS.maxUnavailable)) {
    issues.push({ path: ["rollout", maxSurge !== undefined ? "maxSurge" : "maxUnavailable"], message: "maxSurge and maxUnavailable are both 0: the rollout could neither start a new pod nor stop an old one (Kubernetes refuses it)" });
  }
  if (progressDeadline !== undefined) {
    const s = durationSeconds(progressDeadline);
    if (s < 1 || s > INT32_MAX || !Number.isInteger(s)) issues.push({ path: ["rollout", "progressDeadline"], message: `"${progressDeadline}" is out of range: a progress deadline is whole seconds, 1s to ${INT32_MAX}s` });
  }
  return issues;
};

/** What a GKE rollout gets when service.yaml does not say: capacity never drops, one extra pod at least. */
export const GKE_ROLLOUT_DEFAULTS = { maxSurge: "25%", maxUnavailable: 0, progressDeadline: "10m" } as const;
