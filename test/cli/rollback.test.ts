import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPlatform } from "../../catalog/platform";
import { deleteManifest, startRegistry, type RunningRegistry } from "../support/registry";

/*
 * gantry history, rollback, unpin and rollout advance|abort, run as a user runs them (bin/gantry in a child
 * process, from a copy of the project), against a stack's outputs file as `pulumi stack output --json` writes
 * it. The registry check asks a real registry (Debian's docker-registry) for the image.
 */

const root = path.join(__dirname, "..", "..");
const bin = path.join(root, "bin", "gantry.js");

function gantry(cwd: string, args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: { ...process.env, GOOGLE_OAUTH_ACCESS_TOKEN: "test-token" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function projectCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-rollback-cli-"));
  for (const f of fs.readdirSync(root).filter((f) => /^Pulumi\..*ya?ml$/.test(f))) fs.copyFileSync(path.join(root, f), path.join(dir, f));
  fs.cpSync(path.join(root, "services"), path.join(dir, "services"), { recursive: true });
  return dir;
}

const sha = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;

let registry: RunningRegistry;

/** Pushes a one-config, no-layer OCI image and returns its manifest digest, as pack --publish would leave one. */
async function push(repo: string, label: string): Promise<string> {
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: { Labels: { release: label } }, rootfs: { type: "layers", diff_ids: [] } }));
  const configDigest = `sha256:${createHash("sha256").update(config).digest("hex")}`;
  const start = await fetch(`${registry.url}/v2/${repo}/blobs/uploads/`, { method: "POST" });
  const location = new URL(start.headers.get("location")!, registry.url);
  location.searchParams.set("digest", configDigest);
  const put = await fetch(location, { method: "PUT", body: config, headers: { "Content-Type": "application/octet-stream" } });
  expect(put.status).toBe(201);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length }, layers: [] }));
  const res = await fetch(`${registry.url}/v2/${repo}/manifests/${label}`, { method: "PUT", body: manifest, headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" } });
  expect(res.status).toBe(201);
  return res.headers.get("docker-content-digest")!;
}

interface Fixture {
  dir: string;
  images: string[];
  outputs: string;
}

/** Three releases of storefront in dev, the second a canary at 10 % of the third... as history records them. */
async function fixture(releases: (images: string[]) => unknown[]): Promise<Fixture> {
  const dir = projectCopy();
  const repo = "acme/services/storefront";
  const images: string[] = [];
  for (const label of ["r1", "r2", "r3"]) images.push(`${registry.host}/${repo}@${await push(repo, `${label}-${path.basename(dir)}`)}`);
  const outputs = path.join(dir, "outputs.json");
  fs.writeFileSync(outputs, JSON.stringify({ services: { storefront: { kind: "service", image: images[2] } }, releases: { storefront: releases(images) } }));
  return { dir, images, outputs };
}

const release = (image: string, deployedAt: string, extra: Record<string, unknown> = {}) => ({ digest: image.slice(image.indexOf("@") + 1), image, deployedAt, fingerprint: sha(image), ...extra });

beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
});

