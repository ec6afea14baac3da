import * as fs from "node:fs";
import * as path from "node:path";
import { writeFleet } from "../test/support/fleet";
import { makeRealEngineProject, ok, type RealEngineProject } from "../test/support/real/pulumi-engine";
import { realTierUnavailable } from "../test/support/real/world";
import { startWatchman } from "../test/support/watchman";
import { formatSeconds, log, type Bench } from "./bench";

/*
 * `pulumi preview` of Gantry's program under the real Pulumi CLI, at fleet size, against the same engine previewing
 * as many dynamic resources that do nothing (a TypeScript program too, through the same language host and ts-node),
 * so the ratio is what Gantry adds per service: the catalog, the preflight, the source fingerprints and PackImage's
 * inputs. A preview builds nothing, so no Docker engine is needed.
 *
 * The fleet is one project to Watchman (a .watchmanconfig at its root, as a repository's .git would make it), served
 * by a Watchman of the benchmark's own: an agent keeps its checkout and its Watchman between runs.
 */

const SERVICES = 500;

const BASELINE = `import * as pulumi from "@pulumi/pulumi";

const provider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: String(inputs.name), outs: inputs };
  },
};

class Nothing extends pulumi.dynamic.Resource {
  constructor(name: string) {
    super(provider, name, { name }, {});
  }
}

for (let i = 0; i < ${SERVICES}; i++) new Nothing(\`svc-\${String(i).padStart(3, "0")}\`);
`;

interface Measured {
  ms: number;
  peakRssBytes: number;
}

/** Resident memory of a process and all its descendants, summed, now. */
function treeRss(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ppid = Number(fields[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
      rss.set(Number(entry), Number(fields[21]) * 4096);
    } catch {
      // gone
    }
  }
  let total = 0;
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    total += rss.get(pid) ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  return total;
}

async function timedPreview(project: RealEngineProject, stack: string): Promise<Measured> {
  const t0 = performance.now();
  const { child, done } = project.start(["preview", "--stack", stack]);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, treeRss(child.pid!))), 100);
  try {
    ok(await done, `pulumi preview --stack ${stack}`);
  } finally {
    clearInterval(sampler);
  }
  return { ms: performance.now() - t0, peakRssBytes: peak };
}

const mib = (b: number) => `${Math.round(b / 1024 / 1024)} MiB`;

const realEnginePreview: Bench = {
  id: "real-engine-preview",
  async run() {
    const reason = realTierUnavailable();
    if (reason) throw new Error(`real tier unavailable: ${reason}`);
    log("real engine: building or reusing the Pulumi CLI and language host");
    const watchman = startWatchman();
    const gantry = makeRealEngineProject(undefined, { WATCHMAN_SOCK: watchman.sockname, GANTRY_FSMONITOR: "watchman" });
    const baseline = makeRealEngineProject(undefined);
    try {
      writeFleet(gantry.dir, SERVICES);
      fs.writeFileSync(path.join(gantry.dir, ".watchmanconfig"), "{}\n");
      for (const f of ["Pulumi.yaml", "Pulumi.bench.yaml"]) fs.rmSync(path.join(gantry.dir, f));
      fs.copyFileSync(path.join(__dirname, "..", "Pulumi.yaml"), path.join(gantry.dir, "Pulumi.yaml"));
      gantry.writeStackConfig("bench", "config:\n  gantry:project: acme-bench\n  gantry:region: europe-west1\n  gantry:stage: build\n  gantry:registry:\n    url: 127.0.0.1:5000/bench\n");
      fs.writeFileSync(path.join(baseline.dir, "index.ts"), BASELINE);
      fs.writeFileSync(path.join(baseline.dir, "package.json"), JSON.stringify({ name: "baseline", main: "index.ts" }));
      for (const p of [gantry, baseline]) ok(await p.pulumi(["stack", "init", "bench"]), "pulumi stack init");
      // One preview each to warm the file cache and ts-node's compile cache, then measured ones, alternating.
      await timedPreview(baseline, "bench");
      await timedPreview(gantry, "bench");
      const ours: Measured[] = [];
      const theirs: Measured[] = [];
      for (let round = 0; round < 2; round++) {
        theirs.push(await timedPreview(baseline, "bench"));
        ours.push(await timedPreview(gantry, "bench"));
      }
      const best = (ms: Measured[]) => ms.reduce((a, b) => (b.ms < a.ms ? b : a));
      const o = best(ours);
      const t = best(theirs);
      return {
        measured: o.ms / t.ms,
        target: { op: "<=", value: 1.3 },
        detail: `${SERVICES} services: gantry ${formatSeconds(o.ms)} (peak ${mib(Math.max(...ours.map((m) => m.peakRssBytes)))}), ${SERVICES} do-nothing dynamic resources ${formatSeconds(t.ms)} (peak ${mib(Math.max(...theirs.map((m) => m.peakRssBytes)))}); best of 2`,
      };
    } finally {
      gantry.close();
      baseline.close();
      watchman.stop();
    }
  },
};

export const benches: Bench[] = [realEnginePreview];
