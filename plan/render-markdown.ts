import type { Problem } from "../catalog/problems";
import { htmlText, mdCode, mdText } from "../output/markdown";
import { formatMigrationSummary } from "../migrate";
import { actionCounts, changesByService, type ServiceChanges } from "./by-service";
import type { ResourceChange } from "./diff";
import { fleetSummary, header, imageDecision, launchLine, PROBLEMS_NOTE, removedHeading, inputsText, resourceName, resourceSummary, serviceLabel, why, type RenderOptions } from "./render";
import { typeLabel } from "./type-labels";
import type { Plan } from "./run";

/*
 * The plan as a pull request comment. By default only what changes, risk first, each service's details
 * collapsed, and never longer than a comment can hold: when even that does not fit, it says what it left out
 * and where the full plan is.
 */

/** GitHub's limit on a comment's body, in characters. */
export const COMMENT_LIMIT = 65_536;
/** What the short plan aims under, leaving room for whatever the pipeline wraps around it. */
export const MARKDOWN_BUDGET = 60_000;

export interface MarkdownOptions extends RenderOptions {
  /** Where the full plan is (an attached file, a command), said when the short plan leaves something out. */
  fullPlan?: string;
  budget?: number;
}

export function renderMarkdown(plan: Plan, opts: MarkdownOptions = {}): string {
  if (opts.full) return assemble(plan, "detailed", Infinity, opts);
  const budget = opts.budget ?? MARKDOWN_BUDGET;
  for (const detail of ["detailed", "compact"] as const) {
    const text = assemble(plan, detail, Infinity, opts);
    if (text.length <= budget) return text;
  }
  return assemble(plan, "compact", budget, opts);
}

type Detail = "detailed" | "compact";

/** Each section's heading and items; items are added while the budget allows, the rest counted. */
function assemble(plan: Plan, detail: Detail, budget: number, opts: MarkdownOptions): string {
  const out = new Budgeted(budget, opts.fullPlan ?? "`gantry plan --markdown --full`");
  out.add(`### Gantry plan for ${mdCode(plan.stack)}${plan.gcpProject ? ` (${mdCode(plan.gcpProject)}, ${mdCode(plan.region ?? "")})` : ""}`, "");
  if (plan.ok) out.add(`**${fleetSummary(plan)}** · ${mdText(resourceSummary(plan))}`, "");
  // A fleet all on buildpacks has nothing left to migrate, and nothing to say about it. Its words are Gantry's and
  // its names validated service names, with a command meant as code: not escaped.
  if (plan.ok && plan.migration && plan.migration.dockerfile > 0) out.add(`Dockerfile migration: ${formatMigrationSummary(plan.migration)}`, "");
  for (const l of header(plan)) out.add(`- ${mdText(l)}`);

  if (plan.risks.length > 0) {
    out.add("", `#### ⚠️ Review first (${plan.risks.length})`, "", "| Service | What | Field | Old → new |", "|---|---|---|---|");
    out.items(
      plan.risks.map((r) => `| ${r.service ? mdCode(r.service) : "(stack)"} | ${mdText(r.message)} | ${mdCode(r.field)} | ${mdCode(r.old)} → ${mdCode(r.new)} |`),
      (n) => `| | _${n} more not shown: see ${out.fullPlan}_ | | |`,
    );
  }
  if (plan.removedServices.length > 0) {
    out.add("", `#### 🗑️ ${removedHeading(plan)} (${plan.removedServices.length})`, "");
    out.items(
      plan.removedServices.map((s) => `- ${mdCode(s.name)}${s.hasProblems ? PROBLEMS_NOTE : ""}: ${s.resources.map((r) => `${mdText(typeLabel(r.type))} ${mdCode(r.name)}`).join(", ") || "no resources"}`),
      (n) => `- _${n} more not shown: see ${out.fullPlan}_`,
    );
  }
  if (plan.ok) {
    const { changed, unchanged } = changesByService(plan);
    const listed = changed.filter((g) => g.name !== undefined).length;
    out.add("", `#### Changes by service (${listed} changed; ${unchanged} unchanged${opts.full ? "" : ", not listed"})`, "");
    if (changed.length === 0) out.add("Nothing to change.");
    if (detail === "compact" && changed.length > 0) out.add(`_One line per service; each input's old → new is in ${out.fullPlan}._`, "");
    out.items(
      changed.map((g) => (detail === "detailed" ? serviceDetails(g) : serviceLine(g))),
      (n) => `- _${n} more changed services not shown: see ${out.fullPlan}_`,
    );
  }
  if (plan.ok && opts.full) fullView(plan, out);

  out.add("", `#### Preflight`, "");
  if (plan.preflight.length === 0) out.add(plan.promotedFrom ? "Nothing is built in this stack." : "No findings.");
  out.items(plan.preflight.map(problemItem), (n) => `- _${n} more not shown: see ${out.fullPlan}_`);
  out.add("", `#### Problems`, "");
  if (plan.problems.length === 0) out.add("None.");
  out.items(plan.problems.map(problemItem), (n) => `- _${n} more not shown: see ${out.fullPlan}_`);
  if (!plan.ok) out.add("", "**Nothing would be built or deployed until these are fixed.**");
  return out.text();
}

