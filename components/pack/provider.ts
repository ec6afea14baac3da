import type * as pulumi from "@pulumi/pulumi";
import { buildRecords, type RecordLookup, type TrustLevel } from "./build-record";
import type { BuildEngine, EngineContext, EngineName, EngineOutcome, ToolRun } from "./engines/engine";
import { lifecycleEngine } from "./engines/lifecycle";
import { packEngine } from "./engines/pack";

/*
 * The PackImage dynamic provider: it decides (build, rebase or nothing) and runs the chosen engine
 * (./engines/pack.ts or ./engines/lifecycle.ts) with a build slot, a timeout, a scratch folder and a log.
 *
 * PackImage's resources carry a reference to this module (./module-provider.ts), which the dynamic-provider host
 * loads; it stays serializable as a whole too (test/pack/module-provider.test.ts serializes it, to show what the
 * reference saves), so it is written as Pulumi's serializer needs. So nothing in this file may capture an imported module (an import captured by a
 * closure drags a module graph into state, and breaks under vitest's module runner): Node built-ins are taken
 * inside functions with process.getBuiltinModule, types are imported as types only, and every helper the
 * provider calls is a function declared in this file. Exported consts are not read inside the provider either,
 * because CommonJS output turns them into `exports.X`, which would capture the whole module. The engines are
 * the one exception, made safe: the factories run when this module loads, and the provider reaches only the
 * plain objects they return (held in a module-local const), whose functions follow the same rule in their files.
 *
 * Secrets never pass through here as values: secret build env arrives as names only (pack reads the value from
 * its own environment; the lifecycle engine writes it into the scratch folder's platform env and deletes it with
 * the folder) and registry credentials are read from the environment inside the functions.
 */

// Module-local, not exported: the provider's functions capture this object (and the engines' own closures), never
// the engine modules themselves.
const ENGINES: Record<EngineName, BuildEngine> = { pack: packEngine(), lifecycle: lifecycleEngine() };
// Likewise the registry's build records (./build-record.ts): looked up before a build, written after one.
const RECORDS = buildRecords();

export type CacheSpec =
  | { format: "volume"; name?: string }
  | { format: "bind"; source: string }
  | { format: "image"; name: string };

export interface PackImageInputs {
  /** Service the image belongs to; names the log files and progress lines. */
  serviceName: string;
  /** Registry path of the image, without tag or digest. */
  repository: string;
  /** Absolute source folder handed to `pack --path`. Not a rebuild trigger: checkouts live at different paths. */
  path: string;
  /** Digest of exactly what pack uploads from `path` (see ../pack/fingerprint). */
  source: string;
  builder: string;
  runImage: string;
  /** Plain build-time env, `--env K=V`. */
  env: Record<string, string>;
  /** Names of secret build-time env vars; pack reads their values from the environment Pulumi runs in. */
  secretEnv: string[];
  /** project.toml text: include/exclude and build env from service.yaml. */
  projectToml: string;
  /** `--default-process`; "" keeps the builder's choice. */
  defaultProcess: string;
  cache: CacheSpec;
  /** Extra tags pushed with each build or rebase, e.g. the git commit. */
  tags: string[];
  trustBuilder: boolean;
  /** Builder repositories that may run trusted (one creator container that receives registry credentials). */
  trustedBuilders: string[];
  /**
   * Lifecycle image for an untrusted builder (`--lifecycle-image`), pinned by digest; "" lets pack pull
   * `docker.io/buildpacksio/lifecycle:<version>`, which a platform mirroring its images into its own registry avoids.
   */
  lifecycleImage: string;
  /** Docker network of the build containers (`--network`); "" lets pack make an ephemeral bridge network. */
  network: string;
  /** "pack" (agents with a Docker engine) or "lifecycle" (in the builder image itself: no daemon, no privilege). */
  engine: EngineName;
  /** lifecycle engine: the builder's lifecycle folder (creator, rebaser). */
  lifecycleDir: string;
  /** lifecycle engine: project.toml's include/exclude, which pack applies and the lifecycle does not read. */
  upload: { include?: string[]; exclude?: string[] };
  /** lifecycle engine: project.toml's build env, written as platform env files as pack does. */
  buildEnv: Record<string, string>;
  /** lifecycle engine: the `ignore` package the fingerprint matches with, so the upload set is the same one. */
  uploadFilterModule: string;
  /** Hash of source, builder, env, descriptor and default process. */
  fingerprint: string;
  maxParallelBuilds: number;
  /** Rebases at once: they only move manifests in the registry, so many more than builds. */
  maxParallelRebases: number;
  /**
   * Trust level of the stack: "untrusted" for a pull request's preview. Recorded with every image pushed; a trusted
   * stack never adopts an image an untrusted pipeline pushed (./build-record.ts).
   */
  trust: TrustLevel;
  /**
   * Repositories besides `repository` whose image of the same inputs may be adopted (read only): a preview's base
   * stack's. Never set for a trusted stack (catalog/schema/platform.ts refuses it).
   */
  adoptFrom: string[];
  timeoutSeconds: number;
  /** Folder for full build logs, SBOMs and progress.log. */
  logDir: string;
  /** The pack executable; "pack" from PATH unless a test or a pinned install says otherwise. */
  packCommand: string;
}

