import { dockerfileBuildRule } from "./dockerfile";
import { buildEnvRule, buildFilterRule, envRule } from "./env";
import { jobRule } from "./jobs";
import { gkeExposureRule, reservedNamespaceRule } from "./kubernetes";
import { labelsRule, nameRule, namespaceRule } from "./names";
import { probesRule } from "./probes";
import { cloudRunRolloutRule, gkeRolloutRule } from "./rollout";
import { cloudRunResourcesRule, gkeResourcesRule } from "./resources";
import { cloudRunServiceScalingRule, gkeScalingRule } from "./scaling";
import { secretOwnershipRule } from "./secret-ownership";
import type { Rule, RuleContext, RuleIssue } from "./types";
import type { ServiceFile } from "../schema/service";

export type { Rule, RuleContext, RuleIssue } from "./types";

export const rules: readonly Rule[] = [
  nameRule,
  namespaceRule,
  reservedNamespaceRule,
  gkeExposureRule,
  labelsRule,
  cloudRunResourcesRule,
  gkeResourcesRule,
  cloudRunServiceScalingRule,
  gkeScalingRule,
  envRule,
  secretOwnershipRule,
  buildEnvRule,
  buildFilterRule,
  dockerfileBuildRule,
  jobRule,
  probesRule,
  cloudRunRolloutRule,
  gkeRolloutRule,
];

export function checkRules(spec: ServiceFile, ctx: RuleContext): RuleIssue[] {
  return rules.flatMap((rule) => rule(spec, ctx));
}
