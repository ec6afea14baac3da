import { spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startDepsServer, type DepsServer } from "../support/real/deps-server";
import { containers, dockerConfigDir, startDockerEngine, stopDockerEngine, type DockerEngineInfo } from "../support/real/docker-engine";
import { waitFor } from "../support/processes";
import { buildStageConfig, makeRealEngineProject, ok, previewSteps, type RealEngineProject } from "../support/real/pulumi-engine";
import { crane, expectRebasedOntoV2, httpFromImage, layerDigests, makeApp, packProcesses } from "../support/real/real-pack";
import { describeReal } from "../support/real/tier";
import { textsUnder } from "../support/files";
import { headManifest, listTags } from "../support/registry";

/*
 * Gantry's own program (infra/index.ts, as Pulumi.yaml and package.json name it) under the real Pulumi CLI v3.248
 * on a file backend, in a stage: build stack: every service's PackImage, with the real pack, builder and registry.
 * The engine's language host and dynamic-provider launcher are ours (Pulumi's are not served here:
 * test/real/tools/language-host); everything else, from the CLI to the provider's serialized closure, is Pulumi's.
 * The builds run on a Docker engine of this file's own (pulling the builder from the run's registry), so "no pack
 * process, no container left" after a Ctrl-C is exact while other test files build on the shared one.
 */

const SECRET = "engine-deps-t0ken-Never-In-State";
const ROOT = path.join(__dirname, "..", "..");
const SERVICES = ["web", "worker"] as const;

type Outputs = Record<string, { image: string; digest: string; fingerprint?: string; runImage?: string }>;

