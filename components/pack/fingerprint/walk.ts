/**
 * The upload set of `pack build --path <dir> --descriptor project.toml`.
 *
 * What pack does (pack-contract.md §5, pack `pkg/archive` `WriteDirToTar`, `pkg/client/build.go` `getFileFilter`):
 *  - it walks the whole app directory with lstat semantics: symlinks are stored as links (their target text), never
 *    followed; sockets are skipped;
 *  - `.gitignore` / `.dockerignore` are NOT consulted (`.git` is uploaded unless excluded);
 *  - each entry is filtered by its path relative to the app root, with gitignore semantics, from project.toml
 *    `[io.buildpacks] include = [...]` (keep only matches) or `exclude = [...]` (drop matches). Never both.
 *
 * Matching uses the `ignore` package (case-sensitive, like pack's go-gitignore): a file is tested by its full relative
 * POSIX path (`build/x.txt`), a directory by its path with a trailing slash (`build/`) so that directory-only patterns
 * like `build/` apply to it. Under gitignore semantics a file below an excluded directory is excluded as well (a file
 * cannot be re-included when a parent directory is excluded), so in exclude mode an excluded directory is not
 * descended into at all: that gives exactly the same set as testing each child, only faster. In include mode nothing is
 * pruned (`src/**\/*.ts` keeps files whose parent directories do not themselves match).
 *
 * Special files (FIFOs, sockets, devices) are left out.
 */
import * as fs from "node:fs";
import ignore from "ignore";

export interface UploadFilterOptions {
  include?: readonly string[] | undefined;
  exclude?: readonly string[] | undefined;
}

export type UploadEntry =
  | { type: "file"; path: string }
  | { type: "symlink"; path: string; target: string }
  | { type: "dir"; path: string };

export interface UploadFilter {
  readonly mode: "all" | "include" | "exclude";
  readonly patterns: readonly string[];
  /** Whether an entry at this relative POSIX path belongs to the upload set. */
  keep(relPath: string, isDir: boolean): boolean;
  /** Whether nothing below this directory can be in the upload set (only ever true in exclude mode). */
  prune(relDir: string): boolean;
}

// Services of a fleet mostly share their patterns (Gantry's own excludes, a platform default): one matcher each.
const compiled = new Map<string, UploadFilter>();
const MAX_COMPILED = 256;

export function compileUploadFilter(opts: UploadFilterOptions): UploadFilter {
  const key = JSON.stringify([opts.include ?? [], opts.exclude ?? []]);
  let filter = compiled.get(key);
  if (!filter) {
    filter = compileFilter(opts);
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(key, filter);
  }
  return filter;
}

/** Forgets every matcher (tests of the bound). */
export function forgetCompiledFilters(): void {
  compiled.clear();
}

function compileFilter(opts: UploadFilterOptions): UploadFilter {
  const include = opts.include ?? [];
  const exclude = opts.exclude ?? [];
  if (include.length > 0 && exclude.length > 0) {
    throw new Error(
      "project.toml: cannot have both include and exclude defined ([io.buildpacks] include and exclude are mutually exclusive; pack rejects the descriptor)",
    );
  }
  for (const p of [...include, ...exclude]) {
    if (typeof p !== "string") throw new TypeError(`include/exclude patterns must be strings, got ${typeof p}`);
  }
  if (include.length > 0) {
    const ig = ignore({ ignorecase: false }).add([...include]);
    return {
      mode: "include",
      patterns: [...include],
      keep: (rel, isDir) => ig.ignores(isDir ? rel + "/" : rel),
      prune: () => false,
    };
  }
  if (exclude.length > 0) {
    const ig = ignore({ ignorecase: false }).add([...exclude]);
    return {
      mode: "exclude",
      patterns: [...exclude],
      keep: (rel, isDir) => !ig.ignores(isDir ? rel + "/" : rel),
      prune: (relDir) => ig.ignores(relDir + "/"),
    };
  }
  return { mode: "all", patterns: [], keep: () => true, prune: () => false };
}

/**
 * Optional memo of directory listings (names + entry types), keyed by the directory's own stat data. A directory whose
 * mtime/ctime/inode are unchanged (and not "racy") has the same entries, because creating, deleting or renaming an
 * entry always updates the parent directory's mtime. Listings are stored unfiltered.
 */
export interface DirListingCache {
  lookup(relDir: string, st: fs.BigIntStats): string | undefined;
  store(relDir: string, st: fs.BigIntStats, listing: string): void;
}

