import * as path from "node:path";
import { displayPath } from "../catalog/display-path";
import type { Catalog, LoadedService } from "../catalog/load";
import { mergeAcrossStacks, sortProblems, type Problem } from "../catalog/problems";
import { detect } from "./detect";
import { dockerfileBuildProblems } from "./dockerfile-build";
import type { DetectResult } from "./findings";

/** The preflight of one service as it is built in one stack (build env and builder can differ per stack). */
export function preflightService(service: LoadedService, builder: string): DetectResult {
  return detect(preflightInput(service, builder));
}

/** What the builder reads for a service: its source folder, build env, include/exclude, kind, port and process. */
export function preflightInput(service: LoadedService, builder: string): Parameters<typeof detect>[0] {
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
 * The command the image will start for this service: a job's process, else the default (web) process; null when the
 * builder would give it none. A Dockerfile build is not predicted here.
 */
export function launchCommand(service: LoadedService, result: DetectResult): string | null {
  const spec = service.spec;
  const process = spec.kind === "job" ? (spec.process ?? result.defaultProcess ?? "web") : (result.defaultProcess ?? "web");
  return result.processes[process] ?? null;
}

// validate, plan and the program each ask for findings and launch commands of the same loaded catalog (a command
// may copy the catalog object, never its services): each service's source is read once per build settings.
const detections = new WeakMap<object, Map<string, DetectResult>>();

function detectOnce(catalog: Catalog, input: Parameters<typeof detect>[0]): DetectResult {
  let cache = detections.get(catalog.services);
  if (!cache) {
    cache = new Map();
    detections.set(catalog.services, cache);
  }
  const key = JSON.stringify(input);
  let result = cache.get(key);
  if (!result) {
    result = detect(input);
    cache.set(key, result);
  }
  return result;
}

/** Launch commands per stack and service name, each source read once per builder and build settings. */
export function launchCommands(catalog: Catalog): Record<string, Record<string, string | null>> {
  const out: Record<string, Record<string, string | null>> = {};
  for (const stack of catalog.stacks) {
    const platform = catalog.platforms[stack];
    if (!platform) continue;
    out[stack] = {};
    for (const service of catalog.services[stack] ?? []) {
      if (service.spec.build?.dockerfile !== undefined) {
        out[stack]![service.spec.name] = null;
        continue;
      }
      out[stack]![service.spec.name] = launchCommand(service, detectOnce(catalog, preflightInput(service, platform.builder)));
    }
  }
  return out;
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
      // Stacks mostly build a service the same way (same builder, same build env): its source is read once per way.
      const result = detectOnce(catalog, preflightInput(service, platform.builder));
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
