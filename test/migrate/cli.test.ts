import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../catalog/load";
import { migrationReport, type MigrationReport } from "../../migrate";
import { BASE, catalogOf } from "../support/catalog-fixture";

const ROOT = path.join(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "gantry.js");

function gantry(args: string[], cwd = ROOT): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("gantry migrate", () => {
  it("--json reports every fixture Dockerfile with its verdict and steps, for every stack, and exits 0", () => {
    const r = gantry(["migrate", "--services", "test/fixtures/migrate", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as MigrationReport;
    const catalog = loadCatalog({ projectDir: ROOT, servicesDir: path.join(ROOT, "test", "fixtures", "migrate"), cwd: ROOT });
    expect(out.stacks).toEqual(catalog.stacks);
    // Every stack pins the same builder, so each service has one result, for all stacks.
    for (const s of out.services) expect(s.stacks).toEqual(catalog.stacks);
    const library = migrationReport(catalog, catalog.stacks, ROOT);
    expect(out.services.map((s) => [s.name, s.verdict, s.steps, s.blockers])).toEqual(library.services.map((s) => [s.name, s.verdict, s.steps, s.blockers]));
    expect(Object.fromEntries(out.services.map((s) => [s.name, s.verdict]))).toEqual({
      "go-distroless": "needs",
      "go-two-mains-alpine": "needs",
      "node-express-ready": "ready",
      "node-tini-gke": "needs",
      "node-ts-multistage": "needs",
      "py-dash-procfile": "needs",
      "py-django-apt": "blocked",
      "py-flask-ready": "ready",
      "py-job-report": "needs",
      "py-uvicorn-alpine": "needs",
    });
    expect(out.services.find((s) => s.name === "py-dash-procfile")).toMatchObject({
      file: "test/fixtures/migrate/py-dash-procfile/service.yaml",
      dockerfile: "test/fixtures/migrate/py-dash-procfile/Dockerfile",
      steps: expect.arrayContaining(["add a Procfile line `web: gunicorn -b :8080 app:server`"]),
    });
    expect(out.summary).toMatchObject({ buildpacks: 0, dockerfile: 10, blocked: ["py-django-apt"] });
  });

  it("prints a terminal report by default and a PR comment with --markdown", () => {
    const text = gantry(["migrate", "--services", "test/fixtures/migrate", "--stack", "dev"]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain("py-django-apt: BLOCKED  (test/fixtures/migrate/py-django-apt/Dockerfile)");
    expect(text.stdout).toContain("    1. add a Procfile line `web: gunicorn -b :8080 app:server` [Dockerfile:8]");
    expect(text.stdout).toContain("Delete test/fixtures/migrate/py-flask-ready/Dockerfile and build.dockerfile");
    expect(text.stdout.trimEnd().split("\n").pop()).toBe("10 services build from a Dockerfile: 2 ready, 7 need changes, 1 blocked.");
    const md = gantry(["migrate", "--services", "test/fixtures/migrate", "--stack", "dev", "--markdown"]);
    expect(md.status).toBe(0);
    expect(md.stdout).toContain("| service | verdict | why | steps | blockers |");
    expect(md.stdout).toContain("| `py-django-apt` | ⛔ blocked | libpq-dev (apt-get install): buildpacks install no OS packages and the builder's run image does not have it, so this needs a custom run image (and 1 more blocker) | 4 | 2 |");
    expect(text.stdout).toContain("py-django-apt: BLOCKED  (test/fixtures/migrate/py-django-apt/Dockerfile)\n  why       libpq-dev (apt-get install): buildpacks install no OS packages and the builder's run image does not have it, so this needs a custom run image (and 1 more blocker)\n");
    expect(md.stdout).toContain("1. add a Procfile line `web: gunicorn -b :8080 app:server` (Dockerfile line 8)");
  });

  it("--service (repeatable) reports only those services, and names one that does not exist", () => {
    const r = gantry(["migrate", "--services", "test/fixtures/migrate", "--stack", "dev", "--service", "py-flask-ready", "--service", "go-distroless", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as MigrationReport;
    expect(out.services.map((s) => [s.name, s.verdict])).toEqual([
      ["go-distroless", "needs"],
      ["py-flask-ready", "ready"],
    ]);
    expect(out.summary).toMatchObject({ dockerfile: 2 });
    const missing = gantry(["migrate", "--services", "test/fixtures/migrate", "--stack", "dev", "--service", "py-flask-redy"]);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toContain('test/fixtures/migrate:1:1 no service named "py-flask-redy" (did you mean "py-flask-ready"?)');
  });

  it("says so when nothing builds from a Dockerfile", () => {
    const r = gantry(["migrate", "--stack", "dev"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("No service builds from a Dockerfile in dev: nothing to migrate.\n");
  });

  it("exits 1 on an invalid catalog, with the located problem and no stack trace; 2 on conflicting options", () => {
    const c = catalogOf({ svc: `${BASE.service}build:\n  dockerfile: docker/Dockerfile\n` });
    fs.writeFileSync(path.join(c.root, "Pulumi.yaml"), "name: gantry\nruntime: nodejs\n");
    const r = gantry(["migrate", "--json"], c.root);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("services/svc/service.yaml:4:15 build.dockerfile: api: Dockerfile services/svc/docker/Dockerfile not found; build.dockerfile is relative to the folder holding service.yaml");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const both = gantry(["migrate", "--json", "--markdown"]);
    expect(both.status).toBe(2);
    expect(both.stderr).toBe("gantry migrate: give --markdown or --json, not both\n");
  });
});
