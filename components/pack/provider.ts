import type * as pulumi from "@pulumi/pulumi";

/*
 * The pack dynamic provider.
 *
 * Pulumi serializes `packProvider` and every function it reaches into the stack's state, and runs that text in
 * its dynamic-provider host. So nothing in this file may capture an imported module (an import captured by a
 * closure drags a module graph into state, and breaks under vitest's module runner): Node built-ins are taken
 * inside functions with process.getBuiltinModule, types are imported as types only, and every helper the
 * provider calls is a function declared in this file. Exported consts are not read inside the provider either,
 * because CommonJS output turns them into `exports.X`, which would capture the whole module.
 *
 * Secrets never pass through here as values: secret build env arrives as names only (`--env NAME`, pack reads the
 * value from its own environment) and registry credentials are read from the environment inside the functions.
 */

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
  /** Hash of source, builder, env, descriptor and default process. */
  fingerprint: string;
  maxParallelBuilds: number;
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
  /** The tag this operation pushed. */
  tag: string;
  lastOperation: "build" | "rebase";
  logPath: string;
  buildpacks: BuildpackRef[];
  /** SBOM files pack copied out of the build (build only; a rebase keeps the build's). */
  sbomDir: string;
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

/** `--cache` values in pack's grammar (pkg/cache/cache_opts.go): one `;`-separated record, never a trailing `;`. */
export function cacheArgs(cache: CacheSpec): string[] {
  switch (cache.format) {
    case "bind":
      return ["--cache", `type=build;format=bind;source=${cache.source}`];
    case "volume":
      return cache.name ? ["--cache", `type=build;format=volume;name=${cache.name}`] : [];
    case "image":
      return ["--cache-image", cache.name];
  }
}

/** The builder's repository, without tag or digest, as pack's trusted-builders config matches it. */
function builderRepository(builder: string): string {
  const noDigest = builder.split("@")[0]!;
  const lastSlash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
}

export function builderIsTrusted(builder: string, trusted: readonly string[]): boolean {
  const repo = builderRepository(builder);
  return trusted.some((t) => t === builder || t === repo);
}

export function packBuildArgs(inputs: PackImageInputs, ctx: { tag: string; descriptorFile: string; reportDir: string; sbomDir: string }): string[] {
  const args = [
    "build",
    `${inputs.repository}:${ctx.tag}`,
    "--builder",
    inputs.builder,
    "--run-image",
    inputs.runImage,
    "--publish",
    "--path",
    inputs.path,
    "--descriptor",
    ctx.descriptorFile,
    "--report-output-dir",
    ctx.reportDir,
    "--sbom-output-dir",
    ctx.sbomDir,
    // The builder and run image are pinned by digest, so a cached copy is always the right one.
    "--pull-policy",
    "if-not-present",
  ];
  if (inputs.defaultProcess) args.push("--default-process", inputs.defaultProcess);
  for (const [k, v] of Object.entries(inputs.env).sort(([a], [b]) => (a < b ? -1 : 1))) args.push("--env", `${k}=${v}`);
  for (const name of [...inputs.secretEnv].sort()) args.push("--env", name);
  args.push(...cacheArgs(inputs.cache));
  for (const t of inputs.tags) args.push("--tag", `${inputs.repository}:${t}`);
  const trusted = inputs.trustBuilder && builderIsTrusted(inputs.builder, inputs.trustedBuilders);
  if (trusted) args.push("--trust-builder");
  // pack ignores (with a warning) a lifecycle image for a trusted builder: the builder's own lifecycle runs.
  else if (inputs.lifecycleImage) args.push("--lifecycle-image", inputs.lifecycleImage);
  if (inputs.network) args.push("--network", inputs.network);
  args.push("--no-color");
  return args;
}

export function packRebaseArgs(inputs: PackImageInputs, ctx: { tag: string; previousImage: string; reportDir: string }): string[] {
  return [
    "rebase",
    `${inputs.repository}:${ctx.tag}`,
    "--previous-image",
    ctx.previousImage,
    "--run-image",
    inputs.runImage,
    "--publish",
    "--report-output-dir",
    ctx.reportDir,
    "--pull-policy",
    "if-not-present",
    "--no-color",
  ];
}

/** The digest pack reports: report.toml's [image] digest, else the exporter's `*** Images (sha256:...)` line. */
export function parseDigest(reportToml: string | undefined, output: string): string | undefined {
  const fromReport = reportToml ? /^\s*digest\s*=\s*"(sha256:[0-9a-f]{64})"/m.exec(reportToml)?.[1] : undefined;
  if (fromReport) return fromReport;
  return /\*\*\* Images \((sha256:[0-9a-f]{64})\):/.exec(output)?.[1];
}

