// The real buildpacks tools, built from Go modules pinned in test/real/tools/* and test/real/buildpacks, once per
// machine: each lands in the real cache under a key of its go.mod, go.sum, sources, Go version and build flags, so
// a second run (or a fresh clone on the same machine) reuses it and a version bump rebuilds it.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { contentKey, makeOnce, realCacheRoot } from "./cache";

export const PACK_VERSION = "0.40.6";
export const LIFECYCLE_VERSION = "0.20.13";
/** The Pulumi CLI the real-engine tier runs: the version of @pulumi/pulumi in package-lock.json. */
export const PULUMI_VERSION = "3.248.0";
const REAL_DIR = path.join(__dirname, "..", "..", "real");

export interface RealTools {
  pack: string;
  crane: string;
  /** Holds `lifecycle` (every phase) and `launcher`. */
  lifecycleDir: string;
  /** One folder per buildpack (procfile, deps), each with buildpack.toml and bin/detect, bin/build. */
  buildpacksDir: string;
}

interface GoBuild {
  output: string;
  pkg: string;
  ldflags?: string;
  cgo?: boolean;
}

function goVersion(): string {
  const r = spawnSync("go", ["version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) throw new Error(`the Go toolchain is needed to build the real tools: ${r.error?.message ?? r.stderr}`);
  return r.stdout.trim();
}

function sourcesOf(moduleDir: string): Buffer[] {
  const files = (fs.readdirSync(moduleDir, { recursive: true }) as string[]).filter((f) => /\.(go|mod|sum|toml)$/.test(f)).sort();
  return files.flatMap((f) => [Buffer.from(f), fs.readFileSync(path.join(moduleDir, f))]);
}

function goBuild(moduleDir: string, out: string, b: GoBuild): void {
  const args = ["build", "-trimpath", "-o", path.join(out, b.output)];
  if (b.ldflags) args.push("-ldflags", b.ldflags);
  args.push(b.pkg);
  const r = spawnSync("go", args, {
    cwd: moduleDir,
    encoding: "utf8",
    env: { ...process.env, CGO_ENABLED: b.cgo ? "1" : "0" },
    timeout: 20 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error || r.status !== 0) {
    throw new Error(`go ${args.join(" ")} (in ${moduleDir}) failed: ${r.error?.message ?? ""}\n${`${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-30).join("\n")}`);
  }
}

function built(name: string, moduleDir: string, builds: GoBuild[], after?: (out: string) => void): string {
  const key = contentKey([goVersion(), JSON.stringify(builds), ...sourcesOf(moduleDir)]);
  return makeOnce(path.join(realCacheRoot(), "tools", `${name}-${key}`), (out) => {
    for (const b of builds) goBuild(moduleDir, out, b);
    after?.(out);
  });
}

/** A buildpack folder as the lifecycle reads it: buildpack.toml, and the one binary as bin/detect and bin/build. */
function assembleBuildpacks(out: string): void {
  for (const name of ["procfile", "deps"]) {
    const dir = path.join(out, name);
    fs.mkdirSync(path.join(dir, "bin"), { recursive: true });
    fs.copyFileSync(path.join(REAL_DIR, "buildpacks", name, "buildpack.toml"), path.join(dir, "buildpack.toml"));
    for (const phase of ["detect", "build"]) fs.copyFileSync(path.join(out, `${name}-bin`), path.join(dir, "bin", phase));
    fs.rmSync(path.join(out, `${name}-bin`));
  }
}

export function ensureRealTools(): RealTools {
  const tools = (n: string) => path.join(REAL_DIR, "tools", n);
  const packDir = built("pack", tools("pack"), [
    { output: "pack", pkg: "github.com/buildpacks/pack", ldflags: `-s -w -X github.com/buildpacks/pack/pkg/client.Version=${PACK_VERSION}` },
  ]);
  const craneDir = built("crane", tools("crane"), [{ output: "crane", pkg: "github.com/google/go-containerregistry/cmd/crane", ldflags: "-s -w" }]);
  const lifecycleLdflags = `-s -w -X github.com/buildpacks/lifecycle/cmd.Version=${LIFECYCLE_VERSION}`;
  const lifecycleDir = built("lifecycle", tools("lifecycle"), [
    { output: "lifecycle", pkg: "github.com/buildpacks/lifecycle/cmd/lifecycle", ldflags: lifecycleLdflags },
    { output: "launcher", pkg: "github.com/buildpacks/lifecycle/cmd/launcher", ldflags: lifecycleLdflags },
  ]);
  const buildpacksDir = built(
    "buildpacks",
    path.join(REAL_DIR, "buildpacks"),
    [
      { output: "procfile-bin", pkg: "./cmd/procfile" },
      { output: "deps-bin", pkg: "./cmd/deps" },
    ],
    assembleBuildpacks,
  );
  return { pack: path.join(packDir, "pack"), crane: path.join(craneDir, "crane"), lifecycleDir, buildpacksDir };
}

export interface PulumiTools {
  /** The real Pulumi CLI. */
  pulumi: string;
  /** Folders to put first on PATH: the CLI, and the Node.js language host and dynamic-provider launcher it looks up there. */
  path: string[];
}

/**
 * The Pulumi CLI built from pkg/v3 (about 110 MB; minutes the first time on a machine), and our own Node.js language
 * host and dynamic-provider launcher (test/real/tools/language-host: Pulumi's are not served here).
 */
export function ensurePulumiTools(): PulumiTools {
  const cliDir = built("pulumi", path.join(REAL_DIR, "tools", "pulumi"), [
    { output: "pulumi", pkg: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi", ldflags: `-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${PULUMI_VERSION}` },
  ]);
  const hostDir = built("pulumi-language-nodejs", path.join(REAL_DIR, "tools", "language-host"), [
    { output: "pulumi-language-nodejs", pkg: "./cmd/pulumi-language-nodejs", ldflags: `-s -w -X main.Version=${PULUMI_VERSION}` },
    { output: "pulumi-resource-pulumi-nodejs", pkg: "./cmd/pulumi-resource-pulumi-nodejs", ldflags: "-s -w" },
  ]);
  return { pulumi: path.join(cliDir, "pulumi"), path: [cliDir, hostDir] };
}
