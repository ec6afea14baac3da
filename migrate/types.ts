import type { DockerBuild } from "../catalog/docker-build";
import type { LoadedService } from "../catalog/load";
import type { BuilderInfo, DetectResult } from "../preflight";
import type { ParsedDockerfile } from "../dockerfile/parse";
import type { RunCommand } from "./run-steps";
import type { SourceFacts } from "./source-facts";

export type Aspect = "launch" | "port" | "runtime" | "packages" | "build" | "files" | "env" | "user" | "builder";

/**
 * One finding of the comparison. A step is a concrete change after which the buildpacks image does what the
 * Dockerfile's did; a blocker is something buildpacks cannot do at all; a note changes nothing.
 */
export interface Check {
  aspect: Aspect;
  kind: "step" | "blocker" | "note";
  text: string;
  /** Dockerfile line the finding comes from. */
  line?: number;
}

/** Everything the checks read, gathered once per service and builder. */
export interface CompareContext {
  service: LoadedService;
  builder: BuilderInfo;
  docker: DockerBuild;
  parsed: ParsedDockerfile;
  detected: DetectResult;
  facts: SourceFacts;
  runs: RunCommand[];
  /** Stages that make up the image itself (the built stage and those it starts from), as opposed to build stages. */
  imageStages: Set<number>;
}
