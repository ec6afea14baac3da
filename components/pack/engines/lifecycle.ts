import type { BuildpackRef, PackImageInputs } from "../provider";
import type { BuildEngine, EngineContext, EngineOutcome } from "./engine";

/*
 * The lifecycle engine: the builder image's own lifecycle, run directly where Gantry runs (a container of the
 * builder image in the agent pod), as Tekton's buildpacks task and kpack do. `creator` builds and publishes straight
 * to the registry, `rebaser` rebases there: no Docker daemon, no privileged container, and the builder image's
 * non-root user. What pack does before it starts the lifecycle, this engine does itself: it copies the upload set
 * (project.toml include/exclude, with the same matcher as the fingerprint) into a private app folder and writes the
 * build env as platform env files, secret values included, which go with the scratch folder.
 * Serialized with the provider: see ./engine.ts for the rules.
 */

/**
 * Where the app and the layers go: the paths are written into the image (the launcher finds its layers there), so
 * they are the builder's /workspace and /layers, as pack and every platform use, never a scratch path. The builder
 * image makes them, owned by its user; CNB_APP_DIR / CNB_LAYERS_DIR move them, as for the lifecycle itself.
 */
function buildDirs(): { appDir: string; layersDir: string } {
  return { appDir: process.env.CNB_APP_DIR ?? "/workspace", layersDir: process.env.CNB_LAYERS_DIR ?? "/layers" };
}

/** Empties a folder the builder owns (the folder itself stays: its owner and mode are the builder's). */
function emptyDir(dir: string): void {
  const fs = process.getBuiltinModule("node:fs");
  const path = process.getBuiltinModule("node:path");
  for (const entry of fs.readdirSync(dir)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
}

/** Platform API the engine speaks: lifecycle v0.17+ (0.13 lets creator take -insecure-registry). */
function platformApi(): string {
  return "0.13";
}

export interface CreatorPaths {
  tag: string;
  appDir: string;
  layersDir: string;
  platformDir: string;
  reportPath: string;
  /** The uid/gid to drop to when running as root (a VM agent); absent when already the builder's user. */
  user?: { uid: string; gid: string };
}

export function creatorArgs(inputs: PackImageInputs, p: CreatorPaths): string[] {
  const args = ["-app", p.appDir, "-layers", p.layersDir, "-platform", p.platformDir, "-run-image", inputs.runImage, "-report", p.reportPath];
  if (inputs.cache.format === "bind") args.push("-cache-dir", inputs.cache.source);
  if (inputs.cache.format === "image") args.push("-cache-image", inputs.cache.name);
  if (inputs.defaultProcess) args.push("-process-type", inputs.defaultProcess);
  for (const t of inputs.tags) args.push("-tag", `${inputs.repository}:${t}`);
  if (p.user) args.push("-uid", p.user.uid, "-gid", p.user.gid);
  args.push("-log-level", "info", "-no-color", `${inputs.repository}:${p.tag}`);
  return args;
}

export function rebaserArgs(inputs: PackImageInputs, p: { tag: string; previousImage: string; reportPath: string; user?: { uid: string; gid: string } }): string[] {
  // -force: the run image is the platform's pinned choice, not one the builder lists as a mirror (platform API 0.12+
  // refuses those without it); OS and architecture still have to match for the app layers to run.
  const args = ["-run-image", inputs.runImage, "-previous-image", p.previousImage, "-report", p.reportPath, "-force"];
  if (p.user) args.push("-uid", p.user.uid, "-gid", p.user.gid);
  args.push("-log-level", "info", "-no-color", `${inputs.repository}:${p.tag}`);
  return args;
}

/** Build env as the lifecycle reads it: one file per variable in <platform>/env, secret values from this environment. */
export function platformEnv(inputs: PackImageInputs, environment: Record<string, string | undefined>): { files: Record<string, string>; missing: string[] } {
  const files: Record<string, string> = { ...inputs.buildEnv, ...inputs.env };
  const missing: string[] = [];
  for (const name of inputs.secretEnv) {
    const value = environment[name];
    if (value === undefined) missing.push(name);
    else files[name] = value;
  }
  return { files, missing };
}

/** The buildpacks of the detected group, from the group.toml the detector leaves in the layers folder. */
export function groupBuildpacks(groupToml: string): BuildpackRef[] {
  const found: BuildpackRef[] = [];
  for (const block of groupToml.split(/^\s*\[\[group\]\]\s*$/m).slice(1)) {
    const id = /^\s*id\s*=\s*"([^"]+)"/m.exec(block)?.[1];
    const version = /^\s*version\s*=\s*"([^"]+)"/m.exec(block)?.[1];
    if (id && version) found.push({ id, version });
  }
  return found;
}

