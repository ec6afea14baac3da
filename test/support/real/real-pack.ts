// Helpers for driving PackImage with the real pack against the real world: the provider host's environment, an
// app like the ones teams deploy, HTTP against a container of the built image, and crane.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PackImageArgs } from "../../../components/pack/image";
import { startProviderHost, type ProviderHost } from "../provider-host";
import { freePort } from "../registry";
import { docker } from "./docker-engine";
import type { RealWorld } from "./world";

export interface RealPackHost {
  host: ProviderHost;
  /** The host's TMPDIR: pack's scratch folders must be gone from it after every operation. */
  tmp: string;
  logDir: string;
  close(): Promise<void>;
}

export async function startRealPackHost(world: RealWorld, env: Record<string, string> = {}): Promise<RealPackHost> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-realpack-"));
  const tmp = path.join(dir, "tmp");
  fs.mkdirSync(tmp);
  const host = await startProviderHost({ project: "gantry", stack: "dev", env: { ...world.env, TMPDIR: tmp, ...env } });
  return {
    host,
    tmp,
    logDir: path.join(dir, "logs"),
    close: async () => {
      await host.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** PackImage arguments for the real world: its builder, run image v1, the real pack, builds on the host network. */
export function realArgs(world: RealWorld, ph: RealPackHost, serviceName: string, sourceDir: string, extra: Partial<PackImageArgs> = {}): PackImageArgs {
  return {
    serviceName,
    repository: `${world.registry.host}/gantry/${serviceName}`,
    sourceDir,
    builder: world.builder.builder,
    runImage: world.stack.runV1,
    trustedBuilders: [world.builder.builderRepository],
    alwaysExclude: ["service.yaml"],
    packCommand: world.tools.pack,
    // The registry and the package server listen on 127.0.0.1: build containers must share the host's network.
    network: "host",
    logDir: ph.logDir,
    statCacheDir: path.join(ph.logDir, "..", "statcache"),
    maxParallelBuilds: 2,
    timeoutSeconds: 300,
    ...extra,
  };
}

export interface AppOptions {
  html?: string;
  deps?: string[];
}

/** A web app served by busybox httpd from a Procfile, with dependencies in deps.txt for the deps buildpack. */
export function makeApp(opts: AppOptions = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-realapp-"));
  fs.mkdirSync(path.join(dir, "public"));
  fs.mkdirSync(path.join(dir, "tests"));
  fs.writeFileSync(path.join(dir, "Procfile"), "web: busybox httpd -f -p ${PORT:-8080} -h public\njob: cat public/index.html\n");
  fs.writeFileSync(path.join(dir, "public", "index.html"), opts.html ?? "hello v1\n");
  fs.writeFileSync(path.join(dir, "tests", "test_app.sh"), "test -f public/index.html\n");
  if (opts.deps) fs.writeFileSync(path.join(dir, "deps.txt"), `${opts.deps.join("\n")}\n`);
  fs.writeFileSync(path.join(dir, "service.yaml"), "name: web\nkind: service\n");
  return dir;
}

/** pack operations PackImage ran for a service: it writes one log per build or rebase. */
export function packRuns(ph: RealPackHost, serviceName: string): string[] {
  const dir = path.join(ph.logDir, serviceName);
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".log")).sort() : [];
}

/** Runs the image's default process in the engine (pulled from the registry by digest) and GETs `/` from it. */
export async function httpFromImage(world: RealWorld, imageRef: string): Promise<string> {
  const port = await freePort();
  const id = docker(world.engine, ["run", "-d", "--network", "host", "-e", `PORT=${port}`, imageRef]).trim();
  try {
    const until = Date.now() + 30_000;
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        return await res.text();
      } catch (err) {
        if (Date.now() > until) throw new Error(`no HTTP answer from ${imageRef} on port ${port}: ${String(err)}\n${docker(world.engine, ["logs", id])}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    docker(world.engine, ["rm", "-f", id]);
  }
}

/** Runs a command in a container of the image, with the launcher (as `docker run IMAGE <process>` would not). */
export function runInImage(world: RealWorld, imageRef: string, entrypoint: string, args: string[]): string {
  return docker(world.engine, ["run", "--rm", "--network", "host", "--entrypoint", entrypoint, imageRef, ...args]);
}

export function crane(world: RealWorld, args: string[]): string {
  const r = spawnSync(world.tools.crane, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`crane ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

export function layerDigests(world: RealWorld, ref: string): string[] {
  return (JSON.parse(crane(world, ["manifest", ref])) as { layers: Array<{ digest: string }> }).layers.map((l) => l.digest);
}

/**
 * A rebase as CNB defines it: the rebased image is run image v2's layers followed by exactly the app layers the
 * previous image had on top of v1's. Returns nothing; fails the test otherwise.
 */
export function expectRebasedOntoV2(world: RealWorld, previousLayers: string[], rebasedRef: string): void {
  const v1 = layerDigests(world, world.stack.runV1);
  const v2 = layerDigests(world, world.stack.runV2);
  const rebased = layerDigests(world, rebasedRef);
  if (JSON.stringify(previousLayers.slice(0, v1.length)) !== JSON.stringify(v1)) throw new Error("the previous image is not on run image v1");
  if (JSON.stringify(rebased.slice(0, v2.length)) !== JSON.stringify(v2)) throw new Error(`${rebasedRef} is not on run image v2's layers`);
  if (JSON.stringify(rebased.slice(v2.length)) !== JSON.stringify(previousLayers.slice(v1.length))) throw new Error(`${rebasedRef} does not carry the previous image's app layers unchanged`);
}

/** Processes running the real pack binary right now; with `dockerHost`, only those talking to that engine. */
export function packProcesses(world: RealWorld, dockerHost?: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readlinkSync(`/proc/${entry}/exe`) !== world.tools.pack) continue;
      if (dockerHost && !fs.readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(`DOCKER_HOST=${dockerHost}`)) continue;
      pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}
