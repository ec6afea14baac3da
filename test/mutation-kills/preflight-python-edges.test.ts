// Python preflight edges the first kill tests left: Paketo's detection, the messages a user acts on (empty
// .python-version, invalid pyproject.toml, manifests without Python), servers a Procfile starts, and which
// dependency file and version the default command is chosen from.
import { afterAll, describe, expect, it } from "vitest";
import { detect, type DetectResult } from "../../preflight";
import { GOOGLE, PAKETO, removeTempApps, tempApp } from "../preflight/helpers";

afterAll(removeTempApps);

function google(files: Record<string, string>, extra: { buildEnv?: Record<string, string>; builder?: string; port?: number; kind?: "service" } = {}): DetectResult {
  return detect({ dir: tempApp(files), builder: extra.builder ?? GOOGLE, buildEnv: extra.buildEnv ?? {}, ...(extra.port ? { port: extra.port, kind: "service" } : {}) });
}
const UVICORN = "uvicorn main:app --port 8080 --host 0.0.0.0";
const GUNICORN = "gunicorn -b :8080 main:app";

describe("Paketo's Python detection", () => {
  it.each(["requirements.txt", "Pipfile", "pyproject.toml", "environment.yml", "setup.py"])("detects Python on %s alone", (manifest) => {
    const r = detect({ dir: tempApp({ [manifest]: "" }), builder: PAKETO });
    expect([r.language, r.detectedBy]).toEqual(["python", manifest]);
  });

  it("detects Python on a root .py file, not on one in a subfolder", () => {
    expect(detect({ dir: tempApp({ "app.py": "" }), builder: PAKETO }).detectedBy).toBe("*.py files (app.py)");
    expect(detect({ dir: tempApp({ "src/app.py": "" }), builder: PAKETO }).language).toBeNull();
  });

  it("installs with nothing it knows when only .py files are there", () => {
    expect(detect({ dir: tempApp({ "main.py": "" }), builder: PAKETO }).packageManager).toBeNull();
  });
});