/**
 * Copies the upload set of `source` into `dest`: the walk of ../fingerprint/walk.ts (symlinks kept as links, special
 * files left out, excluded folders not entered) with the same `ignore` matcher, loaded from where the program found it.
 */
export function copyUploadSet(source: string, dest: string, upload: { include?: string[]; exclude?: string[] }, ignoreModule: string): number {
  const fs = process.getBuiltinModule("node:fs");
  const path = process.getBuiltinModule("node:path");
  const { createRequire } = process.getBuiltinModule("node:module");
  const ignore = createRequire(ignoreModule)(ignoreModule) as (opts: { ignorecase: boolean }) => { add(p: string[]): { ignores(p: string): boolean } };
  const include = upload.include ?? [];
  const exclude = upload.exclude ?? [];
  const ig = ignore({ ignorecase: false }).add(include.length > 0 ? include : exclude);
  const mode = include.length > 0 ? "include" : exclude.length > 0 ? "exclude" : "all";
  const keep = (rel: string, isDir: boolean) => (mode === "all" ? true : mode === "include" ? ig.ignores(isDir ? `${rel}/` : rel) : !ig.ignores(isDir ? `${rel}/` : rel));
  const root = fs.realpathSync(source);
  let copied = 0;
  const stack = [""];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    for (const d of fs.readdirSync(rel === "" ? root : path.join(root, rel), { withFileTypes: true })) {
      const child = rel === "" ? d.name : `${rel}/${d.name}`;
      const from = path.join(root, child);
      const to = path.join(dest, child);
      if (d.isDirectory()) {
        if (mode === "exclude" && ig.ignores(`${child}/`)) continue;
        if (keep(child, true)) fs.mkdirSync(to, { recursive: true });
        stack.push(child);
      } else if ((d.isFile() || d.isSymbolicLink()) && keep(child, false)) {
        fs.mkdirSync(path.dirname(to), { recursive: true });
        if (d.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(from), to);
        else fs.copyFileSync(from, to);
        if (d.isFile()) fs.chmodSync(to, fs.statSync(from).mode & 0o777);
        copied++;
      }
    }
  }
  return copied;
}

/**
 * Why this process cannot run the phases, or undefined: not root (which drops to the builder's user) and not the
 * builder's user either, who owns /workspace and /layers. Said before the lifecycle fails on a permission.
 */
export function builderUserProblem(uid: number | undefined, env: Record<string, string | undefined>): string | undefined {
  const want = env.CNB_USER_ID;
  if (uid === undefined || uid === 0 || !want || String(uid) === want) return undefined;
  return `running as uid ${uid}, but the builder's user is CNB_USER_ID=${want}, who owns /workspace and /layers: run the build container as that user (runAsUser in the pod template)`;
}

/** Root drops to the builder's user, as pack does; the builder image names it in CNB_USER_ID/CNB_GROUP_ID. */
function dropTo(): { uid: string; gid: string } | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  const uid = process.env.CNB_USER_ID;
  const gid = process.env.CNB_GROUP_ID;
  return uid && gid ? { uid, gid } : undefined;
}

/** Registry credentials for the lifecycle (CNB_REGISTRY_AUTH), from the token `pulumi up` has for Artifact Registry. */
function registryAuth(inputs: PackImageInputs): Record<string, string> {
  const token = process.env.GOOGLE_OAUTH_ACCESS_TOKEN;
  if (!token || process.env.CNB_REGISTRY_AUTH) return {};
  const host = inputs.repository.split("/")[0]!;
  return { CNB_REGISTRY_AUTH: JSON.stringify({ [host]: `Bearer ${token}` }) };
}