// Listing encoding: "<t><name>" items joined by "/" (a name can never contain "/"); t is f(ile), l(ink) or d(ir).
function readListing(absDir: string): string {
  const items: string[] = [];
  for (const d of fs.readdirSync(absDir, { withFileTypes: true })) {
    if (d.isFile()) items.push("f" + d.name);
    else if (d.isDirectory()) items.push("d" + d.name);
    else if (d.isSymbolicLink()) items.push("l" + d.name);
    // FIFOs, sockets, block/char devices: not part of the fingerprinted set.
  }
  return items.join("/");
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts upload entries by relative path (plain UTF-16 code unit order, identical on every machine and locale). */
export function sortEntries<T extends { path: string }>(entries: T[]): T[] {
  return entries.sort((a, b) => compareStrings(a.path, b.path));
}

/** Kind codes used by the compact walk result: D(irectory), F(ile), L(ink). */
export type EntryKind = "D" | "F" | "L";

export interface WalkResult {
  /** Relative POSIX paths, sorted. */
  paths: string[];
  /** One kind code per path. */
  kinds: string;
}

/**
 * Walks `root` (an absolute, already resolved directory) and returns the upload set, sorted by path, in compact
 * form (no symlink targets). With `listings`, directory listings are reused when the directory is unchanged.
 */
export function walkUploadSet(root: string, filter: UploadFilter, listings?: DirListingCache): WalkResult {
  const found: { path: string; kind: string }[] = [];
  const stack: string[] = [""];
  while (stack.length > 0) {
    const rel = stack.pop() as string;
    const abs = rel === "" ? root : root + "/" + rel;
    let listing: string | undefined;
    if (listings) {
      const st = fs.lstatSync(abs, { bigint: true });
      if (!st.isDirectory()) {
        throw Object.assign(new Error(`fingerprint: ${abs} changed while walking (no longer a directory)`), {
          code: "ECHANGED",
        });
      }
      listing = listings.lookup(rel, st);
      if (listing === undefined) {
        listing = readListing(abs);
        listings.store(rel, st, listing);
      }
    } else {
      listing = readListing(abs);
    }
    if (listing === "") continue;
    const prefix = rel === "" ? "" : rel + "/";
    for (const item of listing.split("/")) {
      const kind = item.charCodeAt(0);
      const path = prefix + item.slice(1);
      if (kind === 100 /* d */) {
        if (filter.prune(path)) continue;
        if (filter.keep(path, true)) found.push({ path, kind: "D" });
        stack.push(path);
      } else if (filter.keep(path, false)) {
        found.push({ path, kind: kind === 102 /* f */ ? "F" : "L" });
      }
    }
  }
  sortEntries(found);
  const paths = new Array<string>(found.length);
  let kinds = "";
  for (let i = 0; i < found.length; i++) {
    const f = found[i] as { path: string; kind: string };
    paths[i] = f.path;
    kinds += f.kind;
  }
  return { paths, kinds };
}

/** Whether a file at `relPath` (relative POSIX path) would be part of the upload set under `filter`. */
export function uploadSetContains(filter: UploadFilter, relPath: string): boolean {
  const parts = relPath.split("/");
  for (let i = 1; i < parts.length; i++) {
    if (filter.prune(parts.slice(0, i).join("/"))) return false;
  }
  return filter.keep(relPath, false);
}

/** Resolves the app directory the way pack does (symlinks resolved, absolute) and checks it is a directory. */
export function resolveAppDir(dir: string): string {
  let root: string;
  try {
    root = fs.realpathSync(dir);
  } catch (err) {
    throw new Error(`fingerprint: app directory ${dir} does not exist or is unreadable: ${(err as Error).message}`);
  }
  if (!fs.statSync(root).isDirectory()) {
    throw new Error(`fingerprint: app path ${dir} is not a directory (zip app paths are not supported)`);
  }
  return root.split("\\").join("/");
}

/**
 * The upload set for `dir` with project.toml-style include/exclude: regular files, symlinks (with their target text)
 * and directories, as relative POSIX paths in sorted order. Throws when both include and exclude are non-empty.
 */
export function listUploadSet(dir: string, opts: UploadFilterOptions = {}): UploadEntry[] {
  const filter = compileUploadFilter(opts);
  const root = resolveAppDir(dir);
  const { paths, kinds } = walkUploadSet(root, filter);
  return paths.map((path, i): UploadEntry => {
    const k = kinds[i];
    if (k === "D") return { type: "dir", path };
    if (k === "F") return { type: "file", path };
    return { type: "symlink", path, target: fs.readlinkSync(root + "/" + path) };
  });
}
