import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadPlatform } from "../../catalog/platform";
import { formatProblem } from "../../catalog/problems";
import { PROJECT_DIR } from "../service/harness";
import { platformConfig } from "../../catalog/schema/platform";
import { cacheFor } from "../../components/pack/cache";

/* gantry:jenkins and the refined gantry:buildCache: defaults, and what is refused before anything runs. */

const base = { project: "acme-ci-tools", region: "europe-west1" };
const parse = (extra: Record<string, unknown>) => platformConfig.safeParse({ ...base, ...extra });
const messages = (extra: Record<string, unknown>) => {
  const r = parse(extra);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("gantry:jenkins", () => {
  it("is optional", () => {
    expect(parse({}).data?.jenkins).toBeUndefined();
  });

  it("fills VM agent defaults: pd-balanced, 100 GB, pack-cache-<slot>, daily 04:00 snapshots kept 7 days", () => {
    expect(parse({ jenkins: { agents: "vm", slots: "4", zone: "europe-west1-b" } }).data?.jenkins).toEqual({
      agents: "vm",
      slots: 4,
      namePrefix: "pack-cache",
      diskType: "pd-balanced",
      diskSizeGb: 100,
      zone: "europe-west1-b",
      snapshots: { startTime: "04:00", retentionDays: 7 },
      untrusted: { slots: 2 },
    });
  });

  it("fills GKE agent defaults", () => {
    expect(parse({ jenkins: { agents: "gke", slots: 2 } }).data?.jenkins).toEqual({
      agents: "gke",
      slots: 2,
      namePrefix: "pack-cache",
      diskType: "pd-balanced",
      diskSizeGb: 100,
      namespace: "jenkins",
      storageClass: "gantry-pack-cache",
      untrusted: { slots: 2, namespace: "jenkins-pr" },
    });
  });

  it("refuses pull-request agents in the trusted agents' namespace", () => {
    expect(messages({ jenkins: { agents: "gke", slots: 1, namespace: "ci", untrusted: { namespace: "ci" } } })).toEqual([expect.stringMatching(/^jenkins\.untrusted\.namespace: must differ from namespace/)]);
  });

  it("refuses what would break a disk, a claim or the one-writer rule", () => {
    expect(messages({ jenkins: { agents: "vm", slots: 4 } })).toEqual([expect.stringMatching(/^jenkins\.zone: /)]);
    expect(messages({ jenkins: { agents: "vm", slots: 0, zone: "europe-west1-b" } })).toEqual([expect.stringMatching(/^jenkins\.slots: /)]);
    expect(messages({ jenkins: { agents: "vm", slots: 1, zone: "europe-west1-b", diskSizeGb: 5 } })).toEqual([expect.stringMatching(/^jenkins\.diskSizeGb: /)]);
    expect(messages({ jenkins: { agents: "vm", slots: 1, zone: "europe-west1-b", diskType: "hyperdisk-balanced" } })).toEqual([expect.stringMatching(/^jenkins\.diskType: /)]);
    expect(messages({ jenkins: { agents: "vm", slots: 1, zone: "europe-west1-b", snapshots: { startTime: "03:00" } } })).toEqual([expect.stringMatching(/^jenkins\.snapshots\.startTime: /)]);
    expect(messages({ jenkins: { agents: "vm", slots: 1, zone: "europe-west1-b", namePrefix: "Pack_Cache" } })).toEqual([expect.stringMatching(/^jenkins\.namePrefix: /)]);
    expect(messages({ jenkins: { agents: "vm", slots: 2, zone: "europe-west1-b", attachTo: ["agent-1"] } })).toEqual(["jenkins.attachTo: attachTo must name exactly one agent VM per slot"]);
    expect(messages({ jenkins: { agents: "vm", slots: 2, zone: "europe-west1-b", attachTo: ["agent-1", "agent-1"] } })).toEqual([
      "jenkins.attachTo: attachTo names a VM twice: a cache disk is never shared read-write between agents, so each VM gets one slot",
    ]);
    // Keys of the other kind of agent are not silently ignored.
    expect(messages({ jenkins: { agents: "gke", slots: 2, zone: "europe-west1-b" } })).toEqual([expect.stringMatching(/zone/)]);
    expect(messages({ jenkins: { agents: "k8s", slots: 2 } })).toEqual([expect.stringMatching(/^jenkins\.agents: /)]);
  });

  it("is reported at its line in the stack file, as every platform setting is", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-jenkins-config-"));
    fs.writeFileSync(
      path.join(dir, "Pulumi.ci.yaml"),
      ["config:", "  gantry:project: acme-ci-tools", "  gantry:region: europe-west1", "  gantry:jenkins:", "    agents: vm", "    slots: 4", "    zone: europe-west1-b", "    diskSizeGb: 2", ""].join("\n"),
    );
    const { config, problems } = loadPlatform(dir, "ci", dir);
    expect(config).toBeUndefined();
    expect(problems).toEqual([expect.objectContaining({ file: "Pulumi.ci.yaml", line: 8, field: "gantry:jenkins.diskSizeGb", severity: "error" })]);
  });
});