export interface BuildpackRef {
  id: string;
  version: string;
}

export interface PackImageOutputs extends PackImageInputs {
  digest: string;
  /** `repository@sha256:...`: what deployments pin. */
  imageRef: string;
  /** The tag this operation pushed (or, adopted, the tag it found). */
  tag: string;
  /** adopt: the registry already held an image built from the same inputs; no build ran. */
  lastOperation: "build" | "rebase" | "adopt";
  /** Where an adopted image came from (`<repository>:<tag>`, built on <agent>), else "". */
  adoptedFrom: string;
  logPath: string;
  buildpacks: BuildpackRef[];
  /** SBOM files pack copied out of the build (build only; a rebase keeps the build's). */
  sbomDir: string;
}

/**
 * A PackImage resource's properties as the engine keeps, diffs and shows them, in four parts: what replaces the image
 * (repository), what rebases it (runImage), what it is built from (`build`, summed up in `fingerprint`), and how it is
 * built (`settings`, which never triggers anything by itself). The SDK spends an Output, a few dozen promises and a
 * protobuf field on every top-level property of every resource in every operation, so each part travels as one
 * (bench/engine.bench.ts: a 500-service preview); `pulumi preview --diff` still names the nested field that changed.
 * The provider's functions and `gantry build` work on the flat PackImageInputs; fromProps reads both this shape and
 * the flat one that stacks created before it hold, so their next diff compares like with like.
 */
export interface PackImageProps {
  repository: string;
  runImage: string;
  fingerprint: string;
  build: PackBuildInputs;
  settings: PackBuildSettings;
}
type BuildKey = "source" | "builder" | "env" | "secretEnv" | "projectToml" | "defaultProcess";
/** What the app layers are built from: a change here is a build (buildTriggers). */
export type PackBuildInputs = Pick<PackImageInputs, BuildKey>;
/** How an image is built, never whether: no change here triggers a build, a rebase or a replacement by itself. */
export type PackBuildSettings = Omit<PackImageInputs, BuildKey | "repository" | "runImage" | "fingerprint">;
/** What the engine stores after an operation: the properties, and what the operation produced beside them. */
export type PackImageState = PackImageProps & Omit<PackImageOutputs, keyof PackImageInputs>;

export function toProps(inputs: PackImageInputs): PackImageProps {
  const { repository, runImage, fingerprint, source, builder, env, secretEnv, projectToml, defaultProcess, ...settings } = inputs;
  return { repository, runImage, fingerprint, build: { source, builder, env, secretEnv, projectToml, defaultProcess }, settings };
}

