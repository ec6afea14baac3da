import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.join(__dirname, "..", "..");

function gantry(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin", "gantry.js"), ...args], { cwd: root, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("gantry validate", () => {
  it("prints a table of the example services for each stack and exits 0", () => {
    const r = gantry("validate");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    for (const stack of ["dev", "staging", "prod"]) expect(r.stdout).toContain(`stack ${stack} (project acme-gantry-${stack}, europe-west1)`);
    expect(r.stdout).toMatch(/storefront\s+service\s+Cloud Run service \(public\)\s+2\s+1Gi\s+2-20 instances x80/);
    expect(r.stdout).toMatch(/nightly-report\s+job\s+Cloud Run job \(job\)\s+1\s+1Gi\s+4 tasks x2, "0 3 \* \* \*" Europe\/Berlin/);
    expect(r.stdout).toMatch(/catalog-api\s+gke\s+GKE shop\/catalog-api \(ClusterIP\)\s+250m\s+256Mi\s+2-6 replicas @70% cpu/);
    expect(r.stdout).toContain("3 services valid in dev, staging, prod.");
  });

  it("shows the command each image will start, as the preflight predicts it from the service's own build settings", () => {
    const r = gantry("validate", "--stack", "dev");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/NAME\s+KIND\s+TARGET\s+CPU\s+MEMORY\s+SCALING\s+LAUNCH\n/);
    // GOOGLE_PYTHON_VERSION "3.12" in storefront's service.yaml: before 3.13 the builder's default is gunicorn.
    expect(r.stdout).toMatch(/storefront\s+service\s+.*x80\s+gunicorn -b :8080 main:app\n/);
    // A job shows the Procfile process it runs, not the web one.
    expect(r.stdout).toMatch(/nightly-report\s+job\s+.*on demand\s+python report\.py\n/);
    expect(r.stdout).toMatch(/catalog-api\s+gke\s+.*cpu\s+npm run start\n/);
    const json = JSON.parse(gantry("validate", "--stack", "dev", "--json").stdout) as { stacks: { services: { name: string; launch: string }[] }[] };
    expect(json.stacks[0]!.services.map((s) => [s.name, s.launch])).toEqual([
      ["catalog-api", "npm run start"],
      ["nightly-report", "python report.py"],
      ["storefront", "gunicorn -b :8080 main:app"],
    ]);
  });

  it("validates one stack with --stack", () => {
    const r = gantry("validate", "--stack", "dev");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("stack dev");
    expect(r.stdout).not.toContain("stack prod");
    expect(r.stdout).toMatch(/nightly-report\s+job\s+Cloud Run job \(job\)\s+1\s+1Gi\s+1 tasks x1, on demand/);
  });

  it("lists every problem of a broken catalog with file:line:column and field, exits 1, and prints no stack trace", () => {
    const r = gantry("validate", "--services", "test/fixtures/catalogs/broken");
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    const problems = lines.filter((l) => l.startsWith("test/fixtures/"));
    expect(problems.length).toBeGreaterThanOrEqual(25);
    for (const l of problems) expect(l).toMatch(/^test\/fixtures\/catalogs\/broken\/\w+\/service\.yaml:\d+:\d+ \S/);
    expect(r.stderr).toContain('test/fixtures/catalogs/broken/api/service.yaml:4:9 memory: "5Gi" needs at least 2 CPU (cpu is 1) [dev, staging]');
    expect(r.stderr).toContain('test/fixtures/catalogs/broken/api/service.yaml:5:1 minInstance: unknown field (did you mean "minInstances"?)');
    expect(r.stderr).toContain("test/fixtures/catalogs/broken/syntax/service.yaml:2:7 YAML syntax error:");
    expect(r.stderr).toMatch(/\d+ problems in 3 files; nothing was built or deployed\.$/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("names an unknown stack with a suggestion", () => {
    const r = gantry("validate", "--stack", "prd");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Pulumi.prd.yaml:1:1 unknown stack "prd" (did you mean "prod"?); stacks are dev, staging, prod');
  });

  it("says so when the catalog folder does not exist", () => {
    const r = gantry("validate", "--services", "no/such/dir");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("no/such/dir:1:1 service catalog folder not found");
  });

  it("fails a service whose build would fail, pointing at the file the builder would trip on", () => {
    const r = gantry("validate", "--stack", "dev", "--services", "test/fixtures/catalogs/unbuildable");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^test\/fixtures\/catalogs\/unbuildable\/no-web\/Procfile:1:1 no-web: .*web process not found in Procfile.*\(procfile-missing-web\)/m);
    expect(r.stderr).toMatch(/^test\/fixtures\/catalogs\/unbuildable\/wrong-process\/Procfile:1:1 wrong-process: The job runs process "nightly".*\(job-process-missing\)/m);
    expect(r.stderr).toMatch(/^test\/fixtures\/catalogs\/unbuildable\/no-entry\/service\.yaml:1:1 build: no-entry: .*main\.py or app\.py.*\(python-no-entrypoint\)/m);
    expect(r.stderr).toContain("3 problems in 3 files; nothing was built or deployed.");
  });
});