/** Buildpacks that passed detection, as the lifecycle's detector lists them (`<id> <version>` lines). */
export function parseBuildpacks(output: string): BuildpackRef[] {
  const found: BuildpackRef[] = [];
  let inDetect = false;
  for (const raw of output.split("\n")) {
    const line = raw.replace(/^\[[a-z ()]+\] /, "").trim();
    const phase = /^===> ([A-Z]+)/.exec(line)?.[1];
    if (phase) {
      inDetect = phase === "DETECTING";
      continue;
    }
    if (!inDetect) continue;
    const m = /^([a-z0-9][\w.\-/]*)(?:\s+|@)(\d+\.\d+[\w.\-+]*)$/i.exec(line);
    if (m && !found.some((b) => b.id === m[1])) found.push({ id: m[1]!, version: m[2]! });
  }
  return found;
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

interface Pool {
  running: number;
  max: number;
  queue: Array<() => void>;
}

function pool(max: number): Pool {
  const g = globalThis as unknown as Record<symbol, Pool | undefined>;
  const key = Symbol.for("gantry.pack.pool");
  const p = (g[key] ??= { running: 0, max, queue: [] });
  p.max = Math.max(1, max);
  return p;
}

async function acquireSlot(max: number): Promise<void> {
  const p = pool(max);
  if (p.running < p.max) {
    p.running++;
    return;
  }
  await new Promise<void>((resolve) => p.queue.push(resolve));
}

function releaseSlot(): void {
  const p = pool(1);
  const next = p.queue.shift();
  if (next) next();
  else p.running = Math.max(0, p.running - 1);
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

interface PackRun {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  output: string;
  tail: string[];
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

function runPack(inputs: PackImageInputs, args: string[], logPath: string): Promise<PackRun> {
  const childProcess = process.getBuiltinModule("node:child_process");
  const fs = process.getBuiltinModule("node:fs");
  installSignalHandlers();
  return new Promise((resolve) => {
    const log = fs.createWriteStream(logPath, { flags: "a" });
    log.write(`$ ${inputs.packCommand} ${args.join(" ")}\n`);
    const tail: string[] = [];
    const chunks: string[] = [];
    let timedOut = false;
    let settled = false;
    // Declared before the closures that read it: Pulumi's closure serializer cannot follow a later `const`.
    let timer: NodeJS.Timeout | undefined;
    const child = childProcess.spawn(inputs.packCommand, args, { detached: true, stdio: ["ignore", "pipe", "pipe"], env: process.env });
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
      tail.push(err.message.includes("ENOENT") ? `${inputs.packCommand}: not found on PATH; install pack (https://buildpacks.io/docs/for-platform-operators/how-to/integrate-ci/pack/)` : err.message);
      finish(127, null);
    });
    child.on("close", (code: number | null, signal: string | null) => finish(code, signal));
  });
}

function formatDuration(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600}h` : seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

function failure(inputs: PackImageInputs, op: string, run: PackRun, logPath: string): Error {
  const head = run.timedOut
    ? `pack ${op} for ${inputs.serviceName} timed out after ${formatDuration(inputs.timeoutSeconds)}; pack and its children were stopped`
    : `pack ${op} for ${inputs.serviceName} failed with exit status ${run.code ?? `signal ${run.signal}`}`;
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

async function withSlot<T>(inputs: PackImageInputs, work: () => Promise<T>): Promise<T> {
  progress(inputs, "waiting for a build slot");
  await acquireSlot(inputs.maxParallelBuilds);
  try {
    return await work();
  } finally {
    releaseSlot();
  }
}

interface Scratch {
  dir: string;
  /** Empty and existing: pack writes report.toml into it (and writes *at* the path if it does not exist). */
  reportDir: string;
  logPath: string;
}

/** One pack operation: a build slot, a scratch folder removed afterwards, and a fresh log file. */
async function withScratch<T>(inputs: PackImageInputs, op: "build" | "rebase", work: (s: Scratch) => Promise<T>): Promise<T> {
  const fs = process.getBuiltinModule("node:fs");
  const os = process.getBuiltinModule("node:os");
  const path = process.getBuiltinModule("node:path");
  return withSlot(inputs, async () => {
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

/** Runs pack and returns the digest it published, or throws pack's failure with its last lines and the log. */
async function publish(inputs: PackImageInputs, op: "build" | "rebase", args: string[], s: Scratch): Promise<{ digest: string; run: PackRun }> {
  const path = process.getBuiltinModule("node:path");
  const run = await runPack(inputs, args, s.logPath);
  if (run.code !== 0 || run.timedOut) throw failure(inputs, op, run, s.logPath);
  const digest =
    parseDigest(readIfExists(path.join(s.reportDir, "report.toml")), run.output) ?? /Rebased Image: '[^']*@(sha256:[0-9a-f]{64})'/.exec(run.output)?.[1];
  if (!digest) throw new Error(`pack ${op} for ${inputs.serviceName} succeeded but reported no digest (no report.toml digest and no "*** Images" line)\n--- full log: ${s.logPath}`);
  progress(inputs, `${op === "build" ? "built" : "rebased"} ${digest}`);
  return { digest, run };
}

async function build(inputs: PackImageInputs): Promise<PackImageOutputs> {
  const fs = process.getBuiltinModule("node:fs");
  const path = process.getBuiltinModule("node:path");
  return withScratch(inputs, "build", async (s) => {
    const descriptorFile = path.join(s.dir, "project.toml");
    fs.writeFileSync(descriptorFile, inputs.projectToml);
    const sbomDir = s.logPath.replace(/\.log$/, "-sbom");
    fs.mkdirSync(sbomDir, { recursive: true });
    const tag = imageTag(inputs.fingerprint, inputs.runImage);
    progress(inputs, `build started (log: ${s.logPath})`);
    const { digest, run } = await publish(inputs, "build", packBuildArgs(inputs, { tag, descriptorFile, reportDir: s.reportDir, sbomDir }), s);
    return { ...inputs, digest, imageRef: `${inputs.repository}@${digest}`, tag, lastOperation: "build", logPath: s.logPath, buildpacks: parseBuildpacks(run.output), sbomDir };
  });
}

async function rebase(olds: PackImageOutputs, inputs: PackImageInputs): Promise<PackImageOutputs> {
  return withScratch(inputs, "rebase", async (s) => {
    const tag = imageTag(inputs.fingerprint, inputs.runImage);
    progress(inputs, `rebase onto ${inputs.runImage} started (log: ${s.logPath})`);
    const { digest } = await publish(inputs, "rebase", packRebaseArgs(inputs, { tag, previousImage: olds.imageRef, reportDir: s.reportDir }), s);
    // The app layers, and so the buildpacks and SBOM, are the previous build's.
    return { ...inputs, digest, imageRef: `${inputs.repository}@${digest}`, tag, lastOperation: "rebase", logPath: s.logPath, buildpacks: olds.buildpacks ?? [], sbomDir: olds.sbomDir ?? "" };
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
async function manifestExists(imageRef: string): Promise<boolean> {
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

export const packProvider: pulumi.dynamic.ResourceProvider<PackImageInputs, PackImageOutputs> = {
  async check(_olds, news) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (/[:@]/.test(news.repository.split("/").pop() ?? "")) failures.push({ property: "repository", reason: "give the repository without a tag or digest" });
    if (news.trustBuilder && !builderIsTrusted(news.builder, news.trustedBuilders)) {
      failures.push({ property: "trustBuilder", reason: `builder ${news.builder} is not on the trusted-builders allow-list (${news.trustedBuilders.join(", ") || "empty"}); a trusted builder receives registry credentials` });
    }
    if (news.cache.format === "bind" && !news.cache.source.startsWith("/")) failures.push({ property: "cache", reason: "a bind cache source must be an absolute path" });
    for (const name of news.secretEnv) {
      if (name in news.env) failures.push({ property: "secretEnv", reason: `${name} is given both as plain and as secret build env` });
    }
    return { inputs: news, failures };
  },

  async diff(_id, olds, news) {
    const change = planChange(olds, news);
    return {
      changes: change.action !== "none",
      replaces: change.action === "replace" ? change.reasons : [],
      deleteBeforeReplace: false,
    };
  },

  async create(inputs) {
    const outs = await build(inputs);
    return { id: `${inputs.repository}#${inputs.serviceName}`, outs };
  },

  async update(_id, olds, news) {
    const change = planChange(olds, news);
    // Without a previous image there is nothing to rebase: build.
    const outs = change.action === "rebase" && olds.imageRef ? await rebase(olds, news) : await build(news);
    return { outs };
  },

  async read(id, props) {
    if (!props?.imageRef) return { id, props };
    const exists = await manifestExists(props.imageRef);
    // An empty id tells the engine the resource is gone, so refresh shows drift and the next up rebuilds.
    return exists ? { id, props } : { id: "", props };
  },

  async delete() {
    // Images stay in the registry for rollback; Artifact Registry cleanup policies remove old versions.
  },
};
