/**
 * File-system monitor for source fingerprints: Watchman (https://facebook.github.io/watchman/), the daemon git's
 * fsmonitor hook, Jest, Buck and Sapling use for the same job.
 *
 * Why: a stat cache alone must still lstat every file on every run, because editing a file in place changes nothing
 * in its directory. Watchman keeps an inotify watch on the tree and answers "what changed since clock C?" from memory,
 * so an unchanged service costs one shared query instead of one lstat per file.
 *
 * Soundness rules the fingerprint relies on:
 *  - every answer carries a clock taken after the caller started (queries are synced by Watchman's cookie files, so
 *    every change made before the query is in its answer); a caller that then reads the tree records that clock, so
 *    any change it might have missed is reported next time;
 *  - a clock from another Watchman instance, or of a watch that was dropped and re-added, is a "fresh instance": we
 *    report it as changed;
 *  - Watchman does not see inside the watch root's VCS directories (`ignore_vcs`, default .git/.hg/.svn at the watch
 *    root only, watched shallowly) nor `ignore_dirs` from .watchmanconfig: those are returned as blind spots, and the
 *    fingerprint uses the monitor only where the upload filter provably keeps every blind spot out;
 *  - a directory Watchman refuses to watch gets no answer; any other error or a timeout disables the monitor for the
 *    rest of the process. Either way the caller falls back to the stat cache.
 *
 * Concurrent callers share one query per (watch root, since-clock): a query is shared only by callers that arrived
 * before it was sent, so no caller gets an answer older than its own call.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "fb-watchman";

/** A clock plus whether anything under the asked directory changed since the caller's clock. */
export interface MonitorAnswer {
  /** Opaque clock, taken after the call started: record it before reading the tree. */
  clock: string;
  /**
   * What changed under the directory since `since`, as paths relative to it ("" = the directory itself), or "all"
   * when `since` is missing, unknown or from another Watchman instance. A directory that existed then and exists
   * now is left out: its own entry is the same, and whatever changed inside it is listed by its own path.
   */
  changed: string[] | "all";
  /** Watch root the clock belongs to. */
  watchRoot: string;
  /** Places inside the asked directory whose contents the monitor cannot see. */
  blindSpots: BlindSpot[];
}

export interface BlindSpot {
  /** Relative to the asked directory, POSIX. */
  path: string;
  /**
   * True for a directory the monitor still watches shallowly (Watchman's `ignore_vcs`): its own creation or removal
   * is reported, so while it does not exist nothing can hide in it.
   */
  shallow: boolean;
}

export interface FsMonitor {
  readonly name: string;
  /**
   * Asks about the absolute, resolved directory `dir`. `since` is a clock from an earlier answer for the same
   * directory, `watchRoot` that answer's watch root (undefined: none). Resolves undefined when the monitor cannot
   * answer for this directory at all (it lies inside a blind spot, or the monitor failed); never rejects.
   */
  query(dir: string, since: string | undefined, watchRoot?: string): Promise<MonitorAnswer | undefined>;
  close(): void;
}

/** Watchman's defaults when .watchmanconfig does not set them (watchman docs: Configuration). */
const DEFAULT_IGNORE_VCS = [".git", ".svn", ".hg"];
/** How long a query may wait for Watchman's cookie sync, and for the whole round trip. */
const SYNC_TIMEOUT_MS = 10_000;
const COMMAND_TIMEOUT_MS = 20_000;

interface WatchInfo {
  watchRoot: string;
  /** `dir` relative to the watch root, POSIX, "" for the root itself. */
  rel: string;
  /** Places relative to the watch root that Watchman does not report changes in. */
  ignored: { path: string; shallow: boolean }[];
}

export class WatchmanMonitor implements FsMonitor {
  readonly name = "watchman";
  private client: Client | undefined;
  private failed: string | undefined;
  private readonly watches = new Map<string, Promise<WatchInfo>>();
  private readonly configs = new Map<string, Promise<{ path: string; shallow: boolean }[]>>();
  /** Per watch root, the batch of callers that has not been sent yet. */
  private readonly pending = new Map<string, Batch>();
  /** Commands sent to Watchman, by name (for tests and diagnostics). */
  readonly sent: Record<string, number> = {};

