// Tests for the pack stand-in (test/support/pack-standin/pack) against a real registry. The stand-in stays for the
// fast tier (see test/pack/provider.host.test.ts); test/real/pack-contract.real.test.ts holds its contract against
// the real pack's own flags.
// (Debian's docker-registry, started by test/support/registry.ts).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { parse as parseToml } from "smol-toml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deleteManifest,
  getBlob,
  getImageConfig,
  getManifest,
  headManifest,
  listTags,
  startRegistry,
  type RunningRegistry,
} from "./support/registry";

const PACK = path.resolve(__dirname, "support/pack-standin/pack");
interface ContractFlag {
  long: string;
  short: string | null;
  type: string;
  repeatable: boolean;
}
const CONTRACT = JSON.parse(readFileSync(path.resolve(__dirname, "support/pack-standin/pack-cli-contract.json"), "utf8")) as {
  globalFlags: ContractFlag[];
  commands: { build: { flags: ContractFlag[]; trust: Record<string, string[]> }; rebase: { flags: ContractFlag[] } };
  cacheGrammar: { errors: string[] };
  outputs: { build: { exporterLines: { regex: string } } };
};
const TRUSTED = "paketobuildpacks/builder-jammy-base";
const UNTRUSTED = "example.com/acme/builder:1";
const PHASES = ["ANALYZING", "DETECTING", "RESTORING", "BUILDING", "EXPORTING"];
const IMAGES_RE = new RegExp(CONTRACT.outputs.build.exporterLines.regex.replace("\\s*$", "$"), "m");

let registry: RunningRegistry;
let host: string;
let tmp: string;
let packHome: string; // empty config
let expHome: string; // experimental = true
let appDir: string;

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function runPack(args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<RunResult> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmp, PACK_HOME: packHome };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(PACK, args, { env, cwd: opts.cwd ?? tmp, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
  });
}

async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}

let dirCounter = 0;
function freshDir(name = "d"): string {
  const d = path.join(tmp, `${name}-${++dirCounter}`);
  mkdirSync(d, { recursive: true });
  return d;
}

function makeApp(files: Record<string, string>): string {
  const dir = freshDir("app");
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

let repoCounter = 0;
function image(label: string): { name: string; repo: string } {
  const repo = `standin/${label.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}-${++repoCounter}`;
  return { name: `${host}/${repo}`, repo };
}

function imagesDigest(stdout: string): string {
  const m = IMAGES_RE.exec(stdout);
  if (!m) throw new Error(`no '*** Images' line in:\n${stdout}`);
  return m[1]!;
}

function sha256(buf: Buffer): string {
  return `sha256:${createHash("sha256").update(buf).digest("hex")}`;
}

function tarNames(gz: Buffer): string[] {
  const tar = zlib.gunzipSync(gz);
  const names: string[] = [];
  for (let off = 0; off + 512 <= tar.length; ) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (a: number, b: number) => h.subarray(a, b).toString("utf8").replace(/\0.*$/s, "");
    const prefix = str(345, 500);
    const name = prefix ? `${prefix}/${str(0, 100)}` : str(0, 100);
    const size = parseInt(str(124, 136).trim() || "0", 8);
    names.push(name);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

function storedZip(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const nameBuf = Buffer.from(name);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Object.keys(files).length, 8);
  eocd.writeUInt16LE(Object.keys(files).length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

function buildArgs(img: string, ...extra: string[]): string[] {
  return ["build", img, "--path", appDir, "--builder", TRUSTED, "--publish", ...extra];
}

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "pack-standin-test-"));
  packHome = freshDir("packhome");
  expHome = freshDir("packhome-exp");
  writeFileSync(path.join(expHome, "config.toml"), "experimental = true\n");
  appDir = makeApp({
    "package.json": JSON.stringify({ name: "demo", version: "1.0.0", scripts: { start: "node index.js" } }),
    "index.js": "console.log('hello');\n",
  });
  registry = await startRegistry();
  host = registry.host;
});

