// The fingerprint's include/exclude logic (components/pack/fingerprint/walk.ts): which paths are in pack's upload set.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileUploadFilter, forgetCompiledFilters, sortEntries, uploadSetContains, walkUploadSet, type DirListingCache } from "../../components/pack/fingerprint/walk";
import { removeTempTrees, tempTree as tree, withSocket } from "./temp-tree";

afterAll(removeTempTrees);

describe("compiling the filter", () => {
  it("refuses include and exclude together, as pack does", () => {
    expect(() => compileUploadFilter({ include: ["a"], exclude: ["b"] })).toThrow(
      "project.toml: cannot have both include and exclude defined ([io.buildpacks] include and exclude are mutually exclusive; pack rejects the descriptor)",
    );
  });

  it("refuses a pattern that is not text", () => {
    expect(() => compileUploadFilter({ exclude: [3 as unknown as string] })).toThrow(new TypeError("include/exclude patterns must be strings, got number"));
    expect(() => compileUploadFilter({ include: [null as unknown as string] })).toThrow(TypeError);
  });

  it("keeps everything and prunes nothing without patterns, empty lists included", () => {
    for (const opts of [{}, { include: [] }, { exclude: [] }, { include: [], exclude: [] }]) {
      const f = compileUploadFilter(opts);
      expect([f.mode, f.patterns, f.keep("x/y", false), f.keep("x", true), f.prune("x")]).toEqual(["all", [], true, true, false]);
    }
  });

  it("in include mode keeps only matches, tests folders with a trailing slash, and never prunes", () => {
    const f = compileUploadFilter({ include: ["src/", "*.py"] });
    expect([f.mode, f.patterns]).toEqual(["include", ["src/", "*.py"]]);
    expect(f.keep("src", true)).toBe(true);
    expect(f.keep("src", false)).toBe(false);
    expect(f.keep("main.py", false)).toBe(true);
    expect(f.keep("README.md", false)).toBe(false);
    expect(f.prune("docs")).toBe(false);
  });

  it("in exclude mode drops matches and prunes excluded folders only", () => {
    const f = compileUploadFilter({ exclude: ["build/", "*.LOG"] });
    expect([f.mode, f.patterns]).toEqual(["exclude", ["build/", "*.LOG"]]);
    expect(f.keep("build", true)).toBe(false);
    expect(f.keep("build", false)).toBe(true);
    expect(f.keep("a.LOG", false)).toBe(false);
    expect(f.keep("a.log", false)).toBe(true);
    expect(f.prune("build")).toBe(true);
    expect(f.prune("src")).toBe(false);
  });

  it("matches includes case-sensitively too", () => {
    const f = compileUploadFilter({ include: ["*.PY"] });
    expect(f.keep("a.PY", false)).toBe(true);
    expect(f.keep("a.py", false)).toBe(false);
  });

  it("copies the patterns it was given", () => {
    const exclude = ["a"];
    const f = compileUploadFilter({ exclude });
    exclude.push("b");
    expect(f.patterns).toEqual(["a"]);
    expect(f.keep("b", false)).toBe(true);
  });
});

describe("whether the upload set holds a file", () => {
  it("is false below a pruned folder at any depth, and the file's own match otherwise", () => {
    const f = compileUploadFilter({ exclude: ["node_modules/", "*.tmp"] });
    expect(uploadSetContains(f, "node_modules/x/index.js")).toBe(false);
    expect(uploadSetContains(f, "a/b/node_modules/x.js")).toBe(false);
    expect(uploadSetContains(f, "a/b/x.js")).toBe(true);
    expect(uploadSetContains(f, "a/x.tmp")).toBe(false);
    expect(uploadSetContains(f, "node_modules")).toBe(true);
  });

  it("in include mode asks the file's own path", () => {
    const f = compileUploadFilter({ include: ["src/**/*.ts"] });
    expect(uploadSetContains(f, "src/a/b.ts")).toBe(true);
    expect(uploadSetContains(f, "lib/b.ts")).toBe(false);
  });
});

