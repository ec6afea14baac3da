import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, it } from "vitest";
import { packBuildArgs, packRebaseArgs } from "../../components/pack/engines/pack";
import type { CacheSpec } from "../../components/pack/provider";
import { packInputs } from "../support/pack-inputs";
import { describeReal } from "../support/real/tier";
import { PACK_VERSION } from "../support/real/tools";

/*
 * The pack contract the stand-in is driven by (test/support/pack-standin/pack-cli-contract.json), and every argument
 * list PackImage can produce, held against the real pack's own help. The real builds in the sibling files run
 * those arguments for real; this covers the combinations they do not build.
 */

interface HelpFlag {
  long: string;
  takesValue: boolean;
}

function helpFlags(pack: string, command: string): HelpFlag[] {
  const r = spawnSync(pack, [command, "--help"], { encoding: "utf8" });
  expect(r.status).toBe(0);
  const flags: HelpFlag[] = [];
  for (const line of r.stdout.split("\n")) {
    // `  -B, --builder string   Builder image` / `      --publish   Publish ...`
    const m = /^\s+(?:-\w, )?(--[a-z0-9-]+)(?: ([a-zA-Z]+))?\s{2,}/.exec(line) ?? /^\s+(?:-\w, )?(--[a-z0-9-]+)(?: ([a-zA-Z]+))?$/.exec(line);
    if (m) flags.push({ long: m[1]!, takesValue: m[2] !== undefined });
  }
  return flags;
}

const contract = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "support", "pack-standin", "pack-cli-contract.json"), "utf8")) as {
  packVersion: string;
  globalFlags: Array<{ long: string; type: string }>;
  commands: Record<string, { flags: Array<{ long: string; type: string; hidden?: string }> }>;
};

const base = packInputs({
  repository: "127.0.0.1:5000/gantry/api",
  builder: "127.0.0.1:5000/gantry-test/builder@sha256:" + "1".repeat(64),
  runImage: "127.0.0.1:5000/gantry-test/run@sha256:" + "2".repeat(64),
  secretEnv: ["DEPS_TOKEN"],
  cache: { format: "volume", name: "gantry-cache-api" },
  trustedBuilders: ["127.0.0.1:5000/gantry-test/builder"],
  lifecycleImage: "127.0.0.1:5000/gantry-test/lifecycle@sha256:" + "3".repeat(64),
  network: "host",
});

/** Every shape of argument list PackImage produces: trusted or not, each cache kind, with and without options. */
function everyArgumentList(): string[][] {
  const ctx = { tag: "g-1", descriptorFile: "/w/project.toml", reportDir: "/w/report", sbomDir: "/w/sbom" };
  const caches: CacheSpec[] = [{ format: "volume", name: "v" }, { format: "volume" }, { format: "bind", source: "/var/cache/pack/api" }, { format: "image", name: "r/api-cache" }];
  const lists: string[][] = [];
  for (const cache of caches) {
    for (const trustBuilder of [true, false]) {
      lists.push(packBuildArgs({ ...base, cache, trustBuilder }, ctx));
      lists.push(packBuildArgs({ ...base, cache, trustBuilder, defaultProcess: "", network: "", lifecycleImage: "", tags: [], env: {}, secretEnv: [] }, ctx));
    }
  }
  lists.push(packRebaseArgs(base, { tag: "g-2", previousImage: `${base.repository}@sha256:${"9".repeat(64)}`, reportDir: "/w/r" }));
  return lists;
}

describeReal("Gantry's pack arguments and the pack contract against the real pack", (world) => {
  it(`is the pack version the contract describes (${PACK_VERSION})`, () => {
    const r = spawnSync(world().tools.pack, ["version"], { encoding: "utf8" });
    expect(r.stdout.trim()).toMatch(new RegExp(`^${PACK_VERSION.replace(/\./g, "\\.")}`));
    expect(contract.packVersion).toMatch(/0\.40/);
  });

  for (const command of ["build", "rebase"]) {
    it(`pack ${command}: the contract's flags are exactly the real pack's, with the same value-taking`, () => {
      const real = [...helpFlags(world().tools.pack, command)].filter((f) => f.long !== "--help");
      const realNames = new Map(real.map((f) => [f.long, f.takesValue]));
      // Flags pack hides unless experimental features are on (--interactive, --sparse) are not in its help.
      const contractFlags = [...contract.commands[command]!.flags, ...contract.globalFlags].filter((f) => f.long !== "--help" && !("hidden" in f && f.hidden));
      for (const f of contractFlags) {
        expect(realNames.has(f.long), `contract flag ${f.long} is not a real pack ${command} flag`).toBe(true);
        expect(realNames.get(f.long), `${f.long}: contract says ${f.type}`).toBe(f.type !== "bool");
      }
      const contractNames = new Set(contractFlags.map((f) => f.long));
      expect(real.filter((f) => !contractNames.has(f.long)).map((f) => f.long)).toEqual([]);
    });
  }

  it("every argument list PackImage can produce uses only flags the real pack has, each with a value exactly when it takes one", () => {
    for (const argv of everyArgumentList()) {
      const [command, image, ...rest] = argv;
      expect(image).not.toMatch(/^--/);
      const flags = new Map(helpFlags(world().tools.pack, command!).map((f) => [f.long, f.takesValue]));
      for (let i = 0; i < rest.length; i++) {
        const arg = rest[i]!;
        expect(flags.has(arg), `${arg} is not a real pack ${command} flag (argv: ${argv.join(" ")})`).toBe(true);
        if (flags.get(arg)) {
          expect(rest[i + 1], `${arg} needs a value`).toBeDefined();
          expect(rest[i + 1]).not.toMatch(/^--/);
          i++;
        }
      }
    }
  });
});