afterAll(async () => {
  await registry?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("registry helper", () => {
  it("runs a real registry answering the v2 API on 127.0.0.1", async () => {
    expect(host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(registry.url).toBe(`http://${host}`);
    expect(await headManifest(host, "standin/none", "latest")).toEqual({ status: 404, digest: null });
    expect(await listTags(host, "standin/none")).toEqual([]);
  });
});

describe("executable and global behaviour", () => {
  it("is an executable node script printing a v0.40.6 version", async () => {
    accessSync(PACK, constants.X_OK);
    // `-S node --`: Node 20 would otherwise act on a `--env-file` argument meant for pack.
    expect(readFileSync(PACK, "utf8").startsWith("#!/usr/bin/env -S node --\n")).toBe(true);
    const r = await runPack(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^0\.40\.6\+git-[0-9a-f]{7}\n$/);
    expect((await runPack(["version"])).stdout).toBe(r.stdout);
  });

  it("rejects unknown commands the cobra way", async () => {
    const r = await runPack(["frobnicate", "x"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error: unknown command "frobnicate" for "pack"\nRun 'pack --help' for usage.\n`);
  });

  it("accepts every global flag from the contract on build", async () => {
    const cases = CONTRACT.globalFlags.flatMap((f) => [[f.long], ...(f.short ? [[f.short]] : [])]);
    const results = await pool(cases, 4, async (flagArgs) => {
      const img = image(`global-${flagArgs[0]}`);
      return { flagArgs, img, r: await runPack(buildArgs(img.name, ...flagArgs)) };
    });
    for (const { flagArgs, img, r } of results) {
      expect(r.code, `${flagArgs.join(" ")}: ${r.stderr}`).toBe(0);
      const q = flagArgs[0] === "--quiet" || flagArgs[0] === "-q";
      if (q) {
        expect(r.stdout).toMatch(new RegExp(`^${img.name.replace(/[.]/g, "\\.")}@sha256:[0-9a-f]{64}\\n$`));
      } else {
        expect(r.stdout).toContain(`Successfully built image '${img.name}'`);
      }
      if (flagArgs[0] === "--timestamps") {
        for (const line of r.stdout.trimEnd().split("\n")) expect(line).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d{6} /);
      }
      if (flagArgs[0] === "--verbose" || flagArgs[0] === "-v") {
        expect(r.stdout).toMatch(/^\*\*\* Digest: sha256:[0-9a-f]{64}$/m);
        expect(r.stdout).toMatch(/^\*\*\* Manifest Size: \d+$/m);
        expect(r.stdout).toContain("pass: paketo-buildpacks/node-engine@");
      }
    }
  });
});

// A valid value for every flag in the contract; bool flags use null. Adding a flag to the JSON
// without a value here fails the test, so the loop really covers the contract.
function buildFlagValues(dirs: { descriptor: string; envFile: string; volume: string; report: string; sbom: string }, img: string): Record<string, string | null> {
  return {
    "--path": appDir,
    "--buildpack": "paketo-buildpacks/nodejs@1.2.3",
    "--extension": "paketo-community/ubi-nodejs-extension@0.1.0",
    "--insecure-registry": host,
    "--builder": TRUSTED,
    "--cache": "type=build;format=volume;name=flag-cache",
    "--cache-image": `${host}/standin/cache-image`,
    "--clear-cache": null,
    "--creation-time": "1700000000",
    "--descriptor": dirs.descriptor,
    "--default-process": "web",
    "--disable-system-buildpacks": null,
    "--env": "FLAG_ENV=1",
    "--env-file": dirs.envFile,
    "--network": "host",
    "--pre-buildpack": "paketo-buildpacks/ca-certificates@3.8.6",
    "--post-buildpack": "paketo-buildpacks/image-labels@4.7.3",
    "--publish": null,
    "--docker-host": "inherit",
    "--lifecycle-image": "buildpacksio/lifecycle:0.20.11",
    "--platform": "linux/arm64",
    "--pull-policy": "if-not-present",
    "--exec-env": "test",
    "--buildpack-registry": "default",
    "--run-image": "paketobuildpacks/run-jammy-base:latest",
    "--tag": `${img}:extra`,
    "--trust-builder": null,
    "--trust-extra-buildpacks": null,
    "--volume": `${dirs.volume}:/platform/extra:ro`,
    "--workspace": "/app",
    "--gid": "1001",
    "--uid": "1002",
    "--previous-image": `${img}:previous`,
    "--sbom-output-dir": dirs.sbom,
    "--report-output-dir": dirs.report,
    "--interactive": null,
    "--sparse": null,
    "--userns-host": null,
    "--help": null,
  };
}

describe("contract-driven flag acceptance", () => {
  it("accepts every build flag from the JSON, long and short, with = and separate values", async () => {
    const descriptor = path.join(freshDir("desc"), "project.toml");
    writeFileSync(descriptor, '[_]\nschema-version = "0.2"\n');
    const envFile = path.join(freshDir("envfile"), "build.env");
    writeFileSync(envFile, "FROM_FILE=1\n");
    const dirs = { descriptor, envFile, volume: freshDir("vol"), report: freshDir("report"), sbom: freshDir("sbom") };
    // One run per flag in its primary form (isolates each flag), then one run per other form
    // with all flags together: `--flag value`, short forms, and every repeatable flag repeated.
    type Case = { flags: ContractFlag[]; form: string; args: string[]; img: string };
    const cases: Case[] = [];
    const together: Record<"long value" | "short" | "repeated", string[]> = { "long value": [], short: [], repeated: [] };
    const togetherImg = image("bf-together").name;
    const shared = buildFlagValues(dirs, togetherImg);
    for (const flag of CONTRACT.commands.build.flags) {
      const img = image(`bf-${flag.long}`).name;
      const values = buildFlagValues(dirs, img);
      expect(Object.keys(values), `no test value for ${flag.long}`).toContain(flag.long);
      const value = values[flag.long]!;
      if (flag.type === "bool") {
        expect(value).toBeNull();
        cases.push({ flags: [flag], form: "long", args: [flag.long], img });
        if (flag.long === "--help") continue;
        together["long value"].push(`${flag.long}=true`);
        if (flag.short) together.short.push(flag.short);
      } else {
        expect(value).not.toBeNull();
        cases.push({ flags: [flag], form: "long=value", args: [`${flag.long}=${value}`], img });
        together["long value"].push(flag.long, shared[flag.long]!);
        if (flag.short) together.short.push(flag.short, shared[flag.long]!);
        if (flag.repeatable) together.repeated.push(flag.long, shared[flag.long]!, flag.long, shared[flag.long]!);
      }
    }
    const helpFlag = CONTRACT.commands.build.flags.find((f) => f.long === "--help")!;
    cases.push({ flags: [helpFlag], form: "short", args: [helpFlag.short!], img: togetherImg });
    for (const form of ["long value", "short", "repeated"] as const) {
      cases.push({ flags: CONTRACT.commands.build.flags.filter((f) => f.long !== "--help"), form, args: together[form], img: togetherImg });
    }
    const results = await pool(cases, 4, async (c) => ({ c, r: await runPack(buildArgs(c.img, ...c.args), { env: { PACK_HOME: expHome } }) }));
    for (const { c, r } of results) {
      const what = `${c.flags.length === 1 ? c.flags[0]!.long : "all flags"} (${c.form}): stdout=${r.stdout.slice(-400)} stderr=${r.stderr}`;
      expect(r.code, what).toBe(0);
      expect(r.stderr, what).toBe("");
      if (c.flags[0]!.long === "--help") expect(r.stdout).toContain("Usage:\n  pack build <image-name> [flags]");
      else expect(r.stdout, what).toContain(`Successfully built image '${c.img}'`);
    }
    // The values reach the image the way pack would apply them.
    const single = (long: string) => cases.find((c) => c.flags.length === 1 && c.flags[0]!.long === long)!.img.slice(host.length + 1);
    const cfgOf = (long: string) => getImageConfig(host, single(long), "latest");
    expect((await cfgOf("--platform")).architecture).toBe("arm64");
    expect((await cfgOf("--workspace")).config.WorkingDir).toBe("/app");
    expect((await cfgOf("--uid")).config.User).toBe("1002:1000");
    expect((await cfgOf("--gid")).config.User).toBe("1000:1001");
    expect((await cfgOf("--creation-time")).created).toBe("2023-11-14T22:13:20Z");
    expect((await cfgOf("--default-process")).config.Entrypoint).toEqual(["/cnb/process/web"]);
    expect(JSON.parse((await cfgOf("--run-image")).config.Labels["io.buildpacks.lifecycle.metadata"]).runImage.image).toBe("paketobuildpacks/run-jammy-base:latest");
    expect(JSON.parse((await cfgOf("--env")).config.Labels["dev.gantry.pack-standin"]).buildEnvNames).toEqual(["FLAG_ENV"]);
    expect(JSON.parse((await cfgOf("--env-file")).config.Labels["dev.gantry.pack-standin"]).buildEnvNames).toEqual(["FROM_FILE"]);
    expect((await listTags(host, single("--tag"))).sort()).toEqual(["extra", "latest"]);
    expect(existsSync(path.join(dirs.report, "report.toml"))).toBe(true);
    expect(existsSync(path.join(dirs.sbom, "sbom", "launch"))).toBe(true);
  });

  it("accepts every rebase flag from the JSON", async () => {
    const base = image("rebase-flags");
    expect((await runPack(buildArgs(base.name))).code).toBe(0);
    const values: Record<string, string | null> = {
      "--publish": null,
      "--run-image": "paketobuildpacks/run-jammy-base:0.1.2",
      "--pull-policy": "never",
      "--previous-image": base.name,
      "--report-output-dir": freshDir("rebase-report"),
      "--force": null,
      "--insecure-registry": host,
      "--help": null,
    };
    for (const flag of CONTRACT.commands.rebase.flags) {
      expect(Object.keys(values), `no test value for rebase ${flag.long}`).toContain(flag.long);
      const v = values[flag.long];
      const forms = flag.type === "bool" ? [[flag.long], ...(flag.short ? [[flag.short]] : [])] : [[`${flag.long}=${v}`], [flag.long, v!]];
      for (const form of forms) {
        const r = await runPack(["rebase", base.name, "--publish", "--run-image", "paketobuildpacks/run-jammy-base:0.1.1", ...form]);
        expect(r.code, `${form.join(" ")}: ${r.stderr}`).toBe(0);
        if (flag.long === "--help") expect(r.stdout).toContain("Usage:\n  pack rebase <image-name> [flags]");
        else expect(r.stdout).toContain(`Successfully rebased image '${base.name}'`);
      }
    }
  });
});

describe("pflag/cobra parsing shape", () => {
  const usageStart = "Usage:\n  pack build <image-name> [flags]\n";

  it("rejects unknown long and short flags with cobra's error and usage, exit 1", async () => {
    const cases: Array<[string[], string]> = [
      [["build", "x", "--xyz"], "Error: unknown flag: --xyz\n"],
      [["build", "x", "--xyz=1"], "Error: unknown flag: --xyz\n"],
      [["build", "x", "-Z"], "Error: unknown shorthand flag: 'Z' in -Z\n"],
      [["build", "x", "-qZ"], "Error: unknown shorthand flag: 'Z' in -Z\n"],
      [["build", "x", "--no-pull"], "Error: unknown flag: --no-pull\n"],
      [["build", "x", "--force"], "Error: unknown flag: --force\n"],
      [["rebase", "x", "--builder", "b"], "Error: unknown flag: --builder\n"],
      [["build", "x", "--version"], "Error: unknown flag: --version\n"],
    ];
    for (const [args, stderr] of cases) {
      const r = await runPack(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toBe(stderr);
      expect(r.stdout).toMatch(/^Usage:\n  pack (build|rebase) <image-name> \[flags\]\n/);
    }
  });

  it("treats bools the pflag way: --publish false is an extra positional, --publish=false is a value", async () => {
    let r = await runPack(["build", "x", "--publish", "false", "-B", TRUSTED]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("Error: accepts 1 arg(s), received 2\n");
    expect(r.stdout.startsWith(usageStart)).toBe(true);

    r = await runPack(["build", "x", "--publish=maybe"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error: invalid argument "maybe" for "--publish" flag: strconv.ParseBool: parsing "maybe": invalid syntax\n');

    r = await runPack(["build", `${host}/standin/x`, "--path", appDir, "-B", TRUSTED, "--publish=false"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ERROR: failed to build: failed to fetch builder image 'index\.docker\.io\/paketobuildpacks\/builder-jammy-base:latest': Cannot connect to the Docker daemon at unix:\/\/\/var\/run\/docker\.sock\. Is the docker daemon running\?\n$/);
  });

  it("reports positional-count, missing-value and int errors like cobra", async () => {
    const cases: Array<[string[], string]> = [
      [["build"], "Error: accepts 1 arg(s), received 0\n"],
      [["build", "a", "b"], "Error: accepts 1 arg(s), received 2\n"],
      [["rebase"], "Error: accepts 1 arg(s), received 0\n"],
      [["build", "x", "--path"], "Error: flag needs an argument: --path\n"],
      [["build", "x", "-p"], "Error: flag needs an argument: 'p' in -p\n"],
      [["build", "x", "--gid", "abc"], 'Error: invalid argument "abc" for "--gid" flag: strconv.ParseInt: parsing "abc": invalid syntax\n'],
      [["build", "x", "-t", '"a'], 'Error: invalid argument "\\"a" for "-t, --tag" flag: parse error on line 1, column 3: extraneous or missing " in quoted-field\n'],
      [["build", "x", "---path=a"], "Error: bad flag syntax: ---path=a\n"],
    ];
    for (const [args, stderr] of cases) {
      const r = await runPack(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr, args.join(" ")).toBe(stderr);
    }
  });

  it("supports -pVALUE, -p=VALUE, bundled bool shorthands and flags before the command", async () => {
    const img = image("shorthand");
    const r1 = await runPack(["--no-color", "build", img.name, `-p${appDir}`, `-B=${TRUSTED}`, "--publish", "-qv"]);
    expect(r1.code, r1.stderr).toBe(0);
    expect(r1.stdout).toMatch(/@sha256:[0-9a-f]{64}\n$/);
    const r2 = await runPack(["build", "--publish", "-B", TRUSTED, "--", img.name, "--path"]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toBe("Error: accepts 1 arg(s), received 2\n");
  });

  it("string flags: last wins; stringSlice splits commas; stringArray does not", async () => {
    const img = image("types");
    const r = await runPack(
      buildArgs(
        img.name,
        "--run-image", "first/run:1",
        "--run-image", "second/run:2",
        "-b", "acme/a@1.0.0,acme/b@2.0.0",
        "--buildpack", "acme/c@3.0.0",
        "--pre-buildpack", "acme/pre@1.0.0,acme/other@2.0.0",
        "-t", `${img.name}:t1,${img.name}:t2`,
        "--tag", `${img.name}:t3`,
      ),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`      ${img.name}\n      ${img.name}:t1\n      ${img.name}:t2\n      ${img.name}:t3\n`);
    const cfg = await getImageConfig(host, img.repo, "latest");
    const md = JSON.parse(cfg.config.Labels["io.buildpacks.lifecycle.metadata"]);
    expect(md.runImage.image).toBe("second/run:2");
    const bm = JSON.parse(cfg.config.Labels["io.buildpacks.build.metadata"]);
    expect(bm.buildpacks.map((b: { id: string; version: string }) => `${b.id}@${b.version}`)).toEqual([
      "acme/pre@1.0.0,acme/other@2.0.0",
      "acme/a@1.0.0",
      "acme/b@2.0.0",
      "acme/c@3.0.0",
    ]);
    expect((await listTags(host, img.repo)).sort()).toEqual(["latest", "t1", "t2", "t3"]);
  });
});

describe("--cache grammar", () => {
  const errorCases: Array<[string, string]> = [
    ["type=build;format=volume;", "invalid field '' must be a key=value pair"],
    ["type=build;format", "invalid field 'format' must be a key=value pair"],
    ["format=volume;type=launch;junk", "invalid field 'junk' must be a key=value pair"],
    ["type=temp;format=volume", "invalid cache type 'temp'"],
    ["type=Build", "invalid cache type 'Build'"],
    ["type=bogus;type=build", "invalid cache type 'bogus'"],
    ["type=build;format=disk", "invalid cache format 'disk'"],
    ["type=build;format=Image;name=x", "invalid cache format 'Image'"],
    ["type=build;format=image", "cache 'name' is required"],
    ["type=launch;format=image", "cache 'name' is required"],
    ["type=build;format=bind", "cache 'source' is required"],
    ["", "EOF"],
  ];

  it("has a case for every error in contract.cacheGrammar.errors", () => {
    for (const template of CONTRACT.cacheGrammar.errors) {
      const core = template.replace(/\s*\(.*\)\s*$/, "");
      const re = new RegExp(`^${core.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/<[a-z]+>/g, ".*")}$`);
      expect(errorCases.some(([, msg]) => re.test(msg)), template).toBe(true);
    }
  });

  it("rejects malformed values with cobra's invalid-argument shape", async () => {
    const results = await pool(errorCases, 4, async ([value, msg]) => ({ value, msg, r: await runPack(buildArgs("x", "--cache", value)) }));
    for (const { value, msg, r } of results) {
      expect(r.code, value).toBe(1);
      expect(r.stderr, value).toBe(`Error: invalid argument ${JSON.stringify(value)} for "--cache" flag: ${msg}\n`);
      expect(r.stdout.startsWith("Usage:\n  pack build")).toBe(true);
    }
  });

  it("accepts every documented form, case-insensitive keys, CSV quoting and first type= winning", async () => {
    const bindDir = freshDir("bind");
    const ok = [
      ["type=build;format=volume"],
      ["type=build;format=volume;name=my-build-cache"],
      ["type=launch;format=volume;name=my-launch-cache"],
      [`type=build;format=image;name=${host}/standin/cache:build`],
      [`type=build;format=bind;source=${bindDir}`],
      [`type=launch;format=bind;source=${bindDir}`],
      ["TYPE=launch;Format=volume;NAME=x"],
      ['"type=build";"format=volume"'],
      ["type=launch;type=bogus;format=volume", "type=build;format=volume;name=b"],
      ["format=volume;unknown=ignored"],
    ];
    const results = await pool(ok, 4, async (values) => {
      const img = image("cache-ok");
      return { values, img, r: await runPack(buildArgs(img.name, ...values.flatMap((v) => ["--cache", v]))) };
    });
    for (const { values, img, r } of results) {
      expect(r.code, `${values.join(" | ")}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`Successfully built image '${img.name}'`);
    }
    const warn = await runPack(buildArgs(image("cache-warn").name, "--cache", "type=launch;format=image;name=x/y"));
    expect(warn.code).toBe(0);
    expect(warn.stdout).toContain("Warning: cache definition: 'launch' cache in format 'image' is not supported.\n");
  });
});

describe("pack validation errors", () => {
  it("prints contract messages as `ERROR: <msg>` on stderr with exit 1", async () => {
    const cases: Array<[string[], string]> = [
      [["--cache-image", `${host}/c`], "cache-image flag requires the publish flag"],
      [["--cache", "type=build;format=image;name=x/y"], "image cache format requires the 'publish' flag"],
      [["--publish", "--cache", "type=build;format=image;name=x/y", "--cache-image", "x/z"], "'cache' flag with 'image' format cannot be used with 'cache-image' flag."],
      [["--publish", "--gid=-1"], "gid flag must be in the range of 0-2147483647"],
      [["--publish", "--uid", "-5"], "uid flag must be in the range of 0-2147483647"],
      [["--publish", "--pull-policy", "sometimes"], "parsing pull policy sometimes: invalid pull policy sometimes"],
      [["--publish", "--exec-env", "prod/1"], "exec-env MUST only contain numbers, letters, and the characters: . or -"],
      [["--publish", "--env-file", "/nonexistent/vars.env"], "failed to parse env file '/nonexistent/vars.env': open /nonexistent/vars.env: no such file or directory"],
    ];
    for (const [extra, msg] of cases) {
      const r = await runPack(["build", `${host}/standin/v`, "--path", appDir, "-B", TRUSTED, ...extra]);
      expect(r.code, extra.join(" ")).toBe(1);
      expect(r.stderr, extra.join(" ")).toBe(`ERROR: ${msg}\n`);
    }
  });

  it("rejects an image name equal to the builder or a digest reference", async () => {
    let r = await runPack(["build", `${host}/paketobuildpacks/builder-jammy-base`, "--path", appDir, "-B", TRUSTED, "--publish"]);
    expect(r.stderr).toBe("ERROR: forbidden image name: name must not match builder image name\n");
    r = await runPack(["build", "buildpacksio/lifecycle:mine", "--path", appDir, "-B", UNTRUSTED, "--publish"]);
    expect(r.stderr).toBe("ERROR: forbidden image name: name must not match default lifecycle image name\n");
    const digestRef = `${host}/standin/app@sha256:${"a".repeat(64)}`;
    r = await runPack(["build", digestRef, "--path", appDir, "-B", TRUSTED, "--publish"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`ERROR: failed to build: invalid image name '${digestRef}': '${digestRef}' is not a tag reference\n`);
  });

  it("requires experimental mode for -r, --interactive and oci: images, with pack's tip", async () => {
    const cases: Array<[string[], string]> = [
      [["-r", "default"], "Support for buildpack registries is currently experimental."],
      [["--interactive"], "Interactive mode is currently experimental."],
    ];
    for (const [extra, msg] of cases) {
      const r = await runPack(buildArgs(`${host}/standin/e`, ...extra));
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`ERROR: ${msg}\n`);
      expect(r.stdout).toBe(`Tip: To enable experimental features, run \`pack config experimental true\` to add 'experimental = true' to '${path.join(packHome, "config.toml")}'.\n`);
    }
    const r = await runPack(["build", "oci:/tmp/layout/app", "--path", appDir, "-B", TRUSTED]);
    expect(r.stderr).toBe("ERROR: Exporting to OCI layout is currently experimental.\n");
  });

  it("exits 2 with builder suggestions when no builder is configured, and honours config/project.toml builders", async () => {
    const r = await runPack(["build", `${host}/standin/nb`, "--path", appDir, "--publish"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("");
    expect(r.stdout.startsWith("Please select a default builder with:\n\n\tpack config default-builder <builder-image>\n\nSuggested builders:\n")).toBe(true);
    expect(r.stdout).toMatch(/Paketo Buildpacks:\s+'paketobuildpacks\/builder-jammy-base'/);

    const home = freshDir("cfg-builder");
    writeFileSync(path.join(home, "config.toml"), `default-builder-image = "${UNTRUSTED}"\n`);
    const img1 = image("cfg-builder");
    const r1 = await runPack(["build", img1.name, "--path", appDir, "--publish"], { env: { PACK_HOME: home } });
    expect(r1.code, r1.stderr).toBe(0);
    expect(r1.stdout).toContain("[exporter] Saving");

    const app = makeApp({ "index.js": "1", "project.toml": `[_]\nschema-version = "0.2"\n[io.buildpacks]\nbuilder = "${TRUSTED}"\n` });
    const img2 = image("toml-builder");
    const r2 = await runPack(["build", img2.name, "--path", app, "--publish"]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout).not.toContain("[exporter]");
    const cfg = await getImageConfig(host, img2.repo, "latest");
    expect(JSON.parse(cfg.config.Labels["dev.gantry.pack-standin"]).builder).toBe(TRUSTED);
  });

  it("validates --path, --descriptor and project.toml include/exclude", async () => {
    let r = await runPack(buildArgs(`${host}/standin/p`, "--path", path.join(tmp, "missing", "dir")));
    expect(r.stderr).toBe(`ERROR: failed to build: invalid app path '${path.join(tmp, "missing", "dir")}': evaluate symlink: lstat ${path.join(tmp, "missing")}: no such file or directory\n`);
    const file = path.join(appDir, "index.js");
    r = await runPack(buildArgs(`${host}/standin/p`, "--path", file));
    expect(r.stderr).toBe(`ERROR: failed to build: invalid app path '${file}': app path must be a directory or zip\n`);
    const missing = path.join(tmp, "nope.toml");
    r = await runPack(buildArgs(`${host}/standin/p`, "--descriptor", missing));
    expect(r.stderr).toBe(`ERROR: stat project descriptor: stat ${missing}: no such file or directory\n`);
    const both = makeApp({ "index.js": "1", "project.toml": '[_]\nschema-version = "0.2"\n[io.buildpacks]\ninclude = []\nexclude = ["*.md"]\n' });
    r = await runPack(["build", `${host}/standin/p`, "--path", both, "-B", TRUSTED, "--publish"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("ERROR: project.toml: cannot have both include and exclude defined\n");
  });

  it("builds from a zip file as --path", async () => {
    const zip = path.join(freshDir("zip"), "app.zip");
    writeFileSync(zip, storedZip({ "package.json": "{}", "src/server.js": "x" }));
    const img = image("zip");
    const r = await runPack(buildArgs(img.name, "--path", zip));
    expect(r.code, r.stderr).toBe(0);
    const m = await getManifest(host, img.repo, "latest");
    expect(tarNames(await getBlob(host, img.repo, m.json.layers[0].digest))).toEqual(["workspace/", "workspace/package.json", "workspace/src/server.js"]);
  });

  it("fails like pack without a docker daemon when not publishing", async () => {
    for (const cmd of [["build", `${host}/standin/d`, "--path", appDir, "-B", "gcr.io/buildpacks/builder:google-22"], ["rebase", `${host}/standin/d`]]) {
      const r = await runPack(cmd, { env: { DOCKER_HOST: "unix:///run/nothing.sock" } });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("Cannot connect to the Docker daemon at unix:///run/nothing.sock. Is the docker daemon running?\n");
    }
  });

  it("fails tags on other registries with the lifecycle's exit status 3", async () => {
    const r = await runPack(buildArgs(image("multi").name, "-t", "gcr.io/p/app:v1"));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("ERROR: failed to resolve inputs: writing to multiple registries is unsupported\n");
    expect(r.stderr).toBe("ERROR: failed to build: executing lifecycle: failed with status code: 3\n");
  });
});

describe("publishing to the real registry", () => {
  it("round-trips: *** Images digest == report.toml digest == registry digest of exact manifest bytes", async () => {
    const img = image("roundtrip");
    const reportDir = freshDir("report");
    const r = await runPack(buildArgs(img.name, "-t", `${img.name}:v1`, "--report-output-dir", reportDir));
    expect(r.code, r.stderr).toBe(0);
    const digest = imagesDigest(r.stdout);
    const report = parseToml(readFileSync(path.join(reportDir, "report.toml"), "utf8")) as { image: { tags: string[]; digest: string; "manifest-size": number } };
    expect(report.image.digest).toBe(digest);
    expect(report.image.tags).toEqual([img.name, `${img.name}:v1`]);

    expect(await headManifest(host, img.repo, digest)).toEqual({ status: 200, digest });
    expect((await headManifest(host, img.repo, "latest")).digest).toBe(digest);
    expect((await headManifest(host, img.repo, "v1")).digest).toBe(digest);
    const m = await getManifest(host, img.repo, digest);
    expect(m.mediaType).toBe("application/vnd.oci.image.manifest.v1+json");
    expect(sha256(m.body)).toBe(digest);
    expect(m.body.length).toBe(report.image["manifest-size"]);
    expect(m.json.layers).toHaveLength(1);

    const cfg = await getImageConfig(host, img.repo, digest);
    const labels = cfg.config.Labels;
    const lmd = JSON.parse(labels["io.buildpacks.lifecycle.metadata"]);
    expect(lmd.runImage.image).toBe("index.docker.io/paketobuildpacks/run-jammy-base:latest");
    expect(lmd.runImage.reference).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(lmd.runImage.topLayer).toMatch(/^sha256:[0-9a-f]{64}$/);
    const bmd = JSON.parse(labels["io.buildpacks.build.metadata"]);
    expect(bmd.buildpacks.map((b: { id: string }) => b.id)).toContain("paketo-buildpacks/node-engine");
    expect(bmd.processes[0]).toMatchObject({ type: "web", command: ["npm", "start"] });
    expect(cfg.config.Entrypoint).toEqual(["/cnb/process/web"]);
    expect(JSON.parse(labels["dev.gantry.pack-standin"])).toMatchObject({ builder: TRUSTED, buildEnvNames: [] });
    expect(cfg.rootfs.diff_ids).toHaveLength(1);
    const layer = await getBlob(host, img.repo, m.json.layers[0].digest);
    expect(sha256(zlib.gunzipSync(layer))).toBe(cfg.rootfs.diff_ids[0]);
    expect(tarNames(layer)).toEqual(["workspace/", "workspace/index.js", "workspace/package.json"]);

    expect(await deleteManifest(host, img.repo, digest)).toBe(202);
    expect((await headManifest(host, img.repo, digest)).status).toBe(404);
  });

  it("prints the trusted creator flow with the contract's exporter lines", async () => {
    const img = image("trusted-out");
    const r = await runPack(buildArgs(img.name, "--tag", `${img.name}:v1`));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trimEnd().split("\n");
    const headers = lines.filter((l) => l.startsWith("===> "));
    expect(headers).toEqual(PHASES.map((p) => `===> ${p}`));
    expect(lines.some((l) => l.startsWith("["))).toBe(false);
    const digest = imagesDigest(r.stdout);
    const saving = lines.indexOf(`Saving ${img.name}...`);
    expect(saving).toBeGreaterThan(lines.indexOf("===> EXPORTING"));
    expect(lines.slice(saving, saving + 4)).toEqual([`Saving ${img.name}...`, `*** Images (${digest}):`, `      ${img.name}`, `      ${img.name}:v1`]);
    expect(lines[lines.length - 1]).toBe(`Successfully built image '${img.name}'`);
    expect(lines).toContain("Previous image with name \"" + img.name + "\" not found");
    expect(lines).toContain("paketo-buildpacks/node-engine     4.1.12");
  });

  it("prefixes lifecycle lines per container for untrusted builders", async () => {
    const img = image("untrusted-out");
    const r = await runPack(["build", img.name, "--path", appDir, "-B", UNTRUSTED, "--publish"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    let phase = "";
    const prefixFor: Record<string, string> = { ANALYZING: "[analyzer] ", DETECTING: "[detector] ", RESTORING: "[restorer] ", BUILDING: "[builder] ", EXPORTING: "[exporter] " };
    const seen: string[] = [];
    for (const line of lines) {
      if (line.startsWith("===> ")) {
        phase = line.slice(5);
        seen.push(phase);
      } else if (phase && !line.startsWith("Successfully built image")) {
        expect(line.startsWith(prefixFor[phase]!), line).toBe(true);
      }
    }
    expect(seen).toEqual(PHASES);
    expect(r.stdout).toMatch(/^\[exporter\] \*\*\* Images \(sha256:[0-9a-f]{64}\):$/m);
    expect(r.stdout).toContain(`[exporter]       ${img.name}\n`);
    expect(lines[lines.length - 1]).toBe(`Successfully built image '${img.name}'`);
    const trust = await runPack(["build", image("trust-flag").name, "--path", appDir, "-B", UNTRUSTED, "--trust-builder", "--publish"]);
    expect(trust.stdout).not.toContain("[exporter]");
  });

  it("is deterministic for identical sources and changes digest with source, run image and env names", async () => {
    const src = makeApp({ "package.json": "{}", "server.js": "v1", "README.md": "docs", "project.toml": '[_]\nschema-version = "0.2"\n[io.buildpacks]\nexclude = ["*.md"]\n' });
    const img = image("determinism");
    const build = async (...extra: string[]) => {
      const r = await runPack(["build", img.name, "--path", src, "-B", TRUSTED, "--publish", ...extra]);
      expect(r.code, r.stderr).toBe(0);
      return imagesDigest(r.stdout);
    };
    const d1 = await build();
    const d2 = await build();
    expect(d2).toBe(d1);
    writeFileSync(path.join(src, "README.md"), "excluded, so no effect");
    expect(await build()).toBe(d1);
    writeFileSync(path.join(src, "server.js"), "v2");
    const d3 = await build();
    expect(d3).not.toBe(d1);
    const m = await getManifest(host, img.repo, d3);
    expect(tarNames(await getBlob(host, img.repo, m.json.layers[0].digest))).not.toContain("workspace/README.md");
    const d4 = await build("--run-image", "paketobuildpacks/run-jammy-base:0.9.9");
    expect(d4).not.toBe(d3);
    const d5 = await build("--env", "EXTRA_NAME=x");
    expect(d5).not.toBe(d3);
    expect(await build("--env", "EXTRA_NAME=different-value")).toBe(d5);
  });

  it("honours include lists and copy semantics of --report-output-dir / --sbom-output-dir", async () => {
    const src = makeApp({ "index.js": "1", "lib/a.js": "2", "notes.txt": "3", "project.toml": '[_]\nschema-version = "0.2"\n[io.buildpacks]\ninclude = ["*.js"]\n' });
    const img = image("include");
    const parent = freshDir("copy");
    const reportFile = path.join(parent, "report-as-file");
    const sbomExisting = freshDir("sbom-existing");
    const r = await runPack(["build", img.name, "--path", src, "-B", TRUSTED, "--publish", "--report-output-dir", reportFile, "--sbom-output-dir", sbomExisting]);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(reportFile).isFile()).toBe(true);
    expect(readFileSync(reportFile, "utf8")).toMatch(/^\[image\]\n  tags = \[".*"\]\n  digest = "sha256:[0-9a-f]{64}"\n  manifest-size = \d+\n$/);
    const sbom = path.join(sbomExisting, "sbom", "launch", "paketo-buildpacks_node-engine", "node", "sbom.cdx.json");
    expect(JSON.parse(readFileSync(sbom, "utf8")).bomFormat).toBe("CycloneDX");
    const m = await getManifest(host, img.repo, "latest");
    expect(tarNames(await getBlob(host, img.repo, m.json.layers[0].digest))).toEqual(["workspace/", "workspace/index.js", "workspace/lib/a.js"]);
  });
});

describe("pack rebase", () => {
  it("keeps the app layer, swaps the run-image label, changes the digest and prints pack's lines", async () => {
    const img = image("rebase");
    const built = await runPack(buildArgs(img.name));
    const before = imagesDigest(built.stdout);
    const m1 = await getManifest(host, img.repo, before);
    const reportDir = freshDir("rebase-report");
    const r = await runPack(["rebase", img.name, "--publish", "--run-image", "paketobuildpacks/run-jammy-base:9.9.9", "--report-output-dir", reportDir]);
    expect(r.code, r.stderr).toBe(0);
    const after = imagesDigest(r.stdout);
    expect(after).not.toBe(before);
    expect(r.stdout).toBe(
      [
        `Rebasing '${img.name}' on run image 'paketobuildpacks/run-jammy-base:9.9.9'`,
        `Saving ${img.name}...`,
        `*** Images (${after}):`,
        `      ${img.name}`,
        `Rebased Image: '${img.name}@${after}'`,
        `Successfully rebased image '${img.name}'`,
        "",
      ].join("\n"),
    );
    const m2 = await getManifest(host, img.repo, "latest");
    expect(m2.digest).toBe(after);
    expect(m2.json.layers).toEqual(m1.json.layers);
    const cfg = await getImageConfig(host, img.repo, "latest");
    const md = JSON.parse(cfg.config.Labels["io.buildpacks.lifecycle.metadata"]);
    expect(md.runImage.image).toBe("paketobuildpacks/run-jammy-base:9.9.9");
    const report = parseToml(readFileSync(path.join(reportDir, "report.toml"), "utf8")) as { image: { digest: string; tags: string[] } };
    expect(report.image).toMatchObject({ digest: after, tags: [img.name] });

    // Without --run-image the label's run image is used: same inputs, same digest.
    const again = await runPack(["rebase", img.name, "--publish"]);
    expect(again.stdout).toContain(`Rebasing '${img.name}' on run image 'paketobuildpacks/run-jammy-base:9.9.9'`);
    expect(imagesDigest(again.stdout)).toBe(after);
  });

  it("fails for images missing from the registry", async () => {
    const img = image("rebase-missing");
    const built = await runPack(buildArgs(img.name));
    expect(await deleteManifest(host, img.repo, imagesDigest(built.stdout))).toBe(202);
    const r = await runPack(["rebase", img.name, "--publish", "--run-image", "a/b:c"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`ERROR: image '${img.name}' does not exist in registry: not found\n`);
  });
});

describe("test controls", () => {
  it("PACK_STANDIN_FAIL fails at the named phase with the lifecycle status and publishes nothing", async () => {
    const results = await pool(PHASES, 3, async (phase) => {
      const img = image(`fail-${phase}`);
      return { phase, img, r: await runPack(buildArgs(img.name), { env: { PACK_STANDIN_FAIL: `${phase}:51` } }) };
    });
    for (const { phase, img, r } of results) {
      expect(r.code, phase).toBe(1);
      expect(r.stderr).toBe("ERROR: failed to build: executing lifecycle: failed with status code: 51\n");
      const headers = r.stdout.split("\n").filter((l) => l.startsWith("===> "));
      expect(headers[headers.length - 1]).toBe(`===> ${phase}`);
      expect(r.stdout).toMatch(/^ERROR: /m);
      expect(r.stdout).not.toContain("Successfully built image");
      expect(r.stdout).not.toContain("*** Images");
      expect((await headManifest(host, img.repo, "latest")).status).toBe(404);
    }
    const bad = await runPack(buildArgs(image("fail-bad").name), { env: { PACK_STANDIN_FAIL: "COMPILING:1" } });
    expect(bad.code).toBe(99);
  });

  it("PACK_STANDIN_DELAY_MS spends the time in BUILDING with progress lines", async () => {
    const r = await runPack(buildArgs(image("delay").name), { env: { PACK_STANDIN_DELAY_MS: "700" } });
    expect(r.code).toBe(0);
    expect(r.ms).toBeGreaterThanOrEqual(700);
    const building = r.stdout.slice(r.stdout.indexOf("===> BUILDING"), r.stdout.indexOf("===> EXPORTING"));
    expect(building.match(/Progress: \d+%/g)!.length).toBeGreaterThanOrEqual(3);
  });

  it("PACK_STANDIN_LOG records argv, cwd, time, pid and env names, never values", async () => {
    const log = path.join(freshDir("log"), "pack.log");
    const secretEnv = "value-from-env-7f3a91";
    const secretInline = "inline-secret-c0ffee";
    const r1 = await runPack(buildArgs(image("log").name, "--env", "FROM_ENV", "-e", `INLINE=${secretInline}`, "--env", "ABSENT_VAR", `--env=SECOND=${secretInline}`), {
      env: { PACK_STANDIN_LOG: log, FROM_ENV: secretEnv },
    });
    expect(r1.code, r1.stderr).toBe(0);
    await runPack(["--version"], { env: { PACK_STANDIN_LOG: log } });
    const text = readFileSync(log, "utf8");
    expect(text).not.toContain(secretEnv);
    expect(text).not.toContain(secretInline);
    const records = text.trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ cwd: tmp, envNamesPresent: ["FROM_ENV", "INLINE", "SECOND"] });
    expect(records[0].argv).toContain("INLINE=<redacted>");
    expect(records[0].argv).toContain("--env=SECOND=<redacted>");
    expect(records[0].pid).toBeTypeOf("number");
    expect(new Date(records[0].time).toString()).not.toBe("Invalid Date");
    expect(records[1]).toMatchObject({ argv: ["--version"], envNamesPresent: [] });
  });

  it("PACK_STANDIN_CHILD_PIDFILE: the helper lives in pack's process group and dies with it", async () => {
    const pidFile = path.join(freshDir("child"), "child.pid");
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmp, PACK_HOME: packHome, PACK_STANDIN_DELAY_MS: "20000", PACK_STANDIN_CHILD_PIDFILE: pidFile };
    const pack = spawn(PACK, buildArgs(image("child").name), { env, cwd: tmp, detached: true, stdio: "ignore" });
    const exited = new Promise<void>((resolve) => pack.once("exit", () => resolve()));
    const deadline = Date.now() + 10_000;
    while (!existsSync(pidFile) || readFileSync(pidFile, "utf8").trim() === "") {
      if (Date.now() > deadline) throw new Error("pid file never written");
      await new Promise((r) => setTimeout(r, 20));
    }
    const childPid = Number(readFileSync(pidFile, "utf8").trim());
    expect(isAlive(childPid)).toBe(true);
    const stat = readFileSync(`/proc/${childPid}/stat`, "utf8");
    const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
    expect(pgrp).toBe(pack.pid);
    process.kill(-pack.pid!, "SIGKILL");
    await exited;
    const gone = Date.now() + 5_000;
    while (isAlive(childPid) && Date.now() < gone) await new Promise((r) => setTimeout(r, 20));
    expect(isAlive(childPid)).toBe(false);

    // SIGTERM to pack alone (as a provider's timeout would send): pack cancels, reaps its helper, exits 1.
    const pidFile3 = path.join(freshDir("child3"), "child.pid");
    const pack3 = spawn(PACK, buildArgs(image("child-term").name), { env: { ...env, PACK_STANDIN_CHILD_PIDFILE: pidFile3 }, cwd: tmp, stdio: ["ignore", "pipe", "pipe"] });
    let stderr3 = "";
    pack3.stderr.on("data", (c: Buffer) => (stderr3 += c.toString()));
    const exit3 = new Promise<number | null>((resolve) => pack3.once("close", (code) => resolve(code)));
    while (!existsSync(pidFile3) || readFileSync(pidFile3, "utf8").trim() === "") await new Promise((r) => setTimeout(r, 20));
    const child3 = Number(readFileSync(pidFile3, "utf8").trim());
    expect(isAlive(child3)).toBe(true);
    pack3.kill("SIGTERM");
    expect(await exit3).toBe(1);
    expect(stderr3).toBe("ERROR: failed to build: executing lifecycle: context canceled\n");
    const gone3 = Date.now() + 5_000;
    while (isAlive(child3) && Date.now() < gone3) await new Promise((r) => setTimeout(r, 20));
    expect(isAlive(child3)).toBe(false);

    // A build that completes normally cleans its helper up too.
    const pidFile2 = path.join(freshDir("child2"), "child.pid");
    const r = await runPack(buildArgs(image("child-ok").name), { env: { PACK_STANDIN_DELAY_MS: "100", PACK_STANDIN_CHILD_PIDFILE: pidFile2 } });
    expect(r.code).toBe(0);
    const child2 = Number(readFileSync(pidFile2, "utf8").trim());
    const gone2 = Date.now() + 5_000;
    while (isAlive(child2) && Date.now() < gone2) await new Promise((res) => setTimeout(res, 20));
    expect(isAlive(child2)).toBe(false);
  });

  it("never prints, logs or stores env values from --env, --env-file or project.toml", async () => {
    const secrets = { env: "S3CRET-env-4411", inline: "S3CRET-inline-4412", file: "S3CRET-file-4413", toml: "S3CRET-toml-4414" };
    const envFile = path.join(freshDir("secret-envfile"), "vars.env");
    writeFileSync(envFile, `FILE_SECRET=${secrets.file}\n`);
    const src = makeApp({ "index.js": "1", "project.toml": `[_]\nschema-version = "0.2"\n[[io.buildpacks.build.env]]\nname = "TOML_SECRET"\nvalue = "${secrets.toml}"\n` });
    const log = path.join(freshDir("secret-log"), "pack.log");
    const img = image("secrets");
    const r = await runPack(
      ["build", img.name, "--path", src, "-B", UNTRUSTED, "--publish", "-v", "--timestamps", "--env", "ENV_SECRET", "--env", `INLINE_SECRET=${secrets.inline}`, "--env-file", envFile],
      { env: { ENV_SECRET: secrets.env, PACK_STANDIN_LOG: log } },
    );
    expect(r.code, r.stderr).toBe(0);
    const cfg = await getImageConfig(host, img.repo, "latest");
    const haystack = [r.stdout, r.stderr, readFileSync(log, "utf8"), JSON.stringify(cfg)].join("\n");
    for (const v of Object.values(secrets)) expect(haystack).not.toContain(v);
    expect(JSON.parse(cfg.config.Labels["dev.gantry.pack-standin"]).buildEnvNames).toEqual(["ENV_SECRET", "FILE_SECRET", "INLINE_SECRET", "TOML_SECRET"]);
    const failing = await runPack(buildArgs(image("secrets-fail").name, "--env", `X=${secrets.inline}`), { env: { PACK_STANDIN_FAIL: "BUILDING:51" } });
    expect(failing.stdout + failing.stderr).not.toContain(secrets.inline);
  });
});
