import { afterAll, describe, expect, it } from "vitest";
import { detect } from "../../preflight";
import { codes, errorCodes, GOOGLE, PAKETO, removeTempApps, run, tempApp } from "./helpers";

afterAll(removeTempApps);

describe("Python on Google's builder: default entrypoint (no Procfile)", () => {
  it("requirements.txt + main.py → pip, gunicorn main:app", () => {
    const r = run("python-pip");
    expect(r).toMatchObject({ language: "python", packageManager: "pip", outcome: "web", defaultProcess: "web" });
    expect(r.processes).toEqual({ web: "gunicorn -b :8080 main:app" });
    expect(r.runtimeVersion).toEqual({ value: "3.13", source: "builder default (google-22)" });
    expect(r.findings).toEqual([]);
  });

  it("only app.py → app:app; main.py wins when both exist", () => {
    expect(run("python-app-only").processes["web"]).toBe("gunicorn -b :8080 app:app");
    expect(run("python-main-and-app").processes["web"]).toBe("gunicorn -b :8080 main:app");
  });

  it("pyproject with [tool.poetry] and poetry.lock → poetry", () => {
    const r = run("python-poetry");
    expect(r).toMatchObject({ packageManager: "poetry", outcome: "web" });
    expect(r.processes["web"]).toBe("gunicorn -b :8080 main:app");
  });

  it("pyproject + uv.lock with fastapi[standard] on 3.13 → uv and the uvicorn smart default", () => {
    const r = run("python-uv-fastapi");
    expect(r.packageManager).toBe("uv");
    expect(r.processes["web"]).toBe("uvicorn main:app --port 8080 --host 0.0.0.0");
  });

  it("a [project.scripts] start entry in a src/ layout wins, wrapped in uv run", () => {
    const r = run("python-uv-script");
    expect(r).toMatchObject({ packageManager: "uv", outcome: "web" });
    expect(r.processes["web"]).toBe("uv run start");
  });

  it("requirements.txt wins over pyproject.toml, and -r includes are followed", () => {
    const r = run("python-requirements-wins");
    expect(r.packageManager).toBe("pip");
    expect(r.processes["web"]).toBe("gunicorn -b :8080 main:app");
  });

  it("Python below 3.13 (from .python-version) keeps the gunicorn default even with uvicorn", () => {
    const r = run("python-legacy-default");
    expect(r.runtimeVersion).toEqual({ value: "3.12", source: ".python-version" });
    expect(r.processes["web"]).toBe("gunicorn -b :8080 main:app");
  });

  it("streamlit in the dependencies → streamlit run on 8080", () => {
    expect(run("python-streamlit").processes["web"]).toBe("streamlit run app.py --server.address 0.0.0.0 --server.port 8080");
  });

  it("GOOGLE_PYTHON_VERSION from the service build env beats .python-version", () => {
    const r = run("python-legacy-default", { buildEnv: { GOOGLE_PYTHON_VERSION: "3.13" } });
    expect(r.runtimeVersion).toEqual({ value: "3.13", source: "GOOGLE_PYTHON_VERSION (service build env)" });
    expect(r.processes["web"]).toBe("uvicorn main:app --port 8080 --host 0.0.0.0");
  });

  it("no main.py, app.py or Procfile → build error with the builder's message", () => {
    const r = run("python-no-entrypoint");
    expect(r.outcome).toBe("build-error");
    expect(errorCodes(r)).toEqual(["python-no-entrypoint"]);
    expect(r.findings[0]?.message).toContain("provide a main.py or app.py file");
    expect(r.processes).toEqual({});
  });

  it("the default entrypoint with a port other than 8080 is an error for a service", () => {
    const r = run("python-pip", { kind: "service", port: 8000 });
    expect(errorCodes(r)).toEqual(["python-default-port"]);
    expect(r.findings[0]?.fix).toContain("web: gunicorn -b :$PORT main:app");
    expect(codes(run("python-pip", { kind: "service", port: 8080 }))).toEqual([]);
    expect(codes(run("python-pip", { kind: "job", port: 8000 }))).toEqual([]);
  });

  it("an empty .python-version stops the build", () => {
    const r = run("python-empty-version");
    expect(r.outcome).toBe("build-error");
    expect(r.findings[0]).toMatchObject({ code: "python-version-empty", file: ".python-version", line: 1 });
  });

  it("a version the builder does not offer is a warning", () => {
    const r = run("python-old-version");
    expect(r.outcome).toBe("web");
    expect(r.findings).toMatchObject([{ severity: "warning", code: "runtime-version-unavailable", file: ".python-version" }]);
    // google-18 (v1) still has 3.8
    expect(codes(run("python-old-version", { builder: "gcr.io/buildpacks/builder:v1" }))).toEqual([]);
  });

  it("requirements.txt without any .py file is not Python for the builder", () => {
    const r = run("requirements-only");
    expect(r).toMatchObject({ language: null, outcome: "detect-fail" });
    expect(errorCodes(r)).toEqual(["requirements-without-python"]);
  });
});