export function toState(outputs: PackImageOutputs): PackImageState {
  const { digest, imageRef, tag, lastOperation, adoptedFrom, logPath, buildpacks, sbomDir, ...inputs } = outputs;
  return { ...toProps(inputs), digest, imageRef, tag, lastOperation, adoptedFrom, logPath, buildpacks, sbomDir };
}

/** The flat view of a resource's properties or state, in this shape or in the flat one of older stacks. */
export function fromProps(props: PackImageState | PackImageOutputs): PackImageOutputs;
export function fromProps(props: PackImageProps | PackImageInputs): PackImageInputs;
export function fromProps(props: Partial<PackImageState> | Partial<PackImageOutputs>): Partial<PackImageOutputs>;
export function fromProps(props: Partial<PackImageState> | Partial<PackImageOutputs>): Partial<PackImageOutputs> {
  // A flat state has neither part; spreading what is not there adds nothing.
  const { build, settings, ...rest } = props as Partial<PackImageState>;
  return { ...settings, ...build, ...rest } as Partial<PackImageOutputs>;
}

export type ChangeAction = "build" | "rebase" | "replace" | "none";

export interface PlannedChange {
  action: ChangeAction;
  /** Properties that drive the action, e.g. ["source"] or ["runImage"]. */
  reasons: string[];
}

/** Properties whose change means the app layers differ: pack build. */
function buildTriggers(): Array<keyof PackImageInputs> {
  return ["source", "builder", "env", "secretEnv", "projectToml", "defaultProcess"];
}

function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * What an update must do, and why. A changed run image alone is a rebase (the OS layers are swapped in the
 * registry, the app layers are kept); anything that changes the app layers is a build; extra tags, cache,
 * timeouts and paths change nothing by themselves.
 */
export function planChange(olds: Partial<PackImageInputs>, news: PackImageInputs): PlannedChange {
  if (olds.repository !== undefined && olds.repository !== news.repository) return { action: "replace", reasons: ["repository"] };
  const build = buildTriggers().filter((k) => !sameValue(olds[k], news[k]));
  if (build.length > 0) return { action: "build", reasons: build };
  if (!sameValue(olds.runImage, news.runImage)) return { action: "rebase", reasons: ["runImage"] };
  return { action: "none", reasons: [] };
}

/**
 * The digest an engine published: report.toml's [image] digest (the lifecycle writes it, under pack or not), else the
 * exporter's `*** Images (sha256:...)` line, else pack rebase's `Rebased Image:` line.
 */
export function parseDigest(reportToml: string | undefined, output: string): string | undefined {
  const fromReport = reportToml ? /^\s*digest\s*=\s*"(sha256:[0-9a-f]{64})"/m.exec(reportToml)?.[1] : undefined;
  if (fromReport) return fromReport;
  return /\*\*\* Images \((sha256:[0-9a-f]{64})\):/.exec(output)?.[1] ?? /Rebased Image: '[^']*@(sha256:[0-9a-f]{64})'/.exec(output)?.[1];
}

/** `===> BUILDING` (with or without a container prefix) to "BUILDING". */
export function phaseOf(line: string): string | undefined {
  return /^(?:\[[a-z ()]+\] )?===> ([A-Z]+)\s*$/.exec(line)?.[1];
}

function sha256Hex(text: string): string {
  const crypto = process.getBuiltinModule("node:crypto");
  return crypto.createHash("sha256").update(text).digest("hex");
}