describe("gantry history", () => {
  it("lists the releases oldest first, which one serves and which was pinned, and as JSON", async () => {
    const f = await fixture((i) => [
      release(i[0]!, "2026-12-01T10:00:00.000Z", { commit: "0123456789abcdef0123" }),
      release(i[1]!, "2026-12-02T10:00:00.000Z", { traffic: 0, aborted: true }),
      release(i[0]!, "2026-12-03T10:00:00.000Z", { pinned: true }),
    ]);
    const r = gantry(f.dir, ["history", "storefront", "--stack", "dev", "--outputs", f.outputs]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const d = (n: number) => f.images[n]!.slice(f.images[n]!.indexOf("@") + 1, f.images[n]!.indexOf("@") + 20);
    expect(r.stdout.split("\n").map((l) => l.trimEnd())).toEqual([
      "#  DEPLOYED              DIGEST               COMMIT        TRAFFIC",
      `1  2026-12-01T10:00:00Z  ${d(0)}  0123456789ab  100 %`,
      `2  2026-12-02T10:00:00Z  ${d(1)}  -             0 %      canary aborted`,
      `3  2026-12-03T10:00:00Z  ${d(0)}  -             100 %    current, pinned (rollback)`,
      "",
    ]);
    const json = gantry(f.dir, ["history", "storefront", "--stack", "dev", "--outputs", f.outputs, "--json"]);
    expect((JSON.parse(json.stdout) as { digest: string }[]).map((x) => x.digest)).toEqual([0, 1, 0].map((n) => f.images[n]!.slice(f.images[n]!.indexOf("@") + 1)));
  });

  it("says where it looked when there is no deployment on record", () => {
    const dir = projectCopy();
    const r = gantry(dir, ["history", "storefront", "--stack", "dev"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^gantry history: no release history of dev: file:\/\/.*\/\.gantry\/state has no deployment of gantry\/dev; pass --outputs <file> from `pulumi stack output --json --stack dev`\n$/);
  });
});

describe("gantry rollback and unpin", () => {
  it("--previous pins the release before the current one that served all traffic, keeping the file's comments; unpin removes it", async () => {
    const f = await fixture((i) => [
      release(i[0]!, "2026-12-01T10:00:00.000Z", { commit: "0123456789abcdef0123" }),
      release(i[1]!, "2026-12-02T10:00:00.000Z", { traffic: 0, aborted: true }),
      release(i[2]!, "2026-12-03T10:00:00.000Z"),
    ]);
    const file = path.join(f.dir, "Pulumi.dev.yaml");
    const before = fs.readFileSync(file, "utf8");
    const r = gantry(f.dir, ["rollback", "storefront", "--stack", "dev", "--previous", "--outputs", f.outputs, "--reason", "500s on checkout"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`Pulumi.dev.yaml: gantry:pins.storefront = ${f.images[0]}`);
    const after = fs.readFileSync(file, "utf8");
    expect(after.startsWith(before)).toBe(true);
    expect(after.slice(before.length)).toBe(`  gantry:pins:\n    storefront:\n      image: ${f.images[0]}\n      reason: "rollback to the release of 2026-12-01T10:00:00.000Z (commit 0123456789ab): 500s on checkout"\n`);
    expect(loadPlatform(f.dir, "dev").config!.pins.storefront).toEqual({ image: f.images[0], reason: "rollback to the release of 2026-12-01T10:00:00.000Z (commit 0123456789ab): 500s on checkout" });

    const u = gantry(f.dir, ["unpin", "storefront", "--stack", "dev"]);
    expect(u.status).toBe(0);
    expect(fs.readFileSync(file, "utf8")).toBe(before);
    const again = gantry(f.dir, ["unpin", "storefront", "--stack", "dev"]);
    expect(again.status).toBe(1);
    expect(again.stderr).toBe("gantry unpin: storefront is not pinned in Pulumi.dev.yaml\n");
  });

  it("--to takes a digest prefix from the history, and refuses one never deployed, the current one, and one the registry no longer has", async () => {
    const f = await fixture((i) => [release(i[0]!, "2026-12-01T10:00:00.000Z"), release(i[1]!, "2026-12-02T10:00:00.000Z"), release(i[2]!, "2026-12-03T10:00:00.000Z")]);
    const digest = (n: number) => f.images[n]!.slice(f.images[n]!.indexOf("@") + 1);
    const file = path.join(f.dir, "Pulumi.dev.yaml");
    const before = fs.readFileSync(file, "utf8");

    const never = gantry(f.dir, ["rollback", "storefront", "--stack", "dev", "--to", `sha256:${"7".repeat(64)}`, "--outputs", f.outputs]);
    expect(never.status).toBe(1);
    expect(never.stderr).toBe(`gantry rollback: sha256:${"7".repeat(64)} was never deployed as storefront in stack dev; \`gantry history storefront --stack dev\` lists the releases there are\n`);
    const current = gantry(f.dir, ["rollback", "storefront", "--stack", "dev", "--to", digest(2), "--outputs", f.outputs]);
    expect(current.stderr).toBe(`gantry rollback: storefront already runs ${digest(2)} in stack dev\n`);
    const both = gantry(f.dir, ["rollback", "storefront", "--stack", "dev", "--to", digest(1), "--previous"]);
    expect(both.status).toBe(2);

    // Deleted by a cleanup policy: the registry answers 404.
    expect(await deleteManifest(registry.host, "acme/services/storefront", digest(0))).toBe(202);
    const gone = gantry(f.dir, ["rollback", "storefront", "--stack", "dev", "--to", digest(0).slice(0, 19), "--outputs", f.outputs]);
    expect(gone.status).toBe(1);
    expect(gone.stderr).toBe(`gantry rollback: ${f.images[0]} is no longer in the registry (its cleanup policy may have deleted it): it cannot be deployed again\n`);
    expect(fs.readFileSync(file, "utf8")).toBe(before);

    const ok = gantry(f.dir, ["rollback", "storefront", "--stack", "dev", "--to", digest(1).slice(7, 19), "--outputs", f.outputs]);
    expect(ok.stderr).toBe("");
    expect(loadPlatform(f.dir, "dev").config!.pins.storefront!.image).toBe(f.images[1]);
  });
});

describe("gantry rollout advance and abort", () => {
  it("advance moves a canary to its next step, then completes it, in gantry:rollouts", async () => {
    const f = await fixture((i) => [release(i[0]!, "2026-12-01T10:00:00.000Z", { revision: "storefront-00001-abc" }), release(i[1]!, "2026-12-02T10:00:00.000Z", { traffic: 10, revision: "storefront-00002-def" })]);
    const svc = path.join(f.dir, "services", "storefront", "service.yaml");
    fs.writeFileSync(svc, fs.readFileSync(svc, "utf8").replace("build:\n", "rollout:\n  strategy: canary\n  steps: [10, 50, 100]\nbuild:\n"));
    const digest = f.images[1]!.slice(f.images[1]!.indexOf("@") + 1);
    const state = () => {
      const loaded = loadPlatform(f.dir, "dev");
      expect(loaded.problems).toEqual([]);
      return loaded.config!.rollouts.storefront;
    };

    const a = gantry(f.dir, ["rollout", "advance", "storefront", "--stack", "dev", "--outputs", f.outputs]);
    expect(a.stderr).toBe("");
    expect(a.stdout).toContain(`canary of ${digest.slice(0, 19)}: 10 % -> 50 %`);
    expect(state()).toEqual({ digest, percent: 50 });
    gantry(f.dir, ["rollout", "advance", "storefront", "--stack", "dev", "--outputs", f.outputs]);
    expect(state()).toEqual({ digest, percent: 100 });
    const done = gantry(f.dir, ["rollout", "advance", "storefront", "--stack", "dev", "--outputs", f.outputs]);
    expect(done.status).toBe(1);
    expect(done.stderr).toBe(`gantry rollout advance: storefront has no canary in progress in stack dev: ${digest.slice(0, 19)} takes all traffic\n`);
  });

  it("abort sends all traffic back, in gantry:rollouts, and a second abort has nothing to abort", async () => {
    const f2 = await fixture((i) => [release(i[0]!, "2026-12-01T10:00:00.000Z", { revision: "storefront-00001-abc" }), release(i[1]!, "2026-12-02T10:00:00.000Z", { traffic: 10 })]);
    const svc = path.join(f2.dir, "services", "storefront", "service.yaml");
    fs.writeFileSync(svc, fs.readFileSync(svc, "utf8").replace("build:\n", "rollout:\n  strategy: canary\nbuild:\n"));
    const ab = gantry(f2.dir, ["rollout", "abort", "storefront", "--stack", "dev", "--outputs", f2.outputs]);
    expect(ab.stderr).toBe("");
    const d2 = f2.images[1]!.slice(f2.images[1]!.indexOf("@") + 1);
    expect(loadPlatform(f2.dir, "dev").config!.rollouts.storefront).toEqual({ digest: d2, percent: 10, aborted: true });
    const twice = gantry(f2.dir, ["rollout", "abort", "storefront", "--stack", "dev", "--outputs", f2.outputs]);
    expect(twice.stderr).toBe(`gantry rollout abort: storefront has no canary in progress in stack dev (the canary of ${d2.slice(0, 19)} was aborted)\n`);
  });

  it("refuses a service with no canary, naming the file to set it in, and a job", async () => {
    const f = await fixture((i) => [release(i[0]!, "2026-12-01T10:00:00.000Z")]);
    const r = gantry(f.dir, ["rollout", "advance", "storefront", "--stack", "dev", "--outputs", f.outputs]);
    expect(r.stderr).toBe("gantry rollout advance: storefront has no canary in stack dev: set rollout: {strategy: canary} in services/storefront/service.yaml\n");
    const job = gantry(f.dir, ["rollout", "abort", "nightly-report", "--stack", "dev", "--outputs", f.outputs]);
    expect(job.stderr).toBe("gantry rollout abort: nightly-report is a Cloud Run job: only a Cloud Run service (kind: service) takes canary traffic\n");
  });
});
