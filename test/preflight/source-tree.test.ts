import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SourceTree } from "../../preflight/source";
import { removeTempTrees, tempTree } from "../mutation-kills/temp-tree";

afterEach(removeTempTrees);

describe("SourceTree.has: a regular file that is uploaded", () => {
  it("answers from the walk's listing, including files reached through a linked folder", () => {
    const dir = tempTree(["requirements.txt", "src/app/main.py", "vendor/lib.py"]);
    fs.symlinkSync(path.join(dir, "vendor"), path.join(dir, "linked"));
    const t = new SourceTree(dir, null);
    expect(t.has("requirements.txt")).toBe(true);
    expect(t.has("src/app/main.py")).toBe(true);
    expect(t.has("src/app")).toBe(false);
    expect(t.has("missing.txt")).toBe(false);
    // One real folder under two names: the walk lists it under one, and the other is asked of the file system.
    expect(t.has("linked/lib.py")).toBe(true);
    expect(t.has("vendor/lib.py")).toBe(true);
  });

  it("asks the file system for what the walk does not list: node_modules, .git, paths not in normal form", () => {
    const dir = tempTree(["package.json", "node_modules/x/package.json", ".git/HEAD", "web/index.js", "web/node_modules/y/index.js", "lib/.git/HEAD"]);
    const t = new SourceTree(dir, null);
    expect(t.has("node_modules/x/package.json")).toBe(true);
    expect(t.has(".git/HEAD")).toBe(true);
    // The walk skips those folders at any depth, so a file below one is asked of the file system wherever it is.
    expect(t.has("web/node_modules/y/index.js")).toBe(true);
    expect(t.has("lib/.git/HEAD")).toBe(true);
    expect(t.has("./package.json")).toBe(true);
    expect(t.has("web/../package.json")).toBe(true);
  });

  it("counts a file project.toml keeps out of the upload as absent", () => {
    const dir = tempTree(["main.py", "tests/test_main.py"]);
    const t = new SourceTree(dir, { env: {}, include: [], exclude: ["tests/"], problem: null });
    expect(t.has("main.py")).toBe(true);
    expect(t.has("tests/test_main.py")).toBe(false);
  });

  it("answers for the folder as it was walked, as its file list does", () => {
    const dir = tempTree(["main.py"]);
    const t = new SourceTree(dir, null);
    fs.writeFileSync(path.join(dir, "Procfile"), "web: x\n");
    expect(t.has("Procfile")).toBe(false);
    expect(t.files).toEqual(["main.py"]);
  });
});
