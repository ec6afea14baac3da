import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideImages, runBuilds } from "../../build/run";
import type { StackImage } from "../../build/need";
import type { PackImageArgs } from "../../components/pack/image";
import { fromProps, realize, type PackImageInputs, type PackImageOutputs, type PackImageProps } from "../../components/pack/provider";
import { BUILDER, declare, RUN_IMAGE, sampleApp, STANDIN_DIR, startPackWorld, up, type PackWorld } from "../support/pack-up";
import { startRegistry, type RunningRegistry } from "../support/registry";

/*
 * `gantry build --shard K/N` as the Jenkins stages run it, then `pulumi up`: the shards run the provider's own path
 * (realize) in this process with the `pack` stand-in on PATH, publishing to a real OCI registry; the `up` runs in
 * Pulumi's dynamic-provider host with no state, as on the agent that runs it after the shards.
 *
 * Why the stand-in here: a shard that fails at a given phase on cue (PACK_STANDIN_FAIL), which the real tools cannot
 * be made to do, and builds of a fixed length (PACK_STANDIN_DELAY_MS), without which the slot-order tests could
 * not say which build held the slot. Shards building with the real pack, and the up after them running none, are
 * in test/real/adoption.real.test.ts.
 */

let registry: RunningRegistry;
let dir: string;
const saved = { PATH: process.env.PATH, PACK_STANDIN_LOG: process.env.PACK_STANDIN_LOG, PACK_STANDIN_FAIL: process.env.PACK_STANDIN_FAIL, PACK_STANDIN_DELAY_MS: process.env.PACK_STANDIN_DELAY_MS };
const worlds: PackWorld[] = [];

beforeAll(async () => {
  registry = await startRegistry();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-shards-"));
  process.env.PATH = `${STANDIN_DIR}${path.delimiter}${saved.PATH ?? ""}`;
});
afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  for (const w of worlds) await w.close();
  await registry?.stop();
});

function args(fleet: string, name: string, source: string, logDir: string): PackImageArgs {
  return {
    serviceName: name,
    repository: `${registry.host}/${fleet}/${name}`,
    sourceDir: source,
    builder: BUILDER,
    runImage: RUN_IMAGE,
    alwaysExclude: ["service.yaml"],
    trustedBuilders: ["gcr.io/buildpacks/builder"],
    logDir,
    statCacheDir: path.join(dir, "statcache"),
    maxParallelBuilds: 2,
    timeoutSeconds: 120,
  };
}

function app(text: string): string {
  const d = sampleApp();
  fs.writeFileSync(path.join(d, "main.py"), text);
  return d;
}

/** The stack's images as `gantry build` reads them from the program: each PackImage's registered inputs. */
async function stackOf(fleet: string, names: string[], logDir: string): Promise<{ images: StackImage[]; args: Record<string, PackImageArgs> }> {
  const images: StackImage[] = [];
  const all: Record<string, PackImageArgs> = {};
  for (const n of names) {
    all[n] = args(fleet, n, app(`print('${fleet} ${n}')\n`), logDir);
    const { __provider: _p, ...inputs } = (await declare(n, all[n]!)).inputs as Record<string, unknown>;
    images.push({ name: n, inputs: fromProps(inputs as unknown as PackImageProps) });
  }
  return { images, args: all };
}

function packCalls(log: string): string[] {
  return fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { argv: string[] }).argv[1]!) : [];
}

