import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PackImageArgs } from "../../components/pack/image";
import { recordReference } from "../../components/pack/build-record";
import { BUILDER, sampleApp, startPackWorld, up, type PackWorld, type ResourceState } from "../support/pack-up";
import { getManifest, headManifest, putManifest, startRegistry, type RunningRegistry } from "../support/registry";

/*
 * The registry as the build cache, as `pulumi up` runs it: the provider in Pulumi's own dynamic-provider host, the
 * `pack` stand-in publishing to a real OCI registry (Debian's docker-registry). Each "world" is one provider process
 * with no state of its own: another stack, another agent, or a retried `up` that lost its progress.
 *
 * Why the stand-in here: these are the fast tier's checks of the adoption rules (a dozen stacks and retries, in
 * seconds), and a build that fails on cue (PACK_STANDIN_FAIL) for the retried up, which the real tools cannot be
 * made to do. Adoption with the real pack, lifecycle and builder (two stacks, a forged tag, shards) is in
 * test/real/adoption.real.test.ts.
 */

const RUN_IMAGE = "gcr.io/buildpacks/google-22/run@sha256:" + "a".repeat(64);

let registry: RunningRegistry;
const worlds: PackWorld[] = [];
beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  for (const w of worlds) await w.close();
  await registry?.stop();
});

async function world(env: Record<string, string> = {}): Promise<PackWorld> {
  const w = await startPackWorld(env);
  worlds.push(w);
  return w;
}

function argsFor(w: PackWorld, repo: string, source: string, extra: Partial<PackImageArgs> = {}): PackImageArgs {
  return {
    serviceName: path.basename(repo),
    repository: `${registry.host}/${repo}`,
    sourceDir: source,
    builder: BUILDER,
    runImage: RUN_IMAGE,
    alwaysExclude: ["service.yaml"],
    trustedBuilders: ["gcr.io/buildpacks/builder"],
    logDir: w.logDir,
    statCacheDir: path.join(w.logDir, "..", "statcache"),
    maxParallelBuilds: 2,
    timeoutSeconds: 120,
    ...extra,
  };
}

type Out = Record<string, unknown> & { digest: string; imageRef: string; tag: string; lastOperation: string; adoptedFrom: string };
const out = (s: ResourceState) => s.outputs as Out;

function appWith(text: string): string {
  const dir = sampleApp();
  fs.writeFileSync(path.join(dir, "main.py"), text);
  return dir;
}

function progressOf(w: PackWorld): string {
  const file = path.join(w.logDir, "progress.log");
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
}

/** The build record of `<repo>:<tag>`, as its manifest. */
async function recordOf(repo: string, tag: string): Promise<{ status: number; json: any; mediaType: string | null; body: Buffer }> {
  const ref = recordReference(repo, tag);
  const at = ref.lastIndexOf(":");
  return getManifest(registry.host, ref.slice(0, at), ref.slice(at + 1));
}

describe("two stacks sharing a registry", () => {
  it("build the same source once: the second adopts the first's digest and runs no pack", async () => {
    const dev = await world();
    const other = await world();
    const app = appWith("print('shared')\n");
    const first = await up(dev.host, "shared", argsFor(dev, "gantry/shared", app));
    expect(out(first).lastOperation).toBe("build");
    expect(dev.calls()).toHaveLength(1);

    const second = await up(other.host, "shared", argsFor(other, "gantry/shared", app));
    expect(other.calls()).toHaveLength(0);
    expect(out(second)).toMatchObject({ lastOperation: "adopt", digest: out(first).digest, imageRef: out(first).imageRef, tag: out(first).tag });
    expect(out(second).adoptedFrom).toContain(`${registry.host}/gantry/shared:${out(first).tag}`);
    expect(progressOf(other)).toMatch(new RegExp(`gantry: shared: adopted ${out(first).digest} from `));
  });

  it("record what each image was built from beside it, as annotations of an OCI artifact", async () => {
    const w = await world();
    const built = await up(w.host, "recorded", argsFor(w, "gantry/recorded", appWith("print('recorded')\n")));
    const record = await recordOf("gantry/recorded", out(built).tag);
    expect(record.status).toBe(200);
    expect(record.json.artifactType).toBe("application/vnd.gantry.build-record.v1");
    expect(record.json.annotations).toMatchObject({
      "dev.gantry.build.fingerprint": out(built).fingerprint,
      "dev.gantry.build.builder": BUILDER,
      "dev.gantry.build.runImage": RUN_IMAGE,
      "dev.gantry.build.image": out(built).digest,
      "dev.gantry.build.trust": "trusted",
      "dev.gantry.build.operation": "build",
    });
  });

  it("an update to inputs another stack already built adopts them too", async () => {
    const a = await world();
    const b = await world();
    const app = appWith("print('v1')\n");
    const bState = await up(b.host, "moving", argsFor(b, "gantry/moving", app));
    fs.writeFileSync(path.join(app, "main.py"), "print('v2')\n");
    const aState = await up(a.host, "moving", argsFor(a, "gantry/moving", app));
    expect(out(aState).lastOperation).toBe("build");
    const updated = await up(b.host, "moving", argsFor(b, "gantry/moving", app), bState);
    expect(updated.step).toBe("update");
    expect(out(updated)).toMatchObject({ lastOperation: "adopt", digest: out(aState).digest });
    expect(b.calls()).toHaveLength(1);
  });
});

