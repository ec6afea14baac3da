/*
 * The roles a deployer holds in its own project: what `pulumi up` of a Gantry stack creates (Cloud Run services
 * and jobs, schedules, per-service accounts, the repository, GKE workloads) and nothing else. No primitive role
 * (owner, editor, viewer) anywhere. Secret Manager: only the custom role below, which can grant a service's
 * account access to a secret but holds no secretmanager.versions.access of its own.
 */
export const DEPLOY_ROLES = [
  "roles/run.admin",
  "roles/iam.serviceAccountAdmin",
  // actAs the services' accounts when deploying a revision or job that runs as them.
  "roles/iam.serviceAccountUser",
  "roles/artifactregistry.admin",
  "roles/cloudscheduler.admin",
  "roles/container.developer",
] as const;

/** Staging also owns the agents' cache disks (gantry:jenkins, VM agents) and their snapshot schedule. */
export const STAGING_EXTRA_ROLES = ["roles/compute.storageAdmin"] as const;

export const SECRET_IAM_ROLE_ID = "gantrySecretIamAdmin";
export const SECRET_IAM_PERMISSIONS = ["secretmanager.secrets.get", "secretmanager.secrets.getIamPolicy", "secretmanager.secrets.setIamPolicy"] as const;

/**
 * prod's only right on staging's repository: grant pulls on it to prod's own runtimes (its Cloud Run service agent,
 * its GKE nodes). Setting IAM on a repository is in no predefined role short of artifactregistry.admin (repoAdmin
 * has none of it, and can upload and delete images), hence a custom role: no upload, no delete, no tag.
 */
export const REPOSITORY_IAM_ROLE_ID = "gantryRepositoryIamAdmin";
export const REPOSITORY_IAM_PERMISSIONS = ["artifactregistry.repositories.get", "artifactregistry.repositories.getIamPolicy", "artifactregistry.repositories.setIamPolicy"] as const;

/** Lists the state bucket (stack names) without reading any object. */
export const BUCKET_LIST_ROLE = "roles/storage.legacyBucketReader";
export const OBJECT_WRITE_ROLE = "roles/storage.objectAdmin";
export const OBJECT_READ_ROLE = "roles/storage.objectViewer";
export const WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser";

/**
 * Stack config secrets of the deploying stacks: a Cloud KMS key each (the gcpkms:// secrets provider), which only
 * that stack's deployer may use. The Jenkinsfile holds no passphrase, and a self-managed backend needs a secrets
 * provider for every `pulumi up`.
 */
export const STATE_KEY_RING = "gantry-pulumi";
export const KMS_USER_ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter";
/** Reading another stack's outputs (a StackReference) opens its secrets manager: decrypt only. */
export const KMS_DECRYPT_ROLE = "roles/cloudkms.cryptoKeyDecrypter";
