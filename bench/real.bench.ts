import * as fs from "node:fs";
import * as path from "node:path";
import type { PackImageArgs } from "../components/pack/image";
import { declare, up, type UpResult } from "../test/support/pack-up";
import { startDepsServer, type DepsServer } from "../test/support/real/deps-server";
import { makeApp, packRuns, realArgs, startRealPackHost, type RealPackHost } from "../test/support/real/real-pack";
import { realTierUnavailable, startRealWorld, stopRealWorld, type RealWorld } from "../test/support/real/world";
import { formatSeconds, log, median, type Bench } from "./bench";

/*
 * The real tier's benchmarks: the real pack, lifecycle and builder on a private Docker engine, publishing to a real
 * registry. The app is sized like a small real service (32 MiB of source and a dependency layer of 72 MiB),
 * because a rebase or a cache hit only pays off against work worth skipping. The dependencies come from the test
 * package server at a fixed speed, standing in for a package index on the internet.
 */

const DEPS = ["torch==2.5.1", "numpy==2.1.0", "pandas==2.2.3"];
const DEP_BYTES = 24 * 1024 * 1024;
const DEP_SPEED = 16 * 1024 * 1024;
const ROUNDS = 3;

interface Shared {
  world: RealWorld;
  deps: DepsServer;
  ph: RealPackHost;
}

let shared: Promise<Shared> | undefined;

function ensureShared(): Promise<Shared> {
  const reason = realTierUnavailable();
  if (reason) return Promise.reject(new Error(`real tier unavailable: ${reason}`));
  shared ??= (async () => {
    const world = await startRealWorld((l) => log(`real tier: ${l}`));
    const deps = await startDepsServer({ bytesPerDep: DEP_BYTES, bytesPerSecond: DEP_SPEED });
    const ph = await startRealPackHost(world);
    return { world, deps, ph };
  })();
  return shared;
}

/** An app with 32 MiB of source besides its web process, like a service with a front-end bundle and images. */
function sizedApp(name: string): string {
  const dir = makeApp({ html: `${name}\n`, deps: DEPS });
  fs.mkdirSync(path.join(dir, "static"));
  for (let i = 0; i < 8; i++) fs.writeFileSync(path.join(dir, "static", `bundle-${i}.js`), Buffer.alloc(4 * 1024 * 1024, `${name}-${i};`));
  return dir;
}

async function timed(work: () => Promise<UpResult>): Promise<{ ms: number; result: UpResult }> {
  const t0 = performance.now();
  const result = await work();
  return { ms: performance.now() - t0, result };
}

function args(s: Shared, name: string, dir: string, extra: Partial<PackImageArgs> = {}): PackImageArgs {
  return realArgs(s.world, s.ph, name, dir, { buildEnv: { DEPS_URL: s.deps.url }, maxParallelBuilds: 4, ...extra });
}

const realRebase: Bench = {
  id: "real-rebase",
  async run() {
    const s = await ensureShared();
    const app = sizedApp("rebase");
    let state = await up(s.ph.host, "rebase", args(s, "rebase", app));
    const rebuilds: number[] = [];
    const rebases: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // A rebuild of the same source (a build env change forces it), with a warm cache: what a rebase replaces.
      const rebuild = await timed(() => up(s.ph.host, "rebase", args(s, "rebase", app, { env: { ROUND: String(i) }, runImage: state.inputs.runImage as string }), state));
      if (rebuild.result.outputs.lastOperation !== "build") throw new Error("expected a build");
      state = rebuild.result;
      rebuilds.push(rebuild.ms);
      const next = state.inputs.runImage === s.world.stack.runV1 ? s.world.stack.runV2 : s.world.stack.runV1;
      const rebase = await timed(() => up(s.ph.host, "rebase", args(s, "rebase", app, { env: { ROUND: String(i) }, runImage: next }), state));
      if (rebase.result.outputs.lastOperation !== "rebase") throw new Error("expected a rebase");
      state = rebase.result;
      rebases.push(rebase.ms);
    }
    const ratio = median(rebases) / median(rebuilds);
    fs.rmSync(app, { recursive: true, force: true });
    return { measured: ratio, target: { op: "<=", value: 0.1 }, detail: `rebase ${formatSeconds(median(rebases))}, rebuild ${formatSeconds(median(rebuilds))}, median of ${ROUNDS}` };
  },
};

