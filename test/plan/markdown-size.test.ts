import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { COMMENT_LIMIT, renderMarkdown } from "../../plan/render-markdown";
import { makePlan } from "../../plan/run";
import { PROJECT_DIR } from "../service/harness";
import { changeFleet, fleetName, writeFleet } from "../support/fleet";
import { backendWith, deploy } from "./fixtures";

/* The markdown plan is a pull request comment: it has to fit one (65,536 characters) at any fleet size. */

describe("the markdown plan at fleet size", () => {
  it("stays well under a comment's limit at 500 services with 20 changed, and lists every change", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-fleet-"));
    writeFleet(dir, 500);
    const backend = backendWith({ bench: (await deploy("bench", dir)).checkpoint });
    changeFleet(dir);
    const plan = await makePlan({ stack: "bench", projectDir: dir, cwd: dir, env: { PULUMI_BACKEND_URL: `file://${backend}` } });
    const markdown = renderMarkdown(plan);

    expect(markdown.length).toBeLessThan(COMMENT_LIMIT / 2);
    expect(markdown).not.toContain("not shown");
    expect(markdown).toContain("#### Changes by service (16 changed; 480 unchanged, not listed)");
    expect(markdown).toContain("#### 🗑️ No longer declared: deleted with everything under them (4)");
    for (const i of [0, 100, 200, 300]) expect(markdown).toContain(`| \`${fleetName(i)}\` | makes ${fleetName(i)} reachable by allUsers (roles/run.invoker) | \`member\` | \`(none)\` → \`allUsers\` |`);
    for (const i of [11, 111, 211, 311]) expect(markdown).toContain(`| \`${fleetName(i)}\` | raises the always-on floor of ${fleetName(i)} | \`template.scaling.minInstanceCount\` | \`0\` → \`3\` |`);
    for (const i of [22, 122, 222, 322]) expect(markdown).toContain(`| \`${fleetName(i)}\` | re-points a secret version of env DB\\_PASSWORD |`);
    for (const i of [33, 133, 233, 333]) expect(markdown).toContain(`<details><summary><code>${fleetName(i)}</code> · image build: source changed`);
    for (const i of [44, 144, 244, 344]) expect(markdown).toContain(`- \`${fleetName(i)}\`: Cloud Run service \`${fleetName(i)}\``);
  }, 300_000);
});

describe("a markdown plan over its budget", () => {
  const planOfExamples = () => makePlan({ stack: "dev", projectDir: PROJECT_DIR, cwd: PROJECT_DIR, env: { PULUMI_BACKEND_URL: `file://${fs.mkdtempSync(path.join(os.tmpdir(), "gantry-empty-"))}` } });

  it("first drops each service's details for one line per service, and says where the details are", async () => {
    const plan = await planOfExamples();
    const detailed = renderMarkdown(plan);
    const compact = renderMarkdown(plan, { budget: detailed.length - 1, fullPlan: "the full plan, attached as `plan-full.md`" });
    expect(compact.length).toBeLessThan(detailed.length);
    expect(compact).not.toContain("<details>");
    expect(compact).toContain("_One line per service; each input's old → new is in the full plan, attached as `plan-full.md`._");
    expect(compact).toContain("- `storefront` · image build: first build: no previous deployment on record · 5 creations");
  });

  it("then lists what fits, counts the rest, and points to the full plan", async () => {
    const plan = await planOfExamples();
    const fullPlan = "the full plan, attached as `plan-full.md`";
    const budget = renderMarkdown(plan, { budget: 1, fullPlan }).length + 300;
    const cut = renderMarkdown(plan, { budget, fullPlan });
    expect(cut.length).toBeLessThanOrEqual(budget);
    expect(cut).toMatch(/_\d+ more (changed services )?not shown: see the full plan, attached as `plan-full\.md`_/);
    // Headings of every section still show, so nothing is silently missing.
    for (const h of ["#### ⚠️ Review first (5)", "#### Changes by service", "#### Preflight", "#### Problems"]) expect(cut).toContain(h);
  });

  it("--full ignores the budget and lists every image and resource", async () => {
    const plan = await planOfExamples();
    const full = renderMarkdown(plan, { full: true, budget: 100 });
    expect(full).toContain("#### Images");
    expect(full).toContain("<details><summary>22 resources</summary>");
    expect(full).toContain("| `gcp:cloudrunv2/serviceIamMember:ServiceIamMember` | `storefront-public` | `name=storefront role=roles/run.invoker member=allUsers` |");
    expect(full).not.toContain("not shown");
  });
});
