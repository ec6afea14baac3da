import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PackImageArgs } from "../../components/pack/image";
import { declare, NEXT_RUN_IMAGE, RUN_IMAGE, BUILDER, sampleApp, startPackWorld, up, type PackWorld, type ResourceState } from "../support/pack-up";
import { alive, waitFor } from "../support/processes";
import { textsUnder } from "../support/files";
import { deleteManifest, getImageConfig, headManifest, startRegistry, type RunningRegistry } from "../support/registry";

/*
 * PackImage as `pulumi up` runs it: the provider serialized by the real SDK, executed in Pulumi's own
 * dynamic-provider host over gRPC, calling the `pack` stand-in, which publishes to a real OCI registry.
 *
 * Why the stand-in here: these are the fast tier's checks of the provider's own logic (diff, argument building,
 * the parallel limit, output it must survive), in milliseconds per build, and failures the real tools cannot be
 * made to produce on cue (a given exit status at a given phase, a child that ignores SIGTERM). The same paths run
 * with the real pack, lifecycle and builder in test/real/.
 */

let registry: RunningRegistry;
beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
});

function argsFor(world: PackWorld, source: string, extra: Partial<PackImageArgs> = {}): PackImageArgs {
  return {
    serviceName: "api",
    repository: `${registry.host}/gantry/api`,
    sourceDir: source,
    builder: BUILDER,
    runImage: RUN_IMAGE,
    alwaysExclude: ["service.yaml"],
    trustedBuilders: ["gcr.io/buildpacks/builder"],
    logDir: world.logDir,
    statCacheDir: path.join(world.logDir, "..", "statcache"),
    maxParallelBuilds: 2,
    timeoutSeconds: 120,
    ...extra,
  };
}

const repoName = "gantry/api";
const out = (s: ResourceState) => s.outputs as Record<string, unknown> & { digest: string; imageRef: string; lastOperation: string; logPath: string };

function runImageLabel(config: { config: { Labels: Record<string, string> } }): string {
  return JSON.parse(config.config.Labels["io.buildpacks.lifecycle.metadata"]!).runImage.image;
}

