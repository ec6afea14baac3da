import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { detect } from "../../preflight";
import { codes, errorCodes, fixture, GOOGLE, removeTempApps, run, tempApp } from "./helpers";

afterAll(removeTempApps);

describe("jobs and processes", () => {
  it("a job whose process is in the Procfile is fine", () => {
    const r = run("job-procfile", { kind: "job", jobProcess: "report" });
    expect(r.processes).toEqual({ web: "gunicorn -b :$PORT health:app", report: "python report.py" });
    expect(r.findings).toEqual([]);
  });

  it("a job whose process is not in the Procfile is an error naming what exists", () => {
    const r = run("job-procfile", { kind: "job", jobProcess: "export" });
    expect(r.outcome).toBe("web");
    expect(r.findings).toMatchObject([{ severity: "error", code: "job-process-missing", file: "Procfile" }]);
    expect(r.findings[0]?.message).toContain("web, report");
  });

  it("a job process without any Procfile is an error", () => {
    expect(errorCodes(run("python-pip", { kind: "job", jobProcess: "migrate" }))).toEqual(["job-process-missing"]);
  });

  it("build.defaultProcess must exist, or pack's export fails", () => {
    expect(run("job-procfile", { defaultProcess: "report" })).toMatchObject({ defaultProcess: "report", outcome: "web" });
    const bad = run("job-procfile", { defaultProcess: "cron" });
    expect(bad.outcome).toBe("build-error");
    expect(bad.findings[0]?.message).toContain("tried to set cron to default but it doesn't exist");
  });

  it("a literal port in the web command that differs from the service port is a warning", () => {
    const dir = tempApp({ "requirements.txt": "gunicorn\n", "main.py": "app = None\n", Procfile: "web: gunicorn -b 0.0.0.0:8000 main:app\n" });
    const r = detect({ dir, builder: GOOGLE, kind: "service", port: 8080 });
    expect(r.findings).toMatchObject([{ severity: "warning", code: "web-port-mismatch", file: "Procfile", line: 1 }]);
    expect(codes(detect({ dir, builder: GOOGLE, kind: "service", port: 8000 }))).toEqual([]);
  });
});

describe("folders and descriptors", () => {
  it("a missing folder is a detect-fail with one clear finding", () => {
    const r = detect({ dir: fixture("does-not-exist"), builder: GOOGLE });
    expect(r).toMatchObject({ language: null, outcome: "detect-fail" });
    expect(codes(r)).toEqual(["source-missing"]);
  });

  it("an empty folder is a detect-fail", () => {
    const dir = tempApp({});
    const r = detect({ dir, builder: GOOGLE });
    expect(r).toMatchObject({ language: null, outcome: "detect-fail", processes: {}, defaultProcess: null });
    expect(codes(r)).toEqual(["nothing-detected"]);
  });

  it("project.toml with both include and exclude stops pack", () => {
    const dir = tempApp({ "main.py": "app = None\n", "project.toml": '[_]\nschema-version = "0.2"\n[io.buildpacks]\ninclude = ["*.py"]\nexclude = ["tests/"]\n' });
    expect(detect({ dir, builder: GOOGLE }).outcome).toBe("build-error");
  });

  it("project.toml include narrows what the builder sees", () => {
    const dir = tempApp({ "package.json": "{}", "index.js": "", "tools/x.go": "package main", "project.toml": '[io.buildpacks]\ninclude = ["package.json", "*.js"]\n' });
    expect(detect({ dir, builder: GOOGLE }).language).toBe("nodejs");
  });

  it("Ruby without a Procfile fails on Google's builder", () => {
    const r = run("ruby-no-procfile");
    expect(r).toMatchObject({ language: "ruby", outcome: "build-error" });
    expect(errorCodes(r)).toEqual(["ruby-no-entrypoint"]);
  });

  it("heroku and unknown builders say how they were read", () => {
    expect(codes(run("python-procfile", { builder: "heroku/builder:24" }))).toEqual(["builder-approximated"]);
    expect(codes(run("python-pip", { builder: "registry.example.com/custom/builder:1" }))).toEqual(["builder-unrecognized"]);
  });

  it("every fixture gets a verdict quickly", () => {
    const started = Date.now();
    for (const name of fs.readdirSync(path.dirname(fixture("x")))) detect({ dir: fixture(name), builder: GOOGLE });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("broken manifests", () => {
  it("invalid package.json is one build-stopping finding", () => {
    const dir = tempApp({ "package.json": '{ "name": "x", }' });
    const r = detect({ dir, builder: GOOGLE });
    expect(r.outcome).toBe("build-error");
    expect(codes(r)).toEqual(["package-json-invalid"]);
  });

  it("invalid pyproject.toml is reported once", () => {
    const dir = tempApp({ "pyproject.toml": "[project\nname = 1", "main.py": "", Procfile: "web: gunicorn main:app\n" });
    const r = detect({ dir, builder: GOOGLE });
    expect(r.outcome).toBe("build-error");
    expect(codes(r).filter((c) => c === "pyproject-invalid")).toHaveLength(1);
  });
});
