import { formatProblem } from "../catalog/problems";
import { table } from "../output/table";
import { formatMigrationSummary } from "../migrate";
import { changesByService, type ServiceChanges } from "./by-service";
import { shortDigest } from "./decide";
import type { ResourceChange } from "./diff";
import { typeLabel } from "./type-labels";
import type { Plan, PlannedResource, ServicePlan } from "./run";

/** "3 builds, 27 rebases, 170 unchanged" (and promotions, when the stack promotes). */
export function fleetSummary(plan: Plan): string {
  const { builds, rebases, unchanged, promoted, pinned } = plan.summary;
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  const parts = [n(builds, "build", "builds"), n(rebases, "rebase", "rebases"), `${unchanged} unchanged`];
  if (plan.promotedFrom) parts.push(`${promoted} promoted`);
  // A rollback is what a reviewer must see first, so it is counted whenever there is one.
  if (pinned > 0) parts.push(`${pinned} pinned (rollback)`);
  return parts.join(", ");
}

/** "Resources: 2 to create, 1 to update, ..." or why resources were not compared. */
export function resourceSummary(plan: Plan): string {
  if (plan.diffBasis === "outputs-only") return "Resources: not compared (stack outputs hold no resources: pass `pulumi stack export` or use a file backend)";
  if (plan.diffBasis === "not-read") return `Resources: not compared, so no deletion can be shown either (the last deployment was not read): pass --outputs with a file from \`pulumi stack export --stack ${plan.stack}\``;
  const { create, update, replace, delete: del, same } = plan.counts;
  return `Resources: ${create} to create, ${update} to update, ${replace} to replace, ${del} to delete, ${same} unchanged`;
}

/** Services in the last deployment the catalog does not declare; with a broken catalog, not among the valid ones. */
export function removedHeading(plan: Plan): string {
  return plan.ok ? "No longer declared: deleted with everything under them" : "In the last deployment but not among the valid services: a deploy would delete them";
}

export const PROBLEMS_NOTE = " (a file in its folder has problems, listed below)";

/** Said wherever a replacement shows: the mock runtime has no provider to ask. */
export const REPLACE_NOTE = "Replacements are a prediction from the inputs known to force them (plan/replace.ts); the engine decides from each provider's diff.";

export interface RenderOptions {
  /** Everything: every image and every resource, unchanged ones too. Otherwise what changes. */
  full?: boolean;
}

export function renderJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

export function renderText(plan: Plan, opts: RenderOptions = {}): string {
  const out: string[] = [];
  out.push(`Plan for stack ${plan.stack}${plan.gcpProject ? ` (project ${plan.gcpProject}, ${plan.region})` : ""}`);
  out.push(...header(plan).map((l) => `  ${l}`));
  if (plan.ok) {
    out.push("", fleetSummary(plan), resourceSummary(plan));
    if (plan.migration && plan.migration.dockerfile > 0) out.push(`Dockerfile migration: ${formatMigrationSummary(plan.migration)}`);
  }
  if (plan.risks.length > 0) {
    out.push("", `Review first (${plan.risks.length})`);
    out.push(indent(table(["SERVICE", "WHAT", "FIELD", "OLD -> NEW"], plan.risks.map((r) => [r.service ?? "(stack)", r.message, r.field, `${r.old} -> ${r.new}`]))));
  }
  if (plan.removedServices.length > 0) {
    out.push("", `${removedHeading(plan)} (${plan.removedServices.length})`);
    for (const s of plan.removedServices) out.push(`  ${s.name}${s.hasProblems ? PROBLEMS_NOTE : ""}: ${s.resources.map((r) => `${typeLabel(r.type)} ${r.name}`).join(", ") || "no resources"}`);
  }
  if (plan.ok) {
    const { changed, unchanged } = changesByService(plan);
    out.push("", `Changes by service (${changed.filter((g) => g.name !== undefined).length} changed, ${unchanged} unchanged${opts.full ? "" : ", not listed"})`);
    for (const g of changed) out.push(...serviceText(g));
    if (changed.length === 0) out.push("  nothing to change");
  }
  if (plan.ok && opts.full) {
    out.push("", "Images");
    out.push(indent(table(["SERVICE", "KIND", "IMAGE", "WHY", "LAUNCH"], plan.services.map((s) => [serviceLabel(s), s.kind, s.action, why(s), s.launch ?? ""]))));
    const custom = plan.resources.filter((r) => r.custom);
    out.push("", `Resources (${custom.length}, plus ${plan.resources.length - custom.length} components)`);
    out.push(indent(table(["TYPE", "NAME", "KEY INPUTS"], custom.map((r) => [r.type, resourceName(r), inputsText(r)]))));
  }
  out.push("", `Preflight:${plan.preflight.length === 0 ? (plan.promotedFrom ? " nothing is built in this stack" : " no findings") : ""}`);
  for (const p of plan.preflight) out.push(`  ${formatProblem(p)}`);
  out.push("", `Problems:${plan.problems.length === 0 ? " none" : ""}`);
  for (const p of plan.problems) out.push(`  ${formatProblem(p)}`);
  if (!plan.ok) out.push("", "Nothing would be built or deployed until the problems above are fixed.");
  return `${out.join("\n")}\n`;
}

