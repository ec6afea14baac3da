/**
 * Source fingerprint benchmarks (components/pack/fingerprint).
 *
 *  - fingerprint-cold: fingerprint 100 generated services × 1,000 entries with NO stat cache, against
 *    `find <root> -type f -print0 | xargs -0 sha256sum` over the same tree (stdout discarded). ratio = ours / sha256sum.
 *  - fingerprint-warm: the same, unchanged tree fingerprinted again with populated caches and a file-system monitor
 *    (a private Watchman server, Debian's package, started here), as on a build agent that keeps its checkout and
 *    runs Watchman; against cold (no cache) runs of ours. ratio = warm / cold. Every warm run must be answered by the
 *    monitor, read nothing, and give the same digests. The same runs with the stat cache alone (no monitor: one
 *    lstat per file) are measured too and printed in the detail, not judged.
 *
 * The tree's root holds a .watchmanconfig, so Watchman watches it as one project, like a repository of services.
 * Both run against a warm OS page cache (one untimed pass of each side first). Repetitions are interleaved
 * (A, B, A, B, ...) so that drifts in machine speed hit both sides alike, and each side's median is used.
 * Services are fingerprinted concurrently, SERVICE_CONCURRENCY at a time (as a deploy of many services would),
 * sharing the module's hashing workers. The generated tree is deleted at the end (also on exit/interrupt).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fingerprintSource, WatchmanMonitor, type SourceFingerprint } from "../components/pack/fingerprint";
import { startWatchman, type RunningWatchman } from "../test/support/watchman";
import { formatSeconds, log, median, type Bench } from "./bench";

const SERVICES = 100;
const ENTRIES_PER_SERVICE = 1000;
const REPS = 5;
const SERVICE_CONCURRENCY = 4;

// ---------------------------------------------------------------------------------------------------------------
// Tree generation

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DIR_NAMES = ["src", "lib", "internal", "util", "api", "handlers", "models", "assets", "img", "test", "docs", "config", "scripts", "vendor", "static"];
const EXTS = ["ts", "js", "json", "md", "txt", "py", "go", "css", "html", "yaml"];

interface Tree {
  root: string;
  services: string[];
  files: number;
  bytes: number;
  symlinks: number;
}

/**
 * Per service: ~24 nested directories (depth ≤ 4); 1,000 entries: 5 symlinks, 5 large files (256 KiB–1 MiB),
 * ~2% medium (16–128 KiB), the rest 1–16 KiB; ~2% executable.
 */
function generateTree(): Tree {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-fp-bench-"));
  fs.writeFileSync(path.join(root, ".watchmanconfig"), "{}\n");
  const rnd = mulberry32(0x5eed);
  const pool = Buffer.alloc(4 << 20);
  for (let i = 0; i < pool.length; i += 4) pool.writeUInt32LE((rnd() * 0x100000000) >>> 0, i);
  const services: string[] = [];
  let files = 0;
  let bytes = 0;
  let symlinks = 0;
  for (let s = 0; s < SERVICES; s++) {
    const svc = path.join(root, `svc-${String(s).padStart(3, "0")}`);
    services.push(svc);
    const dirs: { rel: string; depth: number }[] = [{ rel: "", depth: 0 }];
    fs.mkdirSync(svc);
    for (let d = 0; d < 24; d++) {
      const candidates = dirs.filter((x) => x.depth < 4);
      const parent = candidates[Math.floor(rnd() * candidates.length)] as { rel: string; depth: number };
      const name = `${DIR_NAMES[Math.floor(rnd() * DIR_NAMES.length)] as string}${d}`;
      const rel = parent.rel === "" ? name : `${parent.rel}/${name}`;
      fs.mkdirSync(path.join(svc, rel));
      dirs.push({ rel, depth: parent.depth + 1 });
    }
    for (let f = 0; f < ENTRIES_PER_SERVICE; f++) {
      const dir = (dirs[Math.floor(rnd() * dirs.length)] as { rel: string }).rel;
      const name = `file${f}.${EXTS[Math.floor(rnd() * EXTS.length)] as string}`;
      const p = path.join(svc, dir, name);
      if (f % 200 === 199) {
        fs.symlinkSync(f % 400 === 399 ? "../README.md" : `file${f - 1}.txt`, p);
        symlinks++;
        continue;
      }
      let size: number;
      if (f % 200 === 7) size = 256 * 1024 + Math.floor(rnd() * 768 * 1024);
      else if (rnd() < 0.02) size = 16 * 1024 + Math.floor(rnd() * 112 * 1024);
      else size = 1024 + Math.floor(rnd() * 15 * 1024);
      const off = Math.floor(rnd() * (pool.length - size));
      fs.writeFileSync(p, pool.subarray(off, off + size), { mode: rnd() < 0.02 ? 0o755 : 0o644 });
      files++;
      bytes += size;
    }
  }
  return { root, services, files, bytes, symlinks };
}

