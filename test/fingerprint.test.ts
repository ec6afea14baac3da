import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import {
  combineFingerprint,
  fingerprintSource,
  INLINE_MAX_FILES,
  listUploadSet,
  shutdownFingerprintWorkers,
  type StatCacheFile,
} from "../components/pack/fingerprint";

const tmpRoots: string[] = [];

function tmpDir(prefix = "gantry-fp-test-"): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpRoots.push(d);
  return d;
}

afterAll(async () => {
  await shutdownFingerprintWorkers();
  for (const d of tmpRoots) fs.rmSync(d, { recursive: true, force: true });
});

type Spec = Record<string, string | { content: string; mode?: number } | { link: string } | { dir: true }>;

function writeTree(root: string, spec: Spec): string {
  fs.mkdirSync(root, { recursive: true });
  for (const [rel, v] of Object.entries(spec)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (typeof v === "string") fs.writeFileSync(p, v);
    else if ("link" in v) fs.symlinkSync(v.link, p);
    else if ("dir" in v) fs.mkdirSync(p, { recursive: true });
    else fs.writeFileSync(p, v.content, { mode: v.mode ?? 0o644 });
    if (typeof v !== "string" && "content" in v && v.mode !== undefined) fs.chmodSync(p, v.mode);
  }
  return root;
}

const HOUR_AGO = new Date(Date.now() - 3600_000);

/** Sets every mtime in the tree an hour back, so nothing is "racy" for the stat cache. */
function age(root: string, when: Date = HOUR_AGO): void {
  const visit = (p: string): void => {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) visit(path.join(p, n));
    if (st.isSymbolicLink()) fs.lutimesSync(p, when, when);
    else fs.utimesSync(p, when, when);
  };
  visit(root);
}

const BASE: Spec = {
  "package.json": '{"name":"app"}\n',
  "src/index.ts": "export const x = 1;\n",
  "src/lib/util.ts": "export function f() { return 2; }\n",
  "bin/run.sh": { content: "#!/bin/sh\necho hi\n", mode: 0o755 },
  "README.md": "# app\n",
  "current": { link: "src/index.ts" },
  "assets/empty": { dir: true },
};

async function digestOf(dir: string, opts: Parameters<typeof fingerprintSource>[1] = {}): Promise<string> {
  return (await fingerprintSource(dir, opts)).digest;
}

function cachePathFor(): string {
  return path.join(tmpDir("gantry-fp-cache-"), "cache", "svc.json");
}

