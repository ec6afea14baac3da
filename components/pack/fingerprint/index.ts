/**
 * Source fingerprint for `pack build --path <dir> --descriptor project.toml`: a deterministic sha256 over exactly the
 * set of entries pack uploads (see ./walk.ts), so a service is rebuilt only when that set changes.
 *
 * Digest input (v1), a byte stream of NUL-terminated fields (no field can contain NUL):
 *   "gantry-source-fingerprint" "v1" <filter mode: all|include|exclude> <JSON array of the patterns, in order>
 *   then per entry, sorted by relative POSIX path:
 *     dir:     "D" <path>
 *     file:    "F" <path> <"x" if any executable bit is set, else "-"> <sha256 hex of the contents>
 *     symlink: "L" <path> <link target text>
 * Nothing machine-specific goes in (no absolute paths, owners, times, full modes), so the same tree gives the same
 * digest on any machine and at any checkout path, while any change to a path, content, exec bit, symlink target, the
 * set of directories, or the include/exclude filter gives a different one.
 *
 * Speed: contents are hashed in worker threads (one per core, at most 8, shared by all calls in the process; idle
 * workers never keep the process alive), each reading whole files synchronously into a reused buffer (open, fstat,
 * one pread, close: no per-file promise, no per-file allocation). Small sets are hashed on the calling thread. With a
 * stat cache (./stat-cache.ts), a file or link whose lstat data matches its cached entry is not read, and when no
 * directory changed the previous upload set is reused without walking; then the only per-file cost is one lstat.
 * Callers fingerprinting many services should run the calls concurrently (e.g. 4 at a time) so the workers stay busy.
 *
 * With a file-system monitor (./monitor.ts, Watchman) as well, even that lstat goes: the digest is kept beside the
 * stat cache with the monitor's clock from before the tree was read (./monitor-record.ts), and while the monitor
 * reports nothing under the app directory since that clock that could change the upload set, the digest is
 * returned without touching the tree.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { defaultMonitor, type BlindSpot, type FsMonitor } from "./monitor";
import { monitorRecordPath, readMonitorRecord, writeMonitorRecord } from "./monitor-record";
import { SEP, StatCache, splitColumn } from "./stat-cache";
import { compileUploadFilter, resolveAppDir, uploadSetContains, walkUploadSet, type UploadFilter } from "./walk";

export { listUploadSet, compileUploadFilter, type UploadEntry, type UploadFilterOptions } from "./walk";
export { StatCache, RACY_MARGIN_NS, STAT_CACHE_VERSION, type StatCacheFile } from "./stat-cache";
export { WatchmanMonitor, defaultMonitor, resetDefaultMonitor, type BlindSpot, type FsMonitor, type MonitorAnswer } from "./monitor";
export { monitorRecordPath } from "./monitor-record";

export interface FingerprintOptions {
  /** project.toml `[io.buildpacks] include` (gitignore patterns; keep only matching). */
  include?: string[];
  /** project.toml `[io.buildpacks] exclude` (gitignore patterns; drop matching). Never together with include. */
  exclude?: string[];
  /**
   * Where to keep the stat cache for this app dir (one JSON file per app dir, e.g.
   * `.gantry/cache/fingerprints/<service>.json`). Omit for no cache. Must not be inside the upload set (rejected).
   */
  statCachePath?: string;
  /**
   * Hashing threads: 0 = hash on the calling thread; n = at most n workers of the shared pool; default = the whole
   * pool (one worker per core, at most 8) for sets of INLINE_MAX_FILES entries or more, the calling thread below.
   */
  threads?: number;
  /**
   * File-system monitor (./monitor.ts) that lets an unchanged tree be answered without touching it. Used only
   * together with `statCachePath` (its record is kept beside the stat cache). Default: `defaultMonitor()`
   * (Watchman when installed, `GANTRY_FSMONITOR=off` disables); null: none.
   */
  monitor?: FsMonitor | null;
}

