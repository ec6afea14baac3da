/*
 * Which input changes force a resource to be replaced (deleted and created again) rather than updated in place.
 *
 * The real engine learns this from each provider's diff. The plan runs under the mock runtime with no provider,
 * so it predicts replacements from this table of inputs the providers mark as ForceNew for the resource types
 * Gantry declares (and says so in the plan). A type not listed is predicted to update in place.
 */

/** A path, or a path prefix ending in "." (every input under it), or "*" (every input). */
type Forcing = string;

const KUBERNETES_IDENTITY = ["metadata.name", "metadata.namespace"];
/** An IAM member binding is immutable: any change is a new binding. */
const IAM_MEMBER = ["*"];

const FORCES_REPLACE: Record<string, Forcing[]> = {
  "gcp:cloudrunv2/service:Service": ["name", "location", "project"],
  "gcp:cloudrunv2/job:Job": ["name", "location", "project"],
  "gcp:serviceaccount/account:Account": ["accountId", "project"],
  "gcp:artifactregistry/repository:Repository": ["repositoryId", "location", "project", "format", "mode"],
  "gcp:cloudscheduler/job:Job": ["name", "region", "project"],
  "gcp:container/cluster:Cluster": ["name", "location", "project", "network", "subnetwork"],
  "gcp:compute/disk:Disk": ["name", "zone", "project", "type", "image", "snapshot"],
  "gcp:compute/resourcePolicy:ResourcePolicy": ["*"],
  "gcp:compute/diskResourcePolicyAttachment:DiskResourcePolicyAttachment": ["*"],
  "gcp:compute/attachedDisk:AttachedDisk": ["*"],
  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": IAM_MEMBER,
  "gcp:cloudrunv2/jobIamMember:JobIamMember": IAM_MEMBER,
  "gcp:secretmanager/secretIamMember:SecretIamMember": IAM_MEMBER,
  "gcp:serviceaccount/iAMMember:IAMMember": IAM_MEMBER,
  "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": IAM_MEMBER,
  "pulumi-nodejs:dynamic/gantry:PackImage": ["repository"],
  "kubernetes:core/v1:Namespace": KUBERNETES_IDENTITY,
  "kubernetes:core/v1:ServiceAccount": KUBERNETES_IDENTITY,
  "kubernetes:core/v1:Service": [...KUBERNETES_IDENTITY, "spec.clusterIP"],
  "kubernetes:apps/v1:Deployment": [...KUBERNETES_IDENTITY, "spec.selector."],
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": KUBERNETES_IDENTITY,
  "kubernetes:core/v1:PersistentVolumeClaim": [...KUBERNETES_IDENTITY, "spec.storageClassName", "spec.accessModes", "spec.volumeMode"],
  "kubernetes:storage.k8s.io/v1:StorageClass": [...KUBERNETES_IDENTITY, "provisioner", "parameters.", "reclaimPolicy", "volumeBindingMode"],
  "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass": KUBERNETES_IDENTITY,
};

/** Disks can grow in place; a smaller size can only be a new disk. */
const SHRINKS: Record<string, string[]> = {
  "gcp:compute/disk:Disk": ["size"],
};

/** The changed paths that force a replacement of a resource of this type, in the order given. */
export function forcingChanges(type: string, changes: Array<{ path: string; old?: string; new?: string }>): string[] {
  const forcing = FORCES_REPLACE[type] ?? [];
  const shrinks = SHRINKS[type] ?? [];
  return changes
    .filter((c) => {
      if (forcing.some((f) => f === "*" || f === c.path || (f.endsWith(".") && c.path.startsWith(f)) || c.path.startsWith(`${f}[`))) return true;
      return shrinks.includes(c.path) && Number(c.new) < Number(c.old);
    })
    .map((c) => c.path);
}
