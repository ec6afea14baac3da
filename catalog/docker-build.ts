import * as path from "node:path";
import type { LoadedService } from "./load";

/** A service's Dockerfile build with its paths resolved, as the build, the preflight and `gantry migrate` read it. */
export interface DockerBuild {
  /** Absolute path of the Dockerfile. */
  dockerfile: string;
  /** Absolute build context folder. */
  context: string;
  target?: string;
  args: Record<string, string>;
}

/** The Dockerfile build of a service, or undefined when buildpacks build it. */
export function dockerBuildOf(service: LoadedService): DockerBuild | undefined {
  const build = service.spec.build;
  if (build?.dockerfile === undefined) return undefined;
  // Both paths are relative to service.yaml's folder, like `source`; the context defaults to the source folder.
  return {
    dockerfile: path.resolve(service.dir, build.dockerfile),
    context: build.context !== undefined ? path.resolve(service.dir, build.context) : service.sourceDir,
    ...(build.target !== undefined ? { target: build.target } : {}),
    args: { ...(build.args ?? {}) },
  };
}