describe("a retried up", () => {
  it("after a failure builds only what failed, even on an agent that has none of the first run's state", async () => {
    const first = await world();
    const apps = { r1: appWith("print('r1')\n"), r2: appWith("print('r2')\n"), r3: appWith("print('r3')\n") };
    await up(first.host, "r1", argsFor(first, "gantry/r1", apps.r1));
    await up(first.host, "r2", argsFor(first, "gantry/r2", apps.r2));
    const failing = await world({ PACK_STANDIN_FAIL: "BUILDING:51" });
    await expect(up(failing.host, "r3", argsFor(failing, "gantry/r3", apps.r3))).rejects.toThrow(/pack build for r3 failed/);

    const retry = await world();
    const results: ResourceState[] = [];
    // One at a time: declaring a resource uses Pulumi's process-wide mock runtime.
    for (const n of ["r1", "r2", "r3"] as const) results.push(await up(retry.host, n, argsFor(retry, `gantry/${n}`, apps[n])));
    expect(results.map((r) => out(r).lastOperation)).toEqual(["adopt", "adopt", "build"]);
    expect(retry.calls()).toHaveLength(1);
    expect(retry.calls()[0]!.argv[1]).toContain("/gantry/r3:");
  });
});

describe("what is never adopted", () => {
  it("a forged tag (pointing at another image than its record says) is rebuilt, not adopted", async () => {
    const w = await world();
    const app = appWith("print('genuine')\n");
    const genuine = await up(w.host, "forged", argsFor(w, "gantry/forged", app));
    const evil = await up(w.host, "evil", argsFor(w, "gantry/forged", appWith("print('evil')\n"), { serviceName: "evil" }));
    const evilManifest = await getManifest(registry.host, "gantry/forged", out(evil).digest);
    expect(await putManifest(registry.host, "gantry/forged", out(genuine).tag, evilManifest.body, evilManifest.mediaType!)).toBe(201);
    expect((await headManifest(registry.host, "gantry/forged", out(genuine).tag)).digest).toBe(out(evil).digest);

    const other = await world();
    const rebuilt = await up(other.host, "forged", argsFor(other, "gantry/forged", app));
    expect(out(rebuilt).lastOperation).toBe("build");
    expect(out(rebuilt).digest).not.toBe(out(evil).digest);
    expect(other.calls()).toHaveLength(1);
    expect(progressOf(other)).toMatch(/not adoptable from .*the tag points at sha256:\w+, not the recorded sha256:\w+; not trusted\); building/);
    // The rebuild put the tag and its record right again, so the next stack adopts the genuine image.
    expect((await headManifest(registry.host, "gantry/forged", out(genuine).tag)).digest).toBe(out(rebuilt).digest);
    const next = await world();
    expect(out(await up(next.host, "forged", argsFor(next, "gantry/forged", app)))).toMatchObject({ lastOperation: "adopt", digest: out(rebuilt).digest });
  });

  it("a record whose labels disagree with the inputs (another builder) is rebuilt, not adopted", async () => {
    const w = await world();
    const app = appWith("print('relabelled')\n");
    const built = await up(w.host, "relabel", argsFor(w, "gantry/relabel", app));
    const record = await recordOf("gantry/relabel", out(built).tag);
    const forged = { ...record.json, annotations: { ...record.json.annotations, "dev.gantry.build.builder": "evil.example/builder@sha256:" + "e".repeat(64) } };
    const ref = recordReference("gantry/relabel", out(built).tag);
    expect(await putManifest(registry.host, "gantry/relabel-build-records", out(built).tag, Buffer.from(JSON.stringify(forged)), "application/vnd.oci.image.manifest.v1+json")).toBe(201);
    expect(ref).toBe(`gantry/relabel-build-records:${out(built).tag}`);

    const other = await world();
    const rebuilt = await up(other.host, "relabel", argsFor(other, "gantry/relabel", app));
    expect(out(rebuilt).lastOperation).toBe("build");
    expect(other.calls()).toHaveLength(1);
    expect(progressOf(other)).toContain("the build record disagrees (builder); not trusted");
  });

  it("a trusted stack never adopts what an untrusted (pull-request) pipeline pushed, and builds its own", async () => {
    const pr = await world();
    const app = appWith("print('from a pull request')\n");
    const prBuilt = await up(pr.host, "trust", argsFor(pr, "gantry/trust", app, { trust: "untrusted" }));
    expect((await recordOf("gantry/trust", out(prBuilt).tag)).json.annotations["dev.gantry.build.trust"]).toBe("untrusted");

    const staging = await world();
    const built = await up(staging.host, "trust", argsFor(staging, "gantry/trust", app));
    expect(out(built).lastOperation).toBe("build");
    expect(staging.calls()).toHaveLength(1);
    expect(progressOf(staging)).toContain("pushed by an untrusted pipeline; a trusted stack builds its own");
    expect((await recordOf("gantry/trust", out(built).tag)).json.annotations["dev.gantry.build.trust"]).toBe("trusted");
  });

  it("an untrusted stack may adopt what a trusted pipeline pushed", async () => {
    const staging = await world();
    const app = appWith("print('reviewed')\n");
    const built = await up(staging.host, "down", argsFor(staging, "gantry/down", app));
    const pr = await world();
    const adopted = await up(pr.host, "down", argsFor(pr, "gantry/down", app, { trust: "untrusted" }));
    expect(out(adopted)).toMatchObject({ lastOperation: "adopt", digest: out(built).digest });
    expect(pr.calls()).toHaveLength(0);
  });

  it("a preview adopts its base stack's image from the base's repository (adoptFrom), and pins it there", async () => {
    const dev = await world();
    const app = appWith("print('unchanged in the pull request')\n");
    const devBuilt = await up(dev.host, "base", argsFor(dev, "services/base", app));
    const pr = await world();
    const preview = await up(pr.host, "base", argsFor(pr, "services-pr-7/base-pr-7", app, { serviceName: "base-pr-7", projectId: "base", trust: "untrusted", adoptFrom: [`${registry.host}/services/base`] }));
    expect(pr.calls()).toHaveLength(0);
    expect(out(preview)).toMatchObject({ lastOperation: "adopt", digest: out(devBuilt).digest, imageRef: `${registry.host}/services/base@${out(devBuilt).digest}` });
    // Its own repository first: what the preview itself built wins over the base's.
    fs.writeFileSync(path.join(app, "main.py"), "print('changed in the pull request')\n");
    const changed = await up(pr.host, "base", argsFor(pr, "services-pr-7/base-pr-7", app, { serviceName: "base-pr-7", projectId: "base", trust: "untrusted", adoptFrom: [`${registry.host}/services/base`] }), preview);
    expect(out(changed).lastOperation).toBe("build");
    expect(out(changed).imageRef.startsWith(`${registry.host}/services-pr-7/base-pr-7@`)).toBe(true);
  });

  it("a trusted stack is refused adoptFrom: it adopts only from its own repository", async () => {
    const w = await world();
    await expect(up(w.host, "trusted", argsFor(w, "gantry/trusted", appWith("print('t')\n"), { adoptFrom: [`${registry.host}/elsewhere/trusted`] }))).rejects.toThrow(
      /adoptFrom: a trusted stack adopts only from its own repository/,
    );
    expect(w.calls()).toHaveLength(0);
  });

  it("a registry that cannot be asked is a cache miss: the build runs", async () => {
    const w = await world();
    const unreachable = await startRegistry();
    const repo = `${unreachable.host}/gantry/gone`;
    await unreachable.stop();
    const error = await up(w.host, "gone", { ...argsFor(w, "gantry/gone", appWith("print('gone')\n")), repository: repo }).then(
      () => undefined,
      (e: Error) => e,
    );
    // The stand-in cannot publish there either; what matters is that the lookup let the build run.
    expect(w.calls()).toHaveLength(1);
    expect(error?.message).toMatch(/pack build for gone failed/);
    expect(progressOf(w)).toMatch(/not adoptable from .*the registry could not be asked/);
  });
});