export interface SourceFingerprint {
  /** "sha256:<hex>" */
  digest: string;
  /** Regular files in the upload set. */
  files: number;
  /** Total size of those files. */
  bytes: number;
  /** Files whose contents were read this run (the rest came from the stat cache). */
  reread: number;
  /** "monitor": the file-system monitor vouched that nothing changed, so the tree was not touched at all. */
  via: "monitor" | "tree";
}

/** Below this many entries, hashing on the calling thread beats a round trip to the workers. */
export const INLINE_MAX_FILES = 256;

// ---------------------------------------------------------------------------------------------------------------
// Batch hashing. The same source runs in the workers and (for small sets) on the calling thread, so it is kept as
// plain JavaScript text rather than TypeScript that a transpiler might decorate with helpers.

interface BatchRequest {
  root: string;
  /** The batch's entries, NUL-separated (the worker splits it: cheaper to pass one string than many). */
  paths: string;
  /** One char per entry: D(ir, skipped), F(ile: hash contents), L(ink: read target). */
  kinds: string;
  /** Per entry, NUL-separated: the trusted cached stat key (skip reading if lstat still matches exactly), or "". */
  keys: string | null;
  /** Return full stat keys (size:mtimeNs:ctimeNs:ino:mode) instead of "size:mode". */
  wantStat: boolean;
}

interface BatchResult {
  /**
   * Per entry of the batch: content sha256 hex (files) or target (links) when read; "" for dirs and cache hits.
   * null: nothing in the batch was read.
   */
  data: string[] | null;
  /** Per entry read: its stat key (full or "size:mode"); "" for dirs and cache hits. null like data. */
  stat: string[] | null;
  error?: { path: string; code: string; message: string };
}

const PROCESS_BATCH_SOURCE = String.raw`
(function makeProcessBatch(fs, crypto) {
  const O_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW || 0);
  const buf = Buffer.allocUnsafe(1 << 20);
  function changed(what) {
    const e = new Error(what);
    e.code = "ECHANGED";
    return e;
  }
  function readHash(abs, wantStat) {
    const fd = fs.openSync(abs, O_FLAGS);
    try {
      const st = fs.fstatSync(fd, { bigint: wantStat });
      if (!st.isFile()) throw changed("no longer a regular file");
      const size = Number(st.size);
      const h = crypto.createHash("sha256");
      let total = 0;
      for (;;) {
        // Ask for one byte more than fstat's size: a short read then proves EOF without another read() call.
        const remaining = size + 1 - total;
        const len = remaining > 0 && remaining < buf.length ? remaining : buf.length;
        const n = fs.readSync(fd, buf, 0, len, total);
        if (n === 0) break;
        h.update(n === buf.length ? buf : buf.subarray(0, n));
        total += n;
        if (n < len && total >= size) break;
      }
      return [h.digest("hex"), wantStat
        ? total + ":" + st.mtimeNs + ":" + st.ctimeNs + ":" + st.ino + ":" + st.mode
        : total + ":" + st.mode];
    } finally {
      fs.closeSync(fd);
    }
  }
  return function processBatch(req) {
    const kinds = req.kinds;
    const count = kinds.length;
    const paths = req.paths.split("\0");
    const keys = req.keys === null ? null : req.keys.split("\0");
    if (paths.length !== count || (keys !== null && keys.length !== count)) {
      return { data: null, stat: null, error: { path: "", code: "ECACHE", message: "stat cache columns do not line up" } };
    }
    const start = 0;
    const end = count;
    const wantStat = req.wantStat;
    let data = null;
    let stat = null;
    let i = start;
    try {
      for (; i < end; i++) {
        const kind = kinds.charCodeAt(i);
        if (kind === 68 /* D */) continue;
        const abs = req.root + "/" + paths[i];
        const key = keys === null ? "" : keys[i];
        if (key !== "") {
          const st = fs.lstatSync(abs, { bigint: true, throwIfNoEntry: false });
          if (st !== undefined && st.size + ":" + st.mtimeNs + ":" + st.ctimeNs + ":" + st.ino + ":" + st.mode === key) {
            continue;
          }
        }
        if (data === null) {
          data = new Array(end - start).fill("");
          stat = new Array(end - start).fill("");
        }
        if (kind === 70 /* F */) {
          const r = readHash(abs, wantStat);
          data[i - start] = r[0];
          stat[i - start] = r[1];
        } else {
          const st = fs.lstatSync(abs, { bigint: wantStat });
          if (!st.isSymbolicLink()) throw changed("no longer a symlink");
          data[i - start] = fs.readlinkSync(abs);
          stat[i - start] = wantStat
            ? st.size + ":" + st.mtimeNs + ":" + st.ctimeNs + ":" + st.ino + ":" + st.mode
            : st.size + ":" + st.mode;
        }
      }
    } catch (err) {
      return { data: null, stat: null, error: { path: paths[i], code: String((err && err.code) || "EUNKNOWN"), message: String((err && err.message) || err) } };
    }
    return { data, stat };
  };
})`;