const realCache: Bench = {
  id: "real-cache",
  async run() {
    const s = await ensureShared();
    const colds: number[] = [];
    const warms: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const name = `cache${i}`;
      const app = sizedApp(name);
      const cold = await timed(() => up(s.ph.host, name, args(s, name, app)));
      colds.push(cold.ms);
      fs.writeFileSync(path.join(app, "public", "index.html"), "edited\n");
      const fetchedBefore = s.deps.requests().length;
      const warm = await timed(() => up(s.ph.host, name, args(s, name, app), cold.result));
      if (s.deps.requests().length !== fetchedBefore) throw new Error("the warm rebuild fetched dependencies: the cache did not hold");
      warms.push(warm.ms);
      fs.rmSync(app, { recursive: true, force: true });
    }
    const ratio = median(warms) / median(colds);
    return {
      measured: ratio,
      target: { op: "<=", value: 0.3 },
      detail: `warm rebuild ${formatSeconds(median(warms))}, cold ${formatSeconds(median(colds))}; deps ${DEPS.length} x ${DEP_BYTES >> 20} MiB at ${DEP_SPEED >> 20} MiB/s`,
    };
  },
};

const realNoopUp: Bench = {
  id: "real-noop-up",
  async run() {
    const s = await ensureShared();
    const names = Array.from({ length: 10 }, (_, i) => `noop${i}`);
    const apps = names.map((n) => makeApp({ html: `${n}\n`, deps: ["six==1.16.0"] }));
    const runs = () => names.reduce((n, name) => n + packRuns(s.ph, name).length, 0);
    // One `pulumi up` creates every resource concurrently (at most maxParallelBuilds pack processes at once).
    let t0 = performance.now();
    // The program declares every resource (the mock runtime serializes them one at a time), then the engine
    // creates them all at once.
    const declared = [];
    for (let i = 0; i < names.length; i++) declared.push(await declare(names[i]!, args(s, names[i]!, apps[i]!)));
    const states: UpResult[] = await Promise.all(
      declared.map(async (d) => {
        const created = await s.ph.host.create(d.urn, d.inputs);
        return { id: created.id, urn: d.urn, inputs: d.inputs, outputs: created.properties, step: "create" as const };
      }),
    );
    const firstMs = performance.now() - t0;
    const built = runs();
    if (built !== names.length) throw new Error(`the first up ran pack ${built} times for ${names.length} images`);
    t0 = performance.now();
    const second: UpResult[] = [];
    for (let i = 0; i < names.length; i++) second.push(await up(s.ph.host, names[i]!, args(s, names[i]!, apps[i]!), states[i]));
    const secondMs = performance.now() - t0;
    const unchanged = second.filter((r) => r.step === "same").length;
    for (const dir of apps) fs.rmSync(dir, { recursive: true, force: true });
    return {
      measured: runs() - built,
      target: { op: "=", value: 0 },
      detail: `${unchanged}/${names.length} unchanged; first up ${formatSeconds(firstMs)} (${built} real builds), second up ${formatSeconds(secondMs)}`,
    };
  },
};

export const benches: Bench[] = [realRebase, realCache, realNoopUp];

/** Stops the engine, registry, package server and provider host the benches shared, if any started. */
export async function after(): Promise<void> {
  if (!shared) return;
  const s = await shared.catch(() => undefined);
  if (!s) return;
  await s.ph.close();
  await s.deps.close();
  await stopRealWorld(s.world);
}