  /** @param sockname Watchman's socket; resolved lazily (WATCHMAN_SOCK, else `watchman get-sockname`) when omitted. */
  constructor(private readonly sockname?: string) {}

  /** Why the monitor stopped answering, if it did. */
  get failure(): string | undefined {
    return this.failed;
  }

  async query(dir: string, since: string | undefined, watchRoot?: string): Promise<MonitorAnswer | undefined> {
    if (this.failed !== undefined) return undefined;
    try {
      if (since !== undefined && watchRoot !== undefined) {
        // The watch root an earlier answer named: ask it directly (no watch-project round trip). If it is no longer
        // watched, Watchman refuses and we start over below; the since-clock then means nothing.
        const rel = path.relative(watchRoot, dir).split(path.sep).join("/");
        if (!rel.startsWith("../") && rel !== ".." && !path.isAbsolute(rel)) {
          const direct = await this.ignored(watchRoot)
            .then((ignored) => this.answer({ watchRoot, rel, ignored }, since))
            .catch((err: unknown) => (isWatchmanRefusal(err) ? null : Promise.reject(err)));
          if (direct !== null) return direct;
          since = undefined;
        }
      }
      const watch = await this.watch(dir).catch((err: unknown) => (isWatchmanRefusal(err) ? null : Promise.reject(err)));
      // Watchman refused this directory (e.g. its administrator enforces root_files): no answer for it, the rest is fine.
      if (watch === null) return undefined;
      return await this.answer(watch, since);
    } catch (err) {
      this.fail(err);
      return undefined;
    }
  }

  private async answer(watch: WatchInfo, since: string | undefined): Promise<MonitorAnswer | undefined> {
    const blindSpots: BlindSpot[] = [];
    for (const ign of watch.ignored) {
      if (isWithin(watch.rel, ign.path)) return undefined;
      if (isWithin(ign.path, watch.rel)) {
        blindSpots.push({ path: watch.rel === "" ? ign.path : ign.path.slice(watch.rel.length + 1), shallow: ign.shallow });
      }
    }
    const res = await this.changes(watch.watchRoot, since);
    let changed: string[] | "all" = "all";
    if (since !== undefined && !res.fresh) {
      const cut = watch.rel === "" ? 0 : watch.rel.length + 1;
      changed = within(res, watch.rel)
        .filter((f) => !(f.type === "d" && f.exists && !f.new))
        .map((f) => f.name.slice(cut));
    }
    return { clock: res.clock, changed, watchRoot: watch.watchRoot, blindSpots };
  }

  close(): void {
    this.client?.end();
    this.client = undefined;
  }

  private fail(err: unknown): void {
    // Keep the first cause: closing the client then fails the commands still queued ("The client was ended").
    this.failed ??= err instanceof Error ? err.message : String(err);
    this.close();
  }

  private connect(): Client {
    if (this.client) return this.client;
    const sock = this.sockname ?? process.env.WATCHMAN_SOCK ?? resolveSockname();
    // fb-watchman connects to $WATCHMAN_SOCK when set, and otherwise spawns the CLI itself, printing its failures
    // to the console: we resolve the socket ourselves (above) so that a missing Watchman stays silent.
    process.env.WATCHMAN_SOCK = sock;
    const client = new Client();
    client.on("error", (err: Error) => this.fail(err));
    client.on("end", () => {
      if (this.client === client) this.client = undefined;
    });
    this.client = client;
    return client;
  }

