// `gantry migrate` output: a terminal report, a pull-request comment, or JSON for tools.

import { languageName } from "./language-name";
import type { MigrationReport, ServiceMigration } from "./report";
import type { Check } from "./types";

const VERDICT_TEXT = { ready: "READY", needs: "NEEDS CHANGES", blocked: "BLOCKED" } as const;
const VERDICT_MD = { ready: "✅ ready", needs: "🛠 needs changes", blocked: "⛔ blocked" } as const;

export function renderJson(report: MigrationReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function renderText(report: MigrationReport): string {
  if (report.services.length === 0) return `No service builds from a Dockerfile in ${report.stacks.join(", ")}: nothing to migrate.\n`;
  const out: string[] = [];
  for (const s of report.services) {
    out.push(`${s.name}: ${VERDICT_TEXT[s.verdict]}  (${s.dockerfile}${stacksLabel(s, report)})`, `  why       ${s.reason}`);
    out.push(...comparisonLines(s).map((l) => `  ${l}`));
    out.push(...numbered("steps", s.checks.filter((c) => c.kind === "step")), ...numbered("blocked by", s.checks.filter((c) => c.kind === "blocker")), ...bulleted("notes", s.checks.filter((c) => c.kind === "note")));
    out.push(`  ${finalAction(s)}`, "");
  }
  out.push(totals(report));
  return `${out.join("\n")}\n`;
}

export function renderMarkdown(report: MigrationReport): string {
  if (report.services.length === 0) return `### Dockerfile migration\n\nNo service builds from a Dockerfile in ${report.stacks.join(", ")}: nothing to migrate.\n`;
  const out = ["### Dockerfile migration", "", "| service | verdict | why | steps | blockers |", "| --- | --- | --- | --- | --- |"];
  for (const s of report.services) out.push(`| \`${s.name}\`${stacksLabel(s, report)} | ${VERDICT_MD[s.verdict]} | ${s.reason.replace(/\|/g, "\\|")} | ${s.steps.length} | ${s.blockers.length} |`);
  out.push("");
  for (const s of report.services) {
    out.push(`<details><summary><code>${s.name}</code>: ${VERDICT_MD[s.verdict]} (${s.dockerfile})</summary>`, "", "```", ...comparisonLines(s), "```", "");
    const steps = s.checks.filter((c) => c.kind === "step");
    const blockers = s.checks.filter((c) => c.kind === "blocker");
    if (blockers.length > 0) out.push("**Blocked by**", "", ...blockers.map((c) => `- ${markdownCheck(c)}`), "");
    if (steps.length > 0) out.push("**Steps**", "", ...steps.map((c, i) => `${i + 1}. ${markdownCheck(c)}`), "");
    const notes = s.checks.filter((c) => c.kind === "note");
    if (notes.length > 0) out.push("**Notes**", "", ...notes.map((c) => `- ${markdownCheck(c)}`), "");
    out.push(finalAction(s), "", "</details>", "");
  }
  out.push(totals(report));
  return `${out.join("\n")}\n`;
}

function comparisonLines(s: ServiceMigration): string[] {
  const lines = [`builder   ${s.builder}${s.language ? ` (${languageName(s.language)})` : ""}`];
  lines.push(`launch    Dockerfile: ${s.launch.dockerfile ?? "(none)"}`, `          buildpacks: ${s.launch.buildpacks ?? "(none)"}${s.launch.same ? "  = same" : ""}`);
  if (s.port.service !== null) lines.push(`port      service ${s.port.service}; EXPOSE ${s.port.expose.join(" ") || "(none)"}; builder default ${s.port.builderDefault}${s.port.listens !== null ? `; the command listens on ${s.port.listens}` : ""}`);
  if (s.runtime) lines.push(`runtime   Dockerfile: ${languageName(s.runtime.language)} ${s.runtime.dockerfile ?? "(unpinned)"} (${s.runtime.image}); buildpacks: ${s.runtime.buildpacks ?? "?"} (${s.runtime.source})`);
  return lines;
}

function numbered(title: string, checks: Check[]): string[] {
  return checks.length === 0 ? [] : [`  ${title}`, ...checks.map((c, i) => `    ${i + 1}. ${c.text}${where(c)}`)];
}

function bulleted(title: string, checks: Check[]): string[] {
  return checks.length === 0 ? [] : [`  ${title}`, ...checks.map((c) => `    - ${c.text}${where(c)}`)];
}

function where(c: Check): string {
  return c.line !== undefined ? ` [Dockerfile:${c.line}]` : "";
}

function markdownCheck(c: Check): string {
  return `${c.text}${c.line !== undefined ? ` (Dockerfile line ${c.line})` : ""}`;
}

function finalAction(s: ServiceMigration): string {
  switch (s.verdict) {
    case "ready":
      return `Delete ${s.dockerfile} and build.dockerfile (with context/target/args) from ${s.file}: the buildpacks image does what it did.`;
    case "needs":
      return `After these steps, delete ${s.dockerfile} and build.dockerfile (with context/target/args) from ${s.file}, then run \`npx gantry migrate\` again.`;
    case "blocked":
      return `Keep ${s.dockerfile} until the blockers above are resolved.`;
  }
}

function stacksLabel(s: ServiceMigration, report: MigrationReport): string {
  return s.stacks.length === report.stacks.length ? "" : ` [${s.stacks.join(", ")}]`;
}

function totals(report: MigrationReport): string {
  const count = (v: ServiceMigration["verdict"]) => new Set(report.services.filter((s) => s.verdict === v).map((s) => s.name)).size;
  const names = new Set(report.services.map((s) => s.name)).size;
  return `${names} service${names === 1 ? "" : "s"} build from a Dockerfile: ${count("ready")} ready, ${count("needs")} need${count("needs") === 1 ? "s" : ""} changes, ${count("blocked")} blocked.`;
}
