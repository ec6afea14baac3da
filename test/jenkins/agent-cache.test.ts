import { beforeAll, describe, expect, it } from "vitest";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { StorageClass } from "kubernetes-models/storage.k8s.io/v1/StorageClass";
import { platformConfig, type PlatformConfig } from "../../catalog/schema/platform";
import { JenkinsAgentCache } from "../../infra/jenkins/agent-cache";
import { ancestry, byType, one, settle, summary, type Captured } from "../service/harness";
import { installJenkinsMocks, type JenkinsMocks } from "./mocks";
import { ATTACHED, CLAIM, CLASS, DISK, POLICY, POLICY_ATTACHMENT } from "../support/resource-types";

/* JenkinsAgentCache under Pulumi's mock runtime: what each kind of agent gets, input by input. */

const COMPONENT = "gantry:jenkins:AgentCache";

const platform = (jenkins: unknown): PlatformConfig =>
  platformConfig.parse({ project: "acme-ci-tools", region: "europe-west1", labels: { team: "platform" }, jenkins });

let mocks: JenkinsMocks;
let captured: Captured[];
const components: Record<string, JenkinsAgentCache> = {};

beforeAll(async () => {
  mocks = await installJenkinsMocks("ci");
  captured = mocks.captured;
  // vm4's slot 2 exists at 100 GB: growing it to 200 is fine.
  mocks.deployedDisks.set("pack-cache-2", 100);
  components.vm4 = new JenkinsAgentCache("vm4", { platform: { ...platform({ agents: "vm", slots: 4, zone: "europe-west1-b", diskSizeGb: 200 }) } });
  components.vmAttached = new JenkinsAgentCache("vm-attached", {
    platform: platform({
      agents: "vm",
      slots: 2,
      namePrefix: "ci-cache",
      zone: "europe-west1-c",
      diskType: "pd-ssd",
      snapshots: { startTime: "20:00", retentionDays: 3 },
      attachTo: ["jenkins-agent-a", "jenkins-agent-b"],
    }),
  });
  components.gke4 = new JenkinsAgentCache("gke4", { platform: platform({ agents: "gke", slots: 4, diskSizeGb: 150 }) });
  await settle();
});

// Registration order follows async size checks, so sort by name (slot numbers are single digits here).
const all = (prefix: string, type: string) =>
  byType(captured, type)
    .filter((c) => c.name.startsWith(`${prefix}-`))
    .sort((a, b) => a.name.localeCompare(b.name));
/** The trusted slots' resources; the pull-request slots' are named <...>-pr-<slot>. */
const of = (prefix: string, type: string) => all(prefix, type).filter((c) => !c.name.includes("-pr-"));
const ofPr = (prefix: string, type: string) => all(prefix, type).filter((c) => c.name.includes("-pr-"));

