import type { PlatformConfig } from "../../catalog/schema/platform";

// Where a stack's images live, worked out from its config alone: the build stage, the checks and the CLI ask here
// without loading the Google Cloud SDK, which only the resources in ./shared.ts need.

/** The project whose Artifact Registry repository the stack pushes to and pulls from. */
export function registryProject(platform: PlatformConfig): string {
  return platform.registry.project ?? platform.project;
}

/** A stack creates its repository unless it uses another project's, which that project's stack owns. */
export function ownsRegistry(platform: PlatformConfig): boolean {
  return registryProject(platform) === platform.project;
}

/**
 * <region>-docker.pkg.dev/<project>/<repository>, known before the repository exists so builds can be planned
 * offline. A domain-scoped project id's colon becomes a slash in the path.
 */
export function registryUrl(platform: PlatformConfig): string {
  if (platform.registry.url) return platform.registry.url;
  return `${platform.region}-docker.pkg.dev/${registryProject(platform).replace(":", "/")}/${platform.registry.repository}`;
}
