import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../../catalog/schema/platform";

export const REPOSITORY_READER = "roles/artifactregistry.reader";

/**
 * The repository another stack owns in gantry:registry.project, read rather than created: two stacks
 * declaring one repository would fight over its settings and the first destroy would delete the other's images.
 */
export function existingRepository(name: string, platform: PlatformConfig, project: string, opts?: pulumi.CustomResourceOptions): gcp.artifactregistry.Repository {
  const repositoryId = platform.registry.repository;
  return gcp.artifactregistry.Repository.get(
    name,
    `projects/${project}/locations/${platform.region}/repositories/${repositoryId}`,
    // The known identity, so the reference reads the same before the provider answers (and under mocks).
    { project, location: platform.region, repositoryId },
    opts,
  );
}

/**
 * Cloud Run pulls images as its service agent, service-<number>@serverless-robot-prod.iam.gserviceaccount.com,
 * which reads repositories of its own project without a grant but needs one on another project's repository.
 * Granted on that one repository only.
 */
export function cloudRunPullAccess(name: string, platform: PlatformConfig, repository: gcp.artifactregistry.Repository, opts?: pulumi.CustomResourceOptions): gcp.artifactregistry.RepositoryIamMember {
  const project = gcp.organizations.getProjectOutput({ projectId: platform.project }, opts?.parent ? { parent: opts.parent } : undefined);
  return repositoryReader(name, repository, pulumi.interpolate`serviceAccount:service-${project.number}@serverless-robot-prod.iam.gserviceaccount.com`, opts);}

/**
 * roles/artifactregistry.reader on one repository (never the project) for an identity that pulls images
 * itself: a GKE node service account.
 */
export function repositoryReader(
  name: string,
  repository: gcp.artifactregistry.Repository,
  member: pulumi.Input<string>,
  opts?: pulumi.CustomResourceOptions,
): gcp.artifactregistry.RepositoryIamMember {
  return new gcp.artifactregistry.RepositoryIamMember(
    name,
    {
      project: repository.project,
      location: repository.location,
      repository: repository.repositoryId,
      role: REPOSITORY_READER,
      member,
    },
    opts,
  );
}