async function lifecycleRun(ctx: EngineContext, phase: "creator" | "rebaser", args: string[], layersDir?: string): Promise<EngineOutcome> {
  const path = process.getBuiltinModule("node:path");
  const run = await ctx.run(path.join(ctx.inputs.lifecycleDir, phase), args, { CNB_PLATFORM_API: platformApi(), ...registryAuth(ctx.inputs) });
  const group = layersDir ? ctx.read(path.join(layersDir, "group.toml")) : undefined;
  return { run, buildpacks: group ? groupBuildpacks(group) : [] };
}

export function lifecycleEngine(): BuildEngine {
  return {
    describe: (op) => `lifecycle ${op === "build" ? "creator" : "rebaser"}`,
    // One /workspace and one /layers per container: more builds at once take more agents.
    parallelism: () => 1,
    check(inputs) {
      const failures: Array<{ property: string; reason: string }> = [];
      if (inputs.cache.format === "volume") {
        failures.push({ property: "cache", reason: "the lifecycle engine has no Docker volumes: set gantry:buildCache to {mode: bind, mountPath} (the agent's cache claim) or {mode: image}" });
      }
      if (!inputs.uploadFilterModule) failures.push({ property: "uploadFilterModule", reason: "the lifecycle engine needs the path of the `ignore` package to select the upload set" });
      return failures;
    },
    async build(ctx) {
      const fs = process.getBuiltinModule("node:fs");
      const path = process.getBuiltinModule("node:path");
      const { inputs } = ctx;
      const env = platformEnv(inputs, process.env);
      if (env.missing.length > 0) {
        const run = { code: 1, signal: null, timedOut: false, output: "", tail: [`secret build env ${env.missing.join(", ")} is not set where pulumi up runs`] };
        return { run, buildpacks: [] };
      }
      const { appDir, layersDir } = buildDirs();
      const absent = [appDir, layersDir].filter((d) => !fs.existsSync(d));
      if (absent.length > 0) {
        const tail = [`${absent.join(" and ")} not found: the lifecycle engine runs inside the builder image, which makes them (or set CNB_APP_DIR / CNB_LAYERS_DIR)`];
        return { run: { code: 1, signal: null, timedOut: false, output: "", tail }, buildpacks: [] };
      }
      const wrongUser = builderUserProblem(process.getuid?.(), process.env);
      if (wrongUser) return { run: { code: 1, signal: null, timedOut: false, output: "", tail: [wrongUser] }, buildpacks: [] };
      const platformDir = path.join(ctx.dir, "platform");
      fs.mkdirSync(path.join(platformDir, "env"), { recursive: true });
      emptyDir(appDir);
      emptyDir(layersDir);
      try {
        copyUploadSet(inputs.path, appDir, inputs.upload, inputs.uploadFilterModule);
        for (const [name, value] of Object.entries(env.files)) fs.writeFileSync(path.join(platformDir, "env", name), value, { mode: 0o600 });
        const user = dropTo();
        if (user) {
          // Root (a VM agent) hands the phases to the builder's user, who must be able to read and write here.
          for (const d of [ctx.dir, ctx.reportDir, platformDir, path.join(platformDir, "env"), ...Object.keys(env.files).map((n) => path.join(platformDir, "env", n))]) fs.chownSync(d, Number(user.uid), Number(user.gid));
        }
        const outcome = await lifecycleRun(ctx, "creator", creatorArgs(inputs, { tag: ctx.tag, appDir, layersDir, platformDir, reportPath: path.join(ctx.reportDir, "report.toml"), user }), layersDir);
        const sbom = path.join(layersDir, "sbom");
        if (outcome.run.code === 0 && fs.existsSync(sbom)) fs.cpSync(sbom, path.join(ctx.sbomDir, "sbom"), { recursive: true });
        return outcome;
      } finally {
        // The next build starts from nothing, and the source does not stay behind in the container.
        emptyDir(appDir);
        emptyDir(layersDir);
      }
    },
    rebase(ctx) {
      const path = process.getBuiltinModule("node:path");
      return lifecycleRun(ctx, "rebaser", rebaserArgs(ctx.inputs, { tag: ctx.tag, previousImage: ctx.previousImage, reportPath: path.join(ctx.reportDir, "report.toml"), user: dropTo() }));
    },
  };
}