describe("PackImage in Pulumi's dynamic-provider host", () => {
  let world: PackWorld;
  let app: string;
  let state: ResourceState;
  const SECRET = "s3cr3t-Valu3-never-logged";

  beforeAll(async () => {
    world = await startPackWorld({ PIP_INDEX_TOKEN: SECRET });
    app = sampleApp();
  });
  afterAll(async () => {
    await world?.close();
  });

  it("first up builds and publishes once, and the digest is in the registry", async () => {
    const result = await up(world.host, "api", argsFor(world, app, { secretEnv: ["PIP_INDEX_TOKEN"], tags: ["c0ffee1"] }));
    expect(result.step).toBe("create");
    state = result;
    const o = out(state);
    expect(o.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(o.imageRef).toBe(`${registry.host}/gantry/api@${o.digest}`);
    expect(o.lastOperation).toBe("build");
    expect(await headManifest(registry.host, repoName, o.digest)).toMatchObject({ status: 200, digest: o.digest });
    expect(await headManifest(registry.host, repoName, "c0ffee1")).toMatchObject({ status: 200, digest: o.digest });
    expect(world.calls()).toHaveLength(1);
    const argv = world.calls()[0]!.argv;
    expect(argv.slice(0, 2)).toEqual(["build", `${registry.host}/gantry/api:${o.tag}`]);
    expect(argv).toContain("--trust-builder");
    expect(o.buildpacks).toEqual(expect.arrayContaining([expect.objectContaining({ id: expect.stringMatching(/python/) })]));
    expect(fs.readFileSync(o.logPath, "utf8")).toContain("===> EXPORTING");
    expect(fs.existsSync(o.sbomDir as string)).toBe(true);
  });

  it("prints one progress line per pack phase and keeps the full log", async () => {
    const progress = fs.readFileSync(path.join(world.logDir, "progress.log"), "utf8");
    for (const phase of ["ANALYZING", "DETECTING", "RESTORING", "BUILDING", "EXPORTING"]) expect(progress).toMatch(new RegExp(`gantry: api: ${phase}$`, "m"));
    expect(progress).toMatch(/gantry: api: built sha256:[0-9a-f]{64}/);
  });

  it("never lets a secret build env value reach the serialized provider, state, logs or argv", async () => {
    expect(world.calls()[0]!.envNamesPresent).toContain("PIP_INDEX_TOKEN");
    const declared = await declare("api", argsFor(world, app, { secretEnv: ["PIP_INDEX_TOKEN"] }));
    const everything = [JSON.stringify(declared.inputs), JSON.stringify(state.outputs), fs.readFileSync(world.packLog, "utf8"), world.host.logs.text()];
    everything.push(...textsUnder(world.logDir));
    for (const text of everything) expect(text).not.toContain(SECRET);
    expect(String(declared.inputs.__provider)).not.toContain("PIP_INDEX_TOKEN=");
  });

  it("a second up with nothing changed makes no pack call", async () => {
    const result = await up(world.host, "api", argsFor(world, app, { secretEnv: ["PIP_INDEX_TOKEN"], tags: ["c0ffee1"] }), state);
    expect(result.step).toBe("same");
    expect(world.calls()).toHaveLength(1);
  });

  it("a new commit tag alone changes nothing", async () => {
    const result = await up(world.host, "api", argsFor(world, app, { secretEnv: ["PIP_INDEX_TOKEN"], tags: ["beef002"] }), state);
    expect(result.step).toBe("same");
    expect(world.calls()).toHaveLength(1);
  });

  it("a source edit rebuilds", async () => {
    fs.writeFileSync(path.join(app, "main.py"), "from flask import Flask\napp = Flask('api')\n");
    const before = out(state).digest;
    state = await up(world.host, "api", argsFor(world, app, { secretEnv: ["PIP_INDEX_TOKEN"] }), state);
    expect(state).toMatchObject({ step: "update" });
    expect(out(state).lastOperation).toBe("build");
    expect(out(state).digest).not.toBe(before);
    expect(world.calls().map((c) => c.argv[0])).toEqual(["build", "build"]);
  });

  it("a run image bump rebases the previous image instead of rebuilding", async () => {
    const before = out(state);
    state = await up(world.host, "api", argsFor(world, app, { secretEnv: ["PIP_INDEX_TOKEN"], runImage: NEXT_RUN_IMAGE }), state);
    expect(out(state).lastOperation).toBe("rebase");
    expect(world.calls().map((c) => c.argv[0])).toEqual(["build", "build", "rebase"]);
    const argv = world.calls()[2]!.argv;
    expect(argv).toEqual(expect.arrayContaining(["--previous-image", before.imageRef, "--run-image", NEXT_RUN_IMAGE, "--publish"]));
    expect(out(state).digest).not.toBe(before.digest);
    expect(runImageLabel(await getImageConfig(registry.host, repoName, out(state).digest))).toBe(NEXT_RUN_IMAGE);
    expect(runImageLabel(await getImageConfig(registry.host, repoName, before.digest))).toBe(RUN_IMAGE);
  });

  it("a builder bump rebuilds", async () => {
    const otherBuilder = "gcr.io/buildpacks/builder@sha256:" + "c".repeat(64);
    state = await up(world.host, "api", argsFor(world, app, { secretEnv: ["PIP_INDEX_TOKEN"], runImage: NEXT_RUN_IMAGE, builder: otherBuilder }), state);
    expect(out(state).lastOperation).toBe("build");
    expect(world.calls().at(-1)!.argv).toEqual(expect.arrayContaining(["--builder", otherBuilder]));
    expect(world.calls()).toHaveLength(4);
  });

  it("refresh finds the image in the registry, and reports drift when it was deleted behind Gantry's back", async () => {
    const present = await world.host.read(state.id, state.urn, state.outputs);
    expect(present.id).toBe(state.id);
    expect(await deleteManifest(registry.host, repoName, out(state).digest)).toBe(202);
    const gone = await world.host.read(state.id, state.urn, state.outputs);
    expect(gone.id).toBe("");
    // The engine drops a resource whose read returns no id; the next up creates it, so it is built again.
    const rebuilt = await up(world.host, "api", argsFor(world, app, { secretEnv: ["PIP_INDEX_TOKEN"], runImage: NEXT_RUN_IMAGE, builder: "gcr.io/buildpacks/builder@sha256:" + "c".repeat(64) }));
    expect(rebuilt.step).toBe("create");
    expect(world.calls()).toHaveLength(5);
    expect((await headManifest(registry.host, repoName, out(rebuilt).digest)).status).toBe(200);
    state = rebuilt;
  });

  it("delete leaves the image for rollback and makes no pack call", async () => {
    await world.host.delete(state.id, state.urn, state.outputs);
    expect(world.calls()).toHaveLength(5);
    expect((await headManifest(registry.host, repoName, out(state).digest)).status).toBe(200);
  });

  it("rejects trustBuilder for a builder that is not allow-listed", async () => {
    const declared = await declare("api", argsFor(world, app, { builder: "example.com/evil/builder@sha256:" + "d".repeat(64), trustBuilder: true }));
    const { failures } = await world.host.check(declared.urn, {}, declared.inputs);
    expect(failures).toEqual([{ property: "trustBuilder", reason: expect.stringContaining("is not on the trusted-builders allow-list") }]);
  });
});

// Each test builds into a repository of its own where an earlier test's image of the same source would be adopted.
describe("pack failures, timeouts and cancellation", () => {
  it("a failed build fails the update with pack's status, its last lines and the log path, and leaves the previous image alone", async () => {
    const good = await startPackWorld();
    const app = sampleApp();
    let state: ResourceState;
    try {
      state = await up(good.host, "api", argsFor(good, app));
    } finally {
      await good.close();
    }
    const failing = await startPackWorld({ PACK_STANDIN_FAIL: "BUILDING:51" });
    try {
      fs.writeFileSync(path.join(app, "main.py"), "broken = True\n");
      const error = await up(failing.host, "api", argsFor(failing, app), state).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(/pack build for api failed with exit status 1/);
      expect(error?.message).toContain("ERROR: failed to build: executing lifecycle: failed with status code: 51");
      const tail = /--- last (\d+) lines ---/.exec(error!.message);
      expect(Number(tail?.[1])).toBeGreaterThan(0);
      expect(Number(tail?.[1])).toBeLessThanOrEqual(40);
      const logPath = /--- full log: (.+)$/m.exec(error!.message)![1]!;
      expect(fs.readFileSync(logPath, "utf8")).toContain("===> BUILDING");
      expect((await headManifest(registry.host, repoName, out(state).digest)).status).toBe(200);
    } finally {
      await failing.close();
    }
  });

  it("a build over its timeout is killed with its children", async () => {
    const pidFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gantry-pid-")), "child.pid");
    const slow = await startPackWorld({ PACK_STANDIN_DELAY_MS: "60000", PACK_STANDIN_CHILD_PIDFILE: pidFile });
    try {
      const started = Date.now();
      const error = await up(slow.host, "api", argsFor(slow, sampleApp(), { timeoutSeconds: 2, repository: `${registry.host}/gantry/timeout` })).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(/pack build for api timed out after 2s; pack and its children were stopped/);
      expect(Date.now() - started).toBeLessThan(20_000);
      const packPid = slow.calls()[0]!.pid;
      const childPid = Number(fs.readFileSync(pidFile, "utf8"));
      await expectGone([packPid, childPid]);
    } finally {
      await slow.close();
    }
  });

  it("SIGTERM to the provider process stops running pack processes and leaves no orphans", async () => {
    const pidFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gantry-pid-")), "child.pid");
    const slow = await startPackWorld({ PACK_STANDIN_DELAY_MS: "60000", PACK_STANDIN_CHILD_PIDFILE: pidFile });
    try {
      const pending = up(slow.host, "api", argsFor(slow, sampleApp(), { repository: `${registry.host}/gantry/sigterm` })).catch((e: Error) => e);
      await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, "utf8").trim() !== "");
      const packPid = slow.calls()[0]!.pid;
      const childPid = Number(fs.readFileSync(pidFile, "utf8"));
      expect(alive(packPid) && alive(childPid)).toBe(true);
      slow.host.kill("SIGTERM");
      const exit = await slow.host.exited;
      expect(exit.code).toBe(143);
      await expectGone([packPid, childPid]);
      expect(await pending).toBeInstanceOf(Error);
    } finally {
      await slow.close();
    }
  });

  it("runs at most maxParallelBuilds pack processes at once", async () => {
    const world = await startPackWorld({ PACK_STANDIN_DELAY_MS: "700" });
    try {
      // The program declares every resource first; the engine then creates them all at once.
      const declared = [];
      for (const n of ["a", "b", "c", "d", "e"]) declared.push(await declare(n, { ...argsFor(world, sampleApp()), serviceName: n, repository: `${registry.host}/gantry/${n}`, maxParallelBuilds: 2 }));
      await Promise.all(declared.map((d) => world.host.create(d.urn, d.inputs)));
      const events = fs
        .readFileSync(path.join(world.logDir, "progress.log"), "utf8")
        .split("\n")
        .flatMap((l) => {
          const m = /^(\S+) gantry: (\w): (build started|built sha256)/.exec(l);
          return m ? [{ t: Date.parse(m[1]!), delta: m[3] === "build started" ? 1 : -1 }] : [];
        })
        .sort((a, b) => a.t - b.t || a.delta - b.delta);
      let running = 0;
      let peak = 0;
      for (const e of events) peak = Math.max(peak, (running += e.delta));
      expect(events).toHaveLength(10);
      expect(peak).toBe(2);
      expect(world.calls()).toHaveLength(5);
    } finally {
      await world.close();
    }
  });
});

async function expectGone(pids: number[]): Promise<void> {
  await waitFor(() => pids.every((p) => !alive(p)), 10_000).catch(() => undefined);
  for (const pid of pids) expect(alive(pid), `process ${pid} is still running`).toBe(false);
}
