import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeFleet } from "../test/support/fleet";
import { formatSeconds, log, median, runWorker, type Bench } from "./bench";

/*
 * program-overhead: the real program (catalog, validation, preflight, fingerprints, components) over 500
 * generated services, against a program that declares the same custom resources directly, each evaluated under
 * Pulumi's mock runtime in a process of its own.
 */

export const SERVICES = 500;
const RUNS = 3;

export interface Sample {
  ms: number;
  resources: number;
  maxRssMiB: number;
}

/** One evaluation under the mock runtime: `gantry <projectDir> [capture.json]` or `raw <capture.json>`. */
export function evaluate(args: string[]): Sample {
  return runWorker<Sample>(path.join(__dirname, "program-worker.ts"), args);
}

const programOverhead: Bench = {
  id: "program-overhead",
  async run() {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-bench-program-"));
    try {
      writeFleet(root, SERVICES);
      const capture = path.join(root, "declared.json");
      // A first evaluation fills the fingerprint stat cache, as any earlier `pulumi up` on the agent would have.
      evaluate(["gantry", root, capture]);
      const ours: Sample[] = [];
      const raw: Sample[] = [];
      for (let i = 0; i < RUNS; i++) {
        ours.push(evaluate(["gantry", root]));
        raw.push(evaluate(["raw", capture]));
      }
      const oursMs = median(ours.map((s) => s.ms));
      const rawMs = median(raw.map((s) => s.ms));
      const rss = (xs: Sample[]) => Math.max(...xs.map((s) => s.maxRssMiB)).toFixed(0);
      log(`program-overhead: ${SERVICES} services, ${ours[0]!.resources} registrations (raw: ${raw[0]!.resources})`);
      return {
        measured: oursMs / rawMs,
        target: { op: "<=", value: 1.3 },
        detail: `gantry ${formatSeconds(oursMs)} peak ${rss(ours)} MiB, direct ${formatSeconds(rawMs)} peak ${rss(raw)} MiB; median of ${RUNS}`,
      };
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  },
};

export const benches: Bench[] = [programOverhead];
