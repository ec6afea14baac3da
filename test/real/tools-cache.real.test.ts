import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeReal, REAL_SETUP_TIMEOUT_MS } from "../support/real/tier";
import { ensurePulumiTools, ensureRealTools } from "../support/real/tools";

/*
 * A second run must not rebuild the real tools: with the pinned versions unchanged, asking for pack, the lifecycle,
 * crane, the test buildpacks and the Pulumi CLI again runs no `go build`, only `go version` (part of the cache key).
 * A `go` of our own first on PATH records every call and hands it to the real one.
 */

describeReal("the real tools are built once per machine", (world) => {
  let dir: string;
  let calls: string;
  let saved: string | undefined;

  beforeAll(() => {
    // The world built or reused the buildpacks tools; the Pulumi CLI is another file's, so the first ask is here.
    ensurePulumiTools();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-gowrap-"));
    calls = path.join(dir, "calls.jsonl");
    const realGo = (process.env.PATH ?? "").split(path.delimiter).map((d) => path.join(d, "go")).find((f) => fs.existsSync(f))!;
    fs.mkdirSync(path.join(dir, "bin"));
    fs.writeFileSync(
      path.join(dir, "bin", "go"),
      [
        `#!${process.execPath}`,
        `require("node:fs").appendFileSync(${JSON.stringify(calls)}, JSON.stringify(process.argv.slice(2)) + "\\n");`,
        `const r = require("node:child_process").spawnSync(${JSON.stringify(realGo)}, process.argv.slice(2), { stdio: "inherit" });`,
        "process.exit(r.status ?? 1);",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    saved = process.env.PATH;
    process.env.PATH = `${path.join(dir, "bin")}${path.delimiter}${saved ?? ""}`;
  }, REAL_SETUP_TIMEOUT_MS);
  afterAll(() => {
    process.env.PATH = saved;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const goCalls = () => (fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as string[]) : []);

  it("asking again for every tool runs no go build, and hands back the very binaries the run is using", () => {
    const again = ensureRealTools();
    const pulumi = ensurePulumiTools();
    expect(again).toEqual(world().tools);
    for (const bin of [again.pack, again.crane, path.join(again.lifecycleDir, "lifecycle"), path.join(again.buildpacksDir, "deps", "bin", "build"), pulumi.pulumi]) {
      expect(fs.statSync(bin).mode & 0o111, `${bin} is executable`).not.toBe(0);
    }
    // The wrapper was asked (so the check is not vacuous), and only for the version.
    expect(goCalls().length).toBeGreaterThan(0);
    expect(goCalls().filter((argv) => argv[0] !== "version")).toEqual([]);
  });
});