// ---------------------------------------------------------------------------------------------------------------
// Shared state: both benches use one tree and one set of cold measurements.

interface State {
  tree: Tree;
  cacheDir: string;
  watchman?: RunningWatchman;
  monitor?: WatchmanMonitor;
  /** Per service, the digest of the first cold run: every later run must reproduce it. */
  coldDigests?: string[];
}

let statePromise: Promise<State> | undefined;
let cleanupRegistered = false;
let removed = false;

function removeTree(st: State): void {
  if (removed) return;
  removed = true;
  st.monitor?.close();
  st.watchman?.stop();
  fs.rmSync(st.tree.root, { recursive: true, force: true });
  fs.rmSync(st.cacheDir, { recursive: true, force: true });
}

function getState(): Promise<State> {
  if (!statePromise) {
    statePromise = (async () => {
      const t0 = performance.now();
      const tree = generateTree();
      const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-fp-bench-cache-"));
      const st: State = { tree, cacheDir };
      if (!cleanupRegistered) {
        cleanupRegistered = true;
        process.on("exit", () => removeTree(st));
        for (const sig of ["SIGINT", "SIGTERM"] as const) {
          process.once(sig, () => {
            removeTree(st);
            process.exit(130);
          });
        }
      }
      // Flush the generated files to disk now, so that background writeback does not disturb the measurements.
      await waitExit(spawn("sync", [], { stdio: "ignore" }), "sync");
      log(
        `generated ${SERVICES} services: ${tree.files} files, ${tree.symlinks} symlinks, ` +
          `${(tree.bytes / 2 ** 20).toFixed(0)} MiB in ${formatSeconds(performance.now() - t0)} at ${tree.root}`,
      );
      return st;
    })();
  }
  return statePromise;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T, i);
      }
    }),
  );
  return out;
}

interface OursRun {
  ms: number;
  results: SourceFingerprint[];
}

/** cold: no caches; stat: the stat cache alone; monitor: the stat cache and the monitor's record (as deployed). */
type Mode = "cold" | "stat" | "monitor";

async function timeOurs(st: State, mode: Mode): Promise<OursRun> {
  const t0 = performance.now();
  const results = await mapLimit(st.tree.services, SERVICE_CONCURRENCY, (svc) =>
    fingerprintSource(
      svc,
      mode === "cold"
        ? {}
        : { statCachePath: path.join(st.cacheDir, `${path.basename(svc)}.json`), monitor: mode === "monitor" ? (st.monitor ?? null) : null },
    ),
  );
  return { ms: performance.now() - t0, results };
}

