import * as path from "node:path";
import { displayPath } from "../catalog/display-path";
import type { Catalog, LoadedService } from "../catalog/load";
import { mergeAcrossStacks, sortProblems, type Problem } from "../catalog/problems";
import { detect } from "./detect";
import { dockerfileBuildProblems } from "./dockerfile-build";
import type { DetectResult } from "./findings";

/** The preflight of one service as it is built in one stack (build env and builder can differ per stack). */
export function preflightService(service: LoadedService, builder: string): DetectResult {
  const { spec } = service;
  return detect({
    dir: service.sourceDir,
    builder,
    buildEnv: spec.build?.env,
    kind: spec.kind,
    port: spec.kind === "job" ? undefined : spec.port,
    jobProcess: spec.kind === "job" ? spec.process : undefined,
    defaultProcess: spec.build?.defaultProcess,
    include: spec.build?.include,
    exclude: spec.build?.exclude,
  });
}

/**
 * Preflight findings for every service of every stack that builds, as located problems: a finding about a file
 * in the source (a Procfile line) points there, anything else at the service.yaml. A stack that promotes another
 * stack's images builds nothing, so nothing there can fail a build.
 */
export function preflightProblems(catalog: Catalog, cwd = process.cwd()): Problem[] {
  const problems: Problem[] = [];
  const building = catalog.stacks.filter((stack) => catalog.platforms[stack] && !catalog.platforms[stack]!.promoteFrom);
  for (const stack of building) {
    const platform = catalog.platforms[stack]!;
    for (const service of catalog.services[stack] ?? []) {
      // Buildpacks never see a service built from its Dockerfile; only the Dockerfile build can fail it.
      if (service.spec.build?.dockerfile !== undefined) {
        problems.push(...dockerfileBuildProblems(service, stack, cwd, platform.baseStack ?? stack));
        continue;
      }
      const result = preflightService(service, platform.builder);
      for (const f of result.findings) {
        const file = f.file ? displayPath(path.join(service.sourceDir, f.file), cwd) : service.file;
        problems.push({
          file,
          line: f.line ?? 1,
          column: 1,
          field: f.file ? "" : "build",
          severity: f.severity,
          message: `${service.spec.name}: ${f.message} (${f.code}). Fix: ${f.fix}`,
          stacks: [stack],
        });
      }
    }
  }
  return sortProblems(mergeAcrossStacks(problems, building));
}
