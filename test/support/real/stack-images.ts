// The CNB stack images of the real tier, made here because no public image can be pulled: a Debian bookworm root
// file system from debootstrap (cached per machine), imported into the engine, with the user, labels and env a
// CNB build or run image carries. Two run images stand for a base-image CVE fix: v2 is v1 plus one changed OS file.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureDebianPackage, run } from "../debian";
import { contentKey, makeOnce, realCacheRoot } from "./cache";
import { docker } from "./docker-engine";

export const STACK_ID = "gantry.test.stack";
export const CNB_UID = 1000;
export const CNB_GID = 1000;
const DEBOOTSTRAP = ["--variant=minbase", "--include=busybox", "bookworm"];
const MIRROR = "http://deb.debian.org/debian";

export interface StackImages {
  build: string;
  /** Registry references pinned by digest: what `gantry:runImage` holds. */
  runV1: string;
  runV2: string;
  /** The same images by tag, as builder.toml names its run image. */
  runV1Tag: string;
  runV2Tag: string;
  /** What v2 changed, and where: the CVE fix a rebase must bring. */
  fixedFile: { path: string; v1: string; v2: string };
}

/** Debian bookworm (minbase plus busybox for a tiny HTTP server) as a tar, with a `cnb` user; built once per machine. */
export function ensureRootfs(): string {
  ensureDebianPackage("debootstrap", "/usr/sbin/debootstrap");
  const key = contentKey([...DEBOOTSTRAP, MIRROR, String(CNB_UID), "v1"]);
  const dir = makeOnce(path.join(realCacheRoot(), "rootfs", `bookworm-${key}`), (out) => {
    const root = path.join(out, "root");
    run("debootstrap", [...DEBOOTSTRAP, root, MIRROR], 15 * 60_000);
    // Only what a container needs: no package archives, docs or locales.
    for (const p of ["var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc", "usr/share/man", "usr/share/locale", "usr/share/info"]) {
      fs.rmSync(path.join(root, p), { recursive: true, force: true });
    }
    fs.appendFileSync(path.join(root, "etc/passwd"), `cnb:x:${CNB_UID}:${CNB_GID}:CNB user:/home/cnb:/bin/bash\n`);
    fs.appendFileSync(path.join(root, "etc/group"), `cnb:x:${CNB_GID}:\n`);
    fs.mkdirSync(path.join(root, "home/cnb"), { recursive: true });
    fs.chownSync(path.join(root, "home/cnb"), CNB_UID, CNB_GID);
    run("tar", ["-C", root, "-cf", path.join(out, "rootfs.tar"), "."], 10 * 60_000);
    fs.rmSync(root, { recursive: true, force: true });
  });
  return path.join(dir, "rootfs.tar");
}

/** `docker build` with the classic builder (Debian has no buildx) from a Dockerfile with no RUN: no network needed. */
function buildImage(engine: { host: string }, tag: string, dockerfile: string, files: Record<string, string> = {}): void {
  const ctx = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-stack-"));
  try {
    fs.writeFileSync(path.join(ctx, "Dockerfile"), dockerfile);
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(ctx, name), text);
    docker(engine, ["build", "--network", "host", "-q", "-t", tag, ctx]);
  } finally {
    fs.rmSync(ctx, { recursive: true, force: true });
  }
}

function stackLabels(kind: "build" | "run"): string {
  return [
    `ENV CNB_USER_ID=${CNB_UID} CNB_GROUP_ID=${CNB_GID} CNB_STACK_ID=${STACK_ID}`,
    `LABEL io.buildpacks.stack.id="${STACK_ID}" io.buildpacks.base.distro.name="debian" io.buildpacks.base.distro.version="12" gantry.test.image="${kind}"`,
    `USER ${CNB_UID}:${CNB_GID}`,
  ].join("\n");
}

/** Pushes a local image to the registry and returns `repo@sha256:...` as the registry serves it. */
export function pushPinned(engine: { host: string }, tag: string): string {
  docker(engine, ["push", "-q", tag]);
  const digest = docker(engine, ["inspect", "--format", "{{index .RepoDigests 0}}", tag]).trim();
  if (!/@sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`no repo digest for ${tag} after push: ${digest}`);
  return digest;
}

export function makeStackImages(engine: { host: string }, registryHost: string): StackImages {
  const rootfs = ensureRootfs();
  docker(engine, ["import", rootfs, "gantry-test/base:bookworm"], { timeoutMs: 10 * 60_000 });
  const build = `${registryHost}/gantry-test/build:1`;
  const runV1Tag = `${registryHost}/gantry-test/run:v1`;
  const runV2Tag = `${registryHost}/gantry-test/run:v2`;
  const fixedFile = { path: "/etc/gantry-base-release", v1: "base v1: openssl 3.0.15 (CVE-2024-0001)\n", v2: "base v2: openssl 3.0.16 (fixed)\n" };
  buildImage(engine, build, `FROM gantry-test/base:bookworm\n${stackLabels("build")}\n`);
  buildImage(engine, runV1Tag, `FROM gantry-test/base:bookworm\nCOPY release ${fixedFile.path}\n${stackLabels("run")}\n`, { release: fixedFile.v1 });
  buildImage(engine, runV2Tag, `FROM ${runV1Tag}\nUSER 0:0\nCOPY release ${fixedFile.path}\n${stackLabels("run")}\n`, { release: fixedFile.v2 });
  pushPinned(engine, build);
  return { build, runV1: pushPinned(engine, runV1Tag), runV2: pushPinned(engine, runV2Tag), runV1Tag, runV2Tag, fixedFile };
}
