// Node.js and Python preflight decisions the fixture tests leave open: which lockfile wins and how loudly a conflict is
// reported, which requirements are read, which package manager and web command the builder would pick.
import { afterAll, describe, expect, it } from "vitest";
import { detect, type DetectResult } from "../../preflight";
import { GOOGLE, PAKETO, removeTempApps, tempApp } from "../preflight/helpers";

afterAll(removeTempApps);

function google(files: Record<string, string>, buildEnv: Record<string, string> = {}): DetectResult {
  return detect({ dir: tempApp(files), builder: GOOGLE, buildEnv });
}
function paketo(files: Record<string, string>, buildEnv: Record<string, string> = {}): DetectResult {
  return detect({ dir: tempApp(files), builder: PAKETO, buildEnv });
}
const findings = (r: DetectResult) => r.findings.map((f) => ({ severity: f.severity, code: f.code, file: f.file }));

const START = JSON.stringify({ scripts: { start: "node server.js" } });

describe("Node.js lockfiles", () => {
  it("warns about lockfiles of two managers, names both, and installs with the non-npm one", () => {
    const r = google({ "package.json": START, "yarn.lock": "", "package-lock.json": "{}" });
    expect(r.packageManager).toBe("yarn");
    expect(r.outcome).toBe("web");
    expect(r.findings).toEqual([
      {
        severity: "warning",
        code: "node-multiple-lockfiles",
        message: "Lockfiles for yarn and npm are both here (yarn.lock, package-lock.json); the builder installs with yarn and ignores the rest.",
        fix: "Delete the lockfiles of the package managers you don't use, keeping only yarn's.",
        file: "package-lock.json",
      },
    ]);
  });

  it("prefers yarn over pnpm over bun, and points at a lockfile that is ignored", () => {
    expect(findings(google({ "package.json": START, "pnpm-lock.yaml": "", "bun.lock": "" }))).toEqual([{ severity: "warning", code: "node-multiple-lockfiles", file: "bun.lock" }]);
    expect(google({ "package.json": START, "pnpm-lock.yaml": "", "bun.lock": "" }).packageManager).toBe("pnpm");
    expect(google({ "package.json": START, "yarn.lock": "", "pnpm-lock.yaml": "" }).packageManager).toBe("yarn");
    expect(google({ "package.json": START, "bun.lockb": "", "package-lock.json": "{}" }).packageManager).toBe("bun");
  });

  it("does not warn about two lockfiles of one manager", () => {
    const npm = google({ "package.json": START, "package-lock.json": "{}", "npm-shrinkwrap.json": "{}" });
    expect([npm.packageManager, npm.findings]).toEqual(["npm", []]);
    const bun = google({ "package.json": START, "bun.lockb": "", "bun.lock": "" });
    expect([bun.packageManager, bun.findings]).toEqual(["bun", []]);
  });

  it("uses npm without any lockfile", () => {
    expect(google({ "package.json": START }).packageManager).toBe("npm");
  });
});