describe("sorting entries", () => {
  it("orders by UTF-16 code units, not locale", () => {
    const entries = ["b", "a/b", "B", "a", "é", "a-b", "Z"].map((p) => ({ path: p }));
    expect(sortEntries(entries).map((e) => e.path)).toEqual(["B", "Z", "a", "a-b", "a/b", "b", "é"]);
  });
});

describe("walking the upload set", () => {
  it("lists folders, files and links with their kinds, sorted, leaving special files out", async () => {
    const root = tree(["a.txt", "src/m.py"], ["empty"]);
    fs.symlinkSync("a.txt", path.join(root, "link"));
    const walked = await withSocket(path.join(root, "s.sock"), () => walkUploadSet(root, compileUploadFilter({})));
    expect(walked).toEqual({ paths: ["a.txt", "empty", "link", "src", "src/m.py"], kinds: "FDLDF" });
  });

  it("does not enter a pruned folder, and keeps folders an include names", () => {
    const root = tree(["build/x", "keep/y", "src/util/z.py", "src/w.txt"]);
    expect(walkUploadSet(root, compileUploadFilter({ exclude: ["build/"] })).paths).toEqual(["keep", "keep/y", "src", "src/util", "src/util/z.py", "src/w.txt"]);
    expect(walkUploadSet(root, compileUploadFilter({ include: ["util/"] }))).toEqual({ paths: ["src/util", "src/util/z.py"], kinds: "DF" });
  });

  it("keeps a file whose name a folder-only pattern names", () => {
    const root = tree(["out", "build/x"]);
    expect(walkUploadSet(root, compileUploadFilter({ exclude: ["out/", "build/"] }))).toEqual({ paths: ["out"], kinds: "F" });
  });

  it("reuses a cached listing and stores the ones it reads, keyed by folder", () => {
    const root = tree(["a", "d/b"]);
    const stored: string[] = [];
    const cache: DirListingCache = {
      lookup: (rel) => (rel === "d" ? "fcached" : undefined),
      store: (rel, _st, listing) => stored.push(`${rel}=${listing}`),
    };
    expect(walkUploadSet(root, compileUploadFilter({}), cache).paths).toEqual(["a", "d", "d/cached"]);
    expect(stored).toEqual(["=fa/dd"]);
  });

  it("fails with ECHANGED when a folder it walks is no longer one", () => {
    const root = tree(["a"]);
    const cache: DirListingCache = { lookup: () => undefined, store: () => undefined };
    const file = path.join(root, "a");
    expect(() => walkUploadSet(file, compileUploadFilter({}), cache)).toThrow(
      expect.objectContaining({ code: "ECHANGED", message: `fingerprint: ${file} changed while walking (no longer a directory)` }),
    );
  });
});

describe("compileUploadFilter: one matcher per pattern set, at most 256 kept", () => {
  it("hands the same matcher back for the same patterns, and another for other ones", () => {
    const a = compileUploadFilter({ exclude: ["tests/"] });
    const b = compileUploadFilter({ exclude: ["docs/"] });
    const c = compileUploadFilter({ include: ["tests/"] });
    expect(compileUploadFilter({ exclude: ["tests/"] })).toBe(a);
    expect([a.keep("tests/x.py", false), b.keep("tests/x.py", false), c.keep("tests/x.py", false)]).toEqual([false, true, true]);
    expect([a.keep("docs/x.md", false), b.keep("docs/x.md", false), c.keep("docs/x.md", false)]).toEqual([true, false, false]);
  });

  it("forgets all of them once 256 are kept, so a fleet of odd patterns cannot grow it without end", () => {
    forgetCompiledFilters();
    const first = compileUploadFilter({ exclude: ["bounded-first/"] });
    for (let i = 0; i < 255; i++) compileUploadFilter({ exclude: [`bounded-${i}/`] });
    expect(compileUploadFilter({ exclude: ["bounded-first/"] })).toBe(first);
    compileUploadFilter({ exclude: ["bounded-last/"] });
    const again = compileUploadFilter({ exclude: ["bounded-first/"] });
    expect(again).not.toBe(first);
    expect(again.keep("bounded-first/x", false)).toBe(false);
  });
});
