// A private Docker engine for the real tier: Debian's docker.io, dockerd on its own socket with its own data and
// exec roots, and no bridge or iptables rules (builds and test containers use the host network, so every byte
// they send goes to 127.0.0.1). Stopping it removes every container it ran, the daemon, and its folders.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureDebianPackage } from "../debian";
import { alive } from "../processes";

export const DOCKERD = "/usr/sbin/dockerd";

export interface DockerEngineInfo {
  /** `unix:///.../docker.sock`, for DOCKER_HOST. */
  host: string;
  pid: number;
  root: string;
}

export function ensureDockerInstalled(): void {
  ensureDebianPackage("docker.io", DOCKERD);
}

/** Runs the docker client against this engine; throws with its output unless it exits 0. */
export function docker(engine: { host: string }, args: string[], opts: { input?: string | Buffer; timeoutMs?: number; cwd?: string } = {}): string {
  const r = spawnSync("docker", args, {
    env: { ...process.env, DOCKER_HOST: engine.host, DOCKER_CONFIG: dockerConfigDir(engine), DOCKER_BUILDKIT: "0" },
    input: opts.input,
    cwd: opts.cwd,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    timeout: opts.timeoutMs ?? 10 * 60_000,
  });
  if (r.error || r.status !== 0) throw new Error(`docker ${args.join(" ")} failed (${r.error?.message ?? `exit ${r.status}`}):\n${`${r.stdout ?? ""}\n${r.stderr ?? ""}`.trim().split("\n").slice(-20).join("\n")}`);
  return r.stdout;
}

/** An empty client config of the engine's own, so the machine's ~/.docker (credential helpers) never applies. */
export function dockerConfigDir(engine: { host: string }): string {
  const dir = path.join(path.dirname(engine.host.replace(/^unix:\/\//, "")), "client-config");
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function startDockerEngine(): Promise<DockerEngineInfo> {
  ensureDockerInstalled();
  // Short: a unix socket path must stay under 108 bytes.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-dockerd-"));
  const sock = path.join(root, "docker.sock");
  const log = fs.openSync(path.join(root, "dockerd.log"), "a");
  const child = spawn(
    DOCKERD,
    [
      "--data-root", path.join(root, "data"),
      "--exec-root", path.join(root, "exec"),
      "--pidfile", path.join(root, "dockerd.pid"),
      "-H", `unix://${sock}`,
      "--bridge=none",
      "--iptables=false",
      "--ip6tables=false",
      "--storage-driver=overlay2",
    ],
    // Its own process group and unref'd: the engine outlives the test worker that started it, and the run's
    // teardown stops it.
    { detached: true, stdio: ["ignore", log, log] },
  );
  child.unref();
  fs.closeSync(log);
  const engine = { host: `unix://${sock}`, pid: child.pid!, root };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = spawnSync("docker", ["version", "--format", "{{.Server.Version}}"], { env: { ...process.env, DOCKER_HOST: engine.host }, encoding: "utf8" });
    if (r.status === 0) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      const tail = fs.readFileSync(path.join(root, "dockerd.log"), "utf8").split("\n").slice(-20).join("\n");
      await stopDockerEngine(engine);
      throw new Error(`dockerd did not start on ${sock}:\n${tail}`);
    }
    await sleep(200);
  }
  return engine;
}

/** Containers the engine still has (running or not): what a test that must leave none behind checks. */
export function containers(engine: { host: string }): string[] {
  return docker(engine, ["ps", "-a", "--format", "{{.ID}} {{.Image}} {{.Names}}"]).split("\n").filter(Boolean);
}

export async function stopDockerEngine(engine: DockerEngineInfo): Promise<void> {
  if (alive(engine.pid)) {
    try {
      const ids = docker(engine, ["ps", "-aq"], { timeoutMs: 60_000 }).split("\n").filter(Boolean);
      if (ids.length > 0) docker(engine, ["rm", "-f", ...ids], { timeoutMs: 120_000 });
    } catch {
      // The daemon's own shutdown stops what is left.
    }
    try {
      process.kill(engine.pid, "SIGTERM");
    } catch {
      // gone
    }
    const until = Date.now() + 30_000;
    while (alive(engine.pid) && Date.now() < until) await sleep(100);
    if (alive(engine.pid)) {
      try {
        process.kill(-engine.pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  }
  // overlay2 leaves mounts under the data root when a daemon dies hard: unmount before removing.
  const mounts = fs
    .readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[1] ?? "")
    .filter((m) => m.startsWith(engine.root))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync("umount", ["-l", m]);
  fs.rmSync(engine.root, { recursive: true, force: true });
}
