import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { deployStackWithReleases } from "../../infra/program";
import { editStackConfig } from "../../environments/stack-config";
import type { ReleaseHistory } from "../../environments/releases";
import { byType, installMocks, PROJECT_DIR, settle, type Captured } from "../service/harness";
import { answerStackReferences } from "../support/stack-references";
import { PACK, SERVICE } from "../support/resource-types";

/*
 * Rollout and rollback across several `pulumi up`s of the dev stack, under Pulumi's mock runtime. Each up reads
 * the release history the one before it left (the stack's `releases` output, answered to the program's
 * StackReference to its own stack), as the engine would.
 */

function projectCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-rollout-"));
  for (const f of fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(dir, f));
  fs.cpSync(path.join(PROJECT_DIR, "services"), path.join(dir, "services"), { recursive: true });
  return dir;
}

/** Cloud Run answers each new template with a new revision: named after the image here, so a test can tell them apart. */
function answerRevisions(): void {
  const mocks = (pulumi.runtime.getMonitor() as any).mocks as pulumi.runtime.Mocks;
  const newResource = mocks.newResource.bind(mocks);
  mocks.newResource = (args) => {
    const result = newResource(args) as pulumi.runtime.MockResourceResult;
    if (args.type !== SERVICE) return result;
    const image = String(args.inputs.template.containers[0].image);
    const rev = `${args.inputs.name}-${image.slice(image.indexOf("@sha256:") + 8, image.indexOf("@sha256:") + 16)}`;
    return { ...result, state: { ...result.state, latestReadyRevision: `projects/p/locations/europe-west1/services/${args.inputs.name}/revisions/${rev}` } };
  };
}

interface Up {
  captured: Captured[];
  releases: ReleaseHistory;
  image: (name: string) => string;
  failure?: Error;
  /** What the engine would report the up failing with: registrations that could not be serialized. */
  rejections: unknown[];
}

let clock = Date.parse("2026-12-01T10:00:00Z");

async function up(dir: string, previous: ReleaseHistory | undefined, env: NodeJS.ProcessEnv = {}, stack = "dev", others: Record<string, Record<string, unknown>> = {}): Promise<Up> {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on("unhandledRejection", onRejection);
  try {
    return await upOnce(dir, previous, env, rejections, stack, others);
  } finally {
    await new Promise((r) => setTimeout(r, 20));
    process.off("unhandledRejection", onRejection);
  }
}

async function upOnce(dir: string, previous: ReleaseHistory | undefined, env: NodeJS.ProcessEnv, rejections: unknown[], stack: string, others: Record<string, Record<string, unknown>>): Promise<Up> {
  const captured = await installMocks(stack);
  answerStackReferences({ ...others, [`organization/gantry/${stack}`]: previous ? { releases: previous } : {} });
  answerRevisions();
  const work = path.join(dir, ".gantry");
  const at = new Date((clock += 3_600_000));
  const deployed = deployStackWithReleases({ stack, projectDir: dir, build: { logDir: path.join(work, "logs"), statCacheDir: path.join(work, "stat") }, now: () => at, env });
  let failure: Error | undefined;
  const releases = await (deployed.releases as any).promise().catch((e: Error) => {
    failure = e;
    return {};
  });
  const images: Record<string, string> = {};
  for (const [name, o] of Object.entries(deployed.services)) images[name] = await (o.image as any).promise().catch(() => "");
  // A registration whose inputs failed never completes under the mock monitor (the engine would end the up).
  await (failure ? Promise.race([settle(), new Promise((r) => setTimeout(r, 2000))]) : settle());
  return { captured, releases, image: (n) => images[n]!, rejections, ...(failure ? { failure } : {}) };
}

const storefront = (u: Up) => byType(u.captured, SERVICE).find((c) => c.name === "storefront")!;
const traffic = (u: Up) => storefront(u).inputs.traffics;
const digestOf = (image: string) => image.slice(image.indexOf("@") + 1);
const revisionOf = (image: string) => `storefront-${digestOf(image).slice(7, 15)}`;