const MARK: Record<ResourceChange["action"], string> = { create: "+ create ", update: "~ update ", replace: "± replace", delete: "- delete ", same: "  same   ", read: "  read   " };

function serviceText(g: ServiceChanges): string[] {
  const lines = [`  ${g.service ? `${serviceLabel(g.service)}: ${imageDecision(g.service)}` : "(stack-wide)"}`];
  const launch = g.service ? launchLine(g.service) : null;
  if (launch) lines.push(`    ${launch}`);
  if (g.service?.traffic) lines.push(`    traffic: ${g.service.traffic.note}`);
  for (const c of g.changes) {
    lines.push(`    ${MARK[c.action]} ${typeLabel(c.type)} ${c.name}`);
    for (const x of c.changes) lines.push(`        ${x.path}: ${x.old} -> ${x.new}${x.forcesReplace ? "  (forces replacement)" : ""}`);
  }
  return lines;
}

export function header(plan: Plan): string[] {
  const lines: string[] = [];
  if (plan.promotedFrom) {
    lines.push(`Promotes from ${plan.promotedFrom}: builds nothing`);
    if (plan.source) lines.push(`Source deployment: ${plan.source.found ? plan.source.from : `none on record (${plan.source.from})`}`);
  }
  const notFound = plan.diffBasis === "not-read" ? "not read" : "none on record";
  lines.push(`Last deployment: ${plan.lastDeployment.found ? plan.lastDeployment.from : `${notFound} (${plan.lastDeployment.from})`}`);
  if (plan.ok && plan.counts.replace > 0) lines.push(REPLACE_NOTE);
  return lines;
}

export function serviceLabel(s: ServicePlan): string {
  return s.deployedAs === s.name ? s.name : `${s.name} (as ${s.deployedAs})`;
}

/** For an image built now: the command it starts, and the one it replaces when that differs. */
export function launchLine(s: ServicePlan, code: (t: string) => string = (t) => t): string | null {
  if (s.launch === undefined || (s.action !== "build" && s.action !== "rebase")) return null;
  if (s.lastLaunch !== undefined && s.lastLaunch !== s.launch) return `launch command changes: ${code(s.lastLaunch)} -> ${code(s.launch)}`;
  return `launches ${code(s.launch)}`;
}

/** "image build: source changed", or just "image unchanged". */
export function imageDecision(s: ServicePlan): string {
  return s.action === "unchanged" ? "image unchanged" : `image ${s.action}: ${why(s)}`;
}

export function why(s: ServicePlan): string {
  return s.image && (s.action === "promoted" || s.action === "pinned") ? `${s.why}: ${s.image}` : s.why;
}

export function resourceName(r: PlannedResource): string {
  return r.read ? `${r.name} (read)` : r.name;
}

export function inputsText(r: PlannedResource): string {
  return Object.entries(r.inputs)
    .map(([k, v]) => `${k}=${r.type.endsWith(":PackImage") || k === "runImage" ? shortDigest(v) : v}`)
    .join(" ");
}

const indent = (text: string) => text.replace(/^/gm, "  ");