const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const processBatch = ${PROCESS_BATCH_SOURCE}(require("node:fs"), require("node:crypto"));
parentPort.on("message", (msg) => {
  let res;
  try {
    res = processBatch(msg.req);
  } catch (err) {
    res = { data: null, stat: null, error: { path: "", code: "EWORKER", message: String(err && err.stack || err) } };
  }
  parentPort.postMessage({ id: msg.id, res });
});
`;

let inlineProcessBatch: ((req: BatchRequest) => BatchResult) | undefined;
function processInline(req: BatchRequest): BatchResult {
  if (!inlineProcessBatch) {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const make = new Function(`return (${PROCESS_BATCH_SOURCE});`)() as (
      f: typeof fs,
      c: typeof crypto,
    ) => (req: BatchRequest) => BatchResult;
    inlineProcessBatch = make(fs, crypto);
  }
  return inlineProcessBatch(req);
}

interface Task {
  id: number;
  req: BatchRequest;
  resolve(r: BatchResult): void;
  reject(e: Error): void;
}

interface PoolWorker {
  worker: Worker;
  inflight: Map<number, Task>;
}

/** Per worker, batches in flight at once (the second hides the message round trip). */
const MAX_INFLIGHT = 2;

class HashPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private noWorkers = false;

  constructor(readonly size: number) {}

  run(req: BatchRequest): Promise<BatchResult> {
    return new Promise<BatchResult>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, req, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    const ws = this.workers.splice(0);
    await Promise.all(ws.map((w) => w.worker.terminate()));
  }

  private spawn(): PoolWorker {
    // Plain JavaScript, so no loader flags (tsx, vitest, --cpu-prof, ...) need to be inherited.
    const worker = new Worker(WORKER_SOURCE, { eval: true, name: "gantry-fingerprint", execArgv: [] });
    const pw: PoolWorker = { worker, inflight: new Map() };
    worker.unref();
    worker.on("message", (msg: { id: number; res: BatchResult }) => {
      const task = pw.inflight.get(msg.id);
      if (!task) return;
      pw.inflight.delete(msg.id);
      if (pw.inflight.size === 0) worker.unref();
      task.resolve(msg.res);
      this.pump();
    });
    const fail = (err: Error): void => {
      const i = this.workers.indexOf(pw);
      if (i >= 0) this.workers.splice(i, 1);
      for (const t of pw.inflight.values()) t.reject(err);
      pw.inflight.clear();
      this.pump();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`fingerprint worker exited with code ${code}`)));
    this.workers.push(pw);
    return pw;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let target: PoolWorker | undefined;
      for (const w of this.workers) {
        if (w.inflight.size < MAX_INFLIGHT && (!target || w.inflight.size < target.inflight.size)) target = w;
      }
      if ((!target || target.inflight.size > 0) && this.workers.length < this.size && !this.noWorkers) {
        try {
          target = this.spawn();
        } catch {
          // Worker threads unavailable (e.g. a restricted runtime): hash on the calling thread instead.
          this.noWorkers = true;
        }
      }
      if (!target && this.noWorkers && this.workers.length === 0) {
        const task = this.queue.shift() as Task;
        try {
          task.resolve(processInline(task.req));
        } catch (err) {
          task.reject(err instanceof Error ? err : new Error(String(err)));
        }
        continue;
      }
      if (!target) return;
      const task = this.queue.shift() as Task;
      target.inflight.set(task.id, task);
      target.worker.ref();
      target.worker.postMessage({ id: task.id, req: task.req });
    }
  }
}

let pool: HashPool | undefined;
function getPool(): HashPool {
  if (!pool) pool = new HashPool(Math.max(1, Math.min(8, os.availableParallelism())));
  return pool;
}

/** Terminates the shared hashing workers (they are unref'd when idle, so this is only needed for a tidy shutdown). */
export async function shutdownFingerprintWorkers(): Promise<void> {
  const p = pool;
  pool = undefined;
  if (p) await p.close();
}

/**
 * Cuts a NUL-separated column at the given entry indices (bounds[0] = 0, last = entry count): one substring per
 * range. A malformed column yields chunks whose field counts do not match, which the workers reject (ECACHE).
 */
function cutColumn(col: string, bounds: number[]): string[] {
  const out: string[] = [];
  let pos = 0;
  for (let r = 1; r < bounds.length; r++) {
    let end = pos - 1;
    for (let c = (bounds[r] as number) - (bounds[r - 1] as number); c > 0; c--) {
      end = col.indexOf(SEP, end + 1);
      if (end < 0) {
        end = col.length;
        break;
      }
    }
    out.push(col.slice(pos, end));
    pos = end + 1;
  }
  return out;
}

/**
 * Checks/reads every F and L entry: returns, per entry, "" (dir, or cache hit) or what was read, or null for each
 * when nothing was read at all.
 */
async function processEntries(
  root: string,
  paths: string,
  kinds: string,
  keys: string | null,
  wantStat: boolean,
  threads: number | undefined,
): Promise<{ data: string[] | null; stat: string[] | null }> {
  const n = kinds.length;
  if (n === 0) return { data: null, stat: null };
  const useInline = threads === 0 || (threads === undefined && n < INLINE_MAX_FILES);
  const bounds: number[] = [0];
  let results: BatchResult[];
  if (useInline) {
    bounds.push(n);
    results = [processInline({ root, paths, kinds, keys, wantStat })];
  } else {
    const p = getPool();
    const parallel = threads === undefined ? p.size : Math.max(1, Math.min(threads, p.size));
    // Stat-only checks (with a cache) cost about the same per entry: one batch per worker. Hashing cost varies with
    // file sizes: smaller batches so that the workers stay balanced.
    const perWorker = keys === null ? 4 : 1;
    const batch = Math.max(64, Math.ceil(n / (parallel * perWorker)));
    for (let i = batch; i < n; i += batch) bounds.push(i);
    bounds.push(n);
    const pathChunks = cutColumn(paths, bounds);
    const keyChunks = keys === null ? null : cutColumn(keys, bounds);
    const jobs: Promise<BatchResult>[] = [];
    for (let k = 0; k + 1 < bounds.length; k++) {
      jobs.push(
        p.run({
          root,
          paths: pathChunks[k] as string,
          kinds: kinds.slice(bounds[k], bounds[k + 1]),
          keys: keyChunks === null ? null : (keyChunks[k] as string),
          wantStat,
        }),
      );
    }
    results = await Promise.all(jobs);
  }
  for (const r of results) {
    if (r.error) {
      throw Object.assign(
        new Error(
          `fingerprint: cannot read ${root}/${r.error.path} (${r.error.code}: ${r.error.message})` +
            (CHANGED_CODES.has(r.error.code) ? "; the tree changed while it was being fingerprinted" : ""),
        ),
        { code: r.error.code },
      );
    }
  }
  if (results.every((r) => r.data === null)) return { data: null, stat: null };
  if (results.length === 1) return results[0] as BatchResult;
  const data = new Array<string>(n).fill("");
  const stat = new Array<string>(n).fill("");
  results.forEach((r, k) => {
    const start = bounds[k] as number;
    if (r.data === null || r.stat === null) return;
    for (let j = 0; j < r.data.length; j++) {
      data[start + j] = r.data[j] as string;
      stat[start + j] = r.stat[j] as string;
    }
  });
  return { data, stat };
}

// ---------------------------------------------------------------------------------------------------------------

/** Error codes meaning the tree changed under us (or the cache is malformed): retried once, from scratch. */
const CHANGED_CODES = new Set(["ECHANGED", "ECACHE", "ENOENT", "ELOOP", "EISDIR", "ENOTDIR"]);

function digestHeader(filter: UploadFilter): string {
  return `gantry-source-fingerprint\0v1\0${filter.mode}\0${JSON.stringify(filter.patterns)}\0`;
}

/**
 * Fingerprints what `pack build --path <dir>` would upload, given project.toml's `[io.buildpacks] include`/`exclude`.
 * Throws when both include and exclude are non-empty (pack rejects such a descriptor).
 */
export async function fingerprintSource(dir: string, opts: FingerprintOptions = {}): Promise<SourceFingerprint> {
  const filter = compileUploadFilter(opts);
  const root = resolveAppDir(dir);
  if (opts.statCachePath === undefined) return fingerprintTree(root, filter, opts);
  const monitor = opts.monitor === undefined ? defaultMonitor() : opts.monitor;
  if (!monitor) {
    checkCacheOutsideUploadSet(root, filter, opts.statCachePath);
    return fingerprintTree(root, filter, opts);
  }
  const recordPath = monitorRecordPath(opts.statCachePath);
  checkCacheOutsideUploadSet(root, filter, opts.statCachePath, recordPath);
  const header = digestHeader(filter);
  const record = readMonitorRecord(recordPath, { root, monitor: monitor.name, filter: header });
  const answer = await monitor.query(root, record?.clock, record?.watchRoot);
  if (!answer || !monitorSeesUploadSet(root, filter, answer.blindSpots)) return fingerprintTree(root, filter, opts);
  const changed = answer.changed === "all" || answer.changed.some((p) => mayAffectUploadSet(filter, p));
  if (record && record.watchRoot === answer.watchRoot && !changed) {
    return { digest: record.digest, files: record.files, bytes: record.bytes, reread: 0, via: "monitor" };
  }
  // The answer's clock predates the read below: whatever the read misses is reported against it next time.
  const fp = await fingerprintTree(root, filter, opts);
  writeMonitorRecord(recordPath, {
    monitor: monitor.name,
    root,
    filter: header,
    digest: fp.digest,
    files: fp.files,
    bytes: fp.bytes,
    watchRoot: answer.watchRoot,
    clock: answer.clock,
  });
  return fp;
}

/**
 * Whether a change at `rel` (relative to the app root; its type unknown, it may be gone) can change the upload set.
 * Only exclude mode rules anything out: a path below an excluded directory, or one excluded both as a file and as a
 * directory, is never uploaded (gitignore semantics: nothing below an excluded directory comes back).
 */
function mayAffectUploadSet(filter: UploadFilter, rel: string): boolean {
  if (filter.mode !== "exclude" || rel === "") return true;
  const parts = rel.split("/");
  for (let i = 1; i < parts.length; i++) if (filter.prune(parts.slice(0, i).join("/"))) return false;
  return filter.keep(rel, false) || filter.keep(rel, true);
}

/**
 * Whether nothing the monitor is blind to can be in the upload set: each blind spot is excluded by the filter (only
 * exclude mode prunes whole directories: under gitignore semantics nothing below an excluded directory comes back),
 * or is a shallowly watched place that does not exist. The existence check comes after the monitor's answer, so a
 * later creation is reported against its clock.
 */
function monitorSeesUploadSet(root: string, filter: UploadFilter, blindSpots: readonly BlindSpot[]): boolean {
  return blindSpots.every((spot) => {
    if (filter.mode === "exclude") {
      const parts = spot.path.split("/");
      for (let i = 1; i <= parts.length; i++) if (filter.prune(parts.slice(0, i).join("/"))) return true;
    }
    return spot.shallow && fs.lstatSync(path.join(root, spot.path), { throwIfNoEntry: false }) === undefined;
  });
}

/** The fingerprint from the tree itself (with the stat cache when given). */
async function fingerprintTree(root: string, filter: UploadFilter, opts: FingerprintOptions): Promise<SourceFingerprint> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fingerprintOnce(root, filter, opts, attempt > 0);
    } catch (err) {
      // The tree changed under us, possibly behind a cached listing, or the cache is malformed: once more, from
      // scratch (fresh walk, every file read; the cache is then rewritten).
      const code = (err as { code?: unknown }).code;
      if (attempt === 0 && typeof code === "string" && CHANGED_CODES.has(code)) continue;
      throw err;
    }
  }
}

/**
 * A stat cache inside the upload set would change the digest on every run (pack would upload it, too): refuse it.
 * It may live inside the app dir only where include/exclude keep it out of the upload set.
 */
function checkCacheOutsideUploadSet(root: string, filter: UploadFilter, ...cachePaths: string[]): void {
  const resolvedDirs = new Map<string, string>();
  for (const cachePath of cachePaths) {
    // The directory entry is what pack would upload (the cache is replaced by rename, never written through a
    // link), so resolve symlinks in the longest existing prefix of its directory, which may not exist yet.
    const dir = path.dirname(path.resolve(cachePath));
    let resolvedDir = resolvedDirs.get(dir);
    if (resolvedDir === undefined) {
      let existing = dir;
      const rest: string[] = [];
      while (!fs.existsSync(existing)) {
        const parent = path.dirname(existing);
        if (parent === existing) break;
        rest.unshift(path.basename(existing));
        existing = parent;
      }
      resolvedDir = path.join(fs.realpathSync(existing), ...rest);
      resolvedDirs.set(dir, resolvedDir);
    }
    const resolved = path.join(resolvedDir, path.basename(cachePath)).split(path.sep).join("/");
    const rel = path.posix.relative(root, resolved);
    if (rel === "" || rel === ".." || rel.startsWith("../") || path.posix.isAbsolute(rel)) continue;
    if (uploadSetContains(filter, rel)) {
      throw new Error(
        `fingerprint: the stat cache ${cachePath} is inside the app directory ${root} and would be uploaded by pack ` +
          `(and change the fingerprint on every run); keep it outside the app directory or exclude it in project.toml`,
      );
    }
  }
}

async function fingerprintOnce(
  root: string,
  filter: UploadFilter,
  opts: FingerprintOptions,
  fresh: boolean,
): Promise<SourceFingerprint> {
  const header = digestHeader(filter);
  const cache = opts.statCachePath !== undefined ? StatCache.load(opts.statCachePath, root) : undefined;
  const prev = fresh ? undefined : cache?.previous;

  // The upload set (paths + kinds) and, per entry, the cached stat key and data that may be reused.
  let paths: string[] | undefined; // split form, when we have it
  let joinedPaths: string;
  let kinds: string;
  let joinedKeys: string | null = null;
  let keys: string[] | undefined;
  let cached: string[] | undefined;
  let sameSet = false;
  if (cache && prev && prev.filter === header && cache.directoriesUnchanged()) {
    // Fast path: no directory changed, so a walk would give exactly the previous upload set.
    joinedPaths = prev.paths;
    kinds = prev.kinds;
    joinedKeys = prev.keys;
    sameSet = true;
  } else {
    const listings = cache && fresh ? { lookup: (): undefined => undefined, store: cache.store.bind(cache) } : cache;
    const walked = walkUploadSet(root, filter, listings);
    paths = walked.paths;
    joinedPaths = paths.join(SEP);
    kinds = walked.kinds;
    if (cache) {
      keys = new Array<string>(paths.length).fill("");
      cached = new Array<string>(paths.length).fill("");
      if (prev) {
        const previous = cache.previousEntries();
        for (let i = 0; i < paths.length; i++) {
          const e = kinds[i] === "D" ? undefined : previous.get(paths[i] as string);
          if (e !== undefined && e.kind === kinds[i]) {
            keys[i] = e.key;
            cached[i] = e.data;
          }
        }
      }
      joinedKeys = keys.join(SEP);
    }
  }

  const res = await processEntries(root, joinedPaths, kinds, joinedKeys, cache !== undefined, opts.threads);
  if (sameSet && res.data === null && prev) {
    // Every entry's lstat matched: nothing to read, nothing to rewrite.
    return { digest: prev.digest, files: prev.files, bytes: prev.bytes, reread: 0, via: "tree" };
  }

  const n = kinds.length;
  if (!paths) paths = splitColumn(joinedPaths, n);
  if (cache && prev && sameSet) {
    keys = splitColumn(prev.keys, n);
    cached = splitColumn(prev.data, n);
  }
  const outKeys = new Array<string>(n);
  const outData = new Array<string>(n);
  let reread = 0;
  let files = 0;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const kind = kinds.charCodeAt(i);
    if (kind === 68 /* D */) {
      outKeys[i] = "";
      outData[i] = "";
      continue;
    }
    let key = res.stat === null ? "" : (res.stat[i] as string);
    let data: string;
    if (key === "") {
      // Cache hit: lstat matched the trusted key exactly.
      key = (keys as string[])[i] as string;
      data = (cached as string[])[i] as string;
    } else {
      data = (res.data as string[])[i] as string;
      if (kind === 70 /* F */) reread++;
    }
    outKeys[i] = key;
    outData[i] = data;
    if (kind === 70 /* F */) {
      files++;
      bytes += Number(key.slice(0, key.indexOf(":")));
    }
  }

  const h = crypto.createHash("sha256").update(header);
  let chunk = "";
  for (let i = 0; i < n; i++) {
    const kind = kinds.charCodeAt(i);
    const rel = paths[i] as string;
    if (kind === 68 /* D */) {
      chunk += `D\0${rel}\0`;
    } else if (kind === 76 /* L */) {
      chunk += `L\0${rel}\0${outData[i] as string}\0`;
    } else {
      const key = outKeys[i] as string;
      const mode = Number(key.slice(key.lastIndexOf(":") + 1));
      chunk += `F\0${rel}\0${(mode & 0o111) !== 0 ? "x" : "-"}\0${outData[i] as string}\0`;
    }
    if (chunk.length > 65536) {
      h.update(chunk);
      chunk = "";
    }
  }
  const digest = "sha256:" + h.update(chunk).digest("hex");

  cache?.save({ filter: header, digest, files, bytes, paths, kinds, keys: outKeys, data: outData });
  return { digest, files, bytes, reread, via: "tree" };
}

/**
 * Hashes a set of named parts (e.g. source digest, builder, env, descriptor, default process) into one
 * "sha256:<hex>". Key order does not matter; every key and value is covered unambiguously.
 */
export function combineFingerprint(parts: Record<string, string>): string {
  const keys = Object.keys(parts).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const pairs = keys.map((k) => {
    const v = parts[k];
    if (typeof v !== "string") throw new TypeError(`combineFingerprint: part ${JSON.stringify(k)} is not a string`);
    return [k, v];
  });
  return "sha256:" + crypto.createHash("sha256").update(JSON.stringify(["gantry-combined-fingerprint/v1", pairs])).digest("hex");
}