function canary(dir: string, rollout = "rollout:\n  strategy: canary\n  steps: [10, 50, 100]\n"): void {
  const file = path.join(dir, "services", "storefront", "service.yaml");
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("build:\n", `${rollout}build:\n`));
}

function edit(dir: string, n: number): void {
  fs.appendFileSync(path.join(dir, "services", "storefront", "main.py"), `\n# release ${n}\n`);
}

describe("release history", () => {
  it("records each service's digest, fingerprint, commit and time; an unchanged up adds nothing; a new digest adds one", async () => {
    const dir = projectCopy();
    const commit = "0123456789abcdef0123456789abcdef01234567";
    const first = await up(dir, undefined, { GIT_COMMIT: commit });
    expect(Object.keys(first.releases).sort()).toEqual(["catalog-api", "nightly-report", "storefront"]);
    const pack = byType(first.captured, PACK).find((p) => p.name === "storefront")!;
    expect(first.releases.storefront).toEqual([
      { digest: digestOf(first.image("storefront")), image: first.image("storefront"), fingerprint: pack.inputs.fingerprint, commit, deployedAt: "2026-12-01T11:00:00.000Z", revision: revisionOf(first.image("storefront")) },
    ]);
    // A job and a GKE workload have no revision or traffic to record.
    expect(Object.keys(first.releases["nightly-report"]![0]!).sort()).toEqual(["commit", "deployedAt", "digest", "fingerprint", "image"]);

    const same = await up(dir, first.releases, { GIT_COMMIT: "fedcba9876543210fedcba9876543210fedcba98" });
    expect(same.releases).toEqual(first.releases);

    edit(dir, 2);
    const second = await up(dir, same.releases);
    expect(second.releases.storefront!.map((r) => r.digest)).toEqual([digestOf(first.image("storefront")), digestOf(second.image("storefront"))]);
    expect(second.releases.storefront![1]).not.toHaveProperty("commit");
    expect(second.releases["catalog-api"]).toEqual(first.releases["catalog-api"]);
  });

  it("stays bounded by gantry:releaseHistory, dropping the oldest", async () => {
    const dir = projectCopy();
    editStackConfig(dir, "dev", ["gantry:releaseHistory"], 3);
    let history: ReleaseHistory | undefined;
    const digests: string[] = [];
    for (let n = 0; n < 5; n++) {
      edit(dir, n);
      const u = await up(dir, history);
      history = u.releases;
      digests.push(digestOf(u.image("storefront")));
      expect(history.storefront).toHaveLength(Math.min(n + 1, 3));
    }
    expect(history!.storefront!.map((r) => r.digest)).toEqual(digests.slice(2));
  });
});

