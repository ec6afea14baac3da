import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

/*
 * `gantry build` as a person or the pipeline runs it, on this repository's own stacks. Only --dry-run and refusals:
 * the builds are test/build/shards.host.test.ts (stand-in pack, real registry) and test/real/adoption.real.test.ts
 * (the real pack). No registry is reachable from a test, so every lookup is a miss and every image is a first build.
 */

const root = path.join(__dirname, "..", "..");
const bin = path.join(root, "bin", "gantry.js");

function gantry(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, GOOGLE_OAUTH_ACCESS_TOKEN: "", PULUMI_BACKEND_URL: "" }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("gantry build", () => {
  it("--dry-run says what each image of the stack needs and why, and builds nothing", () => {
    const r = gantry(["build", "--stack", "staging", "--dry-run"]);
    expect(r.status).toBe(0);
    const rows = r.stdout.trim().split("\n").map((l) => l.split(/\s{2,}/).slice(0, 2));
    expect(rows).toEqual([
      ["catalog-api", "build"],
      ["nightly-report", "build"],
      ["storefront", "build"],
    ]);
    expect(r.stdout).toContain("first build (no deployment on record)");
    expect(r.stderr).toContain("gantry build: dry run: 3 to build or rebase, nothing done");
  });

  it("--shard with --json gives this shard's share only, and how many images other shards own", () => {
    const shares = [1, 2, 3].map((k) => JSON.parse(gantry(["build", "--stack", "staging", "--dry-run", "--json", "--shard", `${k}/3`]).stdout) as { decisions: { name: string; shard: number }[]; otherShards: number });
    expect(shares.map((s) => s.decisions.length)).toEqual([1, 1, 1]);
    expect(shares.map((s) => s.otherShards)).toEqual([2, 2, 2]);
    expect(shares.flatMap((s) => s.decisions.map((d) => d.name)).sort()).toEqual(["catalog-api", "nightly-report", "storefront"]);
  });

  it("refuses a wrong shard (exit 2) and an unknown service (exit 1) with what is wrong; a promoting stack builds nothing", () => {
    const shard = gantry(["build", "--stack", "staging", "--shard", "4/3"]);
    expect(shard.status).toBe(2);
    expect(shard.stderr.trim()).toBe('gantry build: --shard "4/3": K must be 1 to 3');
    const service = gantry(["build", "--stack", "staging", "--service", "storefrnt", "--dry-run"]);
    expect(service.status).toBe(1);
    expect(service.stderr).toContain('gantry build: no image of "storefrnt" in stack staging (it builds: catalog-api, nightly-report, storefront)');
    const prod = gantry(["build", "--stack", "prod"]);
    expect(prod.status).toBe(0);
    expect(prod.stderr).toContain("gantry build: prod promotes the images of organization/gantry/staging and builds nothing");
  });

  it("names the services still built from a Dockerfile, which pulumi up builds, and builds none of them", () => {
    const r = gantry(["build", "--stack", "dev", "--services", "test/fixtures/migrate", "--dry-run"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("gantry build: go-distroless, go-two-mains-alpine, node-express-ready, node-tini-gke, node-ts-multistage, py-dash-procfile, py-django-apt, py-flask-ready, py-job-report, py-uvicorn-alpine still build from a Dockerfile: pulumi up builds them, not gantry build");
    expect(r.stderr).toContain("gantry build: dry run: 0 to build or rebase, nothing done");
  });
});
