import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { editStackConfig } from "../../environments/stack-config";
import { renderText } from "../../plan/render";
import { renderMarkdown } from "../../plan/render-markdown";
import { makePlan } from "../../plan/run";
import { backendWith, deploy, projectCopy } from "./fixtures";

/* `gantry plan` with pins and canaries: what a reviewer of a rollback or a rollout step sees. */

const REPO = "europe-west1-docker.pkg.dev/acme-gantry-dev/services/storefront";
const OLD = `${REPO}@sha256:${"d".repeat(64)}`;

/** dev deployed, with a release history in which storefront ran OLD (revision storefront-old) before what it runs now. */
async function deployedWithHistory(currentTraffic?: number) {
  const dir = projectCopy();
  const last = await deploy("dev", dir);
  const current = last.services.storefront!.image as string;
  const releases = {
    storefront: [
      { digest: OLD.slice(OLD.indexOf("@") + 1), image: OLD, deployedAt: "2026-12-01T10:00:00.000Z", revision: "storefront-old" },
      { digest: current.slice(current.indexOf("@") + 1), image: current, deployedAt: "2026-12-02T10:00:00.000Z", revision: "storefront-now", ...(currentTraffic !== undefined ? { traffic: currentTraffic } : {}) },
    ],
  };
  // The file backend's checkpoint, with the history in the stack's outputs as the program leaves it.
  const checkpoint = last.checkpoint as { checkpoint: { latest: { resources: { type: string; outputs?: Record<string, unknown> }[] } } };
  const root = checkpoint.checkpoint.latest.resources.find((r) => r.type === "pulumi:pulumi:Stack")!;
  root.outputs = { ...root.outputs, releases };
  return { dir, backend: backendWith({ dev: checkpoint }), current };
}

const planOf = (dir: string, backend: string) => makePlan({ stack: "dev", projectDir: dir, cwd: dir, env: { PULUMI_BACKEND_URL: `file://${backend}` } });

describe("a pin in the plan", () => {
  it("shows as a pinned rollback with its reason and image, builds nothing for it, and is counted", async () => {
    const { dir, backend, current } = await deployedWithHistory();
    editStackConfig(dir, "dev", ["gantry:pins", "storefront"], { image: OLD, reason: "checkout 500s" });
    const p = await planOf(dir, backend);
    expect(p.ok).toBe(true);
    expect(p.summary).toEqual({ builds: 0, rebases: 0, unchanged: 2, promoted: 0, pinned: 1 });
    const s = p.services.find((x) => x.name === "storefront")!;
    expect(s).toMatchObject({ action: "pinned", image: OLD, pinned: { image: OLD, reason: "checkout 500s" } });
    expect(p.resources.filter((r) => r.type.endsWith(":PackImage")).map((r) => r.name).sort()).toEqual(["catalog-api", "nightly-report"]);
    const text = renderText(p);
    expect(text).toContain("0 builds, 0 rebases, 2 unchanged, 1 pinned (rollback)");
    expect(text).toContain(`storefront: image pinned: pinned in Pulumi.dev.yaml (gantry:pins): deploys this earlier release without building (checkout 500s): ${OLD}`);
    const short = (ref: string) => ref.replace(/(sha256:[0-9a-f]{12})[0-9a-f]{52}/, "$1");
    expect(text).toContain(`    ~ update  Cloud Run service storefront\n        template.containers[0].image: ${short(current)} -> ${short(OLD)}\n`);
    // While pinned, the service's build leaves the program: its record goes, the images stay in the registry.
    expect(text).toContain("    - delete  image build storefront\n");
    expect(p.risks.map((r) => [r.service, r.field])).toEqual([["storefront", "template.containers[0].image"]]);
    expect(renderMarkdown(p)).toContain("1 pinned (rollback)");
  });

  it("fails, naming the key, for a digest the history does not have", async () => {
    const { dir, backend } = await deployedWithHistory();
    const never = `${REPO}@sha256:${"9".repeat(64)}`;
    editStackConfig(dir, "dev", ["gantry:pins", "storefront"], { image: never });
    await expect(planOf(dir, backend)).rejects.toThrow(`Pulumi.dev.yaml gantry:pins.storefront: ${never} was never deployed as storefront in stack dev`);
  });
});

describe("a canary in the plan", () => {
  const canary = (dir: string) => {
    const file = path.join(dir, "services", "storefront", "service.yaml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("build:\n", "rollout:\n  strategy: canary\n  steps: [10, 50, 100]\nbuild:\n"));
  };

  it("a new build starts at the first step against the revision serving now; the split is shown", async () => {
    const { dir, backend } = await deployedWithHistory();
    canary(dir);
    fs.appendFileSync(path.join(dir, "services", "storefront", "main.py"), "\n# release 3\n");
    const p = await planOf(dir, backend);
    expect(p.services.find((s) => s.name === "storefront")!.traffic).toEqual({ percent: 10, phase: "canary", note: "canary at 10 %: 90 % stays on storefront-now; the new revision's URL has tag canary" });
    expect(renderText(p)).toContain("    traffic: canary at 10 %: 90 % stays on storefront-now; the new revision's URL has tag canary");
    expect(renderMarkdown(p)).toContain("Traffic: canary at 10 %: 90 % stays on storefront-now; the new revision's URL has tag canary");
  });

  it("an advanced step, and an abort, of the release deployed now", async () => {
    const { dir, backend, current } = await deployedWithHistory(10);
    canary(dir);
    const digest = current.slice(current.indexOf("@") + 1);
    editStackConfig(dir, "dev", ["gantry:rollouts", "storefront"], { digest, percent: 50 });
    const advanced = await planOf(dir, backend);
    expect(advanced.services.find((s) => s.name === "storefront")!.traffic).toMatchObject({ percent: 50, note: "canary at 50 %: 50 % stays on storefront-old; the new revision's URL has tag canary" });
    const traffics = advanced.changes.find((c) => c.type === "gcp:cloudrunv2/service:Service")!;
    expect(traffics.action).toBe("update");

    editStackConfig(dir, "dev", ["gantry:rollouts", "storefront"], { digest, percent: 50, aborted: true });
    const aborted = await planOf(dir, backend);
    expect(aborted.services.find((s) => s.name === "storefront")!.traffic).toMatchObject({ percent: 0, phase: "aborted" });
  });
});
