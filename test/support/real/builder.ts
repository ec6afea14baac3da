// A real CNB builder made with the real `pack builder create`: the lifecycle built here (as a release tarball),
// the test buildpacks, and the stack images. Also a lifecycle image, for builders that run untrusted (pack then
// runs the analyze, restore and export phases from that image instead of the builder).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { docker, dockerConfigDir } from "./docker-engine";
import { pushPinned, type StackImages } from "./stack-images";
import { LIFECYCLE_VERSION, type RealTools } from "./tools";

export interface RealBuilder {
  /** `repo@sha256:...` in the test registry. */
  builder: string;
  /** Repository part, as `gantry:trustedBuilders` lists it. */
  builderRepository: string;
  lifecycleImage: string;
  buildpacks: Array<{ id: string; version: string }>;
}

const PHASES = ["detector", "analyzer", "restorer", "builder", "exporter", "rebaser", "creator", "extender"];

/** The lifecycle as pack reads a release tarball: lifecycle.toml at the top, binaries under lifecycle/. */
function lifecycleTarball(tools: RealTools, dir: string): string {
  const root = path.join(dir, "lifecycle-tgz");
  const bin = path.join(root, "lifecycle");
  fs.mkdirSync(bin, { recursive: true });
  fs.copyFileSync(path.join(tools.lifecycleDir, "lifecycle"), path.join(bin, "lifecycle"));
  fs.copyFileSync(path.join(tools.lifecycleDir, "launcher"), path.join(bin, "launcher"));
  fs.chmodSync(path.join(bin, "lifecycle"), 0o755);
  fs.chmodSync(path.join(bin, "launcher"), 0o755);
  for (const p of PHASES) fs.symlinkSync("lifecycle", path.join(bin, p));
  // The APIs lifecycle v0.20 supports (api/apis.go), as its Makefile writes them into lifecycle.toml.
  fs.writeFileSync(
    path.join(root, "lifecycle.toml"),
    [
      "[apis]",
      "[apis.buildpack]",
      "  deprecated = []",
      '  supported = ["0.7", "0.8", "0.9", "0.10", "0.11"]',
      "[apis.platform]",
      "  deprecated = []",
      '  supported = ["0.7", "0.8", "0.9", "0.10", "0.11", "0.12", "0.13", "0.14"]',
      "[api]",
      '  platform = "0.7"',
      '  buildpack = "0.7"',
      "[lifecycle]",
      `  version = "${LIFECYCLE_VERSION}"`,
      '  sbom-formats = ["application/vnd.cyclonedx+json", "application/spdx+json", "application/vnd.syft+json"]',
      "",
    ].join("\n"),
  );
  const tgz = path.join(dir, `lifecycle-v${LIFECYCLE_VERSION}+linux.x86-64.tgz`);
  const r = spawnSync("tar", ["-C", root, "-czf", tgz, "lifecycle.toml", "lifecycle"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tar of the lifecycle failed: ${r.stderr}`);
  return tgz;
}

/** Runs the real pack with a PACK_HOME of the run's own and the private engine. */
export function pack(tools: RealTools, engine: { host: string }, packHome: string, args: string[], timeoutMs = 10 * 60_000): string {
  const r = spawnSync(tools.pack, [...args, "--no-color"], {
    env: { ...process.env, DOCKER_HOST: engine.host, DOCKER_CONFIG: dockerConfigDir(engine), PACK_HOME: packHome },
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error || r.status !== 0) throw new Error(`pack ${args.join(" ")} failed (${r.error?.message ?? `exit ${r.status}`}):\n${`${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-30).join("\n")}`);
  return r.stdout;
}

export function makeBuilder(tools: RealTools, engine: { host: string }, registryHost: string, stack: StackImages, packHome: string): RealBuilder {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-builder-"));
  try {
    const tgz = lifecycleTarball(tools, dir);
    const bp = (name: string) => path.join(tools.buildpacksDir, name);
    const buildpacks = [
      { id: "gantry-test/deps", version: "1.0.0" },
      { id: "gantry-test/procfile", version: "1.0.0" },
    ];
    const toml = [
      'description = "Gantry real-tier builder: the real lifecycle with the test procfile and deps buildpacks"',
      "",
      `[[buildpacks]]\n  uri = "${bp("deps")}"`,
      `[[buildpacks]]\n  uri = "${bp("procfile")}"`,
      "",
      // deps is optional: an app with a Procfile and no deps.txt builds with procfile alone.
      "[[order]]",
      `  [[order.group]]\n    id = "gantry-test/deps"\n    version = "1.0.0"\n    optional = true`,
      `  [[order.group]]\n    id = "gantry-test/procfile"\n    version = "1.0.0"`,
      "",
      `[lifecycle]\n  uri = "${tgz}"`,
      "",
      `[build]\n  image = "${stack.build}"`,
      "",
      `[run]\n  [[run.images]]\n    image = "${stack.runV1Tag}"`,
      "",
      `[stack]\n  id = "gantry.test.stack"\n  build-image = "${stack.build}"\n  run-image = "${stack.runV1Tag}"`,
      "",
      '[[targets]]\n  os = "linux"\n  arch = "amd64"',
      "",
    ].join("\n");
    fs.writeFileSync(path.join(dir, "builder.toml"), toml);
    const repo = `${registryHost}/gantry-test/builder`;
    pack(tools, engine, packHome, ["builder", "create", `${repo}:1`, "--config", path.join(dir, "builder.toml"), "--pull-policy", "if-not-present"]);
    const builder = pushPinned(engine, `${repo}:1`);

    // The lifecycle image an untrusted build uses: the same binaries under /cnb/lifecycle.
    const lc = path.join(dir, "lifecycle-image");
    fs.mkdirSync(path.join(lc, "lifecycle"), { recursive: true });
    for (const f of ["lifecycle", "launcher"]) {
      fs.copyFileSync(path.join(tools.lifecycleDir, f), path.join(lc, "lifecycle", f));
      fs.chmodSync(path.join(lc, "lifecycle", f), 0o755);
    }
    for (const p of PHASES) fs.symlinkSync("lifecycle", path.join(lc, "lifecycle", p));
    fs.writeFileSync(path.join(lc, "Dockerfile"), `FROM gantry-test/base:bookworm\nCOPY lifecycle /cnb/lifecycle\nLABEL io.buildpacks.lifecycle.version="${LIFECYCLE_VERSION}"\n`);
    const lifecycleTag = `${registryHost}/gantry-test/lifecycle:${LIFECYCLE_VERSION}`;
    docker(engine, ["build", "--network", "host", "-q", "-t", lifecycleTag, lc]);
    const lifecycleImage = pushPinned(engine, lifecycleTag);
    return { builder, builderRepository: repo, lifecycleImage, buildpacks };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
