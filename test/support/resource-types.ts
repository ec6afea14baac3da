// Pulumi type tokens of the resources the mock-runtime tests look for, in one place.

export const READER = "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember";
export const JOB = "gcp:cloudrunv2/job:Job";
export const JOB_INVOKER = "gcp:cloudrunv2/jobIamMember:JobIamMember";
export const SERVICE = "gcp:cloudrunv2/service:Service";
export const INVOKER = "gcp:cloudrunv2/serviceIamMember:ServiceIamMember";
export const SCHEDULER = "gcp:cloudscheduler/job:Job";
export const ATTACHED = "gcp:compute/attachedDisk:AttachedDisk";
export const DISK = "gcp:compute/disk:Disk";
export const POLICY_ATTACHMENT = "gcp:compute/diskResourcePolicyAttachment:DiskResourcePolicyAttachment";
export const POLICY = "gcp:compute/resourcePolicy:ResourcePolicy";
export const ACCOUNT = "gcp:serviceaccount/account:Account";
export const WI = "gcp:serviceaccount/iAMMember:IAMMember";
export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
export const NAMESPACE = "kubernetes:core/v1:Namespace";
export const CLAIM = "kubernetes:core/v1:PersistentVolumeClaim";
export const KSERVICE = "kubernetes:core/v1:Service";
export const KSA = "kubernetes:core/v1:ServiceAccount";
export const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
export const SPC = "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass";
export const CLASS = "kubernetes:storage.k8s.io/v1:StorageClass";
export const PACK = "pulumi-nodejs:dynamic/gantry:PackImage";
