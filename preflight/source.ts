// A read-only view of the service folder as the builder will receive it: pack uploads the folder
// filtered by project.toml include/exclude (pack-contract.md §5), so excluded files count as absent.

import * as fs from "node:fs";
import * as path from "node:path";
import ignore from "ignore";
import { parse as parseToml } from "smol-toml";

// node_modules is skipped because Google's detectors ignore it ("outside dependency directories")
// and it is the folder most likely to make a walk slow; .git never reaches the builder's decisions.
const SKIP_DIRS = new Set([".git", "node_modules"]);
// Enough for any real service folder; past it the walk stops so detect stays fast on a mis-pointed dir.
const MAX_FILES = 20_000;

/** A regular file is at p (following links). */
export function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** A folder is at p (following links). */
export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A relative POSIX path with ".", "" and ".." resolved, never climbing above the root ("a/../../b" is "b"). */
export function normalizeRel(p: string): string {
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
}

export interface ProjectDescriptor {
  env: Record<string, string>;
  include: string[];
  exclude: string[];
  /** Why project.toml could not be used, if it could not. */
  problem: string | null;
}

export function readProjectToml(dir: string): ProjectDescriptor | null {
  const file = path.join(dir, "project.toml");
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
  const out: ProjectDescriptor = { env: {}, include: [], exclude: [], problem: null };
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    out.problem = `project.toml is not valid TOML: ${firstLine(e)}`;
    return out;
  }
  const io = record(record(doc["io"])["buildpacks"]);
  const legacyBuild = record(doc["build"]); // schema 0.1 keeps these under [build]
  const envEntries = array(record(io["build"])["env"]) ?? array(record(io["env"])["build"]) ?? array(legacyBuild["env"]) ?? [];
  for (const entry of envEntries) {
    const e = record(entry);
    if (typeof e["name"] === "string" && typeof e["value"] === "string") out.env[e["name"]] = e["value"];
  }
  out.include = strings(io["include"] ?? legacyBuild["include"]);
  out.exclude = strings(io["exclude"] ?? legacyBuild["exclude"]);
  const hasInclude = (io["include"] ?? legacyBuild["include"]) !== undefined;
  const hasExclude = (io["exclude"] ?? legacyBuild["exclude"]) !== undefined;
  if (hasInclude && hasExclude) out.problem = "project.toml: cannot have both include and exclude defined";
  return out;
}

export class SourceTree {
  readonly root: string;
  /** Files (posix paths relative to root) outside node_modules/.git, in walk order. */
  readonly files: string[] = [];
  /** True when the walk stopped at MAX_FILES. */
  truncated = false;
  private readonly keep: (rel: string) => boolean;
  private readonly cache = new Map<string, string | null>();
  // Symlinked folders can point back up the tree; each real folder is walked once.
  private readonly visited = new Set<string>();
  // Uploaded regular files the walk listed, for `has` without a stat per question; trusted only when the walk saw
  // every file once under every name (not stopped early, no folder reached by a second path).
  private readonly listed = new Set<string>();
  private complete = true;

  constructor(root: string, descriptor: ProjectDescriptor | null) {
    this.root = root;
    this.keep = uploadFilter(descriptor);
    this.walk("");
  }

  /** A regular file at rel exists and is uploaded. */
  has(rel: string): boolean {
    if (!this.keep(rel)) return false;
    if (this.complete && !this.truncated && rel === normalizeRel(rel) && !rel.split("/").slice(0, -1).some((d) => SKIP_DIRS.has(d))) return this.listed.has(rel);
    return isFile(path.join(this.root, rel));
  }

  isDir(rel: string): boolean {
    return isDirectory(path.join(this.root, rel));
  }

  read(rel: string): string | null {
    if (this.cache.has(rel)) return this.cache.get(rel) ?? null;
    let text: string | null = null;
    if (this.has(rel)) {
      try {
        text = fs.readFileSync(path.join(this.root, rel), "utf8");
      } catch {
        text = null;
      }
    }
    this.cache.set(rel, text);
    return text;
  }

  /** Files directly in the root folder. */
  rootFiles(): string[] {
    return this.files.filter((f) => !f.includes("/"));
  }

  /** Files anywhere whose name ends with one of the suffixes. */
  withSuffix(...suffixes: string[]): string[] {
    return this.files.filter((f) => suffixes.some((s) => f.endsWith(s)));
  }

  private walk(relDir: string): void {
    let entries: fs.Dirent[];
    try {
      const real = fs.realpathSync(path.join(this.root, relDir));
      if (this.visited.has(real)) {
        this.complete = false;
        return;
      }
      this.visited.add(real);
      entries = fs.readdirSync(path.join(this.root, relDir), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const dirs: string[] = [];
    for (const entry of entries) {
      if (this.files.length >= MAX_FILES) {
        this.truncated = true;
        return;
      }
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const st = fs.statSync(path.join(this.root, rel));
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue;
        }
      }
      if (isDir) {
        if (!SKIP_DIRS.has(entry.name)) dirs.push(rel);
      } else if (isFile && this.keep(rel)) {
        this.files.push(rel);
        this.listed.add(rel);
      }
    }
    for (const d of dirs) this.walk(d);
  }
}

function uploadFilter(descriptor: ProjectDescriptor | null): (rel: string) => boolean {
  if (!descriptor || descriptor.problem) return () => true;
  if (descriptor.include.length > 0) {
    const inc = ignore().add(descriptor.include);
    return (rel) => inc.ignores(rel);
  }
  if (descriptor.exclude.length > 0) {
    const exc = ignore().add(descriptor.exclude);
    return (rel) => !exc.ignores(rel);
  }
  return () => true;
}

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function array(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

export function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0] ?? msg;
}