function waitExit(child: ReturnType<typeof spawn>, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on("error", (err) => reject(new Error(`${name}: ${err.message}`)));
    // "exit", not "close": find's stdout is handed to xargs and never read here, so it never "closes" here.
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${name} exited with ${code ?? signal}`)),
    );
  });
}

/** `find <root> -type f -print0 | xargs -0 sha256sum > /dev/null`, without a shell. */
async function timeSha256sum(root: string): Promise<number> {
  const t0 = performance.now();
  const find = spawn("find", [root, "-type", "f", "-print0"], { stdio: ["ignore", "pipe", "inherit"] });
  const findDone = waitExit(find, "find");
  if (!find.stdout) throw new Error("find: no stdout pipe");
  const xargs = spawn("xargs", ["-0", "sha256sum"], { stdio: [find.stdout, "ignore", "inherit"] });
  const xargsDone = waitExit(xargs, "xargs sha256sum");
  // xargs holds its own copy of the pipe's read end; close ours.
  find.stdout.destroy();
  await Promise.all([findDone, xargsDone]);
  return performance.now() - t0;
}

function checkCold(st: State, run: OursRun): void {
  const files = run.results.reduce((a, r) => a + r.files, 0);
  const bytes = run.results.reduce((a, r) => a + r.bytes, 0);
  if (files !== st.tree.files || bytes !== st.tree.bytes) {
    throw new Error(`cold run saw ${files} files / ${bytes} bytes, generated ${st.tree.files} / ${st.tree.bytes}`);
  }
}

function checkDigests(st: State, run: OursRun, what: string): void {
  run.results.forEach((x, i) => {
    if (x.digest !== st.coldDigests?.[i]) throw new Error(`${what} digest of service ${i} differs from the first cold run`);
  });
}

/** Untimed first passes: fill the OS page cache (and start the hashing workers); record the reference digests. */
async function warmUp(st: State, withBaseline: boolean): Promise<void> {
  if (st.coldDigests && !withBaseline) return;
  log("warming the page cache (one untimed pass of each)");
  if (withBaseline) await timeSha256sum(st.tree.root);
  const first = await timeOurs(st, "cold");
  checkCold(st, first);
  if (!st.coldDigests) st.coldDigests = first.results.map((r) => r.digest);
  else checkDigests(st, first, "cold");
}

export const benches: Bench[] = [
  {
    id: "fingerprint-cold",
    async run() {
      const st = await getState();
      await warmUp(st, true);
      const ours: number[] = [];
      const sha: number[] = [];
      for (let r = 0; r < REPS; r++) {
        const run = await timeOurs(st, "cold");
        checkCold(st, run);
        checkDigests(st, run, "cold");
        ours.push(run.ms);
        sha.push(await timeSha256sum(st.tree.root));
        log(`cold rep ${r + 1}/${REPS}: ours ${formatSeconds(run.ms)}, sha256sum ${formatSeconds(sha[r] as number)}`);
      }
      const o = median(ours);
      const s = median(sha);
      return {
        measured: o / s,
        target: { op: "<=", value: 1.0 },
        detail: `ours ${formatSeconds(o)}, sha256sum ${formatSeconds(s)}; median of ${REPS}; ${st.tree.files} files, ${(st.tree.bytes / 2 ** 20).toFixed(0)} MiB`,
      };
    },
  },
  {
    id: "fingerprint-warm",
    async run() {
      const st = await getState();
      try {
        await warmUp(st, false);
        st.watchman = startWatchman();
        st.monitor = new WatchmanMonitor(st.watchman.sockname);
        // Populate the caches (this also makes Watchman crawl the tree once). Entries modified shortly before a run
        // are "racy" for the stat cache and are read once more by the next run, so populate twice; the timed warm
        // runs below must then read nothing.
        await timeOurs(st, "monitor");
        await timeOurs(st, "monitor");
        // Interleave cold (no cache) and warm runs so that drifts in machine speed hit both alike.
        const cold: number[] = [];
        const warm: number[] = [];
        const statOnly: number[] = [];
        for (let r = 0; r < REPS; r++) {
          const c = await timeOurs(st, "cold");
          checkDigests(st, c, "cold");
          cold.push(c.ms);
          const w = await timeOurs(st, "monitor");
          const notMonitor = w.results.filter((x) => x.via !== "monitor").length;
          if (notMonitor !== 0) throw new Error(`warm run: ${notMonitor} services were not answered by the monitor`);
          checkDigests(st, w, "warm");
          warm.push(w.ms);
          const s = await timeOurs(st, "stat");
          const reread = s.results.reduce((a, x) => a + x.reread, 0);
          if (reread !== 0) throw new Error(`stat-cache run reread ${reread} files`);
          checkDigests(st, s, "stat-cache");
          statOnly.push(s.ms);
          log(`warm rep ${r + 1}/${REPS}: warm ${formatSeconds(w.ms)}, stat cache alone ${formatSeconds(s.ms)}, cold ${formatSeconds(c.ms)}`);
        }
        const w = median(warm);
        const c = median(cold);
        const s = median(statOnly);
        const entries = st.tree.files + st.tree.symlinks;
        return {
          measured: w / c,
          target: { op: "<=", value: 0.05 },
          detail:
            `warm ${formatSeconds(w)} answered by Watchman, cold ${formatSeconds(c)}; 0 files read; ` +
            `stat cache alone (no monitor) ${formatSeconds(s)} = ratio ${(s / c).toFixed(3)}, ` +
            `${((s * 1000) / entries).toFixed(1)}µs per entry lstat'ed; median of ${REPS}`,
        };
      } finally {
        removeTree(st);
      }
    },
  },
];