describe("rollback by pin", () => {
  it("deploys the pinned digest with no build, records it as a pin, and unpinning builds again", async () => {
    const dir = projectCopy();
    const first = await up(dir, undefined);
    edit(dir, 2);
    const second = await up(dir, first.releases);
    expect(second.image("storefront")).not.toBe(first.image("storefront"));

    editStackConfig(dir, "dev", ["gantry:pins", "storefront"], { image: first.image("storefront"), reason: "release 2 drops sessions" });
    const rolledBack = await up(dir, second.releases);
    expect(rolledBack.failure).toBeUndefined();
    expect(byType(rolledBack.captured, PACK).map((p) => p.name).sort()).toEqual(["catalog-api", "nightly-report"]);
    expect(storefront(rolledBack).inputs.template.containers[0].image).toBe(first.image("storefront"));
    expect(rolledBack.releases.storefront!.map((r) => [r.digest, r.pinned ?? false])).toEqual([
      [digestOf(first.image("storefront")), false],
      [digestOf(second.image("storefront")), false],
      [digestOf(first.image("storefront")), true],
    ]);

    editStackConfig(dir, "dev", ["gantry:pins", "storefront"], undefined);
    expect(fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8")).not.toContain("gantry:pins");
    const unpinned = await up(dir, rolledBack.releases);
    expect(byType(unpinned.captured, PACK).map((p) => p.name)).toContain("storefront");
    expect(unpinned.image("storefront")).toBe(second.image("storefront"));
  });

  it("refuses a pinned digest this stack never deployed, naming the config key", async () => {
    const dir = projectCopy();
    const first = await up(dir, undefined);
    const never = `${first.image("storefront").slice(0, first.image("storefront").indexOf("@"))}@sha256:${"9".repeat(64)}`;
    editStackConfig(dir, "dev", ["gantry:pins", "storefront"], { image: never });
    const refused = await up(dir, first.releases);
    const message = `Pulumi.dev.yaml gantry:pins.storefront: ${never} was never deployed as storefront in stack dev, as far as the release history goes; pin only a digest from \`gantry history storefront --stack dev\``;
    // The engine gets it for the Cloud Run service, which is not deployed, and the up fails.
    expect(refused.failure?.message).toBe(`error serializing property "template": ${message}`);
    expect(refused.rejections.map((r) => (r as Error).message)).toContain(`error serializing property "template": ${message}`);
    expect(byType(refused.captured, SERVICE).map((c) => c.name)).not.toContain("storefront");
    // A digest deployed as another service is not this one's to roll back to.
    editStackConfig(dir, "dev", ["gantry:pins", "storefront"], { image: first.image("catalog-api") });
    expect((await up(dir, first.releases)).failure?.message).toContain("was never deployed as storefront");
  });
});

describe("canary on Cloud Run", () => {
  it("a first release takes all traffic; the next takes each step in turn with a tag, the previous revision the rest", async () => {
    const dir = projectCopy();
    canary(dir);
    const first = await up(dir, undefined);
    expect(traffic(first)).toEqual([{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }]);
    const stable = revisionOf(first.image("storefront"));

    edit(dir, 2);
    const ten = await up(dir, first.releases);
    const canaryDigest = digestOf(ten.image("storefront"));
    expect(traffic(ten)).toEqual([
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: stable, percent: 90 },
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 10, tag: "canary" },
    ]);
    expect(ten.releases.storefront![1]).toMatchObject({ digest: canaryDigest, traffic: 10 });

    editStackConfig(dir, "dev", ["gantry:rollouts", "storefront"], { digest: canaryDigest, percent: 50 });
    const fifty = await up(dir, ten.releases);
    expect(byType(fifty.captured, PACK).find((p) => p.name === "storefront")!.inputs.fingerprint).toBe(byType(ten.captured, PACK).find((p) => p.name === "storefront")!.inputs.fingerprint);
    expect(traffic(fifty)).toEqual([
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: stable, percent: 50 },
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 50, tag: "canary" },
    ]);
    expect(fifty.releases.storefront).toHaveLength(2);
    expect(fifty.releases.storefront![1]).toMatchObject({ digest: canaryDigest, traffic: 50 });

    editStackConfig(dir, "dev", ["gantry:rollouts", "storefront"], { digest: canaryDigest, percent: 100 });
    const done = await up(dir, fifty.releases);
    expect(traffic(done)).toEqual([{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }]);
    expect(done.releases.storefront![1]).not.toHaveProperty("traffic");

    // The next release canaries against the one that just completed; the rollout entry for the old digest is stale.
    edit(dir, 3);
    const next = await up(dir, done.releases);
    expect(traffic(next)).toEqual([
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: revisionOf(ten.image("storefront")), percent: 90 },
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 10, tag: "canary" },
    ]);
  });

  it("abort returns all traffic to the previous revision and keeps the canary's tag with none", async () => {
    const dir = projectCopy();
    canary(dir, "rollout:\n  strategy: canary\n  steps: [25, 100]\n  tag: candidate\n");
    const first = await up(dir, undefined);
    edit(dir, 2);
    const started = await up(dir, first.releases);
    expect(traffic(started)[1]).toEqual({ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 25, tag: "candidate" });

    editStackConfig(dir, "dev", ["gantry:rollouts", "storefront"], { digest: digestOf(started.image("storefront")), percent: 25, aborted: true });
    const aborted = await up(dir, started.releases);
    expect(traffic(aborted)).toEqual([
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: revisionOf(first.image("storefront")), percent: 100 },
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 0, tag: "candidate" },
    ]);
    expect(aborted.releases.storefront![1]).toMatchObject({ traffic: 0, aborted: true });

    // A fix-forward release canaries against the revision that served before the aborted one.
    edit(dir, 3);
    const fix = await up(dir, aborted.releases);
    expect(traffic(fix)[0]).toEqual({ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: revisionOf(first.image("storefront")), percent: 75 });
  });

  it("never names the new revision and keeps its startup probe: Cloud Run's LATEST is its latest ready revision", async () => {
    const dir = projectCopy();
    canary(dir);
    const first = await up(dir, undefined);
    edit(dir, 2);
    const second = await up(dir, first.releases);
    const web = storefront(second);
    expect(web.inputs.template.containers[0].startupProbe).toEqual({ httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 5 });
    expect(web.inputs.template).not.toHaveProperty("revision");
    const named = (traffic(second) as { revision?: string }[]).flatMap((t) => (t.revision ? [t.revision] : []));
    expect(named).toEqual([revisionOf(first.image("storefront"))]);
  });

  it("a pinned rollback takes all traffic at once, with no canary", async () => {
    const dir = projectCopy();
    canary(dir);
    const first = await up(dir, undefined);
    edit(dir, 2);
    const second = await up(dir, first.releases);
    editStackConfig(dir, "dev", ["gantry:pins", "storefront"], { image: first.image("storefront") });
    const back = await up(dir, second.releases);
    expect(traffic(back)).toEqual([{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }]);
  });
});

