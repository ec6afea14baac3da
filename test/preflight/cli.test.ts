import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { DetectResult } from "../../preflight";
import { fixture } from "./helpers";

const ROOT = path.join(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "gantry.js");

function gantry(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("gantry detect", () => {
  it("--json gives language, outcome and web command for Python, Node.js, Go and Java apps", () => {
    const dirs = ["python-pip", "node-npm", "go-root", "java-maven"].map(fixture);
    const r = gantry(["detect", ...dirs, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as DetectResult[];
    expect(out.map((x) => [x.language, x.outcome, x.processes["web"]])).toEqual([
      ["python", "web", "gunicorn -b :8080 main:app"],
      ["nodejs", "web", "npm run start"],
      ["go", "web", "/layers/google.go.build/bin/main"],
      ["java", "web", "java -jar target/inventory-0.0.1-SNAPSHOT.jar"],
    ]);
    for (const x of out) {
      expect(Object.keys(x)).toEqual(expect.arrayContaining(["dir", "language", "packageManager", "processes", "defaultProcess", "outcome", "findings", "runtimeVersion"]));
    }
  });

  it("exits 1 when a folder's build would fail, with the error finding in the JSON", () => {
    const r = gantry(["detect", fixture("python-pip"), fixture("python-procfile-no-web"), "--json"]);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as DetectResult[];
    expect(out[1]).toMatchObject({ outcome: "build-error", findings: [{ severity: "error", code: "procfile-missing-web", file: "Procfile" }] });
  });

  it("exits 1 on detect-fail", () => {
    const r = gantry(["detect", fixture("requirements-only"), "--json"]);
    expect(r.status).toBe(1);
    expect((JSON.parse(r.stdout) as DetectResult[])[0]?.outcome).toBe("detect-fail");
  });

  it("with a builder Gantry does not recognise, shows what Google's rules would refuse as a warning and exits 0, as the catalog's preflight does", () => {
    const custom = gantry(["detect", fixture("requirements-only"), "--builder", "registry.example.com/platform/builder:1", "--json"]);
    expect(custom.status).toBe(0);
    const [res] = JSON.parse(custom.stdout) as DetectResult[];
    expect(res?.outcome).toBe("detect-fail");
    expect(res?.findings.map((f) => [f.severity, f.code])).toEqual([
      ["warning", "builder-unrecognized"],
      ["warning", "requirements-without-python"],
    ]);
    expect(res?.findings[1]?.fix).toMatch(/\(not blocking: a prediction for a builder Gantry does not recognise\)$/);
  });

  it("--builder switches to Paketo's rules", () => {
    const r = gantry(["detect", fixture("paketo-python-procfile"), "--builder", "paketobuildpacks/builder-jammy-base", "--json"]);
    expect(r.status).toBe(0);
    const [res] = JSON.parse(r.stdout) as DetectResult[];
    expect(res).toMatchObject({ builderFamily: "paketo", processes: { "sync-prices": "python -m sync" } });
  });

  it("--env and --port feed the rules", () => {
    const r = gantry(["detect", fixture("python-pip"), "--port", "3000", "--env", "GOOGLE_PYTHON_VERSION=3.12", "--json"]);
    expect(r.status).toBe(1);
    const [res] = JSON.parse(r.stdout) as DetectResult[];
    expect(res?.runtimeVersion).toEqual({ value: "3.12", source: "GOOGLE_PYTHON_VERSION (service build env)" });
    expect(res?.findings.map((f) => f.code)).toEqual(["python-default-port"]);
  });

  it("prints a readable report by default", () => {
    const r = gantry(["detect", fixture("python-procfile-no-gunicorn")]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("language    python (pip)");
    expect(r.stdout).toContain("web  gunicorn -b :$PORT main:app  (default)");
    expect(r.stdout).toContain("error   [python-server-not-installed] Procfile:1");
    expect(r.stdout).toContain("fix: Add gunicorn to requirements.txt.");
  });

  it("a missing folder is a one-line error, not a stack trace", () => {
    const r = gantry(["detect", fixture("no-such-app"), "--json"]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual([`gantry detect: ${fixture("no-such-app")}: no such folder`]);
  });
});