  private command<T>(args: unknown[]): Promise<T> {
    const name = String(args[0]);
    this.sent[name] = (this.sent[name] ?? 0) + 1;
    const client = this.connect();
    return new Promise<T>((resolve, reject) => {
      // The timer (not the socket) keeps the process alive while a command is in flight; the idle socket must not
      // keep a finished program running.
      const timer = setTimeout(() => reject(new Error(`watchman ${name}: no answer in ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
      // The typings only know a fixed list of command shapes; ours are plain watchman commands.
      const send = client.command.bind(client) as unknown as (a: unknown[], cb: (err: Error | null, resp: unknown) => void) => void;
      send(args, (err, resp) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(resp as T);
      });
      (client as unknown as { socket?: { unref?: () => void } }).socket?.unref?.();
    });
  }

  private watch(dir: string): Promise<WatchInfo> {
    let w = this.watches.get(dir);
    if (!w) {
      w = (async () => {
        const r = await this.command<{ watch: string; relative_path?: string; warning?: string }>(["watch-project", dir]);
        const rel = (r.relative_path ?? "").split(path.sep).join("/");
        return { watchRoot: r.watch, rel, ignored: await this.ignored(r.watch) };
      })();
      w.catch(() => this.watches.delete(dir));
      this.watches.set(dir, w);
    }
    return w;
  }

  private ignored(watchRoot: string): Promise<{ path: string; shallow: boolean }[]> {
    let c = this.configs.get(watchRoot);
    if (!c) {
      c = this.command<{ config?: { ignore_vcs?: unknown; ignore_dirs?: unknown } }>(["get-config", watchRoot]).then((r) => {
        const cfg = r.config ?? {};
        const vcs = Array.isArray(cfg.ignore_vcs) ? cfg.ignore_vcs : DEFAULT_IGNORE_VCS;
        const dirs = Array.isArray(cfg.ignore_dirs) ? cfg.ignore_dirs : [];
        const clean = (list: unknown[], shallow: boolean): { path: string; shallow: boolean }[] =>
          list.filter((d): d is string => typeof d === "string").map((d) => ({ path: d.replace(/^\/+|\/+$/g, ""), shallow }));
        return [...clean(vcs, true), ...clean(dirs, false)];
      });
      c.catch(() => this.configs.delete(watchRoot));
      this.configs.set(watchRoot, c);
    }
    return c;
  }

  /**
   * Changed names under the watch root since `since` (or just a fresh clock). Callers that arrive before the batch
   * for their watch root is sent share it: clocks of the same Watchman instance and watch are merged into one query
   * since the oldest of them (its answer is a superset of each one's), other clocks get a query each.
   */
  private changes(watchRoot: string, since: string | undefined): Promise<Changes> {
    let batch = this.pending.get(watchRoot);
    if (!batch) {
      const fresh: Batch = { clocks: new Set(), result: undefined as never };
      fresh.result = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        // From here on, callers arriving later must not share this answer: it may predate their call.
        if (this.pending.get(watchRoot) === fresh) this.pending.delete(watchRoot);
        return this.send(watchRoot, [...fresh.clocks]);
      });
      this.pending.set(watchRoot, fresh);
      batch = fresh;
    }
    const key = since ?? "";
    batch.clocks.add(key);
    return batch.result.then((byClock) => byClock.get(key) as Changes);
  }

  private async send(watchRoot: string, clocks: string[]): Promise<Map<string, Changes>> {
    const out = new Map<string, Changes>();
    const groups = new Map<string, { oldest: string; ticks: number; members: string[] }>();
    for (const c of clocks) {
      if (c === "") continue;
      const parsed = parseClock(c);
      const id = parsed ? parsed.instance : `opaque:${c}`;
      const g = groups.get(id);
      if (!g) groups.set(id, { oldest: c, ticks: parsed?.ticks ?? 0, members: [c] });
      else {
        g.members.push(c);
        if (parsed && parsed.ticks < g.ticks) {
          g.oldest = c;
          g.ticks = parsed.ticks;
        }
      }
    }
    const jobs: Promise<void>[] = [...groups.values()].map(async (g) => {
      const r = await this.command<{ clock: string; is_fresh_instance?: boolean; files?: unknown[] }>([
        "query",
        watchRoot,
        { since: g.oldest, fields: ["name", "exists", "new", "type"], empty_on_fresh_instance: true, sync_timeout: SYNC_TIMEOUT_MS },
      ]);
      const changes: Changes = { clock: r.clock, fresh: r.is_fresh_instance === true, files: (r.files ?? []).map(toChangedFile) };
      for (const m of g.members) out.set(m, changes);
    });
    if (clocks.includes("")) {
      jobs.push(
        this.command<{ clock: string }>(["clock", watchRoot, { sync_timeout: SYNC_TIMEOUT_MS }]).then((r) => {
          out.set("", { clock: r.clock, fresh: true, files: [] });
        }),
      );
    }
    await Promise.all(jobs);
    return out;
  }
}

interface ChangedFile {
  name: string;
  exists: boolean;
  /** Created after the since-clock. */
  new: boolean;
  /** Watchman's type letter: f, d, l, ... */
  type: string;
}

interface Changes {
  clock: string;
  fresh: boolean;
  files: ChangedFile[];
  /** files by every folder above them and by their own name, made when first asked: a batch answers a whole fleet. */
  byPrefix?: Map<string, ChangedFile[]>;
}

/** The changed files at or below `rel` (isWithin), from the answer's index. */
function within(res: Changes, rel: string): ChangedFile[] {
  if (rel === "") return res.files;
  if (!res.byPrefix) {
    const index = new Map<string, ChangedFile[]>();
    for (const f of res.files) {
      for (let i = f.name.indexOf("/"); ; i = f.name.indexOf("/", i + 1)) {
        const prefix = i === -1 ? f.name : f.name.slice(0, i);
        const list = index.get(prefix);
        if (list) list.push(f);
        else index.set(prefix, [f]);
        if (i === -1) break;
      }
    }
    res.byPrefix = index;
  }
  return res.byPrefix.get(rel) ?? [];
}

/** Missing fields read the cautious way (may not exist, may be new, type unknown), so nothing is ruled out. */
function toChangedFile(f: unknown): ChangedFile {
  const c = (typeof f === "object" && f !== null ? f : {}) as Record<string, unknown>;
  if (typeof c.name !== "string") throw new Error(`watchman query: a file entry without a name: ${JSON.stringify(f)}`);
  return { name: c.name, exists: c.exists === true, new: c.new !== false, type: typeof c.type === "string" ? c.type : "?" };
}

interface Batch {
  /** The since-clocks of the callers waiting ("" = none: they only need a clock). */
  clocks: Set<string>;
  result: Promise<Map<string, Changes>>;
}

/**
 * Watchman clocks look like `c:<server start>:<pid>:<watch number>:<ticks>`: the same instance and watch count ticks
 * upward. Documented as opaque, so anything else is simply not merged.
 */
function parseClock(clock: string): { instance: string; ticks: number } | undefined {
  const m = /^(c:\d+:\d+:\d+):(\d+)$/.exec(clock);
  return m ? { instance: m[1] as string, ticks: Number(m[2]) } : undefined;
}

/** Watchman answered with an error (e.g. "not watched"), as opposed to a broken connection. */
function isWatchmanRefusal(err: unknown): boolean {
  return typeof err === "object" && err !== null && "watchmanResponse" in err;
}

/** `a` is `b` or below it (POSIX relative paths, "" = the root). */
function isWithin(a: string, b: string): boolean {
  return b === "" || a === b || a.startsWith(b + "/");
}

function resolveSockname(): string {
  const r = spawnSync("watchman", ["--no-pretty", "get-sockname"], { encoding: "utf8", timeout: COMMAND_TIMEOUT_MS, stdio: ["ignore", "pipe", "pipe"] });
  if (r.error) throw new Error(`watchman get-sockname: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`watchman get-sockname exited with ${r.status ?? r.signal}: ${r.stderr.trim()}`);
  const parsed = JSON.parse(r.stdout) as { sockname?: unknown; error?: unknown };
  if (typeof parsed.sockname !== "string") throw new Error(`watchman get-sockname: ${String(parsed.error ?? "no sockname")}`);
  return parsed.sockname;
}

function onPath(bin: string): boolean {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    try {
      fs.accessSync(path.join(dir, bin), fs.constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

let shared: FsMonitor | null | undefined;

/**
 * The process-wide monitor chosen by `GANTRY_FSMONITOR`: `off` for none, `watchman` to require it, unset or `auto`
 * for Watchman when `WATCHMAN_SOCK` is set or `watchman` is on PATH (as Jest decides). null: none.
 */
export function defaultMonitor(): FsMonitor | null {
  if (shared !== undefined) return shared;
  const mode = (process.env.GANTRY_FSMONITOR ?? "auto").trim().toLowerCase();
  if (mode === "off" || mode === "false" || mode === "0") shared = null;
  else if (mode === "watchman") shared = new WatchmanMonitor();
  else shared = process.env.WATCHMAN_SOCK || onPath("watchman") ? new WatchmanMonitor() : null;
  return shared;
}

/** Forgets the process-wide monitor (tests; or after changing GANTRY_FSMONITOR). */
export function resetDefaultMonitor(): void {
  if (shared) shared.close();
  shared = undefined;
}
