// The real tier's world: a private Docker engine, a registry, the real tools, stack images and a builder. Made
// once per test run, by the first test file that needs it (so a run of other tests never pays for it), shared by
// every later one through a state file in the run's folder, and stopped by the run's global teardown.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startRegistry, stopDetachedRegistry } from "../registry";
import { makeBuilder, type RealBuilder } from "./builder";
import { startDockerEngine, stopDockerEngine, type DockerEngineInfo } from "./docker-engine";
import { makeStackImages, type StackImages } from "./stack-images";
import { ensureRealTools, type RealTools } from "./tools";

export interface RealWorld {
  engine: DockerEngineInfo;
  registry: { host: string; pid: number; dir: string };
  tools: RealTools;
  stack: StackImages;
  builder: RealBuilder;
  /** pack's own config folder for this run (never ~/.pack). */
  packHome: string;
  /** Environment for anything that runs pack or docker against this world. */
  env: Record<string, string>;
}

/**
 * Why the real tier cannot run on this machine, or undefined when it can. Only what no test can install is a
 * reason: missing packages and tools are installed and built; a failure doing so fails the tier.
 */
export function realTierUnavailable(): string | undefined {
  if (process.env.GANTRY_REAL_TIER === "off") return "turned off with GANTRY_REAL_TIER=off";
  if (process.platform !== "linux") return `needs Linux (this is ${process.platform})`;
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return "needs root (to install docker.io and run dockerd)";
  const pathDirs = (process.env.PATH ?? "").split(path.delimiter);
  if (!pathDirs.some((d) => fs.existsSync(path.join(d, "go")))) return "needs the Go toolchain on PATH (go) to build pack, the lifecycle and crane";
  return undefined;
}

export async function startRealWorld(log: (line: string) => void = () => {}): Promise<RealWorld> {
  const started: Array<() => Promise<void>> = [];
  try {
    log("building or reusing pack, the lifecycle, crane and the test buildpacks");
    const tools = ensureRealTools();
    log("starting a private Docker engine");
    const engine = await startDockerEngine();
    started.push(() => stopDockerEngine(engine));
    const registry = await startRegistry({ detached: true });
    started.push(() => stopDetachedRegistry(registry));
    log("making the stack images (debootstrap once per machine)");
    const stack = makeStackImages(engine, registry.host);
    const packHome = path.join(engine.root, "pack-home");
    fs.mkdirSync(packHome, { recursive: true });
    log("creating the builder with pack builder create");
    const builder = makeBuilder(tools, engine, registry.host, stack, packHome);
    const env = { DOCKER_HOST: engine.host, DOCKER_CONFIG: path.join(engine.root, "client-config"), PACK_HOME: packHome };
    return { engine, registry: { host: registry.host, pid: registry.pid, dir: registry.dir }, tools, stack, builder, packHome, env };
  } catch (err) {
    for (const stop of started.reverse()) await stop().catch(() => {});
    throw err;
  }
}

export async function stopRealWorld(world: RealWorld): Promise<void> {
  await stopDetachedRegistry(world.registry);
  await stopDockerEngine(world.engine);
}

// ---------------------------------------------------------------------------------------------------------
// Sharing one world across the test files of a run.

const STATE = "real-world.json";

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The run's world, started by whichever test file asks first; the others wait for it. */
export async function sharedRealWorld(runDir: string): Promise<RealWorld> {
  const state = path.join(runDir, STATE);
  const failed = path.join(runDir, "real-world.failed");
  const lock = path.join(runDir, "real-world.lock");
  for (;;) {
    if (fs.existsSync(state)) return JSON.parse(fs.readFileSync(state, "utf8")) as RealWorld;
    if (fs.existsSync(failed)) throw new Error(`the real tier could not be set up (first attempt in this run):\n${fs.readFileSync(failed, "utf8")}`);
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      await sleep(500);
    }
  }
  try {
    const world = await startRealWorld((line) => process.stderr.write(`gantry real tier: ${line}\n`));
    fs.writeFileSync(state, JSON.stringify(world, null, 2));
    return world;
  } catch (err) {
    fs.writeFileSync(failed, err instanceof Error ? (err.stack ?? err.message) : String(err));
    throw err;
  }
}

/** Global teardown: stops the world if a test file started one. */
export async function stopSharedRealWorld(runDir: string): Promise<void> {
  const state = path.join(runDir, STATE);
  if (fs.existsSync(state)) await stopRealWorld(JSON.parse(fs.readFileSync(state, "utf8")) as RealWorld);
}

export function newRunDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "gantry-run-"));
}
