import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { contentKey, makeOnce } from "./support/real/cache";

/*
 * The real tier's cache of slow-to-make things (Go tools, the Debian root file system): made once per machine and
 * reused by every later run, even when test files ask for it at the same moment or a run was killed half-way.
 * test/real/tools-cache.real.test.ts holds the real tools to it.
 */

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-makeonce-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const writeProduct = (tmp: string) => fs.writeFileSync(path.join(tmp, "tool"), "built\n");

describe("makeOnce", () => {
  it("makes the target the first time and reuses it after, without calling make again", () => {
    const target = path.join(dir, "tools", "pack-abc");
    let makes = 0;
    const make = (tmp: string) => {
      makes++;
      writeProduct(tmp);
    };
    expect(makeOnce(target, make)).toBe(target);
    expect(makeOnce(target, make)).toBe(target);
    expect(makes).toBe(1);
    expect(fs.readFileSync(path.join(target, "tool"), "utf8")).toBe("built\n");
    expect(fs.readdirSync(path.dirname(target))).toEqual(["pack-abc"]);
  });

  it("a make that fails leaves nothing that looks finished, and the next call makes it again", () => {
    const target = path.join(dir, "pack-abc");
    expect(() =>
      makeOnce(target, (tmp) => {
        writeProduct(tmp);
        throw new Error("go build failed");
      }),
    ).toThrow("go build failed");
    expect(fs.readdirSync(dir)).toEqual([]);
    makeOnce(target, writeProduct);
    expect(fs.readFileSync(path.join(target, "tool"), "utf8")).toBe("built\n");
  });

  it("takes over the lock a killed run left behind", () => {
    const target = path.join(dir, "pack-abc");
    // A pid no process has: the run that held the lock is gone.
    fs.mkdirSync(`${target}.lock`);
    fs.writeFileSync(path.join(`${target}.lock`, "pid"), "2147483646");
    makeOnce(target, writeProduct);
    expect(fs.existsSync(path.join(target, "tool"))).toBe(true);
    expect(fs.existsSync(`${target}.lock`)).toBe(false);
  });

  it("waits for a live holder of the lock and uses what it made instead of making it again", async () => {
    const target = path.join(dir, "pack-abc");
    // Another test file's process, making the same tool: it holds the lock and finishes a second later.
    const holder = spawn(
      process.execPath,
      [
        "-e",
        `const fs = require("node:fs"), path = require("node:path"); const [target] = process.argv.slice(1);
         fs.mkdirSync(target + ".lock"); fs.writeFileSync(path.join(target + ".lock", "pid"), String(process.pid));
         process.stdout.write("locked\\n");
         setTimeout(() => { fs.mkdirSync(target); fs.writeFileSync(path.join(target, "tool"), "made by the other\\n"); fs.rmSync(target + ".lock", { recursive: true }); }, 1000);`,
        target,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve) => holder.stdout!.once("data", () => resolve()));
    let makes = 0;
    makeOnce(target, (tmp) => {
      makes++;
      writeProduct(tmp);
    });
    await new Promise((r) => holder.once("close", r));
    expect(makes).toBe(0);
    expect(fs.readFileSync(path.join(target, "tool"), "utf8")).toBe("made by the other\n");
  });
});

describe("contentKey", () => {
  it("changes with any part (a pinned version in go.mod, a source, the Go version) and not otherwise", () => {
    const parts = ["go version go1.26.8 linux/amd64", "require github.com/buildpacks/pack v0.40.6"];
    expect(contentKey(parts)).toBe(contentKey([...parts]));
    expect(contentKey(parts)).not.toBe(contentKey(["go version go1.26.8 linux/amd64", "require github.com/buildpacks/pack v0.40.7"]));
    expect(contentKey(parts)).not.toBe(contentKey(["go version go1.26.9 linux/amd64", parts[1]!]));
    // Parts are delimited: moving a boundary is a different input.
    expect(contentKey(["ab", "c"])).not.toBe(contentKey(["a", "bc"]));
  });
});