describe("gantry:buildEngine and the agent's GANTRY_BUILD_ENGINE", () => {
  const stack = (dir: string, engine: string) =>
    fs.writeFileSync(path.join(dir, "Pulumi.ci.yaml"), ["config:", "  gantry:project: acme-ci-tools", "  gantry:region: europe-west1", `  gantry:buildEngine: ${engine}`, "  gantry:buildCache: {mode: bind}", ""].join("\n"));

  it("runs pack on an agent that says so, for a stack whose pods run the lifecycle, as the Jenkinsfile's VM agents do", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-engine-"));
    stack(dir, "lifecycle");
    expect(loadPlatform(dir, "ci", dir, {}).config!.buildEngine).toBe("lifecycle");
    expect(loadPlatform(dir, "ci", dir, { GANTRY_BUILD_ENGINE: "pack" }).config!.buildEngine).toBe("pack");
    const jenkinsfile = fs.readFileSync(path.join(PROJECT_DIR, "Jenkinsfile"), "utf8");
    const vm = jenkinsfile.slice(jenkinsfile.indexOf("void onVmPackCheckout("), jenkinsfile.indexOf("void installPack("));
    expect(vm).toMatch(/installPack\(\)\s+\/\/[^\n]*\n\s+withEnv\(\['GANTRY_BUILD_ENGINE=pack'\]\) \{\s+body\(\)/);
  });

  it("refuses an engine the agent names wrongly, at the setting it overrides", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-engine-"));
    stack(dir, "lifecycle");
    const { config, problems } = loadPlatform(dir, "ci", dir, { GANTRY_BUILD_ENGINE: "kaniko" });
    expect(config).toBeUndefined();
    expect(problems.map(formatProblem)).toEqual(['Pulumi.ci.yaml:4:23 gantry:buildEngine: GANTRY_BUILD_ENGINE is "kaniko" in the environment; the agent\'s build engine, over this setting, must be pack or lifecycle']);
  });
});

describe("gantry:buildCache, bind mode", () => {
  it("defaults to /var/cache/pack/<service>", () => {
    const cache = parse({ buildCache: { mode: "bind" } }).data!.buildCache;
    expect(cache).toEqual({ mode: "bind", mountPath: "/var/cache/pack", serviceFolder: "{service}" });
    expect(cacheFor(cache, "storefront", "r")).toEqual({ format: "bind", source: "/var/cache/pack/storefront" });
  });

  it("places each service's folder by the serviceFolder template", () => {
    const cache = parse({ buildCache: { mode: "bind", mountPath: "/mnt/cache/", serviceFolder: "pack/{service}/layers" } }).data!.buildCache;
    expect(cacheFor(cache, "storefront", "r")).toEqual({ format: "bind", source: "/mnt/cache/pack/storefront/layers" });
  });

  it("refuses folders services would share, paths that leave the mount, and characters pack's --cache grammar splits on", () => {
    expect(messages({ buildCache: { mode: "bind", serviceFolder: "shared" } })).toEqual([expect.stringMatching(/^buildCache\.serviceFolder: must contain \{service\}/)]);
    expect(messages({ buildCache: { mode: "bind", serviceFolder: "../{service}" } })).toEqual([expect.stringMatching(/^buildCache\.serviceFolder: must be a relative path/)]);
    expect(messages({ buildCache: { mode: "bind", serviceFolder: "/abs/{service}" } })).toEqual([expect.stringMatching(/^buildCache\.serviceFolder: must be a relative path/)]);
    expect(messages({ buildCache: { mode: "bind", serviceFolder: "{service};x=y" } })).toEqual([expect.stringMatching(/^buildCache\.serviceFolder: may hold/)]);
    expect(messages({ buildCache: { mode: "bind", mountPath: "/var/cache;format=volume" } })).toEqual([expect.stringMatching(/^buildCache\.mountPath: may hold/)]);
  });
});