describe("VM agents", () => {
  it("declare exactly one protected disk per slot, with its exact inputs", () => {
    const disks = of("vm4", DISK);
    expect(disks.map((d) => d.name)).toEqual(["vm4-disk-0", "vm4-disk-1", "vm4-disk-2", "vm4-disk-3"]);
    disks.forEach((disk, slot) => {
      expect(disk.inputs).toEqual({
        name: `pack-cache-${slot}`,
        project: "acme-ci-tools",
        zone: "europe-west1-b",
        type: "pd-balanced",
        size: 200,
        labels: { team: "platform", "gantry-role": "pack-cache", "gantry-slot": String(slot) },
        description: `pack build cache of Jenkins slot ${slot} (Gantry). Read-write on one agent only.`,
        createSnapshotBeforeDestroy: true,
      });
      expect(mocks.protect.get(`${DISK}::${disk.name}`), disk.name).toBe(true);
      expect(ancestry(captured, disk)).toEqual([DISK, COMPONENT]);
    });
    // No disk is multi-writer or shared: nothing asks for it.
    expect(ofPr("vm4", DISK).map((d) => d.inputs)).toEqual(
      [0, 1].map((slot) => ({
        name: `pack-cache-pr-${slot}`,
        project: "acme-ci-tools",
        zone: "europe-west1-b",
        type: "pd-balanced",
        size: 200,
        labels: { team: "platform", "gantry-role": "pack-cache", "gantry-slot": String(slot), "gantry-trust": "pull-request" },
        description: `pack build cache of Jenkins pull-request slot ${slot} (Gantry). Only on agents labelled gantry-pack-pr; never on a staging or prod agent.`,
      })),
    );
    expect(disks.some((d) => "multiWriter" in d.inputs || "accessMode" in d.inputs)).toBe(false);
  });

  it("read each disk's deployed size before declaring it", () => {
    expect(mocks.diskLookups.filter((l) => String(l.name).startsWith("pack-cache-"))).toEqual(
      ["0", "1", "2", "3", "pr-0", "pr-1"].map((i) => ({ name: `pack-cache-${i}`, project: "acme-ci-tools", zone: "europe-west1-b" })),
    );
  });

  it("snapshot every disk daily through one schedule in the disks' region", () => {
    const [policy, ...more] = of("vm4", POLICY);
    expect(more).toEqual([]);
    expect(policy!.inputs).toEqual({
      name: "pack-cache-snapshots",
      project: "acme-ci-tools",
      region: "europe-west1",
      description: "Daily snapshots of the Jenkins agents' pack cache disks (Gantry), to restore a warm cache after a disk is lost.",
      snapshotSchedulePolicy: {
        schedule: { dailySchedule: { daysInCycle: 1, startTime: "04:00" } },
        retentionPolicy: { maxRetentionDays: 7, onSourceDiskDelete: "KEEP_AUTO_SNAPSHOTS" },
        snapshotProperties: { labels: { team: "platform", "gantry-role": "pack-cache" }, storageLocations: "europe-west1", guestFlush: false },
      },
    });
    expect(of("vm4", POLICY_ATTACHMENT).map((a) => [a.name, a.inputs])).toEqual(
      [0, 1, 2, 3].map((i) => [`vm4-snapshots-${i}`, { name: "pack-cache-snapshots", disk: `pack-cache-${i}`, project: "acme-ci-tools", zone: "europe-west1-b" }]),
    );
  });

  it("attach nothing unless attachTo names the agents", () => {
    expect(of("vm4", ATTACHED)).toEqual([]);
    expect(summary(captured.filter((c) => c.name.startsWith("vm4")))).toEqual([
      `${COMPONENT}::vm4`,
      ...[0, 1, 2, 3, "pr-0", "pr-1"].map((i) => `${DISK}::vm4-disk-${i}`),
      ...[0, 1, 2, 3].map((i) => `${POLICY_ATTACHMENT}::vm4-snapshots-${i}`),
      `${POLICY}::vm4-snapshots`,
    ].sort());
  });

  it("attach disk i read-write to agent i only, with the configured type, prefix and schedule", () => {
    expect(of("vm-attached", ATTACHED).map((a) => a.inputs)).toEqual([
      { disk: "ci-cache-0", instance: "jenkins-agent-a", project: "acme-ci-tools", zone: "europe-west1-c", mode: "READ_WRITE", deviceName: "pack-cache" },
      { disk: "ci-cache-1", instance: "jenkins-agent-b", project: "acme-ci-tools", zone: "europe-west1-c", mode: "READ_WRITE", deviceName: "pack-cache" },
    ]);
    expect(of("vm-attached", DISK).map((d) => [d.inputs.name, d.inputs.type, d.inputs.size])).toEqual([
      ["ci-cache-0", "pd-ssd", 100],
      ["ci-cache-1", "pd-ssd", 100],
    ]);
    const policy = one(captured, POLICY, "vm-attached-snapshots");
    expect(policy.inputs.name).toBe("ci-cache-snapshots");
    expect(policy.inputs.snapshotSchedulePolicy.schedule).toEqual({ dailySchedule: { daysInCycle: 1, startTime: "20:00" } });
    expect(policy.inputs.snapshotSchedulePolicy.retentionPolicy.maxRetentionDays).toBe(3);
    expect(components.vmAttached!.slots).toEqual(["ci-cache-0", "ci-cache-1"]);
  });
});