describe("Node.js packageManager field", () => {
  const pkg = (extra: object) => JSON.stringify({ scripts: { start: "node s.js" }, ...extra });

  it("stops the build when yarn's lockfile meets another manager's field", () => {
    const r = google({ "package.json": pkg({ packageManager: "pnpm@9.1.0" }), "yarn.lock": "" });
    expect(r.outcome).toBe("build-error");
    expect(findings(r)).toEqual([{ severity: "error", code: "node-package-manager-conflict", file: "package.json" }]);
    expect(r.findings[0]!.fix).toBe("Commit pnpm's lockfile and remove yarn's, or change the packageManager field to yarn.");
  });

  it("only warns when engines.yarn is set, or when the builder uses npm", () => {
    const withEngines = google({ "package.json": pkg({ packageManager: "pnpm@9.1.0", engines: { yarn: "4" } }), "yarn.lock": "" });
    expect([withEngines.outcome, findings(withEngines)]).toEqual(["web", [{ severity: "warning", code: "node-package-manager-conflict", file: "package.json" }]]);
    const npm = google({ "package.json": pkg({ packageManager: "yarn@4.1.0" }), "package-lock.json": "{}" });
    expect([npm.outcome, findings(npm)]).toEqual(["web", [{ severity: "warning", code: "node-package-manager-conflict", file: "package.json" }]]);
    expect(npm.findings[0]!.message).toBe('package.json says "packageManager": "yarn@4.1.0", but the lockfiles make the builder use npm.');
  });

  it("accepts a field that names the manager the lockfile picks, and ignores a blank one", () => {
    expect(google({ "package.json": pkg({ packageManager: "npm@10.2.0" }), "package-lock.json": "{}" }).findings).toEqual([]);
    expect(google({ "package.json": pkg({ packageManager: "  " }), "yarn.lock": "" }).findings).toEqual([]);
  });
});

describe("Node.js version and start command", () => {
  it("takes GOOGLE_RUNTIME_VERSION when GOOGLE_NODEJS_VERSION is not set, and GOOGLE_NODEJS_VERSION over it", () => {
    const engines = JSON.stringify({ scripts: { start: "x" }, engines: { node: "20" } });
    expect(google({ "package.json": engines }, { GOOGLE_RUNTIME_VERSION: "22" }).runtimeVersion).toEqual({ value: "22", source: "GOOGLE_RUNTIME_VERSION (service build env)" });
    expect(google({ "package.json": engines }, { GOOGLE_RUNTIME_VERSION: "20", GOOGLE_NODEJS_VERSION: "22" }).runtimeVersion).toEqual({ value: "22", source: "GOOGLE_NODEJS_VERSION (service build env)" });
    expect(google({ "package.json": engines }).runtimeVersion).toEqual({ value: "20", source: "package.json engines.node" });
  });

  it("finds main with .js added or as a folder with index.js", () => {
    expect(google({ "package.json": JSON.stringify({ main: "src/app" }), "src/app.js": "" })).toMatchObject({ processes: { web: "node src/app" }, findings: [] });
    expect(google({ "package.json": JSON.stringify({ main: "lib/" }), "lib/index.js": "" })).toMatchObject({ processes: { web: "node lib/" }, findings: [] });
  });

  it("reports a missing main unless a build creates it", () => {
    expect(findings(google({ "package.json": JSON.stringify({ main: "dist/a.js" }) }))).toEqual([{ severity: "error", code: "node-entrypoint-missing", file: "package.json" }]);
    expect(google({ "package.json": JSON.stringify({ main: "dist/a.js", scripts: { "gcp-build": "tsc" } }) }).findings).toEqual([]);
    expect(google({ "package.json": JSON.stringify({ main: "dist/a.js" }) }, { GOOGLE_NODE_RUN_SCRIPTS: "compile" }).findings).toEqual([]);
  });

  it("falls back to node index.js for a blank main, and reports it missing unless an entrypoint is configured", () => {
    const blank = google({ "package.json": JSON.stringify({ main: " " }) });
    expect([blank.processes, findings(blank)]).toEqual([{ web: "node index.js" }, [{ severity: "error", code: "node-entrypoint-missing", file: "package.json" }]]);
    expect(google({ "package.json": "{}" }, { GOOGLE_ENTRYPOINT: "node a.js" }).findings).toEqual([]);
    expect(google({ "package.json": "{}", "index.js": "" }).findings).toEqual([]);
  });

  it("refuses a package.json whose top level is not an object", () => {
    const r = google({ "package.json": "[1]" });
    expect(findings(r)).toEqual([{ severity: "error", code: "package-json-invalid", file: "package.json" }]);
    expect(r.findings[0]!.message).toContain("top level is not an object");
    expect(r.outcome).toBe("build-error");
  });
});

