import type * as gcp from "@pulumi/gcp";
import type { LoadedService } from "../catalog/load";
import type { PlatformConfig } from "../catalog/schema/platform";
import { ArtifactRegistry } from "../components/registry";
import { ownsRegistry, registryProject } from "../components/registry/address";
import { cloudRunPullAccess, existingRepository } from "../components/registry/shared";

/**
 * The repository a stack's images come from: its own, created here, or (gantry:registry.project naming
 * another project, as a promoting stack does) the one the stack there owns, with read access for this
 * stack's Cloud Run service agent. GKE nodes get theirs from kubernetesProvider() on whichever it is.
 */
export function stackRegistry(platform: PlatformConfig, services: readonly LoadedService[]): ArtifactRegistry | gcp.artifactregistry.Repository {
  if (ownsRegistry(platform)) return new ArtifactRegistry("registry", { platform });
  const repository = existingRepository("registry", platform, registryProject(platform));
  if (services.some((s) => s.spec.kind !== "gke")) cloudRunPullAccess("registry-cloud-run-pull", platform, repository);
  return repository;
}