describe("Python on Google's builder: explicit entrypoint", () => {
  it("Procfile web and worker become processes; gunicorn listed → no finding", () => {
    const r = run("python-procfile", { kind: "service", port: 8080 });
    expect(r.processes).toEqual({ web: "gunicorn --bind :$PORT --workers 2 shop.wsgi:application", worker: "python -m shop.worker" });
    expect(r.findings).toEqual([]);
  });

  it("gunicorn in the Procfile but not in the dependencies is an error", () => {
    const r = run("python-procfile-no-gunicorn");
    expect(r.outcome).toBe("web");
    expect(r.findings).toMatchObject([{ code: "python-server-not-installed", file: "Procfile", line: 1, severity: "error" }]);
  });

  it("a Procfile without web fails the build", () => {
    const r = run("python-procfile-no-web");
    expect(r.outcome).toBe("build-error");
    expect(r.findings[0]?.message).toContain("web process not found in Procfile, found processes: [worker]");
  });

  it("invalid names, indented lines and empty commands are reported with their lines", () => {
    const r = run("python-procfile-bad-names");
    expect(r.findings.map((f) => [f.code, f.line])).toEqual([
      ["procfile-invalid-process-name", 1],
      ["procfile-invalid-process-name", 2],
      ["procfile-empty-command", 3],
    ]);
    expect(r.processes).toEqual({ web: "worker: python worker.py" });
  });

  it("a line with a space before its colon is named with its line and the fix, not skipped in silence", () => {
    const dir = tempApp({ "requirements.txt": "flask\ngunicorn\n", "Procfile": "worker: python w.py\nweb : gunicorn main:app\n", "main.py": "" });
    const r = detect({ dir, builder: GOOGLE });
    expect(r.findings[0]).toMatchObject({ code: "procfile-invalid-process-name", file: "Procfile", line: 2, severity: "error" });
    expect(r.findings[0]?.message).toBe('Procfile line 2 has a space before its colon ("web :"), so the builder does not read "web" as a process.');
    expect(r.findings[0]?.fix).toBe("Remove the space: `web: <command>`.");
  });

  it("GOOGLE_ENTRYPOINT (project.toml build env) overrides the Procfile", () => {
    const r = run("python-entrypoint-env");
    expect(r.processes).toEqual({ web: "gunicorn -b :$PORT main:app" });
    expect(codes(r)).toEqual(["procfile-ignored"]);
    expect(r.detectedBy).toContain("GOOGLE_ENTRYPOINT");
  });

  it("GOOGLE_ENTRYPOINT removes Procfile processes a job relies on", () => {
    const r = run("python-entrypoint-env", { kind: "job", jobProcess: "migrate" });
    expect(errorCodes(r)).toEqual(["job-process-missing"]);
    expect(r.findings[0]?.message).toContain("GOOGLE_ENTRYPOINT");
  });
});

describe("Python on Paketo's builder", () => {
  it("no Procfile → the web process is a bare python REPL, an error", () => {
    const r = run("python-pip", { builder: PAKETO });
    expect(r.processes).toEqual({ web: "python" });
    expect(errorCodes(r)).toEqual(["paketo-python-no-web"]);
  });

  it("Procfile names may contain hyphens; web is the default", () => {
    const r = run("paketo-python-procfile", { builder: PAKETO });
    expect(r.processes).toEqual({ web: "gunicorn --bind 0.0.0.0:$PORT app:app", "sync-prices": "python -m sync" });
    expect(r.defaultProcess).toBe("web");
    expect(r.findings).toMatchObject([{ severity: "warning", code: "process-name-not-portable", line: 2 }]);
  });

  it("without web the worker process is the default", () => {
    const dir = tempApp({ "requirements.txt": "rq\n", "Procfile": "worker: rq worker\n", "w.py": "" });
    const r = detect({ dir, builder: PAKETO, kind: "job" });
    expect(r.defaultProcess).toBe("worker");
  });

  it("the same hyphenated Procfile is an error on Google's builder", () => {
    expect(errorCodes(run("paketo-python-procfile"))).toEqual(["procfile-invalid-process-name"]);
  });
});

describe("Python detection edge cases", () => {
  it(".py files inside node_modules do not count", () => {
    const dir = tempApp({ "requirements.txt": "flask\n", "node_modules/gyp/gyp.py": "" });
    expect(detect({ dir, builder: GOOGLE }).outcome).toBe("detect-fail");
  });

  it("GOOGLE_RUNTIME=python forces Python even when package.json is there", () => {
    const dir = tempApp({ "package.json": "{}", "main.py": "app = None\n", "requirements.txt": "flask\n" });
    expect(detect({ dir, builder: GOOGLE }).language).toBe("nodejs");
    expect(detect({ dir, builder: GOOGLE, buildEnv: { GOOGLE_RUNTIME: "python" } }).language).toBe("python");
  });
});