describe("gantry build --shard K/N, then pulumi up", () => {
  it("shards build disjoint sets whose union is the whole need; a failed shard keeps the others' images; pulumi up after the shards makes zero pack calls", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `svc${i}`);
    const { images, args: declared } = await stackOf("fleet", names, path.join(dir, "logs"));
    const built: string[][] = [];
    for (const index of [1, 2, 3, 4]) {
      const log = path.join(dir, `shard-${index}.jsonl`);
      process.env.PACK_STANDIN_LOG = log;
      // Shard 3 fails, as a shard whose agent breaks does.
      if (index === 3) process.env.PACK_STANDIN_FAIL = "BUILDING:51";
      else delete process.env.PACK_STANDIN_FAIL;
      const { decisions } = await decideImages(images, { shard: { index, count: 4 } });
      expect(decisions.map((d) => d.action)).toEqual(["build", "build", "build"]);
      const results = await runBuilds(decisions, images);
      expect(results.map((r) => r.outcome)).toEqual(index === 3 ? ["failed", "failed", "failed"] : ["built", "built", "built"]);
      built.push(packCalls(log).map((ref) => ref.slice(ref.indexOf("/fleet/") + 7, ref.lastIndexOf(":"))).sort());
    }
    delete process.env.PACK_STANDIN_FAIL;
    for (const [i, set] of built.entries()) for (const [j, other] of built.entries()) if (i !== j) expect(set.filter((n) => other.includes(n))).toEqual([]);
    expect(built.flat().sort()).toEqual([...names].sort());

    // The retry of the run: every shard again; only the failed shard's images are built.
    const retryLog = path.join(dir, "retry.jsonl");
    process.env.PACK_STANDIN_LOG = retryLog;
    for (const index of [1, 2, 3, 4]) {
      const { decisions } = await decideImages(images, { shard: { index, count: 4 } });
      expect(decisions.every((d) => d.action === (index === 3 ? "build" : "adopt"))).toBe(true);
      await runBuilds(decisions, images);
    }
    expect(packCalls(retryLog).map((r) => r.slice(r.indexOf("/fleet/") + 7, r.lastIndexOf(":"))).sort()).toEqual(built[2]);

    const world = await startPackWorld();
    worlds.push(world);
    for (const n of names) {
      const result = await up(world.host, n, { ...declared[n]!, logDir: world.logDir });
      expect((result.outputs as { lastOperation: string }).lastOperation).toBe("adopt");
    }
    expect(world.calls()).toHaveLength(0);
  });

  it("a merge during a fleet rebuild goes before the fleet work still waiting: it waits for one slot, not for the fleet", async () => {
    const logDir = path.join(dir, "fair-logs");
    const { images } = await stackOf("fair", ["f0", "f1", "f2", "day"], logDir);
    process.env.PACK_STANDIN_LOG = path.join(dir, "fair.jsonl");
    process.env.PACK_STANDIN_DELAY_MS = "1500";
    try {
      const byName = Object.fromEntries(images.map((i) => [i.name, i]));
      const lastWith = (i: StackImage, over: Partial<PackImageInputs>): PackImageOutputs => ({ ...i.inputs, ...over, maxParallelBuilds: 1, digest: "", imageRef: "", tag: "", lastOperation: "build", adoptedFrom: "", logPath: "", buildpacks: [], sbomDir: "" });
      const one = (i: StackImage) => ({ ...i.inputs, maxParallelBuilds: 1 });
      const oldBuilder = "gcr.io/buildpacks/builder@sha256:" + "0".repeat(64);
      // The fleet: a builder bump (priority 1). f0 takes the only slot; f1 and f2 queue behind it.
      const fleet = [realize(one(byName.f0!), lastWith(byName.f0!, { builder: oldBuilder }))];
      const progressLog = path.join(logDir, "progress.log");
      const started = () => (fs.existsSync(progressLog) ? [...fs.readFileSync(progressLog, "utf8").matchAll(/gantry: (\w+): build started/g)].map((m) => m[1]) : []);
      while (!started().includes("f0")) await new Promise((r) => setTimeout(r, 50));
      fleet.push(realize(one(byName.f1!), lastWith(byName.f1!, { builder: oldBuilder })), realize(one(byName.f2!), lastWith(byName.f2!, { builder: oldBuilder })));
      await new Promise((r) => setTimeout(r, 300));
      // Then a merge changes one service's source (priority 0).
      const day = realize(one(byName.day!), lastWith(byName.day!, { source: "sha256:before" }));
      await Promise.all([...fleet, day]);
      // The day's change right after the build that held the slot; the fleet's waiting work after it, in whichever
      // order their registry lookups finished (the same priority promises no order among them).
      expect(started().slice(0, 2)).toEqual(["f0", "day"]);
      expect(started().slice(2).sort()).toEqual(["f1", "f2"]);
    } finally {
      delete process.env.PACK_STANDIN_DELAY_MS;
    }
  });

  it("rebases have slots of their own: a running build does not hold them up", async () => {
    const logDir = path.join(dir, "rebase-logs");
    const { images } = await stackOf("rebases", ["r0", "r1", "r2", "slow"], logDir);
    process.env.PACK_STANDIN_LOG = path.join(dir, "rebases.jsonl");
    const one = (i: StackImage, over: Partial<PackImageInputs> = {}) => ({ ...i.inputs, maxParallelBuilds: 1, maxParallelRebases: 3, ...over });
    const firsts: PackImageOutputs[] = [];
    for (const i of images.slice(0, 3)) firsts.push(await realize(one(i)));
    process.env.PACK_STANDIN_DELAY_MS = "2000";
    try {
      const slow = realize(one(images[3]!));
      const progressLog = path.join(logDir, "progress.log");
      const lines = () => fs.readFileSync(progressLog, "utf8");
      while (!/gantry: slow: build started/.test(lines())) await new Promise((r) => setTimeout(r, 50));
      const next = "gcr.io/buildpacks/google-22/run@sha256:" + "b".repeat(64);
      const rebased = await Promise.all(images.slice(0, 3).map((i, k) => realize(one(i, { runImage: next }), firsts[k])));
      expect(rebased.map((r) => r.lastOperation)).toEqual(["rebase", "rebase", "rebase"]);
      expect(lines()).not.toMatch(/gantry: slow: built/);
      await slow;
    } finally {
      delete process.env.PACK_STANDIN_DELAY_MS;
    }
  });
});
