import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { cacheFor } from "../../components/pack/cache";
import { packBuildArgs } from "../../components/pack/engines/pack";
import { fromProps, type PackImageProps } from "../../components/pack/provider";
import { deployStack } from "../../infra/program";
import { byType, PROJECT_DIR, settle, type Captured } from "../service/harness";
import { installJenkinsMocks, type JenkinsMocks } from "./mocks";
import { CLAIM, CLASS, DISK, PACK, POLICY, POLICY_ATTACHMENT } from "../support/resource-types";

/*
 * The whole program for a stack whose config asks for Jenkins agent caches, under the mock runtime: the disks or
 * claims it declares, and the cache arguments every PackImage hands pack.
 */

const SERVICES = ["catalog-api", "nightly-report", "storefront"];
const REGISTRY = "europe-west1-docker.pkg.dev/acme-gantry-dev/services";

/** A copy of the project whose dev stack has the given gantry: settings on top of its own. */
function projectWith(settings: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-jenkins-"));
  for (const f of fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(dir, f));
  fs.cpSync(path.join(PROJECT_DIR, "services"), path.join(dir, "services"), { recursive: true });
  const file = path.join(dir, "Pulumi.dev.yaml");
  const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
  for (const [k, v] of Object.entries(settings)) doc.config[`gantry:${k}`] = v;
  fs.writeFileSync(file, YAML.stringify(doc));
  return dir;
}

async function run(settings: Record<string, unknown>): Promise<JenkinsMocks> {
  const mocks = await installJenkinsMocks("dev");
  const dir = projectWith(settings);
  deployStack({ stack: "dev", projectDir: dir, servicesDir: path.join(dir, "services"), build: { logDir: path.join(dir, ".gantry/logs"), statCacheDir: path.join(dir, ".gantry/stat") } });
  await settle();
  return mocks;
}

/** pack's argv for a captured PackImage, as the provider would run it. */
function argvOf(p: Captured): string[] {
  return packBuildArgs(fromProps(p.inputs as PackImageProps), { tag: "g-test", descriptorFile: "/w/project.toml", reportDir: "/w/report", sbomDir: "/w/sbom" });
}

/** The cache flags of an argv: every `--cache` and `--cache-image` with its value. */
function cacheFlags(argv: string[]): string[][] {
  return argv.flatMap((a, i) => (a === "--cache" || a === "--cache-image" ? [[a, argv[i + 1]!]] : []));
}

describe("a stack with 4 VM agents and bind caches", () => {
  it("declares exactly 4 protected trusted disks on the snapshot schedule and 2 pull-request disks, and binds each service's folder", async () => {
    const mocks = await run({
      jenkins: { agents: "vm", slots: 4, zone: "europe-west1-b", diskSizeGb: 200 },
      buildCache: { mode: "bind", mountPath: "/var/cache/pack" },
    });
    const disks = byType(mocks.captured, DISK);
    expect(disks.map((d) => d.inputs.name).sort()).toEqual(["pack-cache-0", "pack-cache-1", "pack-cache-2", "pack-cache-3", "pack-cache-pr-0", "pack-cache-pr-1"]);
    for (const d of disks) {
      expect(mocks.protect.get(`${DISK}::${d.name}`), d.name).toBe(true);
      expect(d.inputs).toMatchObject({ project: "acme-gantry-dev", zone: "europe-west1-b", type: "pd-balanced", size: 200 });
    }
    const [policy, ...others] = byType(mocks.captured, POLICY);
    expect(others).toEqual([]);
    expect(policy!.inputs.snapshotSchedulePolicy.schedule.dailySchedule).toEqual({ daysInCycle: 1, startTime: "04:00" });
    // Only the trusted disks: a pull request's cache is not worth restoring.
    expect(
      byType(mocks.captured, POLICY_ATTACHMENT)
        .map((a) => [a.inputs.disk, a.inputs.name])
        .sort(),
    ).toEqual([0, 1, 2, 3].map((i) => [`pack-cache-${i}`, policy!.inputs.name]));
    expect(byType(mocks.captured, CLAIM)).toEqual([]);

    const packs = byType(mocks.captured, PACK);
    expect(packs.map((p) => p.name).sort()).toEqual(SERVICES);
    for (const p of packs) {
      expect(p.inputs.settings.cache).toEqual({ format: "bind", source: `/var/cache/pack/${p.name}` });
      expect(cacheFlags(argvOf(p))).toEqual([["--cache", `type=build;format=bind;source=/var/cache/pack/${p.name}`]]);
    }
  });
});

describe("a stack with GKE agents", () => {
  it("declares the StorageClass, 4 trusted claims and 2 pull-request claims in their own namespace, and a folder template places each service's cache", async () => {
    const mocks = await run({
      jenkins: { agents: "gke", slots: 4, namespace: "ci" },
      buildCache: { mode: "bind", mountPath: "/mnt/pack/", serviceFolder: "layers/{service}" },
    });
    const [cls, ...moreClasses] = byType(mocks.captured, CLASS);
    expect(moreClasses).toEqual([]);
    expect(cls!.inputs).toMatchObject({ provisioner: "pd.csi.storage.gke.io", parameters: { type: "pd-balanced" }, volumeBindingMode: "WaitForFirstConsumer", allowVolumeExpansion: true });
    const claims = byType(mocks.captured, CLAIM);
    expect(claims.map((c) => `${c.inputs.metadata.namespace}/${c.inputs.metadata.name}`).sort()).toEqual(["ci/pack-cache-0", "ci/pack-cache-1", "ci/pack-cache-2", "ci/pack-cache-3", "jenkins-pr/pack-cache-pr-0", "jenkins-pr/pack-cache-pr-1"]);
    for (const c of claims) {
      expect(c.inputs.spec.accessModes).toEqual(["ReadWriteOnce"]);
      expect(mocks.protect.get(`${CLAIM}::${c.name}`)).toBe(true);
    }
    expect(byType(mocks.captured, DISK)).toEqual([]);

    for (const p of byType(mocks.captured, PACK)) {
      expect(cacheFlags(argvOf(p))).toEqual([["--cache", `type=build;format=bind;source=/mnt/pack/layers/${p.name}`]]);
    }
  });
});

describe("a stack whose builds keep their cache in the registry", () => {
  it("declares no agent storage and passes --cache-image <repository>/<service>-cache", async () => {
    const mocks = await run({ buildCache: { mode: "image" } });
    expect([...byType(mocks.captured, DISK), ...byType(mocks.captured, CLAIM), ...byType(mocks.captured, CLASS)]).toEqual([]);
    const packs = byType(mocks.captured, PACK);
    expect(packs).toHaveLength(3);
    for (const p of packs) {
      expect(p.inputs.settings.cache).toEqual(cacheFor({ mode: "image" }, p.name, REGISTRY));
      expect(cacheFlags(argvOf(p))).toEqual([["--cache-image", `${REGISTRY}/${p.name}-cache`]]);
      // pack accepts a cache image only when publishing.
      expect(argvOf(p)).toContain("--publish");
    }
  });
});
