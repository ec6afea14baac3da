/**
 * Runs the benchmarks: `npm run bench` (all) or `npm run bench -- <filter>` (only ids containing <filter>).
 * Discovers every bench/*.bench.ts, runs the benches one at a time, prints one line per bench on stdout:
 *   BENCH <id> ratio=<measured> target=<op><value> PASS|FAIL [(detail)]
 * and exits 1 if any bench fails (a bench that throws counts as failed).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatMeasured, formatTarget, meets, type Bench } from "./bench";

function isBench(b: unknown): b is Bench {
  return (
    typeof b === "object" &&
    b !== null &&
    typeof (b as Bench).id === "string" &&
    typeof (b as Bench).run === "function"
  );
}

/** Modules may export `after()`: run once when every bench has run, e.g. to stop what their benches shared. */
const afterHooks: Array<() => Promise<void>> = [];

function loadBenches(dir: string): Bench[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".bench.ts"))
    .sort();
  const all: Bench[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(dir, f)) as { benches?: unknown; after?: unknown };
    if (!Array.isArray(mod.benches)) throw new Error(`${f}: expected an exported array \`benches\``);
    if (typeof mod.after === "function") afterHooks.push(mod.after as () => Promise<void>);
    for (const b of mod.benches) {
      if (!isBench(b)) throw new Error(`${f}: every entry of \`benches\` needs an id and a run() function`);
      if (seen.has(b.id)) throw new Error(`${f}: duplicate bench id ${b.id}`);
      seen.add(b.id);
      all.push(b);
    }
  }
  return all;
}

async function main(): Promise<number> {
  // Benchmarks that want a file-system monitor start a private one and pass it in; nothing else may start (or
  // measure) a machine-wide Watchman server.
  process.env.GANTRY_FSMONITOR = "off";
  const args = process.argv.slice(2).filter((a) => a !== "--");
  if (args.length > 1) {
    process.stderr.write("usage: tsx bench/run.ts [id-filter]\n");
    return 2;
  }
  const filter = args[0] ?? "";
  const selected = loadBenches(__dirname).filter((b) => b.id.includes(filter));
  if (selected.length === 0) {
    process.stderr.write(`no bench id contains ${JSON.stringify(filter)}\n`);
    return 1;
  }
  // As the tests do (test/support/global-setup.ts): every temp folder a benchmark or its workers make lands under one
  // folder of this run, removed at the end, so one that forgets (the plan fixtures' deployments) leaves nothing.
  const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-bench-"));
  process.env.TMPDIR = runTmp;
  try {
    return await runAll(selected);
  } finally {
    fs.rmSync(runTmp, { recursive: true, force: true });
  }
}

async function runAll(selected: Bench[]): Promise<number> {
  let failed = 0;
  for (const b of selected) {
    let line: string;
    try {
      const r = await b.run();
      const ok = meets(r.measured, r.target);
      if (!ok) failed++;
      line = `BENCH ${b.id} ratio=${formatMeasured(r.measured)} target=${formatTarget(r.target)} ${ok ? "PASS" : "FAIL"}`;
      if (r.detail) line += ` (${r.detail})`;
    } catch (err) {
      failed++;
      const msg = err instanceof Error ? err.message : String(err);
      line = `BENCH ${b.id} ratio=NaN target=? FAIL (error: ${msg.split("\n")[0]})`;
      process.stderr.write(`${b.id}: ${err instanceof Error && err.stack ? err.stack : msg}\n`);
    }
    process.stdout.write(line + "\n");
  }
  for (const after of afterHooks) {
    try {
      await after();
    } catch (err) {
      failed++;
      process.stderr.write(`bench teardown: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench runner: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