describe("GKE agents", () => {
  it("declare the StorageClass: pd-balanced, WaitForFirstConsumer, expandable, disks retained", () => {
    const cls = one(captured, CLASS, "gke4-class");
    expect(cls.inputs).toEqual({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "gantry-pack-cache", labels: { "app.kubernetes.io/part-of": "gantry", "app.kubernetes.io/component": "pack-cache" } },
      provisioner: "pd.csi.storage.gke.io",
      parameters: { type: "pd-balanced", labels: "gantry-role=pack-cache,team=platform" },
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
      reclaimPolicy: "Retain",
    });
    expect(() => new StorageClass(cls.inputs).validate()).not.toThrow();
  });

  it("declare one protected ReadWriteOnce claim per slot, named as the slot's Lockable Resource", () => {
    const claims = of("gke4", CLAIM);
    expect(claims.map((c) => c.name)).toEqual(["gke4-claim-0", "gke4-claim-1", "gke4-claim-2", "gke4-claim-3"]);
    claims.forEach((claim, slot) => {
      expect(claim.inputs).toEqual({
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: {
          name: `pack-cache-${slot}`,
          namespace: "jenkins",
          labels: { "app.kubernetes.io/part-of": "gantry", "app.kubernetes.io/component": "pack-cache", "gantry.dev/slot": String(slot), "gantry.dev/trust": "trusted" },
          annotations: { "pulumi.com/skipAwait": "true" },
        },
        spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gantry-pack-cache", resources: { requests: { storage: "150Gi" } } },
      });
      expect(() => new PersistentVolumeClaim(claim.inputs).validate()).not.toThrow();
      expect(mocks.protect.get(`${CLAIM}::${claim.name}`), claim.name).toBe(true);
      expect(claim.dependencies).toContain(one(captured, CLASS, "gke4-class").urn);
    });
    expect(components.gke4!.slots).toEqual(["pack-cache-0", "pack-cache-1", "pack-cache-2", "pack-cache-3"]);
  });

  it("declare the pull-request claims apart: other names, in the pull-request pods' namespace only", () => {
    const claims = ofPr("gke4", CLAIM);
    expect(claims.map((c) => [c.name, c.inputs.metadata.namespace, c.inputs.metadata.name, c.inputs.metadata.labels["gantry.dev/trust"]])).toEqual([
      ["gke4-claim-pr-0", "jenkins-pr", "pack-cache-pr-0", "pull-request"],
      ["gke4-claim-pr-1", "jenkins-pr", "pack-cache-pr-1", "pull-request"],
    ]);
    for (const c of claims) expect(() => new PersistentVolumeClaim(c.inputs).validate()).not.toThrow();
    // A pod mounts claims of its own namespace only: none of the trusted claims is where pull-request pods run.
    expect(of("gke4", CLAIM).filter((c) => c.inputs.metadata.namespace === "jenkins-pr")).toEqual([]);
    expect(components.gke4!.untrustedSlots).toEqual(["pack-cache-pr-0", "pack-cache-pr-1"]);
  });

  it("go through the component's own provider, and declare no disks", () => {
    const provider = one(captured, "pulumi:providers:kubernetes", "gke4-k8s");
    for (const c of [...of("gke4", CLAIM), ...of("gke4", CLASS)]) expect(c.provider).toBe(`${provider.urn}::${provider.name}_id`);
    expect(of("gke4", DISK)).toEqual([]);
    expect(of("gke4", POLICY)).toEqual([]);
  });
});
