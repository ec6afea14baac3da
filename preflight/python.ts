// Python: detection, dependency manager, version and the web command the builder will set.
// Google rules: shared/reference/gcp-rules.md §5 items 42–47 (GoogleCloudPlatform/buildpacks
// cmd/python/*/lib, pkg/python). Paketo rules: item 52.

import * as semver from "semver";
import { parse as parseToml } from "smol-toml";
import { envLabel, envValue, listFiles, type Context, type LanguageResult } from "./context";
import { error, warning } from "./findings";
import { lowestVersion, offeredMatches } from "./offered";
import { firstLine, normalizeRel, type SourceTree } from "./source";
import { GOOGLE_DEFAULT, PYTHON_SMART_DEFAULT_FROM } from "./versions";

export function pythonFiles(tree: SourceTree): string[] {
  return tree.withSuffix(".py");
}

/** PEP 503 normalised name, so "Flask_SocketIO" and "flask-socketio" compare equal. */
export function normalizePackage(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

export interface PythonDeps {
  /** Normalised package name → extras requested. */
  packages: Map<string, Set<string>>;
  /** File the builder installs from, or null when nothing gets installed. */
  source: string | null;
}

const REQ_NAME_RE = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?/;

function addRequirement(deps: Map<string, Set<string>>, spec: string): void {
  const m = REQ_NAME_RE.exec(spec.trim());
  if (!m) return;
  const name = normalizePackage(m[1] ?? "");
  const extras = deps.get(name) ?? new Set<string>();
  for (const e of (m[2] ?? "").split(",")) if (e.trim()) extras.add(normalizePackage(e.trim()));
  deps.set(name, extras);
}

export function readRequirements(tree: SourceTree, rel: string, deps = new Map<string, Set<string>>(), seen = new Set<string>()): Map<string, Set<string>> {
  if (seen.has(rel)) return deps;
  seen.add(rel);
  const text = tree.read(rel);
  if (text === null) return deps;
  const base = rel.includes("/") ? rel.slice(0, rel.lastIndexOf("/") + 1) : "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (!line) continue;
    const include = /^(?:-r|--requirement)\s*=?\s*(\S+)/.exec(line);
    if (include) {
      readRequirements(tree, normalizeRel(base + (include[1] ?? "")), deps, seen);
      continue;
    }
    const editable = /^(?:-e|--editable)\s+\S*#egg=([A-Za-z0-9._-]+)/.exec(line);
    if (editable) {
      addRequirement(deps, editable[1] ?? "");
      continue;
    }
    if (line.startsWith("-")) continue;
    addRequirement(deps, line);
  }
  return deps;
}


export interface Pyproject {
  doc: Record<string, unknown>;
  poetrySection: boolean;
  scripts: string[];
}

// Several rules read pyproject.toml; parse (and report a syntax error) once per detect() call.
const pyprojectCache = new WeakMap<Context, Pyproject | null>();

export function readPyproject(ctx: Context): Pyproject | null {
  if (!pyprojectCache.has(ctx)) pyprojectCache.set(ctx, parsePyproject(ctx));
  return pyprojectCache.get(ctx) ?? null;
}

function parsePyproject(ctx: Context): Pyproject | null {
  const text = ctx.tree.read("pyproject.toml");
  if (text === null) return null;
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    ctx.issues.push(
      error("pyproject-invalid", `pyproject.toml is not valid TOML (${firstLine(e)}); the builder's Python buildpacks fail reading it.`, "Fix the TOML syntax in pyproject.toml.", { file: "pyproject.toml", breaksBuild: true }),
    );
    return { doc: {}, poetrySection: false, scripts: [] };
  }
  const tool = rec(doc["tool"]);
  const poetry = rec(tool["poetry"]);
  const projectScripts = Object.keys(rec(rec(doc["project"])["scripts"]));
  const poetryScripts = Object.keys(rec(poetry["scripts"]));
  return { doc, poetrySection: tool["poetry"] !== undefined, scripts: projectScripts.length > 0 ? projectScripts : poetryScripts };
}

