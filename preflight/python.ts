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
function googleVersion(ctx: Context): { value: string | null; source: string; resolved: string } {
  const stack = ctx.builder.stack ?? "google-22";
  const fallback = GOOGLE_DEFAULT[stack].python;
  for (const name of ["GOOGLE_PYTHON_VERSION", "GOOGLE_RUNTIME_VERSION"]) {
    const v = envValue(ctx, name);
    if (v) return { value: v, source: envLabel(ctx, name), resolved: resolvePython(v, stack) ?? fallback };
  }
  const file = ctx.tree.read(".python-version");
  if (file !== null) {
    const v = file.trim();
    if (v) return { value: v, source: ".python-version", resolved: resolvePython(v, stack) ?? fallback };
    ctx.issues.push(
      error(
        "python-version-empty",
        ".python-version exists but does not specify a version, and the builder stops the build on it.",
        `Write the version into .python-version (for example ${fallback}), or delete the file to get the builder's default (${fallback}).`,
        { file: ".python-version", line: 1, breaksBuild: true },
      ),
    );
    return { value: null, source: ".python-version (empty)", resolved: fallback };
  }
  return { value: fallback, source: `builder default (${stack})`, resolved: fallback };
}

/** The minor line the builder installs for a request: the newest offered one that matches. */
function resolvePython(requested: string, stack: "google-18" | "google-22" | "google-24"): string | null {
  const matches = offeredMatches("python", requested, stack);
  if (matches && matches.length > 0) return matches[0] ?? null;
  const low = lowestVersion(requested);
  return low ? `${low.major}.${low.minor}` : null;
}

function smartDefaultApplies(resolved: string): boolean {
  const v = semver.coerce(resolved);
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
  if (smartDefaultApplies(version.resolved)) {
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