/** A tag per distinct image, so immutable-tag repositories never see a tag move. */
export function imageTag(fingerprint: string, runImage: string): string {
  return `g-${sha256Hex(`${fingerprint}\n${runImage}`).slice(0, 16)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Process handling: a bounded pool, a timeout, and no orphaned pack or docker helpers on cancellation.

/**
 * Who goes first when every slot is taken: 0 for the day's changes (source, build settings, a new service), 1 for
 * fleet-wide work (a builder or run image bump alone). A merge during a rebuild storm then waits for one slot to
 * free, not for the whole fleet.
 */
export type SlotPriority = 0 | 1;

interface Pool {
  running: number;
  max: number;
  queue: Array<{ priority: SlotPriority; seq: number; start: () => void }>;
  seq: number;
}

/** One pool per kind of work: builds (pack processes, or the one /workspace) and rebases (registry only). */
function pool(kind: "build" | "rebase", max: number): Pool {
  const g = globalThis as unknown as Record<symbol, Pool | undefined>;
  const key = Symbol.for(`gantry.pack.pool.${kind}`);
  const p = (g[key] ??= { running: 0, max, queue: [], seq: 0 });
  p.max = Math.max(1, max);
  return p;
}

async function acquireSlot(kind: "build" | "rebase", max: number, priority: SlotPriority): Promise<void> {
  const p = pool(kind, max);
  if (p.running < p.max) {
    p.running++;
    return;
  }
  await new Promise<void>((resolve) => {
    p.queue.push({ priority, seq: p.seq++, start: resolve });
    // Lowest priority value first; first come, first served within one.
    p.queue.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
  });
}

function releaseSlot(kind: "build" | "rebase"): void {
  const g = globalThis as unknown as Record<symbol, Pool | undefined>;
  const p = g[Symbol.for(`gantry.pack.pool.${kind}`)];
  if (!p) return;
  const next = p.queue.shift();
  if (next) next.start();
  else p.running = Math.max(0, p.running - 1);
}

/** The priority of work on an image, from what changed: only builder or run image means fleet-wide. */
export function slotPriority(reasons: readonly string[]): SlotPriority {
  const fleet = ["builder", "runImage"];
  return reasons.length > 0 && reasons.every((r) => fleet.includes(r)) ? 1 : 0;
}

/** Process groups of running pack processes (pack runs detached so its whole tree can be signalled). */
function runningGroups(): Set<number> {
  const g = globalThis as unknown as Record<symbol, Set<number> | undefined>;
  return (g[Symbol.for("gantry.pack.groups")] ??= new Set<number>());
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

function installSignalHandlers(): void {
  const g = globalThis as unknown as Record<symbol, boolean | undefined>;
  const key = Symbol.for("gantry.pack.signals");
  if (g[key]) return;
  g[key] = true;
  const stopAll = (signal: NodeJS.Signals, exitCode: number) => {
    for (const pgid of runningGroups()) signalGroup(pgid, "SIGTERM");
    setTimeout(() => {
      for (const pgid of runningGroups()) signalGroup(pgid, "SIGKILL");
      process.exit(exitCode);
    }, 1500);
    process.stderr.write(`gantry: ${signal}: stopping ${runningGroups().size} pack process(es)\n`);
  };
  process.once("SIGINT", () => stopAll("SIGINT", 130));
  process.once("SIGTERM", () => stopAll("SIGTERM", 143));
  process.once("exit", () => {
    for (const pgid of runningGroups()) signalGroup(pgid, "SIGKILL");
  });
}

const TAIL_LINES = 40;

function progress(inputs: PackImageInputs, message: string): void {
  const fs = process.getBuiltinModule("node:fs");
  const path = process.getBuiltinModule("node:path");
  const line = `gantry: ${inputs.serviceName}: ${message}\n`;
  process.stderr.write(line);
  try {
    fs.mkdirSync(inputs.logDir, { recursive: true });
    fs.appendFileSync(path.join(inputs.logDir, "progress.log"), `${new Date().toISOString()} ${line}`);
  } catch {
    // Progress is a convenience; the build must not fail because the log folder is read-only.
  }
}

function runTool(inputs: PackImageInputs, command: string, args: string[], logPath: string, extraEnv: Record<string, string>): Promise<ToolRun> {
  const childProcess = process.getBuiltinModule("node:child_process");
  const fs = process.getBuiltinModule("node:fs");
  installSignalHandlers();
  return new Promise((resolve) => {
    const log = fs.createWriteStream(logPath, { flags: "a" });
    log.write(`$ ${command} ${args.join(" ")}\n`);
    const tail: string[] = [];
    const chunks: string[] = [];
    let timedOut = false;
    let settled = false;
    // Declared before the closures that read it: Pulumi's closure serializer cannot follow a later `const`.
    let timer: NodeJS.Timeout | undefined;
    const child = childProcess.spawn(command, args, { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...extraEnv } });
    const finish = (code: number | null, signal: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.pid !== undefined) {
        // Whatever pack left running in its group (docker helpers) goes with it.
        signalGroup(child.pid, "SIGKILL");
        runningGroups().delete(child.pid);
      }
      log.end(`\n[pack exited: ${signal ? `signal ${signal}` : `status ${code}`}${timedOut ? ", timed out" : ""}]\n`, () =>
        resolve({ code, signal, timedOut, output: chunks.join(""), tail }),
      );
    };
    if (child.pid !== undefined) runningGroups().add(child.pid);
    const onText = (stream: NodeJS.ReadableStream) => {
      let pending = "";
      stream.setEncoding("utf8");
      stream.on("data", (text: string) => {
        chunks.push(text);
        log.write(text);
        pending += text;
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) {
          tail.push(line);
          if (tail.length > TAIL_LINES) tail.shift();
          const phase = phaseOf(line);
          if (phase) progress(inputs, phase);
        }
      });
      stream.on("end", () => {
        if (pending) {
          tail.push(pending);
          if (tail.length > TAIL_LINES) tail.shift();
        }
      });
    };
    onText(child.stdout!);
    onText(child.stderr!);
    timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        signalGroup(child.pid, "SIGTERM");
        setTimeout(() => signalGroup(child.pid!, "SIGKILL"), 5000).unref();
      }
    }, inputs.timeoutSeconds * 1000);
    child.on("error", (err: Error) => {
      chunks.push(`${err.message}\n`);
      tail.push(
        err.message.includes("ENOENT")
          ? inputs.engine === "lifecycle"
            ? `${command}: not found; the lifecycle engine runs inside the builder image (gantry:buildEngine lifecycle), where the lifecycle is at ${inputs.lifecycleDir}`
            : `${command}: not found on PATH; install pack (https://buildpacks.io/docs/for-platform-operators/how-to/integrate-ci/pack/)`
          : err.message,
      );
      finish(127, null);
    });
    child.on("close", (code: number | null, signal: string | null) => finish(code, signal));
  });
}