describe("Node.js on Paketo", () => {
  it("runs prestart, start and poststart, skipping blank ones", () => {
    const scripts = { prestart: "node migrate.js", start: "node server.js", poststart: " " };
    expect(paketo({ "package.json": JSON.stringify({ scripts }) }).processes["web"]).toBe("node migrate.js && node server.js");
    expect(paketo({ "package.json": JSON.stringify({ scripts: { start: "a", poststart: "b" } }) }).processes["web"]).toBe("a && b");
  });

  it("starts the first of server.js, app.js, main.js, index.js without a start script", () => {
    expect(paketo({ "package.json": "{}", "index.js": "", "main.js": "", "app.js": "" }).processes["web"]).toBe("node app.js");
    expect(paketo({ "package.json": JSON.stringify({ scripts: { start: " " } }), "index.js": "" }).processes["web"]).toBe("node index.js");
  });

  it("reads the version from BP_NODE_VERSION, engines.node, .nvmrc, then .node-version", () => {
    const files = { "package.json": JSON.stringify({ scripts: { start: "a" }, engines: { node: "20" } }), ".nvmrc": "18\n" };
    expect(paketo(files, { BP_NODE_VERSION: "22" }).runtimeVersion).toEqual({ value: "22", source: "BP_NODE_VERSION (service build env)" });
    expect(paketo(files).runtimeVersion).toEqual({ value: "20", source: "package.json engines.node" });
    expect(paketo({ "package.json": START, ".nvmrc": "18\n", ".node-version": "16" }).runtimeVersion).toEqual({ value: "18", source: ".nvmrc" });
    expect(paketo({ "package.json": START, ".nvmrc": " \n", ".node-version": "16\n" }).runtimeVersion).toEqual({ value: "16", source: ".node-version" });
    expect(paketo({ "package.json": START }).runtimeVersion).toEqual({ value: null, source: "buildpack default" });
  });

  it("installs with yarn when yarn.lock is there, else npm", () => {
    expect(paketo({ "package.json": START, "yarn.lock": "" }).packageManager).toBe("yarn");
    expect(paketo({ "package.json": START }).packageManager).toBe("npm");
  });
});

const UVICORN = "uvicorn main:app --port 8080 --host 0.0.0.0";
const GUNICORN = "gunicorn -b :8080 main:app";

describe("Python requirements", () => {
  it("follows -r and --requirement includes, relative to the including file, through cycles", () => {
    const files = {
      "main.py": "",
      "requirements.txt": "flask\n-r requirements/base.txt\n",
      "requirements/base.txt": "--requirement=common.txt\n-r ../requirements.txt\n",
      "requirements/common.txt": "uvicorn==0.30\n",
    };
    expect(google(files).processes["web"]).toBe(UVICORN);
    expect(google({ "main.py": "", "requirements.txt": "--requirement more.txt\n", "more.txt": "uvicorn\n" }).processes["web"]).toBe(UVICORN);
  });

  it("reads a package after a comment sign only when it is not a comment", () => {
    expect(google({ "main.py": "", "requirements.txt": "# uvicorn\nflask\n" }).processes["web"]).toBe(GUNICORN);
    expect(google({ "main.py": "", "requirements.txt": "uvicorn  # the server\n" }).processes["web"]).toBe(UVICORN);
  });

  it("reads the egg of an editable line and skips other options", () => {
    expect(google({ "main.py": "", "requirements.txt": "-e git+https://github.com/encode/uvicorn#egg=uvicorn\n" }).processes["web"]).toBe(UVICORN);
    expect(google({ "main.py": "", "requirements.txt": "--index-url https://pypi.example/simple\n-c uvicorn.txt\nflask\n", "uvicorn.txt": "uvicorn\n" }).processes["web"]).toBe(GUNICORN);
  });

  it("normalises names and extras, and needs fastapi's standard extra for uvicorn", () => {
    expect(google({ "main.py": "", "requirements.txt": "FastAPI[Standard]>=0.110\n" }).processes["web"]).toBe(UVICORN);
    expect(google({ "main.py": "", "requirements.txt": "fastapi[all]\n" }).processes["web"]).toBe(GUNICORN);
    expect(google({ "main.py": "", "requirements.txt": "fastapi [ sql , standard ]\n" }).processes["web"]).toBe(UVICORN);
  });

  it("picks the web command from the dependencies on Python 3.13 and later only", () => {
    expect(google({ "main.py": "", "requirements.txt": "gunicorn\nuvicorn\n" }).processes["web"]).toBe(GUNICORN);
    expect(google({ "main.py": "", "requirements.txt": "gradio\n" }).processes["web"]).toBe("python main.py");
    expect(google({ "app.py": "", "requirements.txt": "gradio\n" }).processes["web"]).toBe("python app.py");
    expect(google({ "main.py": "", "requirements.txt": "uvicorn\n", ".python-version": "3.12\n" }).processes["web"]).toBe(GUNICORN);
    expect(google({ "main.py": "", "requirements.txt": "uvicorn\n" }, { GOOGLE_RUNTIME_VERSION: "3.12" }).processes["web"]).toBe(GUNICORN);
  });

  it("serves an ADK agent without main.py or app.py", () => {
    const r = google({ "agent/agent.py": "", "requirements.txt": "google-adk\n" });
    expect([r.processes["web"], r.findings]).toEqual(["adk api_server --port 8080 --host 0.0.0.0", []]);
  });
});

