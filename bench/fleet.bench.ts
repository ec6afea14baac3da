import * as fs from "node:fs";
import * as path from "node:path";
import { assignShards } from "../build/shard";
import type { PackImageArgs } from "../components/pack/image";
import { declare, sampleApp, standinArgs, startPackWorld, type PackWorld } from "../test/support/pack-up";
import type { RunningRegistry } from "../test/support/registry";
import { withRegistry } from "./registry";
import { formatSeconds, log, median, type Bench } from "./bench";

/*
 * The registry as the build cache, and a fleet rebuild spread over agents.
 *
 * Why the stand-in: sharded-builds measures how evenly the shards share the fleet and what the sharding costs, so
 * each build must take the same fixed time, which a real build does not. Each shard is a provider process of its own
 * (Pulumi's dynamic-provider host, as on its own agent) building one image at a time, its share chosen by the real
 * split (build/shard.ts); the stand-in publishes to a real registry on 127.0.0.1 and the adoption lookups are real.
 */

const FLEET = 40;
const SHARDS = 4;
const BUILD_MS = 1500;

function args(world: PackWorld, registry: RunningRegistry, fleet: string, name: string, source: string, maxParallelBuilds: number): PackImageArgs {
  return standinArgs(world, `${registry.host}/${fleet}/${name}`, name, source, maxParallelBuilds);
}

function app(tag: string): string {
  const dir = sampleApp();
  fs.writeFileSync(path.join(dir, "main.py"), `print(${JSON.stringify(tag)})\n`);
  return dir;
}

const shardedBuilds: Bench = {
  id: "sharded-builds",
  async run() {
    return withRegistry(async (registry) => {
      const worlds = await Promise.all(Array.from({ length: SHARDS }, () => startPackWorld({ PACK_STANDIN_DELAY_MS: String(BUILD_MS) })));
      try {
        // T: one build alone on one agent, measured here, so the ideal includes the stand-in's real per-build cost.
        const singles: number[] = [];
        for (let i = 0; i < 3; i++) {
          const d = await declare(`single${i}`, args(worlds[0]!, registry, "single", `single${i}`, app(`single ${i}`), 1));
          const started = performance.now();
          await worlds[0]!.host.create(d.urn, d.inputs);
          singles.push(performance.now() - started);
        }
        const t = median(singles);
        const names = Array.from({ length: FLEET }, (_, i) => `svc${i}`);
        const repository = (n: string) => `${registry.host}/fleet/${n}`;
        const shardOf = assignShards(names.map((n) => ({ name: n, key: repository(n) })), SHARDS);
        const declared = Array.from({ length: SHARDS }, () => [] as Array<{ urn: string; inputs: Record<string, unknown> }>);
        for (const n of names) {
          const k = shardOf.get(n)!;
          declared[k - 1]!.push(await declare(n, args(worlds[k - 1]!, registry, "fleet", n, app(`fleet ${n}`), 1)));
        }
        log(`sharded-builds: ${FLEET} services on ${SHARDS} shards (${declared.map((d) => d.length).join("/")}), one build at a time each, one build takes ${formatSeconds(t)}`);
        const started = performance.now();
        await Promise.all(declared.map((shard, k) => Promise.all(shard.map((d) => worlds[k]!.host.create(d.urn, d.inputs)))));
        const wall = performance.now() - started;
        const calls = worlds.reduce((sum, w) => sum + w.calls().length, 0);
        if (calls !== FLEET + 3) throw new Error(`expected ${FLEET + 3} pack calls, saw ${calls}`);
        const ideal = Math.ceil(FLEET / SHARDS) * t;
        return { measured: wall / ideal, target: { op: "<=", value: 1.15 }, detail: `${formatSeconds(wall)} for ${FLEET} builds on ${SHARDS} shards, ideal ${Math.ceil(FLEET / SHARDS)} x ${formatSeconds(t)} = ${formatSeconds(ideal)}` };
      } finally {
        for (const w of worlds) await w.close();
      }
    });
  },
};

const adopt: Bench = {
  id: "adopt",
  async run() {
    return withRegistry(async (registry) => {
      const first = await startPackWorld();
      const second = await startPackWorld();
      try {
        const names = Array.from({ length: FLEET }, (_, i) => `svc${i}`);
        const sources = Object.fromEntries(names.map((n) => [n, app(`adopt ${n}`)]));
        const deploy = async (world: PackWorld) => {
          const declared = [];
          for (const n of names) declared.push(await declare(n, args(world, registry, "shared", n, sources[n]!, 4)));
          const started = performance.now();
          const outs = await Promise.all(declared.map((d) => world.host.create(d.urn, d.inputs)));
          return { ms: performance.now() - started, operations: outs.map((o) => (o.properties as { lastOperation: string }).lastOperation) };
        };
        const a = await deploy(first);
        if (first.calls().length !== FLEET) throw new Error(`the first stack made ${first.calls().length} pack calls, expected ${FLEET}`);
        const b = await deploy(second);
        const adopted = b.operations.filter((o) => o === "adopt").length;
        const calls = second.calls().length;
        return { measured: calls, target: { op: "=", value: 0 }, detail: `second stack: ${calls} pack calls, ${adopted}/${FLEET} adopted in ${formatSeconds(b.ms)}; the first built them in ${formatSeconds(a.ms)}` };
      } finally {
        await first.close();
        await second.close();
      }
    });
  },
};

export const benches: Bench[] = [shardedBuilds, adopt];
