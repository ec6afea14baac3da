/**
 * Persistent stat cache for source fingerprints. One JSON file per app directory, at a path the caller chooses
 * (e.g. `.gantry/cache/fingerprints/<service>.json`), written atomically (temp file in the same directory + rename).
 *
 * It maps each relative path of the upload set, with its stat data (size, mtimeNs, ctimeNs, inode, mode), to the
 * sha256 of its contents (symlinks: to their target), and it keeps every walked directory's unfiltered listing keyed
 * by the directory's stat data (mtimeNs, ctimeNs, inode). Creating, deleting or renaming an entry always updates the
 * parent directory's mtime, so unchanged directories mean an unchanged listing. The upload set is stored as parallel
 * NUL-separated columns (paths, kinds, stat keys, hashes) in sorted path order rather than one object per path: that
 * parses many times faster (a few strings instead of thousands of objects), can be handed to the hashing workers as
 * is, and when every directory is unchanged the previous upload set is reused without walking: only each entry's
 * lstat has to be compared.
 *
 * "Racy git" guard: a file modified within the same timestamp tick as the moment it was read can change again without
 * its stat data changing. So when the cache is written, every entry whose mtime is not older than the threshold
 * T = min(wall clock when the run started walking - RACY_MARGIN_NS, wall clock at write) is stored with an empty
 * ("smudged") stat key and is therefore rehashed (directories: re-listed) on the next run, like git's racily clean
 * index entries. T is at or before the moment the cache was written, so every entry with mtime >= the write moment
 * is covered. The margin also covers coarse filesystem clocks (FAT 2 s, HFS+/ext3 1 s, jiffy-granular kernel
 * timestamps) and a change that lands between our read and the write. After the rehash the entry is older than the
 * new threshold, so it is trusted from then on.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { DirListingCache } from "./walk";

/** Bump whenever the file layout or the digest format (index.ts) changes: a cached digest is reused as is. */
export const STAT_CACHE_VERSION = 1;
/** Entries modified less than this long before the recording run started are rehashed on the next run. */
export const RACY_MARGIN_NS = 2_000_000_000n;

export interface StatCacheFile {
  version: number;
  /** Resolved app directory the cache was recorded for; another root starts from an empty cache. */
  root: string;
  /** Wall clock (ns since epoch) when the recording run started walking. */
  startedAtNs: string;
  /** Wall clock (ns since epoch) just before the file was written. */
  writtenAtNs: string;
  /** Include/exclude filter the upload set below was computed with (the digest header). */
  filter: string;
  /** The source digest, files and bytes for exactly this upload set. */
  digest: string;
  files: number;
  bytes: number;
  /** Every directory walked: [relative path ("" = root), "mtimeNs:ctimeNs:ino" or "" if racy, listing]. */
  dirs: [string, string, string][];
  /** Number of entries in the upload set; each column below holds that many NUL-separated fields. */
  count: number;
  /** Relative paths, sorted. */
  paths: string;
  /** One char per entry (not separated): D(ir), F(ile), L(ink). */
  kinds: string;
  /** Files and links: "size:mtimeNs:ctimeNs:ino:mode" ("" = racy, must be reread); dirs: "". */
  keys: string;
  /** Files: content sha256 hex; links: target; dirs: "". */
  data: string;
}

/** Column separator: the one character that cannot occur in a path, a link target or a key. */
export const SEP = "\0";

/** Splits a column into exactly `count` fields (an empty set is stored as ""). */
export function splitColumn(col: string, count: number): string[] {
  if (count === 0) return [];
  const parts = col.split(SEP);
  if (parts.length !== count) {
    throw Object.assign(new Error(`stat cache column has ${parts.length} fields, expected ${count}`), { code: "ECACHE" });
  }
  return parts;
}