describe("Python package manager", () => {
  const POETRY = '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\npython = "^3.13"\nuvicorn = { version = "*", extras = ["standard"] }\n';

  it("honours GOOGLE_PYTHON_PACKAGE_MANAGER over a poetry section, in any case, unless requirements.txt is there", () => {
    expect(google({ "main.py": "", "pyproject.toml": POETRY }).packageManager).toBe("poetry");
    expect(google({ "main.py": "", "pyproject.toml": POETRY }, { GOOGLE_PYTHON_PACKAGE_MANAGER: "uv" }).packageManager).toBe("uv");
    expect(google({ "main.py": "", "pyproject.toml": POETRY }, { GOOGLE_PYTHON_PACKAGE_MANAGER: "PIP" }).packageManager).toBe("pip");
    expect(google({ "main.py": "", "pyproject.toml": POETRY }, { GOOGLE_PYTHON_PACKAGE_MANAGER: "conda" }).packageManager).toBe("poetry");
    expect(google({ "main.py": "", "pyproject.toml": POETRY, "requirements.txt": "flask\n" }, { GOOGLE_PYTHON_PACKAGE_MANAGER: "uv" }).packageManager).toBe("pip");
  });

  it("uses poetry for a poetry.lock alone, uv for a plain pyproject", () => {
    expect(google({ "main.py": "", "pyproject.toml": '[project]\nname = "x"\n', "poetry.lock": "" }).packageManager).toBe("poetry");
    expect(google({ "main.py": "", "pyproject.toml": '[project]\nname = "x"\n' }).packageManager).toBe("uv");
  });

  it("reads poetry's dependencies (with extras) only when poetry installs", () => {
    expect(google({ "main.py": "", "pyproject.toml": POETRY }).processes["web"]).toBe(UVICORN);
    expect(google({ "main.py": "", "pyproject.toml": POETRY }, { GOOGLE_PYTHON_PACKAGE_MANAGER: "uv" }).processes["web"]).toBe(GUNICORN);
    expect(google({ "main.py": "", "pyproject.toml": '[project]\ndependencies = ["uvicorn>=0.30"]\n' }).processes["web"]).toBe(UVICORN);
  });

  it("runs a pyproject script through the manager that installs", () => {
    const one = '[project]\nname = "x"\n[project.scripts]\nserve = "x:main"\n';
    expect(google({ "main.py": "", "pyproject.toml": one, "poetry.lock": "" }).processes["web"]).toBe("poetry run serve");
    expect(google({ "main.py": "", "pyproject.toml": one }, { GOOGLE_PYTHON_PACKAGE_MANAGER: "pip" }).processes["web"]).toBe("serve");
    const two = '[project]\nname = "x"\n[project.scripts]\nstart = "x:a"\nother = "x:b"\n';
    expect(google({ "x.py": "", "pyproject.toml": two }).processes["web"]).toBe("uv run start");
    const poetryScripts = '[tool.poetry]\nname = "x"\n[tool.poetry.scripts]\nweb = "x:a"\n';
    expect(google({ "x.py": "", "pyproject.toml": poetryScripts }).processes["web"]).toBe("poetry run web");
  });

  it("falls back to the default with two scripts and no start, and fails without main.py or app.py", () => {
    const two = '[project]\nname = "x"\n[project.scripts]\na = "x:a"\nb = "x:b"\n';
    expect(google({ "main.py": "", "pyproject.toml": two }).processes["web"]).toBe(GUNICORN);
    const r = google({ "x.py": "", "pyproject.toml": two });
    expect([r.outcome, findings(r)]).toEqual(["build-error", [{ severity: "error", code: "python-no-entrypoint", file: "pyproject.toml" }]]);
  });
});