const ICON: Record<ResourceChange["action"], string> = { create: "➕ create", update: "✏️ update", replace: "♻️ replace", delete: "🗑️ delete", same: "same", read: "read" };

function serviceTitle(g: ServiceChanges): { name: string; image: string } {
  return { name: g.service ? serviceLabel(g.service) : "stack-wide resources", image: g.service ? imageDecision(g.service) : "" };
}

function serviceDetails(g: ServiceChanges): string {
  const t = serviceTitle(g);
  const lines = [`<details><summary><code>${htmlText(t.name)}</code>${t.image ? ` · ${htmlText(t.image)}` : ""}${g.changes.length ? ` · ${actionCounts(g.changes)}` : ""}</summary>`, ""];
  const launch = g.service ? launchLine(g.service, mdCode) : null;
  if (launch) lines.push(`${launch.startsWith("launch command changes") ? "⚠️ " : ""}${launch.replace(" -> ", " → ")}`, "");
  if (g.service?.traffic) lines.push(`Traffic: ${mdText(g.service.traffic.note)}`, "");
  if (g.changes.length > 0) {
    lines.push("| Change | Resource | Input | Old → new |", "|---|---|---|---|");
    for (const c of g.changes) {
      const resource = `${mdText(typeLabel(c.type))} ${mdCode(c.name)}`;
      if (c.changes.length === 0) lines.push(`| ${ICON[c.action]} | ${resource} | | |`);
      for (const [i, x] of c.changes.entries()) {
        lines.push(`| ${i === 0 ? ICON[c.action] : ""} | ${i === 0 ? resource : ""} | ${mdCode(x.path)}${x.forcesReplace ? " (forces replacement)" : ""} | ${mdCode(x.old)} → ${mdCode(x.new)} |`);
      }
    }
    lines.push("");
  }
  lines.push("</details>", "");
  return lines.join("\n");
}

function serviceLine(g: ServiceChanges): string {
  const t = serviceTitle(g);
  return `- ${mdCode(t.name)}${t.image ? ` · ${mdText(t.image)}` : ""}${g.changes.length ? ` · ${actionCounts(g.changes)}` : ""}${g.service?.traffic ? ` · traffic: ${mdText(g.service.traffic.note)}` : ""}`;
}

/** `--full`: every image and every resource with its key inputs, as before the changes-only view. */
function fullView(plan: Plan, out: Budgeted): void {
  out.add("", "#### Images", "", "| Service | Kind | Image | Why | Launch |", "|---|---|---|---|---|");
  for (const s of plan.services) out.add(`| ${mdCode(serviceLabel(s))} | ${s.kind} | **${s.action}** | ${mdText(why(s))} | ${s.launch !== undefined ? mdCode(s.launch) : ""} |`);
  const custom = plan.resources.filter((r) => r.custom);
  out.add("", `<details><summary>${custom.length} resources</summary>`, "", "| Type | Name | Key inputs |", "|---|---|---|");
  for (const r of custom) out.add(`| ${mdCode(r.type)} | ${mdCode(resourceName(r))} | ${inputsText(r) ? mdCode(inputsText(r)) : ""} |`);
  out.add("", "</details>");
}

function problemItem(p: Problem): string {
  return `- ${p.severity === "error" ? "❌" : "⚠️"} ${mdCode(`${p.file}:${p.line}:${p.column}`)}${p.field ? ` ${mdCode(p.field)}` : ""} ${mdText(p.message)}${p.stacks?.length ? ` [${mdText(p.stacks.join(", "))}]` : ""}`;
}

/**
 * Lines under a character budget. Headings and fixed lines always go in (they are short); the lists share what
 * is left, in order, each taking items while they fit and then saying how many it left out.
 */
class Budgeted {
  private readonly parts: Array<{ lines: string[] } | { items: string[]; more: (n: number) => string }> = [];

  constructor(
    private readonly budget: number,
    readonly fullPlan: string,
  ) {}

  add(...lines: string[]): void {
    this.parts.push({ lines });
  }

  items(items: string[], more: (n: number) => string): void {
    if (items.length > 0) this.parts.push({ items, more });
  }

  text(): string {
    const size = (lines: string[]) => lines.reduce((n, l) => n + l.length + 1, 0);
    // What always goes in: the fixed lines, and a "not shown" note for every list, in case it needs one.
    let left = this.budget;
    for (const p of this.parts) left -= "lines" in p ? size(p.lines) : size([p.more(p.items.length)]);
    const out: string[] = [];
    for (const p of this.parts) {
      if ("lines" in p) {
        out.push(...p.lines);
        continue;
      }
      let taken = 0;
      while (taken < p.items.length && (taken === p.items.length - 1 ? size([p.items[taken]!]) - size([p.more(p.items.length)]) : size([p.items[taken]!])) <= left) {
        left -= size([p.items[taken]!]);
        taken++;
      }
      out.push(...p.items.slice(0, taken));
      if (taken < p.items.length) out.push(p.more(p.items.length - taken));
      else left += size([p.more(p.items.length)]);
    }
    // One blank line between blocks is enough, whichever block ended with one.
    return `${out.join("\n").replace(/\n{3,}/g, "\n\n")}\n`;
  }
}
