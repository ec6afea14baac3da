import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../../catalog/schema/platform";

export interface ArtifactRegistryArgs {
  platform: PlatformConfig;
}

/** The stack's Docker repository in Artifact Registry, which every service image is pushed to and pulled from. */
export class ArtifactRegistry extends pulumi.ComponentResource {
  readonly repository: gcp.artifactregistry.Repository;
  /** <region>-docker.pkg.dev/<project>/<repository>; images are <repositoryUrl>/<service>@sha256:<digest>. */
  readonly repositoryUrl: pulumi.Output<string>;

  constructor(name: string, args: ArtifactRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gantry:registry:ArtifactRegistry", name, {}, opts);
    const { platform } = args;
    const registry = platform.registry;

    this.repository = new gcp.artifactregistry.Repository(
      name,
      {
        project: platform.project,
        location: platform.region,
        repositoryId: registry.repository,
        format: "DOCKER",
        description: "Service images built by Gantry with Cloud Native Buildpacks.",
        labels: { ...platform.labels },
        // A repository holding these policies with dry run on deletes nothing; state it rather than rely on the default.
        cleanupPolicyDryRun: false,
        cleanupPolicies: [
          // KEEP wins over DELETE, so the images running now (the most recent ones) survive the untagged sweep.
          { id: "keep-recent", action: "KEEP", mostRecentVersions: { keepCount: registry.keepRecentVersions } },
          {
            id: "delete-untagged",
            action: "DELETE",
            condition: { tagState: "UNTAGGED", olderThan: `${registry.deleteUntaggedAfterDays}d` },
          },
        ],
        // Always sent, false included: leaving it out after it was true would keep the tags immutable.
        dockerConfig: { immutableTags: registry.immutableTags },
      },
      { parent: this },
    );

    this.repositoryUrl = repositoryUrl(this.repository);
    this.registerOutputs({ repositoryUrl: this.repositoryUrl, repository: this.repository });
  }
}

export function repositoryUrl(repository: gcp.artifactregistry.Repository): pulumi.Output<string> {
  return pulumi.interpolate`${repository.location}-docker.pkg.dev/${repository.project}/${repository.repositoryId}`;
}

/** Accepts either the component or a bare repository, so a program can bring a repository it already has. */
export function asRepository(r: ArtifactRegistry | gcp.artifactregistry.Repository): gcp.artifactregistry.Repository {
  return r instanceof ArtifactRegistry ? r.repository : r;
}