/** A timeout as the user wrote it in config: whole hours and minutes read as such. */
export function formatDuration(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600}h` : seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

function failure(what: string, inputs: PackImageInputs, run: ToolRun, logPath: string): Error {
  const tool = what.split(" ")[0];
  const head = run.timedOut
    ? `${what} for ${inputs.serviceName} timed out after ${formatDuration(inputs.timeoutSeconds)}; ${tool} and its children were stopped`
    : `${what} for ${inputs.serviceName} failed with exit status ${run.code ?? `signal ${run.signal}`}`;
  return new Error(`${head}\n--- last ${run.tail.length} lines ---\n${run.tail.join("\n")}\n--- full log: ${logPath}`);
}

function logFile(inputs: PackImageInputs, op: string): string {
  const fs = process.getBuiltinModule("node:fs");
  const path = process.getBuiltinModule("node:path");
  const dir = path.join(inputs.logDir, inputs.serviceName);
  fs.mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return path.join(dir, `${stamp}-${op}.log`);
}

async function withSlot<T>(inputs: PackImageInputs, op: "build" | "rebase", priority: SlotPriority, work: () => Promise<T>): Promise<T> {
  progress(inputs, `waiting for a ${op} slot`);
  const max = op === "rebase" ? inputs.maxParallelRebases || 16 : Math.min(inputs.maxParallelBuilds, engineOf(inputs).parallelism(inputs));
  await acquireSlot(op, max, priority);
  try {
    return await work();
  } finally {
    releaseSlot(op);
  }
}

interface Scratch {
  dir: string;
  /** Empty and existing: pack writes report.toml into it (and writes *at* the path if it does not exist). */
  reportDir: string;
  logPath: string;
}

/** One operation: a build slot, a scratch folder removed afterwards (secret files with it), and a fresh log file. */
async function withScratch<T>(inputs: PackImageInputs, op: "build" | "rebase", priority: SlotPriority, work: (s: Scratch) => Promise<T>): Promise<T> {
  const fs = process.getBuiltinModule("node:fs");
  const os = process.getBuiltinModule("node:os");
  const path = process.getBuiltinModule("node:path");
  return withSlot(inputs, op, priority, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-pack-"));
    try {
      const reportDir = path.join(dir, "report");
      fs.mkdirSync(reportDir);
      return await work({ dir, reportDir, logPath: logFile(inputs, op) });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

function readIfExists(file: string): string | undefined {
  const fs = process.getBuiltinModule("node:fs");
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function engineOf(inputs: PackImageInputs): BuildEngine {
  return ENGINES[inputs.engine] ?? ENGINES.pack;
}

function contextFor(inputs: PackImageInputs, s: Scratch): EngineContext {
  return {
    inputs,
    tag: imageTag(inputs.fingerprint, inputs.runImage),
    dir: s.dir,
    reportDir: s.reportDir,
    read: readIfExists,
    run: (command, args, env) => runTool(inputs, command, args, s.logPath, env ?? {}),
  };
}

/** The digest an engine published, or its failure with its last lines and the log. */
function published(what: string, inputs: PackImageInputs, op: "build" | "rebase", outcome: EngineOutcome, s: Scratch): string {
  const { run } = outcome;
  if (run.code !== 0 || run.timedOut) throw failure(what, inputs, run, s.logPath);
  const digest = parseDigest(readIfExists(process.getBuiltinModule("node:path").join(s.reportDir, "report.toml")), run.output);
  if (!digest) throw new Error(`${what} for ${inputs.serviceName} succeeded but reported no digest (no report.toml digest and no "*** Images" line)\n--- full log: ${s.logPath}`);
  progress(inputs, `${op === "build" ? "built" : "rebased"} ${digest}`);
  return digest;
}

async function build(inputs: PackImageInputs, priority: SlotPriority): Promise<PackImageOutputs> {
  const fs = process.getBuiltinModule("node:fs");
  const engine = engineOf(inputs);
  return withScratch(inputs, "build", priority, async (s) => {
    const sbomDir = s.logPath.replace(/\.log$/, "-sbom");
    fs.mkdirSync(sbomDir, { recursive: true });
    const ctx = contextFor(inputs, s);
    progress(inputs, `build started (log: ${s.logPath})`);
    const outcome = await engine.build({ ...ctx, sbomDir });
    const digest = published(engine.describe("build"), inputs, "build", outcome, s);
    await record(inputs, ctx.tag, digest, "build");
    return { ...inputs, digest, imageRef: `${inputs.repository}@${digest}`, tag: ctx.tag, lastOperation: "build", adoptedFrom: "", logPath: s.logPath, buildpacks: outcome.buildpacks, sbomDir };
  });
}

async function rebase(olds: PackImageOutputs, inputs: PackImageInputs, priority: SlotPriority): Promise<PackImageOutputs> {
  const engine = engineOf(inputs);
  return withScratch(inputs, "rebase", priority, async (s) => {
    const ctx = contextFor(inputs, s);
    progress(inputs, `rebase onto ${inputs.runImage} started (log: ${s.logPath})`);
    const digest = published(engine.describe("rebase"), inputs, "rebase", await engine.rebase({ ...ctx, previousImage: olds.imageRef }), s);
    await record(inputs, ctx.tag, digest, "rebase");
    // The app layers, and so the buildpacks and SBOM, are the previous build's.
    return { ...inputs, digest, imageRef: `${inputs.repository}@${digest}`, tag: ctx.tag, lastOperation: "rebase", adoptedFrom: "", logPath: s.logPath, buildpacks: olds.buildpacks ?? [], sbomDir: olds.sbomDir ?? "" };
  });
}

/**
 * Writes the build record that lets every other stack, agent and retry adopt this image. A record that cannot be
 * written costs a rebuild elsewhere, never this deploy: the image is published and correct.
 */
async function record(inputs: PackImageInputs, tag: string, digest: string, op: "build" | "rebase"): Promise<void> {
  try {
    await RECORDS.write(inputs, tag, digest, op);
  } catch (err) {
    progress(inputs, `warning: no build record written, so others will build this image again: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The image for these inputs as the registry already holds it, when its build record allows adopting it. */
