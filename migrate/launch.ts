// The launch command: the Dockerfile's ENTRYPOINT and CMD against the web process the builder predicts.

import * as fs from "node:fs";
import * as path from "node:path";
import { pythonAppBase } from "../dockerfile/bases";
import { procfileLine, pythonRunsAsScript } from "./procfile-line";
import { serversIn } from "../preflight/python";
import { joinArgv, type ImageConfig, type ParsedDockerfile } from "../dockerfile/parse";
import type { GoBuild } from "./run-steps";
import { flagValue, shellWords } from "./shell";
import type { Check, CompareContext } from "./types";

export interface Launch {
  argv: string[];
  /** The command as one shell line, an init wrapper and `sh -c` removed. */
  command: string;
  line: number;
  /** tini or dumb-init, dropped from the command. */
  init: string | null;
}

export interface LaunchComparison {
  dockerfile: string | null;
  buildpacks: string | null;
  same: boolean;
  /** What runs once the steps are done: the predicted web command, or the Procfile line the steps add. */
  after: string | null;
}

const SHELLS = /^(\/usr)?(\/bin\/)?(ba|da)?sh$/;
const INITS = /^(\/usr)?(\/s?bin\/)?(tini|dumb-init|tini-static)$/;
const PYTHON_SERVERS = new Set(["gunicorn", "uvicorn", "hypercorn", "daphne", "waitress-serve", "streamlit", "flask"]);

/** Docker's rule: ENTRYPOINT in exec form gets CMD appended as arguments; in shell form it ignores CMD. */
export function launchOf(config: ImageConfig): Launch | null {
  const { entrypoint, cmd } = config;
  let argv: string[] | null = null;
  let line = 0;
  if (entrypoint && !entrypoint.shell) {
    argv = [...entrypoint.argv, ...(cmd?.argv ?? [])];
    line = entrypoint.line;
  } else if (entrypoint) {
    argv = entrypoint.argv;
    line = entrypoint.line;
  } else if (cmd) {
    argv = cmd.argv;
    line = cmd.line;
  }
  if (!argv || argv.length === 0) return null;
  let init: string | null = null;
  if (INITS.test(argv[0]!)) {
    init = argv[0]!.split("/").pop()!;
    argv = argv.slice(argv[1] === "--" ? 2 : 1);
  }
  return { argv, command: commandLine(argv), line, init };
}

/** `["sh", "-c", "x"]` is the line x; anything else is its words joined. */
export function commandLine(argv: readonly string[]): string {
  const c = argv.indexOf("-c");
  if (SHELLS.test(argv[0] ?? "") && c > 0 && argv.slice(1, c).every((a) => a.startsWith("-") || a === "pipefail")) return (argv[c + 1] ?? "").trim();
  return joinArgv(argv);
}

/**
 * The command as it must be written for the buildpacks image: the app lives in /workspace, so paths under
 * the Dockerfile's WORKDIR become relative, and a script COPYed onto the PATH is run from where it is in the source.
 */