/** A directory's stat key. */
export function dirKey(st: fs.BigIntStats): string {
  return `${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;
}

/** The mtime (ns) field of a file key ("size:mtimeNs:...") or a dir key ("mtimeNs:..."). */
function keyMtime(key: string, field: 0 | 1): bigint {
  const parts = key.split(":", 2);
  return BigInt(parts[field] ?? "0");
}

export function nowNs(): bigint {
  // Date.now() reads the realtime clock the kernel stamps files from (at a coarser granularity).
  return BigInt(Date.now()) * 1_000_000n;
}

const NS_RE = /^\d{1,30}$/;

function isSnapshot(v: unknown, root: string): v is StatCacheFile {
  if (v === null || typeof v !== "object") return false;
  const s = v as Partial<StatCacheFile>;
  if (
    s.version !== STAT_CACHE_VERSION ||
    s.root !== root ||
    typeof s.startedAtNs !== "string" ||
    !NS_RE.test(s.startedAtNs) ||
    typeof s.writtenAtNs !== "string" ||
    !NS_RE.test(s.writtenAtNs) ||
    typeof s.filter !== "string" ||
    typeof s.digest !== "string" ||
    typeof s.files !== "number" ||
    typeof s.bytes !== "number" ||
    !Array.isArray(s.dirs) ||
    typeof s.count !== "number" ||
    typeof s.paths !== "string" ||
    typeof s.kinds !== "string" ||
    typeof s.keys !== "string" ||
    typeof s.data !== "string" ||
    s.kinds.length !== s.count
  ) {
    return false;
  }
  // The NUL-separated columns are checked when split (splitColumn, or in the hashing workers).
  for (const d of s.dirs) {
    if (!Array.isArray(d) || d.length !== 3 || typeof d[0] !== "string" || typeof d[1] !== "string" || typeof d[2] !== "string") {
      return false;
    }
  }
  return true;
}

export interface UploadSnapshot {
  filter: string;
  digest: string;
  files: number;
  bytes: number;
  paths: string[];
  kinds: string;
  keys: string[];
  data: string[];
}

export class StatCache implements DirListingCache {
  /** What the previous run recorded (undefined: no usable cache). */
  readonly previous: StatCacheFile | undefined;
  /** Wall clock (ns) when this run started; recorded on save. */
  readonly startedAtNs: bigint;
  private readonly prevDirs: Map<string, [string, string, string]>;
  private nextDirs: [string, string, string][] = [];

  private constructor(
    readonly cachePath: string,
    readonly root: string,
    previous: StatCacheFile | undefined,
  ) {
    this.startedAtNs = nowNs();
    this.previous = previous;
    this.prevDirs = new Map();
    if (previous) for (const d of previous.dirs) this.prevDirs.set(d[0], d);
  }

  /**
   * Loads the cache at `cachePath` for the app directory `root` (resolved, absolute). A missing, unreadable,
   * corrupt, other-version or other-root cache yields an empty cache. Call it right before walking: the time of
   * this call is this run's start for the racy check of the next run.
   */
  static load(cachePath: string, root: string): StatCache {
    let previous: StatCacheFile | undefined;
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(cachePath, "utf8"));
      if (isSnapshot(parsed, root)) previous = parsed;
    } catch {
      previous = undefined;
    }
    return new StatCache(cachePath, root, previous);
  }

  /**
   * Checks every directory the previous run walked. True when all are unchanged (same mtime, ctime and inode, and
   * not racy), i.e. a new walk with the same filter would produce exactly the previous upload set. Records them as
   * this run's directories.
   */
  directoriesUnchanged(): boolean {
    const prev = this.previous;
    if (!prev) return false;
    for (const d of prev.dirs) {
      if (d[1] === "") return false;
      const st = fs.lstatSync(d[0] === "" ? this.root : this.root + "/" + d[0], { bigint: true, throwIfNoEntry: false });
      if (st === undefined || !st.isDirectory() || dirKey(st) !== d[1]) return false;
    }
    this.nextDirs = prev.dirs.slice();
    return true;
  }

  /** DirListingCache: the previous listing of `relDir` if the directory is unchanged and was not racy. */
  lookup(relDir: string, st: fs.BigIntStats): string | undefined {
    const d = this.prevDirs.get(relDir);
    if (d !== undefined && d[1] !== "" && d[1] === dirKey(st)) {
      this.nextDirs.push(d);
      return d[2];
    }
    return undefined;
  }

  /** DirListingCache: records a freshly read listing. */
  store(relDir: string, st: fs.BigIntStats, listing: string): void {
    this.nextDirs.push([relDir, dirKey(st), listing]);
  }

  /**
   * The previous entry (stat key + data) of each file and link, by path, for looking up cached entries after a new
   * walk. Throws if the stored columns are malformed.
   */
  previousEntries(): Map<string, { kind: string; key: string; data: string }> {
    const m = new Map<string, { kind: string; key: string; data: string }>();
    const p = this.previous;
    if (!p) return m;
    const paths = splitColumn(p.paths, p.count);
    const keys = splitColumn(p.keys, p.count);
    const data = splitColumn(p.data, p.count);
    for (let i = 0; i < p.count; i++) {
      const kind = p.kinds[i] as string;
      if (kind !== "D") m.set(paths[i] as string, { kind, key: keys[i] as string, data: data[i] as string });
    }
    return m;
  }

  /**
   * Writes this run's directories and upload set atomically, smudging racy entries (see the file comment).
   * `keys` may be modified in place (racy keys set to "").
   */
  save(snapshot: UploadSnapshot): void {
    const writtenAt = nowNs();
    let threshold = this.startedAtNs - RACY_MARGIN_NS;
    if (writtenAt < threshold) threshold = writtenAt;
    const keys = snapshot.keys;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      if (k !== "" && keyMtime(k, 1) >= threshold) keys[i] = "";
    }
    const dirs = this.nextDirs.map((d): [string, string, string] =>
      d[1] !== "" && keyMtime(d[1], 0) >= threshold ? [d[0], "", d[2]] : d,
    );
    const data: StatCacheFile = {
      version: STAT_CACHE_VERSION,
      root: this.root,
      startedAtNs: String(this.startedAtNs),
      writtenAtNs: String(writtenAt),
      filter: snapshot.filter,
      digest: snapshot.digest,
      files: snapshot.files,
      bytes: snapshot.bytes,
      dirs,
      count: snapshot.paths.length,
      paths: snapshot.paths.join(SEP),
      kinds: snapshot.kinds,
      keys: keys.join(SEP),
      data: snapshot.data.join(SEP),
    };
    writeFileAtomic(this.cachePath, JSON.stringify(data));
  }
}

/** Writes `contents` to `file` via a temp file in the same directory and a rename (readers never see a partial file). */
export function writeFileAtomic(file: string, contents: string): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    fs.writeFileSync(tmp, contents);
    fs.renameSync(tmp, file);
  } catch (err) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // best effort
    }
    throw err;
  }
}
