import * as fs from "node:fs";
import * as path from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, expect, it } from "vitest";
import { previewDestroy, previewGc, previewList, previewUp, type PreviewOptions } from "../../environments/previews";
import { startDepsServer, type DepsServer } from "../support/real/deps-server";
import { buildStageConfig, makeRealEngineProject, ok, type RealEngineProject } from "../support/real/pulumi-engine";
import { crane, makeApp } from "../support/real/real-pack";
import { describeReal } from "../support/real/tier";

/*
 * `gantry preview up/list/gc/destroy` through the Automation API against the real Pulumi CLI v3.248 and a file
 * backend, from a build-stage base stack (the tier has no GCP provider: a preview of a deploying stack would need
 * it). What the real CLI cannot produce (a failing destroy, a stack mid-update) stays with the stand-in in
 * test/environments/previews.test.ts.
 */

const HOUR = 3_600_000;

describeReal("gantry preview under the real Pulumi CLI", (world) => {
  let deps: DepsServer;
  let project: RealEngineProject;
  let opts: PreviewOptions;
  const saved: Record<string, string | undefined> = {};

  const stacks = async () => JSON.parse(ok(await project.pulumi(["stack", "ls", "--json"]), "pulumi stack ls")) as Array<{ name: string }>;

  beforeAll(async () => {
    const w = world();
    deps = await startDepsServer();
    project = makeRealEngineProject(w);
    const app = makeApp({ html: "preview\n", deps: ["flask==3.1.2"] });
    fs.cpSync(app, path.join(project.dir, "services", "web"), { recursive: true });
    fs.rmSync(app, { recursive: true, force: true });
    fs.writeFileSync(path.join(project.dir, "services", "web", "service.yaml"), `name: web\nkind: service\nbuild:\n  env: {DEPS_URL: "${deps.url}"}\n`);
    project.writeStackConfig("build", buildStageConfig(w, w.stack.runV1));
    // The Automation API runs the CLI with this process's environment plus the workspace's PULUMI_* variables.
    for (const k of ["PATH", "DOCKER_HOST", "DOCKER_CONFIG", "PACK_HOME", "TMPDIR"]) {
      saved[k] = process.env[k];
      process.env[k] = project.env[k];
    }
    const cliRoot = path.join(project.dir, "..", "cli");
    fs.mkdirSync(path.join(cliRoot, "bin"), { recursive: true });
    fs.symlinkSync(project.tools.pulumi, path.join(cliRoot, "bin", "pulumi"));
    opts = { projectDir: project.dir, pulumiCommand: await PulumiCommand.get({ root: cliRoot }), env: { ...project.env, CI: "" } };
  }, 10 * 60_000);

  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    project?.close();
    await deps?.close();
  });

  it("preview up makes pr-7 from the base's config, builds under the real engine into a registry path of its own, and leaves the base alone", async () => {
    const lines: string[] = [];
    const comment = await previewUp({ ...opts, pr: 7, base: "build", log: (t) => lines.push(t) });
    expect(comment).toContain("pr-7");
    const config = fs.readFileSync(path.join(project.dir, "Pulumi.pr-7.yaml"), "utf8");
    expect(config).toMatch(/gantry:nameSuffix: pr-7/);
    const out = JSON.parse(ok(await project.pulumi(["stack", "output", "services", "--json", "--stack", "pr-7"]), "stack output")) as Record<string, { image: string; digest: string }>;
    expect(out.web!.image.startsWith(`${world().registry.host}/engine-pr-7/web-pr-7@sha256:`)).toBe(true);
    expect(crane(world(), ["digest", out.web!.image]).trim()).toBe(out.web!.digest);
    // The engine's own output reached the caller while it worked.
    expect(lines.join("")).toMatch(/Updating \(pr-7\)/);
    // Gantry never made the preview the current stack of the workspace.
    expect(fs.existsSync(path.join(project.env.PULUMI_HOME!, "workspaces"))).toBe(false);
  }, 15 * 60_000);

  it("preview list shows pr-7 with its age and resource count, and no other stack", async () => {
    const list = await previewList(opts);
    expect(list.map((p) => p.stack)).toEqual(["pr-7"]);
    expect(list[0]!.ageMs).toBeGreaterThanOrEqual(0);
    expect(list[0]!.ageMs).toBeLessThan(HOUR);
    expect(list[0]!.resourceCount).toBeGreaterThanOrEqual(2);
    expect(list[0]!.updateInProgress).toBe(false);
  });

  it("preview gc keeps a fresh preview, and destroys and removes one older than the limit", async () => {
    const kept = await previewGc({ ...opts, olderThanMs: HOUR });
    expect(kept.destroyed).toEqual([]);
    expect(kept.kept.map((k) => k.stack)).toEqual(["pr-7"]);
    const gc = await previewGc({ ...opts, olderThanMs: HOUR, now: new Date(Date.now() + 2 * HOUR) });
    expect(gc).toMatchObject({ destroyed: ["pr-7"], failed: [] });
    expect((await stacks()).map((s) => s.name)).toEqual([]);
  }, 10 * 60_000);

  it("preview destroy removes a preview and says false for one that does not exist", async () => {
    await previewUp({ ...opts, pr: 8, base: "build" });
    expect((await stacks()).map((s) => s.name)).toEqual(["pr-8"]);
    expect(await previewDestroy({ ...opts, pr: 8 })).toBe(true);
    expect((await stacks()).map((s) => s.name)).toEqual([]);
    expect(await previewDestroy({ ...opts, pr: 8 })).toBe(false);
  }, 15 * 60_000);
});
