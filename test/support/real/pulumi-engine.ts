// Gantry's own program under the real Pulumi CLI, on a file backend private to the test: a project folder that is
// this repository's Pulumi.yaml, package.json, tsconfig*.json and infra/ (linked, so the program is the one users
// run), with its own services/ and Pulumi.<stack>.yaml. PULUMI_HOME, the backend and the passphrase are the
// test's; nothing is downloaded (only the dynamic provider runs, served by the launcher beside the CLI).
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensurePulumiTools, type PulumiTools } from "./tools";
import type { RealWorld } from "./world";

const REPO = path.join(__dirname, "..", "..", "..");

export interface EngineRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RealEngineProject {
  dir: string;
  tools: PulumiTools;
  /** Environment of every pulumi command: the world's Docker engine, pack on PATH, the private backend. */
  env: Record<string, string>;
  /** The folder PackImage writes its per-build logs to (the program's default, .gantry/logs under the project). */
  logDir: string;
  pulumi(args: string[], opts?: { env?: Record<string, string>; timeoutMs?: number }): Promise<EngineRun>;
  /** Starts a pulumi command and hands back the child, for a test that interrupts it. */
  start(args: string[], opts?: { env?: Record<string, string> }): { child: ChildProcess; done: Promise<EngineRun> };
  writeStackConfig(stack: string, yaml: string): void;
  close(): void;
}

export const PASSPHRASE = "gantry-real-engine-passphrase";

/** Pulumi.<stack>.yaml of a build stage on the real world: its registry, builder and run image, builds on the host network. */
export function buildStageConfig(world: RealWorld, runImage: string, extra = ""): string {
  return `config:
  gantry:project: gantry-real-engine
  gantry:region: europe-west1
  gantry:stage: build
  gantry:registry:
    url: ${world.registry.host}/engine
  gantry:builder: ${world.builder.builder}
  gantry:runImage: ${runImage}
  gantry:trustedBuilders: ["${world.builder.builderRepository}"]
  gantry:buildNetwork: host
${extra}`;
}

/** Without a world (a preview-only benchmark) no Docker engine or pack is on hand: nothing may build. */
export function makeRealEngineProject(world: RealWorld | undefined, extraEnv: Record<string, string> = {}): RealEngineProject {
  const tools = ensurePulumiTools();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-engine-"));
  const dir = path.join(root, "project");
  fs.mkdirSync(path.join(dir, "services"), { recursive: true });
  for (const f of ["Pulumi.yaml", "package.json", "tsconfig.json", "tsconfig.pulumi.json"]) fs.copyFileSync(path.join(REPO, f), path.join(dir, f));
  for (const d of ["infra", "node_modules"]) fs.symlinkSync(path.join(REPO, d), path.join(dir, d));
  const home = path.join(root, "pulumi-home");
  const state = path.join(root, "state");
  const tmp = path.join(root, "tmp");
  for (const d of [home, state, tmp]) fs.mkdirSync(d);
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...world?.env,
    PATH: [...tools.path, ...(world ? [path.dirname(world.tools.pack)] : []), process.env.PATH ?? ""].join(path.delimiter),
    PULUMI_HOME: home,
    PULUMI_BACKEND_URL: `file://${state}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    TMPDIR: tmp,
    CI: "",
    ...extraEnv,
  };

  const start = (args: string[], opts: { env?: Record<string, string> } = {}) => {
    // A process group of its own, as a terminal gives a command: Ctrl-C there signals the CLI and every plugin.
    const child = spawn(tools.pulumi, [...args, "--non-interactive", "--color", "never"], { cwd: dir, env: { ...env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<EngineRun>((resolve) => child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr })));
    return { child, done };
  };

  return {
    dir,
    tools,
    env,
    logDir: path.join(dir, ".gantry", "logs"),
    start,
    async pulumi(args, opts = {}) {
      const { child, done } = start(args, opts);
      const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 600_000);
      try {
        return await done;
      } finally {
        clearTimeout(timer);
      }
    },
    writeStackConfig(stack, yaml) {
      fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), yaml);
    },
    close() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A run that must have succeeded: its output, or an error carrying all of it. */
export function ok(run: EngineRun, what: string): string {
  if (run.status !== 0) throw new Error(`${what} exited ${run.status ?? run.signal}:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

interface PreviewStep {
  op: string;
  urn: string;
  diffReasons?: string[];
  oldState?: { inputs?: Record<string, unknown> };
  newState?: { inputs?: Record<string, unknown> };
}

/**
 * The steps of `pulumi preview --json --show-sames`, by resource name: the operation, and the inputs that differ
 * (the engine's diff reasons, else the top-level inputs whose values differ, as `pulumi preview --diff` shows them).
 */
export function previewSteps(json: string): Record<string, { op: string; diffs: string[] }> {
  const parsed = JSON.parse(json) as { steps?: PreviewStep[] };
  const out: Record<string, { op: string; diffs: string[] }> = {};
  for (const step of parsed.steps ?? []) {
    // Dynamic resources of any type (PackImage's is pulumi-nodejs:dynamic/gantry:PackImage).
    if (!/\$?pulumi-nodejs:dynamic[/:]/.test(step.urn)) continue;
    const olds = step.oldState?.inputs ?? {};
    const news = step.newState?.inputs ?? {};
    const changed = step.op === "create" ? [] : [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter((k) => !k.startsWith("__") && JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    out[step.urn.slice(step.urn.lastIndexOf("::") + 2)] = { op: step.op, diffs: (step.diffReasons?.length ? step.diffReasons : changed).sort() };
  }
  return out;
}