describeReal("Gantry's program under the real Pulumi engine (a build stage)", (world) => {
  let deps: DepsServer;
  // Big, paced dependencies: a build that is still downloading when the test presses Ctrl-C.
  let slowDeps: DepsServer;
  let project: RealEngineProject;
  let engine: DockerEngineInfo;

  const stackYaml = (runImage: string) => buildStageConfig(world(), runImage, "  gantry:maxParallelBuilds: 2\n  gantry:buildTimeout: 10m\n");
  const serviceYaml = (name: string, depsUrl: string) =>
    fs.writeFileSync(
      path.join(project.dir, "services", name, "service.yaml"),
      `name: ${name}\nkind: service\nbuild:\n  env: {DEPS_URL: "${depsUrl}"}\n  secretEnv: [DEPS_TOKEN]\n  exclude: ["tests/"]\n`,
    );
  const logs = (service: string) => {
    const dir = path.join(project.logDir, service);
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".log")).sort() : [];
  };
  const allLogs = () => SERVICES.flatMap((s) => logs(s));
  const outputs = async (): Promise<Outputs> => JSON.parse(ok(await project.pulumi(["stack", "output", "services", "--json", "--stack", "build"]), "stack output")) as Outputs;
  const gantryPlan = () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, "bin", "gantry.js"), "plan", "--stack", "build", "--json"], { cwd: project.dir, encoding: "utf8", env: project.env });
    if (r.status !== 0) throw new Error(`gantry plan exited ${r.status}: ${r.stdout}\n${r.stderr}`);
    return Object.fromEntries((JSON.parse(r.stdout) as { services: Array<{ name: string; action: string }> }).services.map((s) => [s.name, s.action]));
  };
  let lastPreview = "";
  const preview = async () => previewSteps((lastPreview = ok(await project.pulumi(["preview", "--json", "--show-sames", "--stack", "build"]), "pulumi preview")));

  beforeAll(async () => {
    deps = await startDepsServer({ token: SECRET });
    // 4 MiB at 128 KiB/s: half a minute, long enough to interrupt and short enough to wait for.
    slowDeps = await startDepsServer({ token: SECRET, bytesPerDep: 4 * 1024 * 1024, bytesPerSecond: 128 * 1024 });
    engine = await startDockerEngine();
    const packHome = path.join(engine.root, "pack-home");
    fs.mkdirSync(packHome, { recursive: true });
    project = makeRealEngineProject(world(), { DEPS_TOKEN: SECRET, DOCKER_HOST: engine.host, DOCKER_CONFIG: dockerConfigDir(engine), PACK_HOME: packHome });
    for (const name of SERVICES) {
      const app = makeApp({ html: `${name} v1\n`, deps: [`${name}-dep==1.0.0`] });
      fs.cpSync(app, path.join(project.dir, "services", name), { recursive: true });
      fs.rmSync(app, { recursive: true, force: true });
      serviceYaml(name, deps.url);
    }
    project.writeStackConfig("build", stackYaml(world().stack.runV1));
    ok(await project.pulumi(["stack", "init", "build"]), "pulumi stack init");
  }, 20 * 60_000);

  afterAll(async () => {
    project?.close();
    await deps?.close();
    await slowDeps?.close();
    if (engine) await stopDockerEngine(engine);
  });

  it("preview says each image will be built, and gantry plan agrees", async () => {
    const steps = await preview();
    expect(steps).toEqual({ web: { op: "create", diffs: [] }, worker: { op: "create", diffs: [] } });
    expect(gantryPlan()).toEqual({ web: "build", worker: "build" });
    expect(allLogs()).toEqual([]);
  }, 10 * 60_000);

  it("up builds and pushes each image; the outputs are the registry's digests; pack's progress reaches the terminal", async () => {
    const run = await project.pulumi(["up", "--yes", "--skip-preview", "--stack", "build"]);
    const text = ok(run, "pulumi up");
    const out = await outputs();
    for (const name of SERVICES) {
      expect(out[name]!.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
      expect(crane(world(), ["digest", out[name]!.image]).trim()).toBe(out[name]!.digest);
      expect(out[name]!.runImage).toBe(world().stack.runV1);
      expect(logs(name)).toHaveLength(1);
    }
    expect(await httpFromImage(world(), out.web!.image)).toBe("web v1\n");
    // The provider's per-phase lines come through the engine's diagnostics, under the update, where a user looks.
    expect(`${text}\n${run.stderr}`).toMatch(/gantry: web: .*build/);
  }, 15 * 60_000);

  it("a second up is a no-op: zero pack calls; preview and gantry plan both say so", async () => {
    const before = allLogs();
    expect(await preview()).toEqual({ web: { op: "same", diffs: [] }, worker: { op: "same", diffs: [] } });
    expect(gantryPlan()).toEqual({ web: "unchanged", worker: "unchanged" });
    const run = ok(await project.pulumi(["up", "--yes", "--skip-preview", "--stack", "build"]), "pulumi up");
    // The stack, and per service its PackImage.
    expect(run).toMatch(/\b3 unchanged\b/);
    expect(allLogs()).toEqual(before);
  }, 10 * 60_000);

  it("the checkpoint never holds the secret build value, and pack was handed only its name", async () => {
    const exported = ok(await project.pulumi(["stack", "export", "--stack", "build"]), "pulumi stack export");
    expect(exported).not.toContain(SECRET);
    for (const text of textsUnder(path.join(project.dir, "..", "state"))) expect(text).not.toContain(SECRET);
    for (const text of textsUnder(project.logDir)) expect(text).not.toContain(SECRET);
    const log = fs.readFileSync(path.join(project.logDir, "web", logs("web")[0]!), "utf8");
    expect(log).toMatch(/--env DEPS_TOKEN( |$)/m);
    expect(deps.requests().filter((r) => r.authorized).length).toBeGreaterThan(0);
  });

  it("a run image bump: preview shows an update of runImage for every service, gantry plan says rebase, up rebases", async () => {
    const before = await outputs();
    const previous = Object.fromEntries(SERVICES.map((s) => [s, layerDigests(world(), before[s]!.image)]));
    project.writeStackConfig("build", stackYaml(world().stack.runV2));
    const steps = await preview();
    for (const name of SERVICES) expect(steps[name]).toEqual({ op: "update", diffs: ["runImage"] });
    // And the provider's own word for it, among the preview's diagnostics.
    for (const name of SERVICES) expect(lastPreview).toContain(`gantry: ${name}: will rebase (runImage changed)`);
    expect(gantryPlan()).toEqual({ web: "rebase", worker: "rebase" });
    ok(await project.pulumi(["up", "--yes", "--skip-preview", "--stack", "build"]), "pulumi up");
    const after = await outputs();
    for (const name of SERVICES) {
      expect(after[name]!.runImage).toBe(world().stack.runV2);
      expectRebasedOntoV2(world(), previous[name]!, after[name]!.image);
      expect(fs.readFileSync(path.join(project.logDir, name, logs(name).at(-1)!), "utf8")).toMatch(/^\$ \S*pack rebase /m);
    }
    expect(await httpFromImage(world(), after.web!.image)).toBe("web v1\n");
  }, 15 * 60_000);

  it("refresh after the image is deleted from the registry shows the drift, and the next up builds it again", async () => {
    const before = await outputs();
    const [repo, digest] = before.web!.image.split("@") as [string, string];
    const host = world().registry.host;
    crane(world(), ["delete", before.web!.image]);
    expect((await headManifest(host, repo.slice(host.length + 1), digest)).status).toBe(404);
    const refresh = ok(await project.pulumi(["refresh", "--yes", "--skip-preview", "--stack", "build"]), "pulumi refresh");
    expect(refresh).toMatch(/web.*deleted/);
    const webLogs = logs("web").length;
    ok(await project.pulumi(["up", "--yes", "--skip-preview", "--stack", "build"]), "pulumi up");
    expect(logs("web")).toHaveLength(webLogs + 1);
    const after = await outputs();
    expect(crane(world(), ["digest", after.web!.image]).trim()).toBe(after.web!.digest);
  }, 15 * 60_000);

  it("a failing buildpack fails the up with pack's last lines and the log path; the checkpoint keeps the previous digest and nothing is published", async () => {
    const before = await outputs();
    const host = world().registry.host;
    const repo = before.web!.image.split("@")[0]!.slice(host.length + 1);
    const tagsBefore = (await listTags(host, repo)).sort();
    const depsFile = path.join(project.dir, "services", "web", "deps.txt");
    const goodDeps = fs.readFileSync(depsFile, "utf8");
    // A dependency the package index does not have: the deps buildpack fails in BUILDING, as pip would.
    fs.writeFileSync(depsFile, `${goodDeps}missing-internal-lib==0.1\n`);
    const webLogs = logs("web").length;
    try {
      const run = await project.pulumi(["up", "--yes", "--skip-preview", "--stack", "build"]);
      const text = `${run.stdout}\n${run.stderr}`;
      expect(run.status, text).not.toBe(0);
      expect(text).toContain("pack build for web failed with exit status 1");
      expect(text).toContain("ERROR: deps: dependency missing-internal-lib==0.1");
      expect(logs("web")).toHaveLength(webLogs + 1);
      expect(text).toContain(`--- full log: ${path.join(project.logDir, "web", logs("web").at(-1)!)}`);
      // What the engine kept, read from the checkpoint itself: web's PackImage still holds the previous image.
      const exported = JSON.parse(ok(await project.pulumi(["stack", "export", "--stack", "build"]), "pulumi stack export")) as {
        deployment: { resources: Array<{ urn: string; outputs?: Record<string, unknown> }> };
      };
      const web = exported.deployment.resources.filter((r) => /\$?pulumi-nodejs:dynamic[/:]/.test(r.urn) && r.urn.endsWith("::web"));
      expect(web).toHaveLength(1);
      expect(web[0]!.outputs).toMatchObject({ digest: before.web!.digest, imageRef: before.web!.image });
      expect(await outputs()).toEqual(before);
      // Nothing half-published: no new tag, and the deployed digest is still served.
      expect((await listTags(host, repo)).sort()).toEqual(tagsBefore);
      expect((await headManifest(host, repo, before.web!.digest)).status).toBe(200);
    } finally {
      fs.writeFileSync(depsFile, goodDeps);
    }
  }, 15 * 60_000);

  /** The provider's scratch folders (secret files among them), in the TMPDIR the CLI hands its plugins. */
  const scratchFolders = () => fs.readdirSync(path.join(project.dir, "..", "tmp")).filter((f) => f.startsWith("gantry-pack-"));
  /** Starts an up whose web build downloads `dep` slowly, and resolves once pack is running. */
  const interruptibleUp = async (html: string, dep: string) => {
    fs.writeFileSync(path.join(project.dir, "services", "web", "public", "index.html"), html);
    // A dependency no cache holds yet, from the paced server: the build is still downloading it at Ctrl-C.
    fs.writeFileSync(path.join(project.dir, "services", "web", "deps.txt"), `web-dep==1.0.0\n${dep}\n`);
    serviceYaml("web", slowDeps.url);
    const started = project.start(["up", "--yes", "--skip-preview", "--stack", "build"]);
    const until = Date.now() + 5 * 60_000;
    while (packProcesses(world(), engine.host).length === 0) {
      if (Date.now() > until) throw new Error("pack never started");
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 2000));
    // The build's scratch folder is where nothingLeft looks for it afterwards.
    expect(scratchFolders().length).toBeGreaterThan(0);
    return started;
  };
  // Ctrl-C in a terminal: SIGINT to the foreground process group. Pulumi starts each plugin in a group of its own,
  // so the CLI alone gets the first one.
  const ctrlC = (child: ChildProcess) => process.kill(-child.pid!, "SIGINT");
  const nothingLeft = async () => {
    await waitFor(() => packProcesses(world(), engine.host).length === 0, 30_000, "no pack process left");
    await waitFor(() => containers(engine).length === 0, 30_000, "no build container left (docker ps -a)");
    expect(scratchFolders()).toEqual([]);
  };
  /** With the fast package server back, the next up completes and the image serves the edited page. */
  const nextUpServes = async (html: string) => {
    serviceYaml("web", deps.url);
    ok(await project.pulumi(["up", "--yes", "--skip-preview", "--stack", "build"]), "pulumi up after the interrupted one");
    expect(await httpFromImage(world(), (await outputs()).web!.image)).toBe(html);
  };

  it("one Ctrl-C: Pulumi lets the running build finish and starts no other step; the update ends canceled, nothing is left running", async () => {
    const { child, done } = await interruptibleUp("web v2\n", "big-dep==2.0.0");
    ctrlC(child);
    const run = await done;
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}\n${run.stderr}`).toMatch(/update canceled/);
    await nothingLeft();
    await nextUpServes("web v2\n");
  }, 20 * 60_000);

  it("two Ctrl-Cs: the engine stops the provider, Gantry stops pack with it; no process or container is left, and the next up completes", async () => {
    const { child, done } = await interruptibleUp("web v3\n", "big-dep==3.0.0");
    ctrlC(child);
    await new Promise((r) => setTimeout(r, 1000));
    ctrlC(child);
    const interrupted = Date.now();
    const run = await done;
    // Not the minutes the paced download would take.
    expect(Date.now() - interrupted).toBeLessThan(60_000);
    expect(run.status).not.toBe(0);
    await nothingLeft();
    await nextUpServes("web v3\n");
  }, 20 * 60_000);

  it("destroy makes no pack call and deletes no image", async () => {
    const out = await outputs();
    const before = allLogs();
    ok(await project.pulumi(["destroy", "--yes", "--skip-preview", "--stack", "build"]), "pulumi destroy");
    expect(allLogs()).toEqual(before);
    const host = world().registry.host;
    for (const name of SERVICES) {
      const [repo, digest] = out[name]!.image.split("@") as [string, string];
      expect((await headManifest(host, repo.slice(host.length + 1), digest)).status).toBe(200);
    }
  }, 10 * 60_000);
});
