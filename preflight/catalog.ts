import * as path from "node:path";
import { displayPath } from "../catalog/display-path";
import type { Catalog, LoadedService } from "../catalog/load";
import { mergeAcrossStacks, sortProblems, type Problem } from "../catalog/problems";
import { detect } from "./detect";
import { dockerfileBuildProblems } from "./dockerfile-build";
import type { DetectResult } from "./findings";

/** The preflight of one service as it is built in one stack (build env and builder can differ per stack). */
export function preflightService(service: LoadedService, builder: string): DetectResult {
  return detect(detectInput(service, builder));
}

function detectInput(service: LoadedService, builder: string): Parameters<typeof detect>[0] {
  const { spec } = service;
  return {
    dir: service.sourceDir,
    builder,
    buildEnv: spec.build?.env,
    kind: spec.kind,
    port: spec.kind === "job" ? undefined : spec.port,
    jobProcess: spec.kind === "job" ? spec.process : undefined,
    defaultProcess: spec.build?.defaultProcess,
    include: spec.build?.include,
    exclude: spec.build?.exclude,
  };
}

/**
 * Preflight findings for every service of every stack that builds, as located problems: a finding about a file
 * in the source (a Procfile line) points there, anything else at the service.yaml. A stack that promotes another
 * stack's images builds nothing, so nothing there can fail a build.
 */
export function preflightProblems(catalog: Catalog, cwd = process.cwd()): Problem[] {
  const problems: Problem[] = [];
  const building = catalog.stacks.filter((stack) => catalog.platforms[stack] && !catalog.platforms[stack]!.promoteFrom);
  // Stacks mostly build a service the same way (same builder, same build env): read its source once per way.
  const detected = new Map<string, DetectResult>();
  for (const stack of building) {
    const platform = catalog.platforms[stack]!;
    for (const service of catalog.services[stack] ?? []) {
      // Buildpacks never see a service built from its Dockerfile; only the Dockerfile build can fail it.
      if (service.spec.build?.dockerfile !== undefined) {
        problems.push(...dockerfileBuildProblems(service, stack, cwd, platform.baseStack ?? stack));
        continue;
      }
      const input = detectInput(service, platform.builder);
      const key = JSON.stringify(input);
      let result = detected.get(key);
      if (!result) {
        result = detect(input);
        detected.set(key, result);
      }
      // A builder Gantry does not know (a platform team's own) may detect what Google's rules would not: its
      // predictions are shown, but only pack's real answer may stop a deploy.
      const approximate = result.findings.some((f) => f.code === "builder-unrecognized");
      for (const f of result.findings) {
        const file = f.file ? displayPath(path.join(service.sourceDir, f.file), cwd) : service.file;
        problems.push({
          file,
          line: f.line ?? 1,
          column: 1,
          field: f.file ? "" : "build",
          severity: approximate ? "warning" : f.severity,
          message: `${service.spec.name}: ${f.message} (${f.code}). Fix: ${f.fix}${approximate && f.severity === "error" ? " (not blocking: a prediction for a builder Gantry does not recognise)" : ""}`,
          stacks: [stack],
        });
      }
    }
  }
  return sortProblems(mergeAcrossStacks(problems, building));
}