export function rewriteForWorkspace(command: string, parsed: ParsedDockerfile, imageStages: Set<number>, context: string, sourceDir: string): string {
  let out = command;
  const workdir = parsed.config.workdir;
  if (workdir !== "/") out = out.replace(new RegExp(`(^|[\\s=:'"])${escape(workdir)}/`, "g"), "$1");
  for (const c of parsed.copies.filter((c) => c.from === null && imageStages.has(c.stage) && c.sources.length === 1)) {
    const src = c.sources[0]!;
    if (/[*?]/.test(src) || src === "." || src.endsWith("/")) continue;
    const dest = c.dest.endsWith("/") ? `${c.dest}${path.posix.basename(src)}` : c.dest;
    if (!dest.startsWith("/")) continue;
    const rel = path.relative(sourceDir, path.resolve(context, src)).split(path.sep).join("/");
    if (rel.startsWith("..")) continue;
    const onPath = /^\/(usr\/(local\/)?)?s?bin\//.test(dest);
    const re = new RegExp(`(^|[\\s;&|])${escape(dest)}(?=$|[\\s;&|])${onPath ? `|(^|[\\s;&|])${escape(path.posix.basename(dest))}(?=$|[\\s;&|])` : ""}`, "g");
    out = out.replace(re, (_m, a?: string, b?: string) => `${a ?? b ?? ""}./${rel}`);
  }
  return out.trim();
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Words compared so that spellings of the same command match: `exec`, python3, `python -m gunicorn`, `--bind=0.0.0.0:x`, npm start. */
export function comparable(command: string, scripts: Record<string, string>, depth = 0): string[] {
  let w = shellWords(command);
  if (w[0] === "exec") w = w.slice(1);
  w = w.map((x) => (/^python3(\.\d+)?$/.test(x) ? "python" : x));
  if (w[0] === "python" && w[1] === "-m" && PYTHON_SERVERS.has(w[2] ?? "")) w = w.slice(2);
  // `<pm> start` and `<pm> run start` alike: Google's yarn and pnpm buildpacks register `yarn run start` and
  // `pnpm run start` (cmd/nodejs/yarn, cmd/nodejs/pnpm), npm's `npm run start`.
  const packageManager = ["npm", "yarn", "pnpm"].includes(w[0] ?? "");
  const npmStart =
    (packageManager && w[1] === "start" && w.length === 2) || (packageManager && (w[1] === "run" || (w[0] === "npm" && w[1] === "run-script")) && w[2] === "start" && w.length === 3);
  if (npmStart && depth < 3) {
    // npm runs `node server.js` itself when there is no start script.
    return comparable(scripts.start ?? "node server.js", scripts, depth + 1);
  }
  const out: string[] = [];
  for (let i = 0; i < w.length; i++) {
    let x = w[i]!;
    const eq = /^(--bind|--port|--host|-b)=(.*)$/.exec(x);
    if (eq) {
      out.push(eq[1] === "--bind" ? "-b" : eq[1]!, bind(eq[2]!));
      continue;
    }
    if (x === "--bind") x = "-b";
    const prev = out[out.length - 1];
    if (prev === "-b") x = bind(x);
    x = x.replace(/\$\{(\w+)\}/g, "$$$1").replace(/^\.\//, "");
    out.push(x);
  }
  return out;
}

function bind(value: string): string {
  return value.replace(/^0\.0\.0\.0:/, ":").replace(/\$\{(\w+)\}/g, "$$$1");
}

export function sameCommand(a: string, b: string, scripts: Record<string, string>): boolean {
  return comparable(a, scripts).join("\u0000") === comparable(b, scripts).join("\u0000");
}

/** The Go package the builder compiles, as detect() reports it ("... — builds ./cmd/api"), normalized. */
function builderGoPackage(detectedBy: string | null): string | null {
  const m = /— builds (\S+)$/.exec(detectedBy ?? "");
  return m ? goPackage(m[1]!) : null;
}

function pkgRef(p: string): string {
  return p === "." ? "." : `./${p}`;
}

function goPackage(p: string): string {
  const t = p.replace(/^\.\//, "").replace(/\/\.\.\.$/, "").replace(/\/+$/, "");
  return t === "" ? "." : t;
}

export interface LaunchResult {
  comparison: LaunchComparison;
  checks: Check[];
}

/**
 * `explicitPython`: packages the Dockerfile pip-installed by name, which build-steps.ts already asks to list.
 */
export function compareLaunch(ctx: CompareContext, explicitPython: Set<string>): LaunchResult {
  const { parsed, detected, facts } = ctx;
  const checks: Check[] = [];
  const launch = launchOf(parsed.config);
  const predicted = detected.processes.web ?? (detected.defaultProcess ? (detected.processes[detected.defaultProcess] ?? null) : null);
  const scripts = facts.packageJson?.scripts ?? {};
  if (!launch) {
    if (pythonAppBase(parsed.rootBase) && detected.language === "python") return frameworkBaseLaunch(ctx, explicitPython, predicted);
    checks.push({
      aspect: "launch",
      kind: "step",
      text: `the Dockerfile sets no CMD or ENTRYPOINT, so the image runs whatever its base image starts; add a Procfile line \`web: <the command that starts the service>\`${predicted ? ` unless the builder's \`${predicted}\` is it` : ""}`,
    });
    return { comparison: { dockerfile: null, buildpacks: predicted, same: false, after: predicted }, checks };
  }
  if (launch.init) checks.push({ aspect: "launch", kind: "note", line: launch.line, text: `${launch.init} is dropped: the buildpacks launcher starts the process itself, and Cloud Run and GKE deliver signals to it` });

  const rewritten = rewriteForWorkspace(launch.command, parsed, ctx.imageStages, ctx.docker.context, ctx.service.sourceDir);
  if (detected.language === "go") {
    const go = goLaunch(ctx, launch, predicted);
    if (go) return go;
  }
  if (detected.language === "java") {
    const java = javaLaunch(ctx, launch, predicted);
    if (java) return java;
  }

  const ff = functionsFramework(ctx, launch, rewritten, predicted);
  if (ff) return ff;

  const line = procfileLine(rewritten, ctx.service.sourceDir, new Set([...facts.pythonDeps.names, ...(facts.packageJson?.dependencies ?? [])]));
  // A port below 1024 cannot be bound by the non-root user a buildpacks image runs as: the line listens on $PORT.
  const privileged = lowPort(line.command);
  const command = privileged ? privileged.command : line.command;
  const same = predicted !== null && sameCommand(command, predicted, scripts);
  if (same) return { comparison: { dockerfile: launch.command, buildpacks: predicted, same, after: predicted }, checks };

  const equivalent = sameApp(ctx, command, predicted);
  if (equivalent) {
    checks.push({ aspect: "launch", kind: "note", line: launch.line, text: equivalent });
    return { comparison: { dockerfile: launch.command, buildpacks: predicted, same: true, after: predicted }, checks };
  }

  // `python app.py` where app.py starts nothing when run: the Dockerfile's command was not what served it.
  const script = /^python[\d.]*\s+([\w./-]+\.py)\s*$/.exec(command)?.[1];
  if (script && pythonRunsAsScript(ctx.service.sourceDir, script) === false && predicted) {
    checks.push({ aspect: "launch", kind: "note", line: launch.line, text: `\`${command}\` starts nothing (${script} has no __main__ block and calls no run()); the builder's \`${predicted}\` serves the app, so no Procfile line is needed` });
    return { comparison: { dockerfile: launch.command, buildpacks: predicted, same: false, after: predicted }, checks };
  }
  if (line.missing.length > 0) {
    checks.push({
      aspect: "launch",
      kind: "step",
      line: launch.line,
      text: `write a Procfile web line that starts the app from the source folder: the Dockerfile's \`${launch.command}\` uses ${line.missing.map((m) => `\`${m}\``).join(", ")}, which a buildpacks image does not have (the app is in /workspace, the runtime and dependencies on PATH)${predicted ? `; the builder's own \`${predicted}\` may already do it` : ""}`,
    });
    return { comparison: { dockerfile: launch.command, buildpacks: predicted, same: false, after: null }, checks };
  }
  const step = procfileStep(ctx, command, launch.line);
  if (privileged) step.text += ` (port ${privileged.port} becomes $PORT: a buildpacks image runs as a non-root user, which cannot bind a port below 1024)`;
  checks.push(step);
  if (detected.language === "python") checks.push(...serverPackages(ctx, command, explicitPython, launch.line));
  return { comparison: { dockerfile: launch.command, buildpacks: predicted, same, after: command }, checks };
}

function serverPackages(ctx: CompareContext, command: string, explicitPython: Set<string>, line?: number): Check[] {
  const { facts } = ctx;
  const out: Check[] = [];
  for (const server of serversIn(command)) {
    const pkg = server === "waitress-serve" ? "waitress" : server;
    if (facts.pythonDeps.names.has(pkg) || explicitPython.has(pkg)) continue;
    out.push({ aspect: "launch", kind: "step", ...(line !== undefined ? { line } : {}), text: `add \`${pkg}\` to ${facts.pythonDeps.file ?? "requirements.txt"}: with a Procfile the builder installs only what the app lists` });
  }
  return out;
}

/**
 * tiangolo's images (and the like) start gunicorn with uvicorn workers, or uWSGI behind nginx, from a script of
 * their own on port 80, serving `app.main:app` or `main:app`. The same server, on $PORT, is a Procfile line.
 */
function frameworkBaseLaunch(ctx: CompareContext, explicitPython: Set<string>, predicted: string | null): LaunchResult {
  const base = ctx.parsed.rootBase!;
  const dir = ctx.service.sourceDir;
  const module = fs.existsSync(path.join(dir, "app", "main.py")) ? "app.main:app" : fs.existsSync(path.join(dir, "main.py")) ? "main:app" : "app:app";
  const asgi = /uvicorn|fastapi|starlette/.test(base.name);
  const command = asgi ? `gunicorn -k uvicorn.workers.UvicornWorker -b :$PORT ${module}` : `gunicorn -b :$PORT ${module}`;
  const checks: Check[] = [procfileStep(ctx, command, ctx.parsed.stages[0]!.line)];
  checks[0]!.text += ` (FROM ${base.ref} starts ${asgi ? "gunicorn with uvicorn workers" : "its server"} from a start script of the image's own on port 80)`;
  // serversIn finds gunicorn in the command; the worker class lives in uvicorn, so it is asked for as a server too.
  checks.push(...serverPackages(ctx, asgi ? `${command} uvicorn` : command, explicitPython));
  return { comparison: { dockerfile: null, buildpacks: predicted, same: false, after: command }, checks };
}

/** Google's Java buildpack runs `java -jar` on the jar the build made: the Dockerfile's jar under another name is the same program. */
function javaLaunch(ctx: CompareContext, launch: Launch, predicted: string | null): LaunchResult | null {
  const words = shellWords(launch.command).filter((w) => w !== "exec");
  if (words[0]?.split("/").pop() !== "java") return null;
  const jarAt = words.indexOf("-jar");
  if (jarAt < 0 || !predicted || !/^java -jar /.test(predicted)) return null;
  const options = words.slice(1, jarAt);
  const args = words.slice(jarAt + 2);
  const checks: Check[] = [];
  if (options.length > 0) {
    checks.push({ aspect: "launch", kind: "step", line: launch.line, text: `add \`JAVA_TOOL_OPTIONS: "${options.join(" ")}"\` under env in service.yaml: the Dockerfile passes these JVM options, and the builder's \`${predicted}\` reads them from there` });
  }
  let after = predicted;
  if (args.length > 0) {
    after = `${predicted} ${joinArgv(args)}`;
    checks.push(procfileStep(ctx, after, launch.line));
  }
  return { comparison: { dockerfile: launch.command, buildpacks: predicted, same: checks.length === 0, after }, checks };
}

const LOW_PORT = [
  /(--port(?:=|\s+))(\d{1,4})(?=\s|$)/,
  /((?:^|\s)-p(?:=|\s+))(\d{1,4})(?=\s|$)/,
  /((?:^|\s)(?:-b|--bind)(?:=|\s+)['"]?[\w.:[\]-]*:)(\d{1,4})(?=['"]?(?:\s|$))/,
  /((?:^|\s)runserver\s+(?:[\d.]+:)?)(\d{1,4})(?=\s|$)/,
];

function lowPort(command: string): { command: string; port: number } | null {
  for (const re of LOW_PORT) {
    const m = re.exec(command);
    if (m && Number(m[2]) < 1024) return { command: command.replace(re, "$1$$PORT"), port: Number(m[2]) };
  }
  return null;
}

/**
 * Commands that differ in words but serve the same app, where the builder's own command is the better one:
 * `python app.py` running Flask's development server against the builder's `gunicorn app:app` (or an ASGI app
 * against its `uvicorn`), `go run` against the binary the Go buildpack compiles, and a Node.js file the Dockerfile's
 * build stage made (Next.js `standalone` output) against the package's own start script.
 */
function sameApp(ctx: CompareContext, command: string, predicted: string | null): string | null {
  if (!predicted) return null;
  const words = shellWords(command).filter((w) => w !== "exec");
  const dir = ctx.service.sourceDir;
  const py = /^python[\d.]*$/.test(words[0] ?? "") && words.length === 2 && /^(?:\.\/)?([\w/]+)\.py$/.exec(words[1]!);
  if (py) {
    const module = py[1]!.replace(/\//g, ".");
    let text = "";
    try {
      text = fs.readFileSync(path.join(dir, words[1]!), "utf8");
    } catch {
      return null;
    }
    const wsgi = /^app\s*=\s*(flask\.)?Flask\(/m.test(text) && new RegExp(`^gunicorn\\b.*\\s${module}:app$`).test(predicted);
    const asgi = /^app\s*=\s*(fastapi\.)?(FastAPI|Starlette)\(/m.test(text) && new RegExp(`^uvicorn ${module}:app\\b`).test(predicted);
    const port = /\bport\s*=\s*(\d{2,5})/.exec(text)?.[1];
    const ignored = port && port !== "8080" ? `, and the port ${port} written in ${words[1]} no longer applies` : "";
    if (wsgi || asgi) return `\`${command}\` runs ${words[1]}'s \`app\` in ${wsgi ? "Flask's development server" : "its own uvicorn call"}; the builder's \`${predicted}\` serves the same app on $PORT${ignored}, so no Procfile line is needed`;
    return null;
  }
  if (words[0] === "go" && words[1] === "run" && ctx.detected.language === "go") return `\`${command}\` compiles and runs the app at start; the Go buildpack compiles it at build time and runs the binary (\`${predicted}\`)`;
  const js = /^node$/.test(words[0] ?? "") && words.length === 2 && /\.m?js$/.test(words[1]!) ? words[1]! : null;
  if (js && ctx.detected.language === "nodejs" && /^npm run start$/.test(predicted) && !fs.existsSync(path.join(dir, js))) {
    const fromBuild = ctx.parsed.copies.some((c) => c.from !== null && ctx.imageStages.has(c.stage) && c.sources.some((s) => /standalone|dist|build|\.next/.test(s)));
    const start = ctx.facts.packageJson?.scripts.start;
    if (fromBuild && start) return `\`${command}\` runs ${js}, which the Dockerfile's build stage made and the source folder does not have; the builder runs the build and then \`npm run start\` (\`${start}\`), which serves the same app`;
  }
  return null;
}

/**
 * A Functions Framework start (`functions-framework --target=hello`, `npx @google-cloud/functions-framework ...`):
 * Google's builder builds a function itself when GOOGLE_FUNCTION_TARGET is set (its functions_framework buildpacks,
 * GoogleCloudPlatform/buildpacks cmd/{nodejs,python,go,java}/functions_framework), listening on $PORT.
 */
function functionsFramework(ctx: CompareContext, launch: Launch, command: string, predicted: string | null): LaunchResult | null {
  let words = shellWords(command).filter((w) => w !== "exec");
  if (words[0] === "npx") words = words.slice(1).filter((w) => w !== "--yes" && w !== "-y");
  const program = (words[0] ?? "").split("/").pop()!;
  if (!/^(functions-framework(-python)?|functions_framework)$/.test(program) && words[0] !== "@google-cloud/functions-framework") return null;
  const target = flagValue(words, ["--target"]);
  if (!target) return null;
  const checks: Check[] = [];
  if (ctx.builder.family !== "google") return null;
  checks.push({ aspect: "launch", kind: "step", line: launch.line, text: `set \`GOOGLE_FUNCTION_TARGET: "${target}"\` under build.env in service.yaml instead of a Procfile: Google's builder then starts the Functions Framework itself on $PORT (its functions_framework buildpack)` });
  const signature = flagValue(words, ["--signature-type"]);
  if (signature && signature !== "http") checks.push({ aspect: "launch", kind: "step", line: launch.line, text: `set \`GOOGLE_FUNCTION_SIGNATURE_TYPE: "${signature}"\` under build.env in service.yaml (the Dockerfile passes --signature-type=${signature})` });
  const source = flagValue(words, ["--source"]);
  if (source) checks.push({ aspect: "launch", kind: "step", line: launch.line, text: `set \`GOOGLE_FUNCTION_SOURCE: "${source.replace(/^\.\//, "")}"\` under build.env in service.yaml (the Dockerfile passes --source=${source})` });
  return { comparison: { dockerfile: launch.command, buildpacks: predicted, same: false, after: null }, checks };
}

function procfileStep(ctx: CompareContext, command: string, line: number): Check {
  const existing = ctx.facts.procfile?.web;
  const text = existing !== undefined ? `change the Procfile's web line from \`web: ${existing}\` to \`web: ${command}\`` : `add a Procfile line \`web: ${command}\``;
  return { aspect: "launch", kind: "step", line, text };
}

/** A Go image runs the binary a build stage compiled: same package and flags means same program, wherever it lands. */
function goLaunch(ctx: CompareContext, launch: Launch, predicted: string | null): LaunchResult | null {
  const builds = ctx.runs.filter((r) => r.kind === "go-build" && r.go);
  const exe = launch.argv[0] ?? "";
  const match = builds.find((b) => b.go!.output !== null && (b.go!.output === exe || path.posix.basename(b.go!.output) === path.posix.basename(exe))) ?? (builds.length === 1 && builds[0]!.go!.output === null ? builds[0] : undefined);
  if (!match) return null;
  const go: GoBuild = match.go!;
  const google = ctx.builder.family === "google";
  const checks: Check[] = [];
  const built = goPackage(go.packages[0] ?? ".");
  const chosen = builderGoPackage(ctx.detected.detectedBy);
  if (chosen !== built) {
    const name = google ? "GOOGLE_BUILDABLE" : "BP_GO_TARGETS";
    const because = chosen ? `the builder would build ${pkgRef(chosen)}` : "the builder cannot choose among the main packages";
    checks.push({ aspect: "launch", kind: "step", line: match.line, text: `set \`${name}: ${pkgRef(built)}\` under build.env in service.yaml (the Dockerfile builds ${pkgRef(built)}; ${because})` });
  }
  if (go.ldflags) {
    checks.push({ aspect: "launch", kind: "step", line: match.line, text: `set \`${google ? "GOOGLE_GOLDFLAGS" : "BP_GO_BUILD_LDFLAGS"}: "${go.ldflags}"\` under build.env in service.yaml (the Dockerfile links with -ldflags "${go.ldflags}")` });
  }
  const args = launch.argv.slice(1);
  let after = predicted;
  if (args.length > 0 && predicted) {
    after = `${predicted} ${joinArgv(args)}`;
    checks.push(procfileStep(ctx, after, launch.line));
  }
  const buildpacks = predicted ? `${predicted}${chosen ? ` (built from ${pkgRef(chosen)})` : ""}` : null;
  return { comparison: { dockerfile: launch.command, buildpacks, same: checks.length === 0, after }, checks };
}
