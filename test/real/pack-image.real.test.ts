import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { imageTag } from "../../components/pack/provider";
import { up, type ResourceState, type UpResult } from "../support/pack-up";
import { startDepsServer, type DepsServer } from "../support/real/deps-server";
import { docker } from "../support/real/docker-engine";
import { crane, expectRebasedOntoV2, httpFromImage, layerDigests, makeApp, packRuns, realArgs, runInImage, startRealPackHost, type RealPackHost } from "../support/real/real-pack";
import { describeReal } from "../support/real/tier";
import { textsUnder } from "../support/files";
import { headManifest, listTags } from "../support/registry";

/*
 * PackImage as `pulumi up` runs it, all real but the engine: the provider serialized by the Pulumi SDK and run in
 * Pulumi's dynamic-provider host, calling the real pack v0.40, which drives the real lifecycle in a real builder
 * (made here with `pack builder create`) on a private Docker engine, publishing to a real registry.
 */

const SECRET = "deps-t0ken-Never-In-State";
type Outputs = Record<string, unknown> & { digest: string; imageRef: string; tag: string; lastOperation: string; logPath: string; sbomDir: string; buildpacks: unknown };
const out = (s: ResourceState) => s.outputs as Outputs;

describeReal("PackImage with the real pack, lifecycle, builder and registry", (world) => {
  let deps: DepsServer;
  let ph: RealPackHost;
  let web: string;
  let other: string;
  let webState: UpResult;
  let otherState: UpResult;
  const args = (name: string, dir: string, runImage?: string) =>
    realArgs(world(), ph, name, dir, {
      buildEnv: { DEPS_URL: deps.url },
      secretEnv: ["DEPS_TOKEN"],
      exclude: ["tests/"],
      tags: ["c0ffee1"],
      ...(runImage ? { runImage } : {}),
    });

  beforeAll(async () => {
    deps = await startDepsServer({ token: SECRET });
    ph = await startRealPackHost(world(), { DEPS_TOKEN: SECRET });
    web = makeApp({ deps: ["flask==3.1.2", "gunicorn==23.0.0"] });
    other = makeApp({ html: "other\n", deps: ["requests==2.32.0"] });
  });
  afterAll(async () => {
    await ph?.close();
    await deps?.close();
    for (const d of [web, other]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  it("first up builds and publishes; the output digest is the one the registry serves, and the image answers HTTP", async () => {
    webState = await up(ph.host, "web", args("web", web));
    otherState = await up(ph.host, "other", args("other", other));
    expect([webState.step, otherState.step]).toEqual(["create", "create"]);
    const o = out(webState);
    expect(o.lastOperation).toBe("build");
    expect(o.imageRef).toBe(`${world().registry.host}/gantry/web@${o.digest}`);
    const served = await headManifest(world().registry.host, "gantry/web", o.tag);
    expect(served).toEqual({ status: 200, digest: o.digest });
    expect(crane(world(), ["digest", `${world().registry.host}/gantry/web:c0ffee1`]).trim()).toBe(o.digest);
    expect(await httpFromImage(world(), o.imageRef)).toBe("hello v1\n");
    expect(packRuns(ph, "web")).toHaveLength(1);
    // The dependencies were fetched, with the secret token, by the real deps buildpack.
    expect(deps.requests().map((r) => r.path).sort()).toEqual(["/flask==3.1.2", "/gunicorn==23.0.0", "/requests==2.32.0"]);
    expect(deps.requests().every((r) => r.authorized)).toBe(true);
  });

  it("the buildpacks and the SBOM in the outputs come from the real build", () => {
    const o = out(webState);
    expect(o.buildpacks).toEqual([
      { id: "gantry-test/deps", version: "1.0.0" },
      { id: "gantry-test/procfile", version: "1.0.0" },
    ]);
    const sboms = (fs.readdirSync(o.sbomDir, { recursive: true }) as string[]).filter((f) => f.endsWith("sbom.cdx.json"));
    expect(sboms).toContain(path.join("sbom", "launch", "gantry-test_deps", "packages", "sbom.cdx.json"));
    const sbom = JSON.parse(fs.readFileSync(path.join(o.sbomDir, "sbom", "launch", "gantry-test_deps", "packages", "sbom.cdx.json"), "utf8"));
    expect(sbom.components).toEqual(expect.arrayContaining([expect.objectContaining({ name: "flask", version: "3.1.2" })]));
    const log = fs.readFileSync(o.logPath, "utf8");
    for (const phase of ["ANALYZING", "DETECTING", "RESTORING", "BUILDING", "EXPORTING"]) expect(log).toContain(`===> ${phase}`);
    const progress = fs.readFileSync(path.join(ph.logDir, "progress.log"), "utf8");
    expect(progress).toMatch(/gantry: web: BUILDING$/m);
  });

  it("an unchanged second up, and an edit to a file the service excludes, make no pack call", async () => {
    expect((await up(ph.host, "web", args("web", web), webState)).step).toBe("same");
    fs.writeFileSync(path.join(web, "tests", "test_app.sh"), "test -f public/index.html && echo more\n");
    fs.writeFileSync(path.join(web, "service.yaml"), "name: web\nkind: service\nminInstances: 2\n");
    expect((await up(ph.host, "web", args("web", web), webState)).step).toBe("same");
    expect(packRuns(ph, "web")).toHaveLength(1);
  });

  it("a source edit builds that service only, and the new image serves the edit", async () => {
    fs.writeFileSync(path.join(web, "public", "index.html"), "hello v2\n");
    const before = out(webState).digest;
    const requestsBefore = deps.requests().length;
    webState = await up(ph.host, "web", args("web", web), webState);
    expect(webState.step).toBe("update");
    expect((await up(ph.host, "other", args("other", other), otherState)).step).toBe("same");
    expect(out(webState).lastOperation).toBe("build");
    expect(out(webState).digest).not.toBe(before);
    expect(packRuns(ph, "web")).toHaveLength(2);
    expect(packRuns(ph, "other")).toHaveLength(1);
    // deps.txt did not change: the volume cache gave the dependencies back.
    expect(deps.requests().length).toBe(requestsBefore);
    expect(fs.readFileSync(out(webState).logPath, "utf8")).toContain("Reusing 2 cached dependencies");
    expect(await httpFromImage(world(), out(webState).imageRef)).toBe("hello v2\n");
  });

  it("a run image bump v1 -> v2 is a pack rebase: the same app layers on v2's base layers, no buildpack run", async () => {
    const w = world();
    const previous = out(webState);
    const prevLayers = layerDigests(w, previous.imageRef);
    const requestsBefore = deps.requests().length;

    webState = await up(ph.host, "web", args("web", web, w.stack.runV2), webState);
    const o = out(webState);
    expect(webState.step).toBe("update");
    expect(o.lastOperation).toBe("rebase");
    expect(o.digest).not.toBe(previous.digest);
    expectRebasedOntoV2(w, prevLayers, o.imageRef);
    const log = fs.readFileSync(o.logPath, "utf8");
    expect(log).toContain("$ " + w.tools.pack + " rebase ");
    expect(log).not.toMatch(/===> (DETECTING|BUILDING)/);
    expect(deps.requests().length).toBe(requestsBefore);
    // The rebase keeps what the build knew.
    expect(o.buildpacks).toEqual(previous.buildpacks);
    expect(o.sbomDir).toBe(previous.sbomDir);
    expect(runInImage(w, o.imageRef, "/bin/cat", [w.stack.fixedFile.path])).toBe(w.stack.fixedFile.v2);
    expect(await httpFromImage(w, o.imageRef)).toBe("hello v2\n");
    expect((await headManifest(w.registry.host, "gantry/web", o.tag)).digest).toBe(o.digest);
  });

  it("a failing buildpack fails the update with the log path and pack's last lines, and publishes nothing", async () => {
    const w = world();
    const tagsBefore = (await listTags(w.registry.host, "gantry/web")).sort();
    fs.writeFileSync(path.join(web, "deps.txt"), "flask==3.1.2\nmissing-internal-lib==0.1\n");
    const error = await up(ph.host, "web", args("web", web, w.stack.runV2), webState).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/pack build for web failed with exit status 1/);
    expect(error?.message).toContain("ERROR: deps: dependency missing-internal-lib==0.1");
    const logPath = /--- full log: (.+)$/m.exec(error!.message)![1]!;
    expect(fs.readFileSync(logPath, "utf8")).toContain("===> BUILDING");
    expect((await listTags(w.registry.host, "gantry/web")).sort()).toEqual(tagsBefore);
    // The state the engine keeps still points at an image the registry serves.
    expect((await headManifest(w.registry.host, "gantry/web", out(webState).digest)).status).toBe(200);
    fs.writeFileSync(path.join(web, "deps.txt"), "flask==3.1.2\ngunicorn==23.0.0\n");
  });

  it("the secret build env value reached the build and appears nowhere: not in the image, its labels, logs or state", () => {
    const w = world();
    const everything: string[] = [JSON.stringify(webState), JSON.stringify(otherState), ph.host.logs.text()];
    for (const s of [webState, otherState]) {
      everything.push(crane(w, ["config", out(s).imageRef]), crane(w, ["manifest", out(s).imageRef]));
    }
    everything.push(...textsUnder(ph.logDir));
    for (const text of everything) expect(text).not.toContain(SECRET);
    expect(deps.requests().filter((r) => r.authorized).length).toBeGreaterThan(0);
    // pack was handed the name only; its value came from the provider's environment.
    expect(fs.readFileSync(out(otherState).logPath, "utf8")).toMatch(/--env DEPS_TOKEN( |$)/m);
  });

  it("leaves no scratch folder behind", () => {
    expect(fs.readdirSync(ph.tmp).filter((f) => f.startsWith("gantry-pack-"))).toEqual([]);
  });

  it("an untrusted builder runs the phases from the pinned lifecycle image (--lifecycle-image), and serves the same app", async () => {
    const w = world();
    const app = makeApp({ html: "untrusted\n", deps: ["six==1.16.0"] });
    try {
      const state = await up(ph.host, "untrusted", { ...args("untrusted", app), trustedBuilders: [], lifecycleImage: w.builder.lifecycleImage });
      const log = fs.readFileSync(out(state).logPath, "utf8");
      expect(log).toContain(`--lifecycle-image ${w.builder.lifecycleImage}`);
      expect(log).not.toContain("--trust-builder");
      // Untrusted: each phase in a container of its own, and pack prefixes their lines.
      expect(log).toMatch(/^\[detector\] gantry-test\/deps/m);
      expect(log).toMatch(/^\[exporter\] \*\*\* Images \(sha256:/m);
      expect(await httpFromImage(w, out(state).imageRef)).toBe("untrusted\n");
      expect(imageTag(String(state.inputs.fingerprint), w.stack.runV1)).toBe(out(state).tag);
    } finally {
      fs.rmSync(app, { recursive: true, force: true });
    }
  });

  it("build.defaultProcess is pack's --default-process: the image starts that Procfile process, not web", async () => {
    const w = world();
    const app = makeApp({ html: "printed by the job process\n" });
    try {
      const state = await up(ph.host, "jobproc", { ...realArgs(w, ph, "jobproc", app), defaultProcess: "job" });
      expect(fs.readFileSync(out(state).logPath, "utf8")).toMatch(/ --default-process job( |$)/m);
      const config = JSON.parse(crane(w, ["config", out(state).imageRef])) as { config: { Entrypoint: string[] } };
      expect(config.config.Entrypoint).toEqual(["/cnb/process/job"]);
      // No command given: the image's own default, the job process, prints the page and exits.
      expect(docker(w.engine, ["run", "--rm", "--network", "host", out(state).imageRef])).toBe("printed by the job process\n");
    } finally {
      fs.rmSync(app, { recursive: true, force: true });
    }
  });
});