function rec(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function pyprojectDeps(py: Pyproject, includePoetry: boolean): Map<string, Set<string>> {
  const deps = new Map<string, Set<string>>();
  const project = rec(py.doc["project"]);
  const list = project["dependencies"];
  if (Array.isArray(list)) for (const d of list) if (typeof d === "string") addRequirement(deps, d);
  if (includePoetry) {
    const poetryDeps = rec(rec(rec(py.doc["tool"])["poetry"])["dependencies"]);
    for (const [name, spec] of Object.entries(poetryDeps)) {
      if (name.toLowerCase() === "python") continue;
      const extras = Array.isArray(rec(spec)["extras"]) ? (rec(spec)["extras"] as unknown[]).filter((x): x is string => typeof x === "string") : [];
      addRequirement(deps, extras.length ? `${name}[${extras.join(",")}]` : name);
    }
  }
  return deps;
}

export type PythonPackageManager = "pip" | "poetry" | "uv";

/** gcp-rules.md §5 item 43: requirements.txt wins; pyproject goes to poetry, else uv by default. */
export function googlePackageManager(ctx: Context, py: Pyproject | null): PythonPackageManager | null {
  if (ctx.tree.has("requirements.txt")) return "pip";
  if (!py) return null;
  const wanted = envValue(ctx, "GOOGLE_PYTHON_PACKAGE_MANAGER")?.toLowerCase();
  if (wanted === "pip" || wanted === "poetry" || wanted === "uv") return wanted;
  if (ctx.tree.has("poetry.lock") || py.poetrySection) return "poetry";
  return "uv";
}

export function dependencies(ctx: Context, pm: string | null, py: Pyproject | null): PythonDeps {
  if (ctx.tree.has("requirements.txt")) return { packages: readRequirements(ctx.tree, "requirements.txt"), source: "requirements.txt" };
  if (py && pm) return { packages: pyprojectDeps(py, pm === "poetry"), source: "pyproject.toml" };
  return { packages: new Map(), source: null };
}

/** gcp-rules.md §5 item 44: GOOGLE_PYTHON_VERSION > GOOGLE_RUNTIME_VERSION > .python-version > stack default. */
function googleVersion(ctx: Context): { value: string | null; source: string; resolved: string; requested: string } {
  const stack = ctx.builder.stack ?? "google-22";
  const fallback = GOOGLE_DEFAULT[stack].python;
  for (const name of ["GOOGLE_PYTHON_VERSION", "GOOGLE_RUNTIME_VERSION"]) {
    const v = envValue(ctx, name);
    if (v) return { value: v, source: envLabel(ctx, name), resolved: resolvePython(v, stack) ?? fallback, requested: v };
  }
  const file = ctx.tree.read(".python-version");
  if (file !== null) {
    const v = file.trim();
    // pkg/python/python.go versionFromFile takes the whole file, trimmed, as the version: pyenv's comment lines and
    // a second version line (both fine for pyenv and uv) reach the runtime install as part of the version string.
    const lines = v.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
    const versions = lines.filter((l) => !l.startsWith("#"));
    if (lines.length > 1 || v.startsWith("#")) {
      const meant = versions[0];
      ctx.issues.push(
        error(
          "python-version-file-unreadable",
          `.python-version has ${lines.length > versions.length ? "comment lines" : "more than one line"}; pyenv and uv skip ${lines.length > versions.length ? "them" : "the rest"}, but Google Cloud's builder reads the whole file as one version string and the Python install fails on it.`,
          meant ? `Keep only the version line (${meant}) in .python-version, or set GOOGLE_PYTHON_VERSION: "${meant}" under build.env.` : "Write the version alone into .python-version.",
          { file: ".python-version", line: 1, breaksBuild: true },
        ),
      );
      const resolvedMeant = meant ? resolvePython(meant, stack) : null;
      return { value: meant ?? null, source: ".python-version", resolved: resolvedMeant ?? fallback, requested: meant ?? fallback };
    }
    if (v) return { value: v, source: ".python-version", resolved: resolvePython(v, stack) ?? fallback, requested: v };
    ctx.issues.push(
      error(
        "python-version-empty",
        ".python-version exists but does not specify a version, and the builder stops the build on it.",
        `Write the version into .python-version (for example ${fallback}), or delete the file to get the builder's default (${fallback}).`,
        { file: ".python-version", line: 1, breaksBuild: true },
      ),
    );
    return { value: null, source: ".python-version (empty)", resolved: fallback, requested: fallback };
  }
  // The stack's default is a wildcard ("3.13.*", pkg/python/python.go latestPythonVersionPerStack).
  return { value: fallback, source: `builder default (${stack})`, resolved: fallback, requested: `${fallback}.*` };
}

/** The minor line the builder installs for a request: the newest offered one that matches. */
function resolvePython(requested: string, stack: "google-18" | "google-22" | "google-24"): string | null {
  const matches = offeredMatches("python", requested, stack);
  if (matches && matches.length > 0) return matches[0] ?? null;
  const low = lowestVersion(requested);
  return low ? `${low.major}.${low.minor}` : null;
}

/**
 * pkg/python/python.go SupportsSmartDefaultEntrypoint compares the version *asked for*, not the one installed,
 * with ">=3.13.0-0", after turning "*" into "0": "3" and "3.*" mean 3.0.0 there, so they get gunicorn even though
 * the newest 3.x is installed. A request that is not a version at all ("~3.12", ">=3.12") stops the build.
 */
export function smartDefaultApplies(requested: string): boolean | "invalid" {
  // Masterminds/semver v1 NewVersion's grammar; the builder rewrites "rc1" to "-rc1" first, but not "a1", "b1" or "x".
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*|rc\d*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/.exec(requested.trim().replace(/\*/g, "0"));
  if (!m) return "invalid";
  const v = semver.coerce(`${m[1]}.${m[2] ?? 0}.${m[3] ?? 0}`);
  const from = semver.coerce(PYTHON_SMART_DEFAULT_FROM);
  return v !== null && from !== null && semver.gte(v, from);
}

// Executables a Procfile commonly starts that the builder only installs if the app lists them (the package each
// comes in is detect.ts's pythonServerCheck's concern).
const SERVERS = ["gunicorn", "uvicorn", "hypercorn", "daphne", "streamlit", "waitress-serve"];

/** Servers a command runs (`gunicorn ...`, `python -m uvicorn ...`, `exec gunicorn ...`). */
export function serversIn(command: string): string[] {
  const found: string[] = [];
  for (const exe of SERVERS) {
    const re = new RegExp(`(^|[\\s;&|(/])(?:python3?\\s+-m\\s+)?${exe.replace("-", "\\-")}(?=\\s|$)`);
    if (re.test(command)) found.push(exe);
  }
  return found;
}

export interface PythonAnalysis extends LanguageResult {
  deps: PythonDeps;
}

/**
 * Google builder. `explicit` is the "Python 1/2" group (Procfile or GOOGLE_ENTRYPOINT present):
 * no default entrypoint and no automatic gunicorn. Otherwise the "Python 2/2" group, whose
 * missing-entrypoint buildpack computes the default web command or fails the build.
 */
export function analyzePythonGoogle(ctx: Context, explicit: boolean): PythonAnalysis {
  const py = readPyproject(ctx);
  const pm = googlePackageManager(ctx, py);
  const deps = dependencies(ctx, pm, py);
  const version = googleVersion(ctx);
  const files = pythonFiles(ctx.tree);
  const result: PythonAnalysis = {
    language: "python",
    packageManager: pm,
    runtimeVersion: { value: version.value, source: version.source },
    web: null,
    detectedBy: `*.py files (${listFiles(files)})${explicit ? ` with ${envValue(ctx, "GOOGLE_ENTRYPOINT") ? "GOOGLE_ENTRYPOINT" : "a Procfile"}` : ""}`,
    deps,
  };
  const target = envValue(ctx, "GOOGLE_FUNCTION_TARGET");
  if (target !== undefined) {
    functionsFrameworkPython(ctx, result, target, py, pm, deps);
    return result;
  }
  if (explicit) return result;

  const hasMain = ctx.tree.has("main.py");
  const hasApp = ctx.tree.has("app.py");
  const has = (name: string, extra?: string): boolean => {
    const extras = deps.packages.get(name);
    return extras !== undefined && (extra === undefined || extras.has(extra));
  };
  const adk = has("google-adk");
  if (!hasMain && !hasApp && !py && !adk) {
    ctx.issues.push(
      error(
        "python-no-entrypoint",
        'The builder cannot infer how to start this app: "for Python, provide a main.py or app.py file or set an entrypoint with "GOOGLE_ENTRYPOINT" env var or by creating a "Procfile" file".',
        "Add a Procfile with a web line (for example `web: gunicorn -b :$PORT mymodule:app`), or rename the module that creates `app` to main.py.",
        { breaksBuild: true },
      ),
    );
    return result;
  }

  // main.py wins over app.py (missing_entrypoint: "If both main.py and app.py are present, we will use main.py").
  const pyModule = hasMain ? "main:app" : "app:app";
  const pyFile = hasMain ? "main.py" : "app.py";
  let cmd = `gunicorn -b :8080 ${pyModule}`;
  let isDefault = true;
  const smart = smartDefaultApplies(version.requested);
  if (smart === "invalid") {
    ctx.issues.push(
      error(
        "python-version-not-a-version",
        `${version.source} asks for Python "${version.requested}", which is not a version; the builder's default entrypoint step compares it as one and stops the build ("invalid version").`,
        `Ask for a version such as 3.12, 3.12.* or 3.12.4 (not a range, and not "3.12.x"), or add a Procfile with the web command.`,
        { ...(version.source === ".python-version" ? { file: ".python-version", line: 1 } : {}), breaksBuild: true },
      ),
    );
  }
  if (smart === true) {
    if (has("gunicorn")) cmd = `gunicorn -b :8080 ${pyModule}`;
    else if (has("uvicorn") || has("fastapi", "standard")) cmd = `uvicorn ${pyModule} --port 8080 --host 0.0.0.0`;
    else if (has("gradio")) cmd = `python ${pyFile}`;
    else if (has("streamlit")) cmd = `streamlit run ${pyFile} --server.address 0.0.0.0 --server.port 8080`;
    else if (adk) cmd = "adk api_server --port 8080 --host 0.0.0.0";
  }

  // A pyproject script beats the default, wrapped in the manager's runner.
  const pyprojectEnabled = py !== null && !ctx.tree.has("requirements.txt");
  if (pyprojectEnabled && py) {
    const script = py.scripts.length === 1 ? py.scripts[0] : py.scripts.includes("start") ? "start" : undefined;
    if (script !== undefined) {
      cmd = pm === "poetry" ? `poetry run ${script}` : pm === "uv" ? `uv run ${script}` : script;
      isDefault = false;
    } else if (!hasMain && !hasApp && !adk) {
      ctx.issues.push(
        error(
          "python-no-entrypoint",
          'The builder cannot infer how to start this app: "for Python with pyproject.toml, provide a main.py or app.py file or a script command in pyproject.toml or set an entrypoint with "GOOGLE_ENTRYPOINT" env var or by creating a "Procfile" file".',
          "Add a `start` entry under [project.scripts] in pyproject.toml, a main.py, or a Procfile with a web line.",
          { file: "pyproject.toml", breaksBuild: true },
        ),
      );
      return result;
    }
  }
  if (isDefault && !hasMain && !hasApp && !cmd.startsWith("adk ")) {
    // The builder only checks that *some* entry exists; with pyproject but pip in charge it still
    // writes `app:app`, and the container then dies on the import.
    ctx.issues.push(
      error(
        "python-no-entrypoint",
        `The builder would start \`${cmd}\`, but there is no ${pyFile} to import, so the container would crash on start.`,
        "Add main.py (or app.py) that defines `app`, or add a Procfile with the web command.",
      ),
    );
  }
  result.web = cmd;
  result.pythonDefaultEntrypoint = isDefault;
  return result;
}

/** Paketo's Python language family detects on any of these (builder-jammy-base python group). */
export function paketoDetectsPython(tree: SourceTree): string | null {
  for (const f of ["requirements.txt", "Pipfile", "pyproject.toml", "environment.yml", "setup.py"]) if (tree.has(f)) return f;
  const rootPy = tree.rootFiles().filter((f) => f.endsWith(".py"));
  return rootPy.length > 0 ? `*.py files (${listFiles(rootPy)})` : null;
}

export function analyzePythonPaketo(ctx: Context, detectedBy: string): LanguageResult {
  const { tree } = ctx;
  let pm: string | null = null;
  if (tree.has("requirements.txt")) pm = "pip";
  else if (tree.has("Pipfile")) pm = "pipenv";
  else if (tree.has("environment.yml")) pm = "conda";
  else if (tree.has("poetry.lock") || readPyproject(ctx)?.poetrySection) pm = "poetry";
  const v = envValue(ctx, "BP_CPYTHON_VERSION");
  const pinnedByFile = ctx.tree.read(".python-version")?.trim();
  if (!v && pinnedByFile) {
    // Paketo's CPython buildpack takes its version from BP_CPYTHON_VERSION (paketo.io/docs/howto/python); unlike
    // Google's builder it does not read .python-version, so the pin there is silently not applied.
    ctx.issues.push(
      warning(
        "python-version-file-ignored",
        `.python-version asks for ${pinnedByFile.split(/\r?\n/).find((l) => !l.trim().startsWith("#"))?.trim() ?? pinnedByFile}, but Paketo's CPython buildpack does not read that file and installs its default Python.`,
        `Set BP_CPYTHON_VERSION under build.env (for example "${pinnedByFile.split(/\r?\n/).find((l) => /^\d/.test(l.trim()))?.trim() ?? "3.12"}.*").`,
        { file: ".python-version", line: 1 },
      ),
    );
  }
  return {
    language: "python",
    packageManager: pm,
    runtimeVersion: v ? { value: v, source: envLabel(ctx, "BP_CPYTHON_VERSION") } : { value: null, source: "buildpack default" },
    // paketo-buildpacks/python-start: without a Procfile the web process is a bare interpreter.
    web: "python",
    detectedBy,
  };
}

export function requirementsWithoutPython(ctx: Context, pickedLanguage: string | null): void {
  const manifests = ["requirements.txt", "pyproject.toml"].filter((f) => ctx.tree.has(f));
  if (manifests.length === 0 || pythonFiles(ctx.tree).length > 0) return;
  const what = manifests.join(" and ");
  if (pickedLanguage === null) {
    ctx.issues.push(
      error(
        "requirements-without-python",
        `${what} is here but there is no .py file, and the builder only treats a folder as Python when it finds a .py file.`,
        "Point the service at the folder that holds the Python code, or add the app's main.py next to the requirements.",
        { file: manifests[0], breaksBuild: true },
      ),
    );
  } else {
    ctx.issues.push(
      warning(
        "requirements-without-python",
        `${what} is here but there is no .py file, so the builder ignores it and builds the folder as ${pickedLanguage}.`,
        "Remove the stray Python manifest, or point the service at the folder that holds the Python code.",
        { file: manifests[0] },
      ),
    );
  }
}

/**
 * google.python.functions-framework (cmd/python/functions_framework/lib/lib.go): its group comes before the
 * default-entrypoint groups, needs main.py (or GOOGLE_FUNCTION_SOURCE's file), and adds functions-framework
 * itself only to a requirements.txt install; a pyproject.toml install must list it. The web process is
 * `functions-framework`, reading the target from FUNCTION_TARGET.
 */
function functionsFrameworkPython(ctx: Context, result: PythonAnalysis, target: string, py: Pyproject | null, pm: PythonPackageManager | null, deps: PythonDeps): void {
  result.web = "functions-framework";
  result.detectedBy += ` — a function (${envLabel(ctx, "GOOGLE_FUNCTION_TARGET")} = ${target})`;
  const source = envValue(ctx, "GOOGLE_FUNCTION_SOURCE");
  if (source === undefined && !ctx.tree.has("main.py")) {
    ctx.issues.push(
      error(
        "function-source-missing",
        'The Functions Framework buildpack loads the function from main.py, which is not here; it stops with "missing main.py and GOOGLE_FUNCTION_SOURCE not specified".',
        "Put the function in main.py, or set GOOGLE_FUNCTION_SOURCE under build.env to the file that holds it.",
        { breaksBuild: true },
      ),
    );
  } else if (source !== undefined && !ctx.tree.has(normalizeRel(source))) {
    ctx.issues.push(
      error("function-source-missing", `${envLabel(ctx, "GOOGLE_FUNCTION_SOURCE")} names ${source}, which is not here; the build stops on it.`, "Point GOOGLE_FUNCTION_SOURCE at the file that defines the function.", { breaksBuild: true }),
    );
  }
  if (py !== null && pm !== "pip" && !deps.packages.has("functions-framework")) {
    ctx.issues.push(
      error(
        "function-framework-missing",
        'This function installs from pyproject.toml, where the buildpack does not add the framework; it stops with "you have not included the Functions Framework in your dependencies".',
        "Add functions-framework to the dependencies in pyproject.toml.",
        { file: "pyproject.toml", breaksBuild: true },
      ),
    );
  }
}

const ASGI_FRAMEWORKS: [string, RegExp][] = [
  ["FastAPI", /\bFastAPI\s*\(/],
  ["Starlette", /\bStarlette\s*\(/],
  ["Quart", /\bQuart\s*\(/],
  ["Litestar", /\bLitestar\s*\(/],
];
const ASGI_PACKAGES: [string, string][] = [
  ["fastapi", "FastAPI"],
  ["starlette", "Starlette"],
  ["quart", "Quart"],
  ["litestar", "Litestar"],
];
const WSGI_PACKAGES = ["flask", "django", "bottle", "pyramid", "falcon"];

/** The module:variable gunicorn is told to load, e.g. "app.main:app" from `gunicorn -b :8080 app.main:app`. */
function gunicornTarget(command: string): string | null {
  const args = command.split(/\s+/);
  const at = args.findIndex((a) => /(^|\/)gunicorn$/.test(a));
  // The shell takes the quotes a factory call needs ('main:create_app()') before gunicorn sees the target.
  return args.slice(at + 1).map((a) => a.replace(/^(['"])(.*)\1$/, "$2")).find((a) => /^[A-Za-z_][\w.]*:[A-Za-z_]\w*(\(.*\))?$/.test(a)) ?? null;
}

/** A worker class that speaks ASGI: on the command line, or in gunicorn.conf.py, which gunicorn reads from the working folder by default. */
function asgiWorker(ctx: Context, command: string): boolean {
  const flag = /(?:^|\s)(?:-k|--worker-class)(?:=|\s+)['"]?([\w.:-]+)/.exec(command)?.[1];
  if (flag !== undefined) return /uvicorn|asgi/i.test(flag);
  const configArg = /(?:^|\s)(?:-c|--config)(?:=|\s+)['"]?([^\s'"]+)/.exec(command)?.[1];
  // -c takes a file path, or `python:<module>`; without it gunicorn reads ./gunicorn.conf.py.
  const configFile = configArg === undefined ? "gunicorn.conf.py" : configArg.startsWith("python:") ? `${configArg.slice("python:".length).replace(/\./g, "/")}.py` : configArg;
  const config = ctx.tree.read(normalizeRel(configFile));
  return config !== null && /worker_class\s*=\s*['"][^'"]*(uvicorn|asgi)/i.test(config);
}

/**
 * An ASGI app (FastAPI, Starlette, Quart, Litestar) started by gunicorn with its default sync worker: gunicorn
 * calls it as WSGI and every request fails. Google's builder starts gunicorn for Python before 3.13, and from 3.13
 * whenever gunicorn is a dependency (cmd/python/missing_entrypoint/lib/lib.go smartDefaultEntrypoint).
 */
export function asgiOnSyncWorker(ctx: Context, processes: Record<string, string>, isDefault: boolean, deps: PythonDeps): void {
  const web = processes["web"];
  if (web === undefined || !serversIn(web).includes("gunicorn") || asgiWorker(ctx, web)) return;
  const target = gunicornTarget(web);
  const moduleFile = target ? `${target.split(":")[0]!.replace(/\./g, "/")}.py` : null;
  const text = moduleFile ? ctx.tree.read(moduleFile) : null;
  let framework: string | undefined;
  if (text !== null) framework = ASGI_FRAMEWORKS.find(([, re]) => re.test(text))?.[0];
  else if (![...deps.packages.keys()].some((p) => WSGI_PACKAGES.includes(p))) framework = ASGI_PACKAGES.find(([p]) => deps.packages.has(p))?.[1];
  if (framework === undefined) return;
  const mod = target ?? "main:app";
  // gunicorn calls `module:factory()` itself; uvicorn takes the factory's name with --factory (and no arguments).
  const uvicornApp = /\(.*\)$/.test(mod) ? `--factory ${mod.replace(/\(.*\)$/, "")}` : mod;
  const from = isDefault ? "The builder's default entrypoint" : envValue(ctx, "GOOGLE_ENTRYPOINT") !== undefined ? "GOOGLE_ENTRYPOINT" : "The Procfile's web process";
  ctx.issues.push(
    error(
      "asgi-on-sync-worker",
      `${from} is \`${web}\`, but ${moduleFile && text !== null ? moduleFile : "the app"} is a ${framework} (ASGI) app, and gunicorn's default sync worker calls it as WSGI: every request fails.`,
      `Add a Procfile line \`web: uvicorn ${uvicornApp} --host 0.0.0.0 --port $PORT\` (with uvicorn in ${deps.source ?? "requirements.txt"}), or run gunicorn with \`-k uvicorn.workers.UvicornWorker\`${isDefault ? ', or build with Python 3.13 or later (GOOGLE_PYTHON_VERSION: "3.13"), where the default starts uvicorn when uvicorn or fastapi[standard] is listed and gunicorn is not' : ""}.`,
      !isDefault && ctx.procfile && envValue(ctx, "GOOGLE_ENTRYPOINT") === undefined ? { file: "Procfile", ...(ctx.procfile.processes.find((p) => p.name === "web")?.line !== undefined ? { line: ctx.procfile.processes.find((p) => p.name === "web")!.line } : {}) } : {},
    ),
  );
}
