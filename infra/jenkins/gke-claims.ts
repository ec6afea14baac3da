import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { GkeAgentsConfig } from "../../catalog/schema/jenkins";
import { slotNames, untrustedSlotNames } from "./slots";

export const PD_CSI_PROVISIONER = "pd.csi.storage.gke.io";

const LABELS = { "app.kubernetes.io/part-of": "gantry", "app.kubernetes.io/component": "pack-cache" };

export interface GkeCacheClaims {
  storageClass: k8s.storage.v1.StorageClass;
  claims: k8s.core.v1.PersistentVolumeClaim[];
}

export interface GkeCacheClaimsArgs {
  jenkins: GkeAgentsConfig;
  labels: Record<string, string>;
  provider: k8s.Provider;
}

/**
 * A StorageClass and a pool of claims, one per slot, that outlive the agent pods. The Kubernetes plugin's
 * dynamicPVC is owned by its pod and deleted with it, so it cannot carry a cache from one build to the next.
 */
export function gkeCacheClaims(name: string, args: GkeCacheClaimsArgs, parent: pulumi.Resource): GkeCacheClaims {
  const { jenkins, provider } = args;
  const storageClass = new k8s.storage.v1.StorageClass(
    `${name}-class`,
    {
      metadata: { name: jenkins.storageClass, labels: LABELS },
      provisioner: PD_CSI_PROVISIONER,
      parameters: { type: jenkins.diskType, labels: gceLabelParameter({ ...args.labels, "gantry-role": "pack-cache" }) },
      // The disk is created in the zone of the first pod that mounts it, so a regional cluster can schedule it.
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
      // A claim deleted by mistake leaves its disk behind (Released), to be bound again rather than lost.
      reclaimPolicy: "Retain",
    },
    { parent, provider },
  );

  const claim = (resourceName: string, claimName: string, namespace: string, slot: number, trust: string) =>
    new k8s.core.v1.PersistentVolumeClaim(
      resourceName,
      {
        metadata: {
          name: claimName,
          namespace,
          labels: { ...LABELS, "gantry.dev/slot": String(slot), "gantry.dev/trust": trust },
          // Unbound until an agent pod mounts it (WaitForFirstConsumer); older providers wait for Bound on create
          // and on resize and time out (pulumi/pulumi-kubernetes#895, #4179).
          annotations: { "pulumi.com/skipAwait": "true" },
        },
        spec: {
          accessModes: ["ReadWriteOnce"],
          storageClassName: jenkins.storageClass,
          resources: { requests: { storage: `${jenkins.diskSizeGb}Gi` } },
        },
      },
      { parent, provider, protect: true, dependsOn: [storageClass] },
    );
  // A pod mounts only claims of its own namespace: the pull-request claims live where the pull-request pods run,
  // so no pod there can name a trusted claim, whatever its template says.
  const claims = [
    ...slotNames(jenkins).map((claimName, slot) => claim(`${name}-claim-${slot}`, claimName, jenkins.namespace, slot, "trusted")),
    ...untrustedSlotNames(jenkins).map((claimName, slot) => claim(`${name}-claim-pr-${slot}`, claimName, jenkins.untrusted.namespace, slot, "pull-request")),
  ];
  return { storageClass, claims };
}

/** The PD CSI driver's `labels` parameter: `k1=v1,k2=v2`, put on every disk it provisions. */
export function gceLabelParameter(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}