describe("reads nothing that is not there", () => {
  it("a stack with no outputs yet starts an empty history", async () => {
    const dir = projectCopy();
    const u = await up(dir, undefined);
    expect(u.failure).toBeUndefined();
    expect(u.releases.storefront).toHaveLength(1);
  });
});

describe("promotion and pins", () => {
  const STAGING = "europe-west1-docker.pkg.dev/acme-gantry-staging/services";
  const image = (name: string, c: string) => `${STAGING}/${name}@sha256:${c.repeat(64)}`;
  const release = (name: string, c: string, extra: Record<string, unknown> = {}) => ({ digest: `sha256:${c.repeat(64)}`, image: image(name, c), deployedAt: "2026-12-01T00:00:00.000Z", ...extra });
  /** staging runs storefront pinned back to "a" after "b"; the other services as built. */
  const staging = {
    services: {
      storefront: { kind: "service", image: image("storefront", "a"), pinned: true },
      "nightly-report": { kind: "job", image: image("nightly-report", "c") },
      "catalog-api": { kind: "gke", image: image("catalog-api", "d") },
    },
    releases: { storefront: [release("storefront", "a"), release("storefront", "b"), release("storefront", "a", { pinned: true })] },
  };

  it("prod takes staging's newest unpinned release, not its pin, unless gantry:promotePins", async () => {
    const dir = projectCopy();
    const passed = await up(dir, undefined, {}, "prod", { "organization/gantry/staging": staging });
    expect(passed.failure).toBeUndefined();
    expect(byType(passed.captured, PACK)).toEqual([]);
    expect(storefront(passed).inputs.template.containers[0].image).toBe(image("storefront", "b"));

    editStackConfig(dir, "prod", ["gantry:promotePins"], true);
    const carried = await up(dir, undefined, {}, "prod", { "organization/gantry/staging": staging });
    expect(storefront(carried).inputs.template.containers[0].image).toBe(image("storefront", "a"));
  });

  it("prod may pin a digest only staging deployed: promotion's source history counts", async () => {
    const dir = projectCopy();
    editStackConfig(dir, "prod", ["gantry:pins", "storefront"], { image: image("storefront", "b") });
    const pinned = await up(dir, undefined, {}, "prod", { "organization/gantry/staging": staging });
    expect(pinned.failure).toBeUndefined();
    expect(storefront(pinned).inputs.template.containers[0].image).toBe(image("storefront", "b"));
    expect(pinned.releases.storefront!.map((r) => [r.digest, r.pinned])).toEqual([[`sha256:${"b".repeat(64)}`, true]]);
  });
});