describe("Python entrypoint", () => {
  it("reports the app.py the builder would import when requirements.txt shadows pyproject and neither module exists", () => {
    const r = google({ "worker.py": "", "requirements.txt": "flask\n", "pyproject.toml": '[project]\nname = "x"\n' });
    expect(r.findings).toEqual([
      {
        severity: "error",
        code: "python-no-entrypoint",
        message: "The builder would start `gunicorn -b :8080 app:app`, but there is no app.py to import, so the container would crash on start.",
        fix: "Add main.py (or app.py) that defines `app`, or add a Procfile with the web command.",
      },
    ]);
    // The crash happens at run time: the build itself goes through.
    expect(r.outcome).toBe("web");
  });

  it("stops the build when there is no main.py, app.py or pyproject", () => {
    const r = google({ "worker.py": "", "requirements.txt": "flask\n" });
    expect([r.outcome, r.findings.map((f) => f.code)]).toEqual(["build-error", ["python-no-entrypoint"]]);
  });
});

describe("Python manifests without Python", () => {
  it("is a warning when another language builds the folder, naming the manifests", () => {
    const r = google({ "package.json": START, "requirements.txt": "flask\n", "pyproject.toml": "" });
    expect(findings(r)).toEqual([{ severity: "warning", code: "requirements-without-python", file: "requirements.txt" }]);
    expect(r.findings[0]!.message).toBe("requirements.txt and pyproject.toml is here but there is no .py file, so the builder ignores it and builds the folder as nodejs.");
  });
});

describe("Python on Paketo", () => {
  it.each([
    [{ "requirements.txt": "", Pipfile: "" }, "pip"],
    [{ Pipfile: "" }, "pipenv"],
    [{ "environment.yml": "" }, "conda"],
    [{ "pyproject.toml": "", "poetry.lock": "" }, "poetry"],
    [{ "pyproject.toml": "[tool.poetry]\n" }, "poetry"],
    [{ "pyproject.toml": "[project]\n" }, null],
  ])("%j installs with %s", (files, pm) => {
    expect(paketo({ "main.py": "", ...files }).packageManager).toBe(pm);
  });

  it("takes BP_CPYTHON_VERSION, else the buildpack's default", () => {
    expect(paketo({ "main.py": "", "requirements.txt": "" }, { BP_CPYTHON_VERSION: "3.12" }).runtimeVersion).toEqual({ value: "3.12", source: "BP_CPYTHON_VERSION (service build env)" });
    expect(paketo({ "main.py": "", "requirements.txt": "" }).runtimeVersion).toEqual({ value: null, source: "buildpack default" });
  });
});
