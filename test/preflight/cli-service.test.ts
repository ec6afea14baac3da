import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { DetectResult } from "../../preflight";

const BIN = path.join(__dirname, "..", "..", "bin", "gantry.js");
const made: string[] = [];
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** A Gantry project holding one service, pricing: a FastAPI app pinned to Python 3.12 as the README's example is. */
function project(serviceYaml: string, files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-detect-service-"));
  made.push(dir);
  const all: Record<string, string> = {
    "Pulumi.yaml": "name: gantry\nruntime: nodejs\n",
    "Pulumi.dev.yaml": "config:\n  gantry:project: acme-dev\n  gantry:region: europe-west1\n",
    "Pulumi.paketo.yaml": `config:\n  gantry:project: acme-paketo\n  gantry:region: europe-west1\n  gantry:builder: paketobuildpacks/builder-jammy-base@sha256:${"1".repeat(64)}\n`,
    "services/pricing/service.yaml": serviceYaml,
    "services/pricing/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
    "services/pricing/requirements.txt": "fastapi==0.115.0\nuvicorn==0.30.0\n",
    "services/pricing/tests/test_quote.py": "def test_quote():\n    assert True\n",
    ...files,
  };
  for (const [rel, text] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const PRICING = `name: pricing
kind: service
cpu: 1
memory: 512Mi
build:
  env:
    GOOGLE_PYTHON_VERSION: "3.12"
  exclude: ["tests/"]
`;

function detect(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, "detect", ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("gantry detect on a service's folder", () => {
  it("reads the service's build env and exclude: Python 3.12 means gunicorn, which cannot serve FastAPI, and tests/ is not uploaded", () => {
    const dir = project(PRICING);
    const r = detect(dir, "services/pricing", "--json");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    const [res] = JSON.parse(r.stdout) as DetectResult[];
    expect(res).toMatchObject({ dir: "services/pricing", language: "python", processes: { web: "gunicorn -b :8080 main:app" }, runtimeVersion: { value: "3.12", source: "GOOGLE_PYTHON_VERSION (service build env)" } });
    expect(res!.detectedBy).toBe("*.py files (main.py)");
    expect(res!.findings.map((f) => f.code)).toEqual(["asgi-on-sync-worker"]);
    expect(res!.findings[0]!.fix).toContain("web: uvicorn main:app --host 0.0.0.0 --port $PORT");

    // The same folder from inside it, in the readable report, names the service whose settings it used.
    const text = detect(path.join(dir, "services", "pricing"));
    expect(text.stdout).toContain("service     pricing (service.yaml, stack dev: its build env, include/exclude, kind and port)");
  });

  it("without the pin the builder's Python 3.13 default starts uvicorn, and the folder builds and serves", () => {
    const dir = project(PRICING.replace('    GOOGLE_PYTHON_VERSION: "3.12"\n', "    LOG_FORMAT: json\n"));
    const r = detect(dir, "services/pricing", "--json");
    expect(r.status).toBe(0);
    const [res] = JSON.parse(r.stdout) as DetectResult[];
    expect(res).toMatchObject({ outcome: "web", processes: { web: "uvicorn main:app --port 8080 --host 0.0.0.0" }, findings: [] });
  });

  it("--stack picks the stack whose builder applies; --builder and --env given on the command line still win", () => {
    const dir = project(PRICING);
    const paketo = JSON.parse(detect(dir, "services/pricing", "--stack", "paketo", "--json").stdout) as DetectResult[];
    expect(paketo[0]!.builderFamily).toBe("paketo");
    const env = JSON.parse(detect(dir, "services/pricing", "--env", "GOOGLE_PYTHON_VERSION=3.13", "--json").stdout) as DetectResult[];
    expect(env[0]!.processes["web"]).toBe("uvicorn main:app --port 8080 --host 0.0.0.0");
    const builder = JSON.parse(detect(dir, "services/pricing", "--builder", "paketobuildpacks/builder-jammy-base", "--json").stdout) as DetectResult[];
    expect(builder[0]!.builderFamily).toBe("paketo");
  });

  it("a folder no service owns is read as it is, with no build env", () => {
    const dir = project(PRICING, { "apps/loose/main.py": "from fastapi import FastAPI\napp = FastAPI()\n", "apps/loose/requirements.txt": "fastapi\nuvicorn\n" });
    const [res] = JSON.parse(detect(dir, "apps/loose", "--json").stdout) as DetectResult[];
    expect(res).toMatchObject({ dir: "apps/loose", processes: { web: "uvicorn main:app --port 8080 --host 0.0.0.0" } });
  });

  it("a service.yaml that cannot be loaded is reported, not silently ignored", () => {
    const dir = project("name: pricing\nkind: service\ncpu: 1\nmemory: 5Gi\n");
    const r = detect(dir, "services/pricing");
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("services/pricing/service.yaml:4:9 memory");
    expect(r.stderr).toContain("services/pricing/service.yaml could not be loaded (its problems above)");
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