describe("upload set (walk)", () => {
  it("lists files, symlinks (with target, not followed) and directories as sorted relative POSIX paths", () => {
    const root = writeTree(path.join(tmpDir(), "app"), {
      ...BASE,
      ".git/HEAD": "ref: refs/heads/main\n",
      ".gitignore": "secret.txt\nnode_modules/\n",
      "secret.txt": "s3cret\n",
      "node_modules/dep/index.js": "module.exports = 1;\n",
    });
    fs.mkdirSync(path.join(root, "..", "outside"));
    fs.writeFileSync(path.join(root, "..", "outside", "big.txt"), "not part of the app\n");
    fs.symlinkSync("../outside", path.join(root, "linkdir"));

    const entries = listUploadSet(root);
    const paths = entries.map((e) => e.path);
    expect(paths).toEqual([...paths].sort());
    expect(entries).toContainEqual({ type: "symlink", path: "current", target: "src/index.ts" });
    expect(entries).toContainEqual({ type: "symlink", path: "linkdir", target: "../outside" });
    expect(paths.some((p) => p.startsWith("linkdir/"))).toBe(false);
    expect(entries).toContainEqual({ type: "dir", path: "assets/empty" });
    expect(entries).toContainEqual({ type: "file", path: "src/lib/util.ts" });
    // pack ignores .gitignore / .dockerignore and uploads .git unless excluded.
    expect(paths).toEqual(expect.arrayContaining([".git", ".git/HEAD", "secret.txt", "node_modules/dep/index.js"]));
  });

  it("applies project.toml exclude with gitignore semantics (case-sensitive, directory patterns, negation)", () => {
    const root = writeTree(path.join(tmpDir(), "app"), {
      ...BASE,
      "build/out.js": "1",
      "build/keep.txt": "1",
      "src/build/gen.ts": "1",
      "debug.log": "1",
      "DEBUG.LOG": "1",
      "docs/a.md": "1",
    });
    const paths = listUploadSet(root, { exclude: ["build/", "!build/keep.txt", "*.log", "docs/*.md", "!README.md"] }).map(
      (e) => e.path,
    );
    expect(paths).not.toContain("build");
    expect(paths).not.toContain("build/out.js");
    // gitignore: a file cannot be re-included when its parent directory is excluded.
    expect(paths).not.toContain("build/keep.txt");
    expect(paths).not.toContain("src/build/gen.ts");
    expect(paths).not.toContain("debug.log");
    expect(paths).toContain("DEBUG.LOG");
    expect(paths).not.toContain("docs/a.md");
    expect(paths).toContain("docs");
    expect(paths).toContain("README.md");
    expect(paths).toContain("src/index.ts");
  });

  it("applies project.toml include: keeps only matching entries", () => {
    const root = writeTree(path.join(tmpDir(), "app"), { ...BASE, "src/deep/er/x.ts": "1", "src/notes.txt": "1" });
    const paths = listUploadSet(root, { include: ["src/**/*.ts", "package.json"] }).map((e) => e.path);
    expect(paths).toEqual(["package.json", "src/deep/er/x.ts", "src/index.ts", "src/lib/util.ts"]);
    const withDirs = listUploadSet(root, { include: ["src/"] }).map((e) => e.path);
    expect(withDirs).toEqual(["src", "src/deep", "src/deep/er", "src/deep/er/x.ts", "src/index.ts", "src/lib", "src/lib/util.ts", "src/notes.txt"]);
  });

  it("rejects include and exclude together, but accepts an empty list beside the other", async () => {
    const root = writeTree(path.join(tmpDir(), "app"), BASE);
    expect(() => listUploadSet(root, { include: ["src/"], exclude: ["*.md"] })).toThrow(/both include and exclude/);
    await expect(fingerprintSource(root, { include: ["src/"], exclude: ["*.md"] })).rejects.toThrow(
      /both include and exclude/,
    );
    await expect(fingerprintSource(root, { include: [], exclude: ["*.md"] })).resolves.toMatchObject({
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
  });

  it("fails clearly for a missing or non-directory app path", async () => {
    const d = tmpDir();
    await expect(fingerprintSource(path.join(d, "nope"))).rejects.toThrow(/does not exist/);
    fs.writeFileSync(path.join(d, "f.zip"), "PK");
    await expect(fingerprintSource(path.join(d, "f.zip"))).rejects.toThrow(/not a directory/);
  });
});

describe("fingerprintSource digest", () => {
  it("is deterministic across two copies of a tree at different paths (and created in a different order)", async () => {
    const a = writeTree(path.join(tmpDir(), "one", "app"), BASE);
    const reversed = Object.fromEntries(Object.entries(BASE).reverse()) as Spec;
    const b = writeTree(path.join(tmpDir(), "elsewhere", "deeper", "app2"), reversed);
    age(b, new Date(Date.now() - 7 * 86400_000));
    const ra = await fingerprintSource(a);
    const rb = await fingerprintSource(b);
    expect(ra.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(rb.digest).toBe(ra.digest);
    expect(ra).toMatchObject({ files: 5, reread: 5 });
    expect(ra.bytes).toBe(
      Object.values(BASE).reduce((n, v) => n + (typeof v === "string" ? v.length : "content" in v ? v.content.length : 0), 0),
    );
    // Reached through a symlink, the app dir is resolved first (as pack does).
    const viaLink = path.join(tmpDir(), "link-to-app");
    fs.symlinkSync(a, viaLink);
    expect(await digestOf(viaLink)).toBe(ra.digest);
  });

  it("changes with every kind of change to the upload set", async () => {
    const make = (): string => writeTree(path.join(tmpDir(), "app"), BASE);
    const base = await digestOf(make());
    const seen = new Map<string, string>([[base, "base"]]);
    const variants: [string, (root: string) => void][] = [
      ["content edit (same size)", (r) => fs.writeFileSync(path.join(r, "README.md"), "# apq\n")],
      ["rename", (r) => fs.renameSync(path.join(r, "README.md"), path.join(r, "README.txt"))],
      ["move to another dir", (r) => fs.renameSync(path.join(r, "README.md"), path.join(r, "src", "README.md"))],
      ["new file", (r) => fs.writeFileSync(path.join(r, "src", "new.ts"), "")],
      ["new empty dir", (r) => fs.mkdirSync(path.join(r, "src", "empty"))],
      ["deleted file", (r) => fs.rmSync(path.join(r, "src", "lib", "util.ts"))],
      ["deleted empty dir", (r) => fs.rmdirSync(path.join(r, "assets", "empty"))],
      ["exec bit set", (r) => fs.chmodSync(path.join(r, "README.md"), 0o744)],
      ["exec bit cleared", (r) => fs.chmodSync(path.join(r, "bin", "run.sh"), 0o644)],
      ["symlink target", (r) => {
        fs.rmSync(path.join(r, "current"));
        fs.symlinkSync("src/lib/util.ts", path.join(r, "current"));
      }],
      ["symlink replaced by a copy of its target", (r) => {
        fs.rmSync(path.join(r, "current"));
        fs.copyFileSync(path.join(r, "src", "index.ts"), path.join(r, "current"));
      }],
      ["file replaced by an empty dir of the same name", (r) => {
        fs.rmSync(path.join(r, "README.md"));
        fs.mkdirSync(path.join(r, "README.md"));
      }],
    ];
    for (const [name, change] of variants) {
      const root = make();
      change(root);
      const d = await digestOf(root);
      expect(seen.has(d), `${name} collides with ${seen.get(d)}`).toBe(false);
      seen.set(d, name);
    }
  });

  it("does not change with things pack does not upload: owners, times, non-exec mode bits", async () => {
    const root = writeTree(path.join(tmpDir(), "app"), BASE);
    const before = await digestOf(root);
    age(root);
    fs.chmodSync(path.join(root, "README.md"), 0o600);
    fs.chmodSync(path.join(root, "bin", "run.sh"), 0o700);
    expect(await digestOf(root)).toBe(before);
  });

  it("changes when the include/exclude filter changes, even if the same files are kept", async () => {
    const root = writeTree(path.join(tmpDir(), "app"), BASE);
    const all = await digestOf(root);
    const excl = await digestOf(root, { exclude: ["*.nothing"] });
    const excl2 = await digestOf(root, { exclude: ["*.nothing", "*.none"] });
    const incl = await digestOf(root, { include: ["*"] });
    expect(new Set([all, excl, excl2, incl]).size).toBe(4);
    expect(await digestOf(root, { exclude: ["*.nothing"] })).toBe(excl);
  });

  it("does not honour .gitignore: a file listed there still counts", async () => {
    const root = writeTree(path.join(tmpDir(), "app"), { ...BASE, ".gitignore": "secret.txt\n", "secret.txt": "one" });
    const before = await digestOf(root);
    fs.writeFileSync(path.join(root, "secret.txt"), "two");
    expect(await digestOf(root)).not.toBe(before);
  });

  it("honours project.toml exclude and include", async () => {
    const root = writeTree(path.join(tmpDir(), "app"), { ...BASE, "build/out.js": "1", "app.log": "a" });
    const exclude = { exclude: ["build/", "*.log"] };
    const include = { include: ["src/", "package.json"] };
    const e0 = await digestOf(root, exclude);
    const i0 = await digestOf(root, include);
    fs.writeFileSync(path.join(root, "build", "out.js"), "2");
    fs.writeFileSync(path.join(root, "build", "more.js"), "3");
    fs.writeFileSync(path.join(root, "app.log"), "b");
    fs.writeFileSync(path.join(root, "README.md"), "# changed\n");
    expect(await digestOf(root, exclude)).not.toBe(e0); // README.md is uploaded under this exclude
    expect(await digestOf(root, include)).toBe(i0); // ... but not under this include
    fs.writeFileSync(path.join(root, "src", "index.ts"), "export const x = 3;\n");
    expect(await digestOf(root, include)).not.toBe(i0);

    const e1 = await digestOf(root, exclude);
    fs.writeFileSync(path.join(root, "build", "out.js"), "4");
    expect(await digestOf(root, exclude)).toBe(e1);
  });

  it("stores symlinks as links: a target change flips the digest, the target's contents do not", async () => {
    const dir = tmpDir();
    const outside = path.join(dir, "outside.txt");
    fs.writeFileSync(outside, "v1");
    const root = writeTree(path.join(dir, "app"), { ...BASE, "ext": { link: "../outside.txt" }, "dangling": { link: "nowhere" } });
    const d0 = await digestOf(root);
    fs.writeFileSync(outside, "v2 with other contents");
    fs.writeFileSync(path.join(root, "src", "index.ts"), "export const x = 9;\n"); // target of "current"
    const d1 = await digestOf(root);
    fs.writeFileSync(path.join(root, "src", "index.ts"), "export const x = 1;\n");
    expect(await digestOf(root)).toBe(d0);
    expect(d1).not.toBe(d0); // only because src/index.ts itself is in the set
    fs.rmSync(path.join(root, "ext"));
    fs.symlinkSync("../other.txt", path.join(root, "ext"));
    expect(await digestOf(root)).not.toBe(d0);
  });

  it("gives the same digest on the calling thread and in the worker pool", async () => {
    const spec: Spec = { ...BASE };
    for (let i = 0; i < INLINE_MAX_FILES + 300; i++) {
      spec[`d${i % 7}/sub${i % 3}/f${i}.txt`] = { content: `file ${i} `.repeat(1 + (i % 50)), mode: i % 11 === 0 ? 0o755 : 0o644 };
    }
    spec["big.bin"] = "x".repeat(3 * 1024 * 1024 + 17); // larger than the read buffer
    const root = writeTree(path.join(tmpDir(), "app"), spec);
    const inline = await fingerprintSource(root, { threads: 0 });
    const pooled = await fingerprintSource(root);
    const one = await fingerprintSource(root, { threads: 1 });
    expect(pooled).toEqual(inline);
    expect(one).toEqual(inline);
    const copy = path.join(tmpDir(), "copy");
    fs.cpSync(root, copy, { recursive: true, verbatimSymlinks: true });
    expect(await digestOf(copy)).toBe(inline.digest);
    fs.appendFileSync(path.join(copy, "big.bin"), "y");
    expect(await digestOf(copy)).not.toBe(inline.digest);
  });
});

describe("stat cache", () => {
  let root: string;
  let cache: string;
  beforeEach(() => {
    root = writeTree(path.join(tmpDir(), "app"), BASE);
    age(root);
    cache = cachePathFor();
  });

  it("warm run reads zero file contents and gives the same digest", async () => {
    const plain = await fingerprintSource(root);
    const cold = await fingerprintSource(root, { statCachePath: cache });
    expect(cold).toEqual(plain);
    expect(cold.reread).toBe(5);
    expect(fs.existsSync(cache)).toBe(true);
    const warm = await fingerprintSource(root, { statCachePath: cache });
    expect(warm).toEqual({ ...plain, reread: 0 });
    // Nothing changed, so the cache is not even rewritten.
    const mtime = fs.statSync(cache).mtimeMs;
    expect(await fingerprintSource(root, { statCachePath: cache })).toEqual({ ...plain, reread: 0 });
    expect(fs.statSync(cache).mtimeMs).toBe(mtime);
    // Written atomically: no temp files left beside it.
    expect(fs.readdirSync(path.dirname(cache))).toEqual(["svc.json"]);
  });

  it("warm run through the worker pool reads nothing either", async () => {
    for (let i = 0; i < INLINE_MAX_FILES + 100; i++) fs.writeFileSync(path.join(root, "src", `m${i}.ts`), `// ${i}\n`);
    age(root);
    const cold = await fingerprintSource(root, { statCachePath: cache });
    const warm = await fingerprintSource(root, { statCachePath: cache });
    expect(warm).toEqual({ ...cold, reread: 0 });
    fs.writeFileSync(path.join(root, "src", "m7.ts"), "// changed\n");
    const after = await fingerprintSource(root, { statCachePath: cache });
    expect(after.reread).toBe(1);
    expect(after.digest).toBe(await digestOf(root));
  });

  it("catches a same-size edit with the mtime restored (utimes), via ctime", async () => {
    const before = await fingerprintSource(root, { statCachePath: cache });
    const f = path.join(root, "README.md");
    const st = fs.statSync(f);
    fs.writeFileSync(f, "# APP\n");
    fs.utimesSync(f, st.atime, st.mtime);
    expect(fs.statSync(f).size).toBe(st.size);
    expect(fs.statSync(f).mtimeMs).toBe(st.mtimeMs);
    const after = await fingerprintSource(root, { statCachePath: cache });
    expect(after.reread).toBe(1);
    expect(after.digest).not.toBe(before.digest);
    expect(after.digest).toBe(await digestOf(root));
  });

  it("catches a file replaced by another inode with the same size and mtime", async () => {
    const before = await fingerprintSource(root, { statCachePath: cache });
    const f = path.join(root, "src", "index.ts");
    const st = fs.statSync(f);
    const tmp = path.join(root, "src", ".index.ts.new");
    fs.writeFileSync(tmp, "export const y = 1;\n");
    fs.utimesSync(tmp, st.atime, st.mtime);
    fs.renameSync(tmp, f);
    fs.utimesSync(path.join(root, "src"), HOUR_AGO, HOUR_AGO); // hide the directory change too
    expect(fs.statSync(f).ino).not.toBe(st.ino);
    const after = await fingerprintSource(root, { statCachePath: cache });
    expect(after.digest).not.toBe(before.digest);
    expect(after.digest).toBe(await digestOf(root));
  });

  it("rehashes racy entries: an mtime not older than the run that cached it is never trusted", async () => {
    // README.md was written "just now": whatever the cache records for it may be stale by the time the cache is
    // written (a same-tick edit keeps size and mtime), so the next run must reread it.
    const f = path.join(root, "README.md");
    fs.writeFileSync(f, "# v1!\n");
    const first = await fingerprintSource(root, { statCachePath: cache });
    expect(first.reread).toBe(5);
    const data = JSON.parse(fs.readFileSync(cache, "utf8")) as StatCacheFile;
    const paths = data.paths.split("\0");
    const keys = data.keys.split("\0");
    expect(keys[paths.indexOf("README.md")]).toBe(""); // smudged
    expect(keys[paths.indexOf("src/index.ts")]).toMatch(/^\d+:\d+:\d+:\d+:\d+$/);
    expect(BigInt(data.writtenAtNs)).toBeGreaterThanOrEqual(BigInt(data.startedAtNs));

    // Simulate the race: same-size edit, mtime and (as far as the cache can tell) everything else unchanged.
    const st = fs.statSync(f);
    fs.writeFileSync(f, "# v2!\n");
    fs.utimesSync(f, st.atime, st.mtime);
    const second = await fingerprintSource(root, { statCachePath: cache });
    expect(second.reread).toBe(1);
    expect(second.digest).toBe(await digestOf(root));
    expect(second.digest).not.toBe(first.digest);

    // Once its mtime is old, it is trusted again.
    age(root);
    await fingerprintSource(root, { statCachePath: cache });
    expect(await fingerprintSource(root, { statCachePath: cache })).toMatchObject({ reread: 0, digest: second.digest });
  });

  it("notices deleted, added, renamed files, exec bits, symlink targets and filter changes on a warm cache", async () => {
    const opts = { statCachePath: cache };
    const steps: [string, () => void, number][] = [
      ["delete", () => fs.rmSync(path.join(root, "src", "lib", "util.ts")), 0],
      ["add", () => {
        // (an old mtime, so that it is not "racy" and reread again by the following steps)
        fs.writeFileSync(path.join(root, "src", "lib", "util2.ts"), "new");
        fs.utimesSync(path.join(root, "src", "lib", "util2.ts"), HOUR_AGO, HOUR_AGO);
      }, 1],
      ["rename", () => fs.renameSync(path.join(root, "src", "lib", "util2.ts"), path.join(root, "src", "lib", "util3.ts")), 1],
      ["exec bit", () => fs.chmodSync(path.join(root, "README.md"), 0o755), 1],
      ["symlink target", () => {
        fs.rmSync(path.join(root, "current"));
        fs.symlinkSync("README.md", path.join(root, "current"));
      }, 0],
      ["new dir", () => fs.mkdirSync(path.join(root, "src", "lib", "nested")), 0],
    ];
    let prev = (await fingerprintSource(root, opts)).digest;
    for (const [name, change, reread] of steps) {
      change();
      const r = await fingerprintSource(root, opts);
      expect(r.digest, name).not.toBe(prev);
      expect(r.digest, name).toBe(await digestOf(root));
      expect(r.reread, name).toBe(reread);
      prev = r.digest;
    }
    const filtered = await fingerprintSource(root, { ...opts, exclude: ["*.md"] });
    expect(filtered.digest).toBe(await digestOf(root, { exclude: ["*.md"] }));
    expect(filtered.reread).toBe(0); // content hashes are reused across filter changes
  });

  it("survives a corrupt or foreign cache file, and a cache recorded for another checkout path", async () => {
    const expected = await fingerprintSource(root);
    fs.mkdirSync(path.dirname(cache), { recursive: true });
    fs.writeFileSync(cache, "{ not json");
    expect(await fingerprintSource(root, { statCachePath: cache })).toEqual(expected);
    expect(await fingerprintSource(root, { statCachePath: cache })).toEqual({ ...expected, reread: 0 });

    const data = JSON.parse(fs.readFileSync(cache, "utf8")) as StatCacheFile;
    fs.writeFileSync(cache, JSON.stringify({ ...data, keys: data.keys.replace(/\0/, "") })); // columns misaligned
    expect(await fingerprintSource(root, { statCachePath: cache })).toMatchObject({ digest: expected.digest });

    const copy = path.join(tmpDir(), "copy");
    fs.cpSync(root, copy, { recursive: true, verbatimSymlinks: true });
    expect(await fingerprintSource(copy, { statCachePath: cache })).toEqual(expected);
  });
});

describe("stat cache location", () => {
  it("refuses a cache file that pack would upload, accepts one the descriptor excludes", async () => {
    const root = writeTree(path.join(tmpDir(), "app"), BASE);
    age(root);
    const inside = path.join(root, ".gantry", "cache", "fingerprints", "svc.json");
    await expect(fingerprintSource(root, { statCachePath: inside })).rejects.toThrow(/inside the app directory/);
    expect(fs.existsSync(path.join(root, ".gantry"))).toBe(false);
    const opts = { statCachePath: inside, exclude: [".gantry/"] };
    const first = await fingerprintSource(root, opts);
    expect(first.digest).toBe(await digestOf(root, { exclude: [".gantry/"] }));
    expect(await fingerprintSource(root, opts)).toEqual({ ...first, reread: 0 });
  });
});

describe("combineFingerprint", () => {
  it("hashes named parts deterministically regardless of key order", () => {
    const a = combineFingerprint({ source: "sha256:aa", builder: "paketo:1", env: "A=1", descriptor: "", process: "web" });
    const b = combineFingerprint({ process: "web", descriptor: "", env: "A=1", builder: "paketo:1", source: "sha256:aa" });
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b).toBe(a);
  });

  it("changes with any key or value, without ambiguity between parts", () => {
    const base = { source: "sha256:aa", builder: "b" };
    const all = [
      combineFingerprint(base),
      combineFingerprint({ ...base, builder: "c" }),
      combineFingerprint({ ...base, env: "" }),
      combineFingerprint({ source: "sha256:aab", builder: "" }),
      combineFingerprint({ source: "sha256:aa", builde: "rb" }),
      combineFingerprint({ "source\u0000builder": "sha256:aa\u0000b" }),
      combineFingerprint({}),
    ];
    expect(new Set(all).size).toBe(all.length);
  });
});
