import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { renderText } from "../../plan/render";
import { renderMarkdown } from "../../plan/render-markdown";
import { makePlan } from "../../plan/run";
import { PROJECT_DIR } from "../service/harness";

/* `gantry plan` shows how far the fleet is from building everything with buildpacks. */

function mixedProject(names: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-plan-mixed-"));
  for (const f of fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\.(?:[a-z]+\.)?yaml$/.test(f))) fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(dir, f));
  fs.cpSync(path.join(PROJECT_DIR, "services"), path.join(dir, "services"), { recursive: true });
  for (const name of names) fs.cpSync(path.join(PROJECT_DIR, "test", "fixtures", "migrate", name), path.join(dir, "services", name), { recursive: true });
  return dir;
}

describe("the plan's migration state", () => {
  it("counts buildpacks and Dockerfile services and names the ones ready to drop their Dockerfile", async () => {
    const dir = mixedProject(["py-flask-ready", "node-tini-gke", "py-django-apt"]);
    const backend = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-empty-backend-"));
    const plan = await makePlan({ stack: "dev", projectDir: dir, cwd: dir, env: { PULUMI_BACKEND_URL: `file://${backend}` } });
    expect(plan.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(plan.ok).toBe(true);
    expect(plan.migration).toEqual({ buildpacks: 3, dockerfile: 3, ready: ["py-flask-ready"], needs: ["node-tini-gke"], blocked: ["py-django-apt"] });
    const line = "Dockerfile migration: 3 services built with buildpacks, 3 from a Dockerfile (1 ready to drop it: py-flask-ready; 1 needs changes: node-tini-gke; 1 blocked: py-django-apt). Details: `npx gantry migrate`.";
    expect(renderText(plan).split("\n")).toContain(line);
    expect(renderMarkdown(plan).split("\n")).toContain(line);
  });
});