describe("messages a user acts on", () => {
  it("an empty .python-version stops the build and says what to write", () => {
    const r = google({ "main.py": "", "requirements.txt": "flask\n", ".python-version": " \n" });
    expect(r.runtimeVersion).toEqual({ value: null, source: ".python-version (empty)" });
    expect(r.outcome).toBe("build-error");
    expect(r.findings).toEqual([
      {
        severity: "error",
        code: "python-version-empty",
        message: ".python-version exists but does not specify a version, and the builder stops the build on it.",
        fix: "Write the version into .python-version (for example 3.13), or delete the file to get the builder's default (3.13).",
        file: ".python-version",
        line: 1,
      },
    ]);
  });

  it("an invalid pyproject.toml stops the build, and nothing is read from it", () => {
    const r = google({ "main.py": "", "pyproject.toml": "[project\nname = 1\n" });
    expect(r.outcome).toBe("build-error");
    expect(r.findings.map((f) => [f.code, f.file, f.fix])).toEqual([["pyproject-invalid", "pyproject.toml", "Fix the TOML syntax in pyproject.toml."]]);
    expect(r.findings[0]!.message).toMatch(/^pyproject\.toml is not valid TOML \(.+\); the builder's Python buildpacks fail reading it\.$/);
    expect(r.packageManager).toBe("uv");
  });

  it("requirements without any .py file and no other language stop the build", () => {
    const r = google({ "requirements.txt": "flask\n" });
    expect(r.outcome).not.toBe("web");
    expect(r.findings.filter((f) => f.code === "requirements-without-python")).toEqual([
      {
        severity: "error",
        code: "requirements-without-python",
        message: "requirements.txt is here but there is no .py file, and the builder only treats a folder as Python when it finds a .py file.",
        fix: "Point the service at the folder that holds the Python code, or add the app's main.py next to the requirements.",
        file: "requirements.txt",
      },
    ]);
  });

  it("the stray-manifest warning says what to do", () => {
    const r = google({ "package.json": JSON.stringify({ scripts: { start: "node s.js" } }), "pyproject.toml": "" });
    expect(r.findings.map((f) => f.fix)).toEqual(["Remove the stray Python manifest, or point the service at the folder that holds the Python code."]);
  });

  it("names a Procfile or GOOGLE_ENTRYPOINT as what makes the entrypoint explicit", () => {
    expect(google({ "main.py": "", "requirements.txt": "gunicorn\n", Procfile: "web: gunicorn main:app\n" }).detectedBy).toBe("*.py files (main.py) with a Procfile");
    expect(google({ "main.py": "", "requirements.txt": "gunicorn\n" }, { buildEnv: { GOOGLE_ENTRYPOINT: "gunicorn main:app" } }).detectedBy).toBe("*.py files (main.py) with GOOGLE_ENTRYPOINT");
  });
});

describe("servers a Procfile starts", () => {
  it.each([
    ["gunicorn -b :$PORT main:app", "gunicorn", "gunicorn"],
    ["python -m uvicorn main:app", "uvicorn", "uvicorn"],
    ["hypercorn main:app", "hypercorn", "hypercorn"],
    ["exec daphne main:app", "daphne", "daphne"],
    ["streamlit run main.py", "streamlit", "streamlit"],
    ["waitress-serve main:app", "waitress-serve", "waitress"],
  ])("`%s` needs %s installed (package %s)", (command, server, pkg) => {
    const missing = google({ "main.py": "", "requirements.txt": "flask\n", Procfile: `web: ${command}\n` });
    expect(missing.findings.map((f) => [f.code, f.fix])).toEqual([["python-server-not-installed", `Add ${pkg} to requirements.txt.`]]);
    expect(missing.findings[0]!.message).toContain(`runs ${server}, but ${pkg} is not in requirements.txt`);
    expect(google({ "main.py": "", "requirements.txt": `flask\n${pkg}\n`, Procfile: `web: ${command}\n` }).findings).toEqual([]);
  });
});

describe("where the default command comes from", () => {
  it("ignores pyproject scripts when requirements.txt is what installs", () => {
    const pyproject = '[project]\nname = "x"\n[project.scripts]\nserve = "x:main"\n';
    expect(google({ "main.py": "", "requirements.txt": "flask\n", "pyproject.toml": pyproject }).processes["web"]).toBe(GUNICORN);
  });

  it("holds only the builder's default command to port 8080", () => {
    const pyproject = '[project]\nname = "x"\n[project.scripts]\nserve = "x:main"\n';
    expect(google({ "main.py": "", "pyproject.toml": pyproject }, { port: 9000 }).findings).toEqual([]);
    expect(google({ "main.py": "", "requirements.txt": "gunicorn\n" }, { port: 9000 }).findings.map((f) => f.code)).toEqual(["python-default-port"]);
  });

  it("honours GOOGLE_PYTHON_PACKAGE_MANAGER=poetry on a plain pyproject", () => {
    expect(google({ "main.py": "", "pyproject.toml": '[project]\nname = "x"\n' }, { buildEnv: { GOOGLE_PYTHON_PACKAGE_MANAGER: "poetry" } }).packageManager).toBe("poetry");
  });

  it("reads poetry dependency extras, and only the text ones", () => {
    const poetry = (extras: string) => `[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\nPython = "^3.13"\nfastapi = { version = "*", extras = ${extras} }\n`;
    expect(google({ "main.py": "", "pyproject.toml": poetry('["standard"]') }).processes["web"]).toBe(UVICORN);
    expect(google({ "main.py": "", "pyproject.toml": poetry('[1, "standard"]') }).processes["web"]).toBe(UVICORN);
    expect(google({ "main.py": "", "pyproject.toml": poetry('["all"]') }).processes["web"]).toBe(GUNICORN);
  });

  it("normalises runs of separators in a package name", () => {
    expect(google({ "agent.py": "", "requirements.txt": "google__adk\n" }).processes["web"]).toBe("adk api_server --port 8080 --host 0.0.0.0");
  });

  it("skips an include that does not exist", () => {
    expect(google({ "main.py": "", "requirements.txt": "-r missing.txt\nuvicorn\n" }).processes["web"]).toBe(UVICORN);
  });

  it("takes the default version of the builder's stack", () => {
    expect(google({ "main.py": "", "requirements.txt": "flask\n" }, { builder: "gcr.io/buildpacks/builder:google-24" }).runtimeVersion).toEqual({
      value: "3.14",
      source: "builder default (google-24)",
    });
  });

  it("chooses the default server by the version asked for, not the one installed", () => {
    // pkg/python/python.go SupportsSmartDefaultEntrypoint compares the request ("3" is 3.0.0) with >=3.13.
    expect(google({ "main.py": "", "requirements.txt": "uvicorn\n", ".python-version": "3\n" }).processes["web"]).toBe(GUNICORN);
    expect(google({ "main.py": "", "requirements.txt": "uvicorn\n", ".python-version": "3.13\n" }).processes["web"]).toBe(UVICORN);
    expect(google({ "main.py": "", "requirements.txt": "uvicorn\n", ".python-version": "3.*\n" }).processes["web"]).toBe(GUNICORN);
    expect(google({ "main.py": "", "requirements.txt": "uvicorn\n", ".python-version": "3.9\n" }).processes["web"]).toBe(GUNICORN);
  });
});
