import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { changeFleet, writeFleet } from "../test/support/fleet";
import { formatSeconds, log, median, runWorker, type Bench } from "./bench";
import { evaluate, SERVICES, type Sample } from "./program.bench";

/*
 * plan-500: `gantry plan --stack bench` over 500 generated services with 20 changed since the last deployment
 * (a file backend checkpoint), against the program itself under the mock runtime (program-overhead's Gantry
 * side), in the same run: what loading the checkpoint, diffing, finding risks and rendering add.
 */

const RUNS = 3;
const COMMENT_LIMIT = 65_536;

interface PlanSample {
  ms: number;
  maxRssMiB: number;
  markdownChars: number;
}

const plan500: Bench = {
  id: "plan-500",
  async run() {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-bench-plan-"));
    const backend = path.join(root, ".gantry", "state");
    try {
      writeFleet(root, SERVICES);
      log(`plan-500: deploying ${SERVICES} services under the mock runtime to write the last deployment's checkpoint`);
      runWorker(path.join(__dirname, "plan-worker.ts"), ["deploy", root, backend]);
      changeFleet(root);
      const planOnce = () => runWorker<PlanSample>(path.join(__dirname, "plan-worker.ts"), ["plan", root, backend]);
      // First runs fill each side's fingerprint stat cache, as any earlier run on the agent would have.
      planOnce();
      evaluate(["gantry", root]);
      const plans: PlanSample[] = [];
      const programs: Sample[] = [];
      for (let i = 0; i < RUNS; i++) {
        plans.push(planOnce());
        programs.push(evaluate(["gantry", root]));
      }
      const wall = cliWallTime(root);
      const planMs = median(plans.map((s) => s.ms));
      const programMs = median(programs.map((s) => s.ms));
      const chars = plans[0]!.markdownChars;
      if (chars >= COMMENT_LIMIT) throw new Error(`the markdown plan is ${chars} characters, over a comment's ${COMMENT_LIMIT}`);
      const peak = (xs: Array<{ maxRssMiB: number }>) => Math.max(...xs.map((s) => s.maxRssMiB)).toFixed(0);
      return {
        measured: planMs / programMs,
        target: { op: "<=", value: 1.3 },
        detail: `plan ${formatSeconds(planMs)} peak ${peak(plans)} MiB, program ${formatSeconds(programMs)} peak ${peak(programs)} MiB, median of ${RUNS}; \`gantry plan --markdown\` ${formatSeconds(wall)} wall; markdown ${chars} chars`,
      };
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  },
};

/** The command as a pipeline runs it, start to finish (Node, tsx and the SDKs loading included). */
function cliWallTime(root: string): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, [path.join(__dirname, "..", "bin", "gantry.js"), "plan", "--stack", "bench", "--markdown"], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 1 << 26,
    env: { ...process.env, PULUMI_BACKEND_URL: `file://${path.join(root, ".gantry", "state")}` },
  });
  if (r.status !== 0) throw new Error(`gantry plan failed: ${r.stderr}`);
  return performance.now() - started;
}

export const benches: Bench[] = [plan500];
