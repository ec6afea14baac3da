import type * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../../catalog/schema/platform";
import { gkeCacheClaims } from "./gke-claims";
import { readDeployedDiskSize, type DeployedDiskSize } from "./shrink";
import { slotNames, untrustedSlotNames } from "./slots";
import { vmCacheDisks } from "./vm-disks";

export interface JenkinsAgentCacheArgs {
  /** The stack's platform config; its `jenkins` block says which agents and how many slots. */
  platform: PlatformConfig;
  /** Reads the size a disk has now, to refuse a shrink; default gcp.compute.getDisk. */
  deployedDiskSize?: DeployedDiskSize;
  /** The cluster the agent pods run in; default one from jenkins.kubeconfig/context (or the ambient kubeconfig). */
  k8sProvider?: k8s.Provider;
}

/**
 * The persistent pack caches of the Jenkins agents that run Gantry: one disk (VM agents) or one claim (GKE
 * agents) per build slot, never shared between two builds. pack sees one folder per service on it
 * (buildCache.mode: bind); see docs/jenkins.md.
 */
export class JenkinsAgentCache extends pulumi.ComponentResource {
  /** `<namePrefix>-<i>`: the disk or claim of each slot, and the Lockable Resource the pipeline locks for it. */
  readonly slots: string[];
  /** `<namePrefix>-pr-<i>`: the pull-request slots, locked under the label `<namePrefix>-pr`. */
  readonly untrustedSlots: string[];
  readonly disks: gcp.compute.Disk[] = [];
  readonly snapshotSchedule?: gcp.compute.ResourcePolicy;
  readonly storageClass?: k8s.storage.v1.StorageClass;
  readonly claims: k8s.core.v1.PersistentVolumeClaim[] = [];

  constructor(name: string, args: JenkinsAgentCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gantry:jenkins:AgentCache", name, {}, opts);
    const { platform } = args;
    const jenkins = platform.jenkins;
    if (!jenkins) throw new Error("JenkinsAgentCache needs platform.jenkins");
    this.slots = slotNames(jenkins);
    this.untrustedSlots = untrustedSlotNames(jenkins);

    if (jenkins.agents === "vm") {
      const vm = vmCacheDisks(name, { jenkins, project: platform.project, labels: platform.labels, deployedDiskSize: args.deployedDiskSize ?? readDeployedDiskSize }, this);
      this.disks = vm.disks;
      this.snapshotSchedule = vm.snapshotSchedule;
    } else {
      const provider =
        args.k8sProvider ??
        new k8s.Provider(
          `${name}-k8s`,
          { ...(jenkins.kubeconfig !== undefined ? { kubeconfig: jenkins.kubeconfig } : {}), ...(jenkins.context !== undefined ? { context: jenkins.context } : {}) },
          { parent: this },
        );
      const gke = gkeCacheClaims(name, { jenkins, labels: platform.labels, provider }, this);
      this.storageClass = gke.storageClass;
      this.claims = gke.claims;
    }

    this.registerOutputs({
      slots: this.slots,
      untrustedSlots: this.untrustedSlots,
      disks: this.disks.map((d) => d.name),
      claims: this.claims.map((c) => c.metadata.name),
    });
  }
}