export function adopted(inputs: PackImageInputs, tag: string, found: Extract<RecordLookup, { adopt: true }>, olds?: Partial<PackImageOutputs>): PackImageOutputs {
  const same = olds?.fingerprint === inputs.fingerprint;
  return {
    ...inputs,
    digest: found.digest,
    imageRef: `${found.repository}@${found.digest}`,
    tag,
    lastOperation: "adopt",
    adoptedFrom: `${found.from} (${found.record.operation || "built"} on ${found.record.builtOn || "?"} at ${found.record.builtAt || "?"})`,
    logPath: "",
    // The buildpacks and SBOM are known only where the image was built, or from this stack's own last build of it.
    buildpacks: same ? (olds?.buildpacks ?? []) : [],
    sbomDir: same ? (olds?.sbomDir ?? "") : "",
  };
}

/**
 * What a create or an update does: adopt the image the registry already holds for these inputs, else rebase the
 * previous image when only the run image changed, else build. Exported for `gantry build`, which runs the same
 * path outside `pulumi up`.
 */
export async function realize(inputs: PackImageInputs, olds?: PackImageOutputs): Promise<PackImageOutputs> {
  const tag = imageTag(inputs.fingerprint, inputs.runImage);
  let found = await RECORDS.lookup(inputs, tag);
  // Then, in order, the repositories this stack may also adopt from (a preview's base stack's).
  for (const repository of inputs.adoptFrom ?? []) {
    if (found.adopt) break;
    const there = await RECORDS.lookup(inputs, tag, repository);
    if (there.adopt) found = there;
  }
  if (found.adopt) {
    progress(inputs, `adopted ${found.digest} from ${found.from}: built from the same inputs, no build`);
    return adopted(inputs, tag, found, olds);
  }
  const change = olds ? planChange(olds, inputs) : { action: "build" as const, reasons: ["first build"] };
  progress(inputs, `not adoptable from ${inputs.repository}:${tag} (${found.reason}); ${change.action === "rebase" && olds?.imageRef ? "rebasing" : "building"}`);
  const priority = slotPriority(change.reasons);
  // Without a previous image there is nothing to rebase: build.
  return change.action === "rebase" && olds?.imageRef ? rebase(olds, inputs, priority) : build(inputs, priority);
}

