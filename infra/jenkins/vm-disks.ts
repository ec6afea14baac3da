import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { VmAgentsConfig } from "../../catalog/schema/jenkins";
import { checkedDiskSize, type DeployedDiskSize } from "./shrink";
import { regionOf, slotNames, untrustedSlotNames } from "./slots";

/** Device name of every cache disk on its VM: the agent finds it at /dev/disk/by-id/google-pack-cache. */
export const CACHE_DEVICE_NAME = "pack-cache";

export interface VmCacheDisks {
  disks: gcp.compute.Disk[];
  snapshotSchedule: gcp.compute.ResourcePolicy;
  snapshotAttachments: gcp.compute.DiskResourcePolicyAttachment[];
  attachments: gcp.compute.AttachedDisk[];
}

export interface VmCacheDisksArgs {
  jenkins: VmAgentsConfig;
  project: string;
  labels: Record<string, string>;
  deployedDiskSize: DeployedDiskSize;
}

/**
 * One persistent disk per executor slot, snapshotted daily, each attached read-write to at most one agent VM;
 * and one per pull-request slot (`<namePrefix>-pr-<i>`), for the agents that build previews, never attached to a
 * trusted agent by Gantry and not snapshotted: what a pull request cached is not worth restoring.
 */
export function vmCacheDisks(name: string, args: VmCacheDisksArgs, parent: pulumi.Resource): VmCacheDisks {
  const { jenkins, project } = args;
  const region = regionOf(jenkins.zone);
  const labels = { ...args.labels, "gantry-role": "pack-cache" };

  const snapshotSchedule = new gcp.compute.ResourcePolicy(
    `${name}-snapshots`,
    {
      name: `${jenkins.namePrefix}-snapshots`,
      project,
      region,
      description: "Daily snapshots of the Jenkins agents' pack cache disks (Gantry), to restore a warm cache after a disk is lost.",
      snapshotSchedulePolicy: {
        schedule: { dailySchedule: { daysInCycle: 1, startTime: jenkins.snapshots.startTime } },
        // A deleted disk keeps its snapshots: they are how a disk deleted by mistake comes back warm.
        retentionPolicy: { maxRetentionDays: jenkins.snapshots.retentionDays, onSourceDiskDelete: "KEEP_AUTO_SNAPSHOTS" },
        // Crash-consistent is enough for a cache (the worst case is a slower build), and needs no guest agent.
        snapshotProperties: { labels, storageLocations: region, guestFlush: false },
      },
    },
    { parent },
  );

  const disks: gcp.compute.Disk[] = [];
  const snapshotAttachments: gcp.compute.DiskResourcePolicyAttachment[] = [];
  const attachments: gcp.compute.AttachedDisk[] = [];
  slotNames(jenkins).forEach((diskName, slot) => {
    const ref = { name: diskName, project, zone: jenkins.zone };
    const disk = new gcp.compute.Disk(
      `${name}-disk-${slot}`,
      {
        name: diskName,
        project,
        zone: jenkins.zone,
        type: jenkins.diskType,
        size: pulumi.output(checkedDiskSize(ref, jenkins.diskSizeGb, args.deployedDiskSize, { parent })),
        labels: { ...labels, "gantry-slot": String(slot) },
        description: `pack build cache of Jenkins slot ${slot} (Gantry). Read-write on one agent only.`,
        // Even a deliberate delete (after `pulumi state unprotect`) leaves a last snapshot to restore from.
        createSnapshotBeforeDestroy: true,
      },
      { parent, protect: true },
    );
    disks.push(disk);
    snapshotAttachments.push(
      new gcp.compute.DiskResourcePolicyAttachment(
        `${name}-snapshots-${slot}`,
        { name: snapshotSchedule.name, disk: disk.name, project, zone: jenkins.zone },
        { parent },
      ),
    );
    const instance = jenkins.attachTo?.[slot];
    if (instance !== undefined) {
      attachments.push(
        new gcp.compute.AttachedDisk(
          `${name}-attach-${slot}`,
          { disk: disk.name, instance, project, zone: jenkins.zone, mode: "READ_WRITE", deviceName: CACHE_DEVICE_NAME },
          { parent },
        ),
      );
    }
  });
  untrustedSlotNames(jenkins).forEach((diskName, slot) => {
    const ref = { name: diskName, project, zone: jenkins.zone };
    disks.push(
      new gcp.compute.Disk(
        `${name}-disk-pr-${slot}`,
        {
          name: diskName,
          project,
          zone: jenkins.zone,
          type: jenkins.diskType,
          size: pulumi.output(checkedDiskSize(ref, jenkins.diskSizeGb, args.deployedDiskSize, { parent })),
          labels: { ...labels, "gantry-slot": String(slot), "gantry-trust": "pull-request" },
          description: `pack build cache of Jenkins pull-request slot ${slot} (Gantry). Only on agents labelled gantry-pack-pr; never on a staging or prod agent.`,
        },
        { parent, protect: true },
      ),
    );
  });
  return { disks, snapshotSchedule, snapshotAttachments, attachments };
}
