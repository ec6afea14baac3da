/* Resource types in the words a reviewer uses. */

/** "gcp:cloudrunv2/service:Service" -> "Cloud Run service"; others by their last part. */
export function typeLabel(type: string): string {
  return TYPE_LABELS[type] ?? type.slice(type.lastIndexOf(":") + 1);
}

const TYPE_LABELS: Record<string, string> = {
  "gcp:cloudrunv2/service:Service": "Cloud Run service",
  "gcp:cloudrunv2/job:Job": "Cloud Run job",
  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": "Cloud Run invoker binding",
  "gcp:cloudrunv2/jobIamMember:JobIamMember": "Cloud Run job binding",
  "gcp:cloudscheduler/job:Job": "scheduler job",
  "gcp:serviceaccount/account:Account": "service account",
  "gcp:serviceaccount/iAMMember:IAMMember": "service account binding",
  "gcp:secretmanager/secretIamMember:SecretIamMember": "secret access",
  "gcp:artifactregistry/repository:Repository": "Artifact Registry repository",
  "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": "repository binding",
  "gcp:container/cluster:Cluster": "GKE cluster",
  "gcp:compute/disk:Disk": "persistent disk",
  "pulumi-nodejs:dynamic/gantry:PackImage": "image build",
  "docker-build:index:Image": "Dockerfile build",
  "pulumi:providers:kubernetes": "Kubernetes provider",
  "kubernetes:apps/v1:Deployment": "Deployment",
  "kubernetes:core/v1:Service": "Kubernetes Service",
  "kubernetes:core/v1:Namespace": "Namespace",
  "kubernetes:core/v1:PersistentVolumeClaim": "PersistentVolumeClaim",
};