// ---------------------------------------------------------------------------------------------------------
// Registry: does the digest still exist? (Registry HTTP API v2, HEAD /v2/<name>/manifests/<digest>)

function accessToken(): string | undefined {
  if (process.env.GOOGLE_OAUTH_ACCESS_TOKEN) return process.env.GOOGLE_OAUTH_ACCESS_TOKEN;
  const childProcess = process.getBuiltinModule("node:child_process");
  const r = childProcess.spawnSync("gcloud", ["auth", "print-access-token"], { encoding: "utf8", timeout: 30_000 });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

export function splitImageRef(imageRef: string): { host: string; name: string; digest: string } | undefined {
  const m = /^([^/]+)\/(.+)@(sha256:[0-9a-f]{64})$/.exec(imageRef);
  return m ? { host: m[1]!, name: m[2]!, digest: m[3]! } : undefined;
}

/** true/false when the registry says so; throws when it cannot be asked (so a refresh never drops state on a network error). */
export async function manifestExists(imageRef: string): Promise<boolean> {
  const ref = splitImageRef(imageRef);
  if (!ref) throw new Error(`cannot check "${imageRef}": not a <registry>/<name>@sha256:<digest> reference`);
  // Like docker, plain HTTP only for a registry on this machine.
  const scheme = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(ref.host) ? "http" : "https";
  const token = accessToken();
  const headers: Record<string, string> = {
    Accept: [
      "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.oci.image.index.v1+json",
      "application/vnd.docker.distribution.manifest.v2+json",
      "application/vnd.docker.distribution.manifest.list.v2+json",
    ].join(", "),
  };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${scheme}://${ref.host}/v2/${ref.name}/manifests/${ref.digest}`, { method: "HEAD", headers });
  if (res.status === 404) return false;
  if (res.ok) return true;
  const hint = res.status === 401 || res.status === 403 ? " (set GOOGLE_OAUTH_ACCESS_TOKEN or log in with gcloud)" : "";
  throw new Error(`registry ${ref.host} answered ${res.status} for ${imageRef}${hint}`);
}

// ---------------------------------------------------------------------------------------------------------

export const packProvider: pulumi.dynamic.ResourceProvider<PackImageProps, PackImageState | PackImageOutputs> = {
  async check(_olds, props) {
    const news = fromProps(props);
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (/[:@]/.test(news.repository.split("/").pop() ?? "")) failures.push({ property: "repository", reason: "give the repository without a tag or digest" });
    if (!(news.engine in ENGINES)) failures.push({ property: "engine", reason: `unknown build engine "${news.engine}" (pack or lifecycle)` });
    else failures.push(...engineOf(news).check(news));
    if (news.cache.format === "bind" && !news.cache.source.startsWith("/")) failures.push({ property: "cache", reason: "a bind cache source must be an absolute path" });
    if (news.trust !== "trusted" && news.trust !== "untrusted") failures.push({ property: "trust", reason: `trust must be "trusted" or "untrusted", not ${JSON.stringify(news.trust)}` });
    if (news.trust === "trusted" && (news.adoptFrom ?? []).length > 0) failures.push({ property: "adoptFrom", reason: "a trusted stack adopts only from its own repository, which no pull-request identity can write" });
    for (const name of news.secretEnv) {
      if (name in news.env) failures.push({ property: "secretEnv", reason: `${name} is given both as plain and as secret build env` });
    }
    return { inputs: props, failures };
  },

  async diff(_id, oldState, props) {
    const news = fromProps(props);
    const change = planChange(fromProps(oldState), news);
    // The engine shows a provider's stderr under the update, so a preview says what each image needs, and why.
    if (change.action !== "none") progress(news, `will ${change.action} (${change.reasons.join(", ")} changed)`);
    return {
      changes: change.action !== "none",
      replaces: change.action === "replace" ? change.reasons : [],
      deleteBeforeReplace: false,
    };
  },

  async create(props) {
    const inputs = fromProps(props);
    return { id: `${inputs.repository}#${inputs.serviceName}`, outs: toState(await realize(inputs)) };
  },

  async update(_id, oldState, props) {
    return { outs: toState(await realize(fromProps(props), fromProps(oldState))) };
  },

  async read(id, props) {
    if (!props?.imageRef) return { id, props };
    const exists = await manifestExists(props.imageRef);
    // An empty id tells the engine the resource is gone, so refresh shows drift and the next up rebuilds.
    return exists ? { id, props } : { id: "", props };
  },

  // No delete: images stay in the registry for rollback, and Artifact Registry's cleanup policies remove old versions.
  // Without one the dynamic-provider host deletes nothing, and the reference that travels is one method shorter.
};
