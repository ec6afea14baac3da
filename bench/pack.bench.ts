import type { PackImageArgs } from "../components/pack/image";
import { declare, sampleApp, standinArgs, startPackWorld, up, type PackWorld, type ResourceState } from "../test/support/pack-up";
import type { RunningRegistry } from "../test/support/registry";
import { withRegistry } from "./registry";
import { formatSeconds, log, median, type Bench } from "./bench";

/*
 * Why the stand-in: parallel-builds measures the provider's pool against an ideal, so each build must take the
 * same fixed time, which a real build does not; real builds are measured in real.bench.ts.
 *
 * PackImage through Pulumi's own dynamic-provider host, with the pack stand-in publishing to a real registry on
 * 127.0.0.1. The stand-in is told to spend a fixed time building; everything else (process start, the publish,
 * the provider's own work) is measured as it is.
 */

const SERVICES = 20;
const PARALLEL = 4;
const BUILD_MS = 1500;

function args(world: PackWorld, registry: RunningRegistry, name: string, source: string): PackImageArgs {
  return standinArgs(world, `${registry.host}/bench/${name}`, name, source, PARALLEL);
}

/** Wall time of creating every declared image at once, as the engine does in one `pulumi up`. */
async function createAll(world: PackWorld, declared: Array<{ urn: string; inputs: Record<string, unknown> }>): Promise<number> {
  const started = performance.now();
  await Promise.all(declared.map((d) => world.host.create(d.urn, d.inputs)));
  return performance.now() - started;
}

const parallelBuilds: Bench = {
  id: "parallel-builds",
  async run() {
    return withRegistry(async (registry) => {
      const world = await startPackWorld({ PACK_STANDIN_DELAY_MS: String(BUILD_MS) });
      try {
        // T: one build alone, measured here, so the ideal includes the stand-in's real per-build cost.
        const singles: number[] = [];
        for (let i = 0; i < 3; i++) {
          const d = await declare(`single${i}`, args(world, registry, `single${i}`, sampleApp()));
          singles.push(await createAll(world, [d]));
        }
        const t = median(singles);
        const declared = [];
        for (let i = 0; i < SERVICES; i++) declared.push(await declare(`svc${i}`, args(world, registry, `svc${i}`, sampleApp())));
        log(`parallel-builds: ${SERVICES} services, ${PARALLEL} at a time, one build takes ${formatSeconds(t)}`);
        const wall = await createAll(world, declared);
        const ideal = Math.ceil(SERVICES / PARALLEL) * t;
        const calls = world.calls().length;
        if (calls !== SERVICES + 3) throw new Error(`expected ${SERVICES + 3} pack calls, saw ${calls}`);
        return { measured: wall / ideal, target: { op: "<=", value: 1.15 }, detail: `${formatSeconds(wall)} for ${SERVICES} builds, ideal ${Math.ceil(SERVICES / PARALLEL)} x ${formatSeconds(t)} = ${formatSeconds(ideal)}` };
      } finally {
        await world.close();
      }
    });
  },
};

const noopUp: Bench = {
  id: "noop-up",
  async run() {
    return withRegistry(async (registry) => {
      const world = await startPackWorld();
      try {
        const names = ["api", "web", "worker", "report", "search"];
        const sources = Object.fromEntries(names.map((n) => [n, sampleApp()]));
        const states: Record<string, ResourceState> = {};
        for (const n of names) states[n] = await up(world.host, n, args(world, registry, n, sources[n]!));
        const afterFirst = world.calls().length;
        const started = performance.now();
        for (const n of names) {
          const second = await up(world.host, n, args(world, registry, n, sources[n]!), states[n]);
          if (second.step !== "same") throw new Error(`${n}: second up was "${second.step}", expected no change`);
        }
        const calls = world.calls().length - afterFirst;
        return { measured: calls, target: { op: "=", value: 0 }, detail: `${afterFirst} pack calls on the first up, ${calls} on the second; second up of ${names.length} images took ${formatSeconds(performance.now() - started)}` };
      } finally {
        await world.close();
      }
    });
  },
};

export const benches: Bench[] = [parallelBuilds, noopUp];
