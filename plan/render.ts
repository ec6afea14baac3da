import { formatProblem, type Problem } from "../catalog/problems";
import { table } from "../cli/output/table";
import { formatMigrationSummary } from "../migrate";
import { shortDigest } from "./decide";
import type { Plan, PlannedResource, ServicePlan } from "./run";

/** "3 builds, 27 rebases, 170 unchanged" (and promotions, when the stack promotes). */
export function fleetSummary(plan: Plan): string {
  const { builds, rebases, unchanged, promoted } = plan.summary;
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  const parts = [n(builds, "build", "builds"), n(rebases, "rebase", "rebases"), `${unchanged} unchanged`];
  if (plan.promotedFrom) parts.push(`${promoted} promoted`);
  return parts.join(", ");
}

export function renderJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

export function renderText(plan: Plan): string {
  const out: string[] = [];
  out.push(`Plan for stack ${plan.stack}${plan.gcpProject ? ` (project ${plan.gcpProject}, ${plan.region})` : ""}`);
  out.push(...header(plan).map((l) => `  ${l}`));
  if (plan.ok) {
    out.push("", "Images");
    out.push(indent(table(["SERVICE", "KIND", "IMAGE", "WHY"], plan.services.map((s) => [serviceLabel(s), s.kind, s.action, why(s)]))));
    out.push("", fleetSummary(plan));
    if (plan.migration && plan.migration.dockerfile > 0) out.push(`Dockerfile migration: ${formatMigrationSummary(plan.migration)}`);
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

export function renderMarkdown(plan: Plan): string {
  const out: string[] = [];
  out.push(`### Gantry plan for \`${plan.stack}\`${plan.gcpProject ? ` (${plan.gcpProject}, ${plan.region})` : ""}`, "");
  if (plan.ok) out.push(`**${fleetSummary(plan)}**`, "");
  // A fleet all on buildpacks has nothing left to migrate, and nothing to say about it.
  if (plan.ok && plan.migration && plan.migration.dockerfile > 0) out.push(`Dockerfile migration: ${formatMigrationSummary(plan.migration)}`, "");
  for (const l of header(plan)) out.push(`- ${l}`);
  if (plan.ok) {
    out.push("", "| Service | Kind | Image | Why |", "|---|---|---|---|");
    for (const s of plan.services) out.push(`| ${cell(serviceLabel(s))} | ${s.kind} | **${s.action}** | ${cell(why(s))} |`);
    const custom = plan.resources.filter((r) => r.custom);
    out.push("", `<details><summary>${custom.length} resources</summary>`, "", "| Type | Name | Key inputs |", "|---|---|---|");
    for (const r of custom) out.push(`| \`${r.type}\` | ${cell(resourceName(r))} | ${cell(inputsText(r))} |`);
    out.push("", "</details>");
  }
  out.push("", `#### Preflight`, "");
  if (plan.preflight.length === 0) out.push(plan.promotedFrom ? "Nothing is built in this stack." : "No findings.");
  for (const p of plan.preflight) out.push(problemItem(p));
  out.push("", `#### Problems`, "");
  if (plan.problems.length === 0) out.push("None.");
  for (const p of plan.problems) out.push(problemItem(p));
  if (!plan.ok) out.push("", "**Nothing would be built or deployed until these are fixed.**");
  return `${out.join("\n")}\n`;
}

function header(plan: Plan): string[] {
  const lines: string[] = [];
  if (plan.promotedFrom) {
    lines.push(`Promotes from ${plan.promotedFrom}: builds nothing`);
    if (plan.source) lines.push(`Source deployment: ${plan.source.found ? plan.source.from : `none on record (${plan.source.from})`}`);
  }
  lines.push(`Last deployment: ${plan.lastDeployment.found ? plan.lastDeployment.from : `none on record (${plan.lastDeployment.from})`}`);
  return lines;
}

function serviceLabel(s: ServicePlan): string {
  return s.deployedAs === s.name ? s.name : `${s.name} (as ${s.deployedAs})`;
}

function why(s: ServicePlan): string {
  return s.image && s.action === "promoted" ? `${s.why}: ${s.image}` : s.why;
}

function resourceName(r: PlannedResource): string {
  return r.read ? `${r.name} (read)` : r.name;
}

function inputsText(r: PlannedResource): string {
  return Object.entries(r.inputs)
    .map(([k, v]) => `${k}=${r.type.endsWith(":PackImage") || k === "runImage" ? shortDigest(v) : v}`)
    .join(" ");
}

function problemItem(p: Problem): string {
  return `- ${p.severity === "error" ? "❌" : "⚠️"} \`${p.file}:${p.line}:${p.column}\`${p.field ? ` \`${p.field}\`` : ""} ${p.message}${p.stacks?.length ? ` [${p.stacks.join(", ")}]` : ""}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

const indent = (text: string) => text.replace(/^/gm, "  ");
