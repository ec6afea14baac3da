// One service's Dockerfile against what the buildpacks builder would do with the same source.

import * as fs from "node:fs";
import type { DockerBuild } from "../catalog/docker-build";
import type { LoadedService } from "../catalog/load";
import { describeBuilder, detect, type DetectResult } from "../preflight";
import { compareBase, compareLanguages } from "./base-image";
import { compareBuildSteps } from "./build-steps";
import { compareEnv, compareUser } from "./env";
import { compareLaunch, type LaunchComparison } from "./launch";
import { parseDockerfile, type ParsedDockerfile } from "../dockerfile/parse";
import { comparePort, type PortComparison } from "./port";
import { classifyRuns } from "./run-steps";
import { compareRuntime, pinStep, type RuntimeComparison } from "./runtime";
import { readSourceFacts } from "./source-facts";
import { languageName } from "./language-name";
import type { Check, CompareContext } from "./types";

export interface Comparison {
  builder: string;
  language: string | null;
  launch: LaunchComparison;
  port: PortComparison;
  runtime: RuntimeComparison | null;
  checks: Check[];
}

// Builder findings that the steps of the launch comparison settle (a Procfile line, a package to build).
const SETTLED_BY_PROCFILE = new Set([
  "python-no-entrypoint", "python-default-port", "python-server-not-installed", "node-entrypoint-missing", "node-needs-entrypoint", "ruby-no-entrypoint",
  "paketo-python-no-web", "no-web-process", "procfile-missing-web", "web-port-mismatch",
  // A web line of the app's own replaces the command these are about (and, for Java, the executable-jar search).
  "asgi-on-sync-worker", "node-start-script-missing", "java-no-main-class", "java-no-executable-jar",
]);
const SETTLED_BY_BUILDABLE = new Set(["go-multiple-mains", "go-buildable-missing", "go-buildable-not-main"]);

export function compareService(service: LoadedService, docker: DockerBuild, builderImage: string): Comparison {
  const builder = describeBuilder(builderImage);
  const parsed = parseDockerfile(fs.readFileSync(docker.dockerfile, "utf8"), docker.target, docker.args);
  const detected = detect({ dir: service.sourceDir, builder: builderImage, kind: service.spec.kind, ...(service.spec.kind !== "job" ? { port: service.spec.port } : {}) });
  const ctx: CompareContext = {
    service,
    builder,
    docker,
    parsed,
    detected,
    facts: readSourceFacts(service.sourceDir, builder.family),
    runs: classifyRuns(parsed.runs),
    imageStages: imageStages(parsed),
  };

  const build = compareBuildSteps(ctx);
  const launch = compareLaunch(ctx, build.explicitPython);
  const port = comparePort(ctx, launch.comparison.after);
  const runtime = compareRuntime(parsed, detected, builder);
  const checks = [...compareLanguages(ctx), ...compareBase(ctx), ...launch.checks, ...port.checks, ...runtimeChecks(ctx, runtime), ...build.checks, ...compareEnv(ctx), ...compareUser(ctx)];
  checks.push(...builderFindings(detected, checks));
  return { builder: builderImage, language: detected.language, launch: launch.comparison, port: port.comparison, runtime, checks: dedupe(checks) };
}

function imageStages(parsed: ParsedDockerfile): Set<number> {
  const out = new Set<number>();
  for (let s: number | null = parsed.built.index; s !== null; s = parsed.stages[s]!.parent) out.add(s);
  return out;
}

export function runtimeChecks(ctx: CompareContext, runtime: RuntimeComparison | null): Check[] {
  const language = ctx.detected.language;
  if (!language) return [];
  if (!runtime) {
    const v = ctx.detected.runtimeVersion;
    return [{ aspect: "runtime", kind: "note", text: `no ${languageName(language)} base image to read a version from; the builder installs ${languageName(language)} ${v?.value ?? "(its default)"} (${v?.source ?? "default"})` }];
  }
  const at = { aspect: "runtime" as const, line: runtime.line };
  if (runtime.unavailable) {
    // Not a blocker: moving the app to an offered line, or the builder to a stack that offers its line, is a change a team makes.
    const u = runtime.unavailable;
    const name = languageName(language);
    const move = u.direction === "upgrade" ? `upgrade the app to ${name} ${u.nearest}` : `move the app down to ${name} ${u.nearest} (a downgrade: check that it runs there)`;
    const stacks = u.otherStacks.length > 0 ? `, or build with the ${u.otherStacks.join(" or ")} builder (gcr.io/buildpacks/builder:${u.otherStacks[0]}), which offers ${name} ${runtime.dockerfile}` : "";
    return [{ ...at, kind: "step", text: `${pinStep(runtime, ctx.builder, ctx.facts, u.nearest)}: the Dockerfile runs ${name} ${runtime.dockerfile} (FROM ${runtime.image}), which the ${u.stack} builder does not offer (it offers ${u.offered.join(", ")}); ${move}${stacks}` }];
  }
  if (runtime.dockerfile === null) return [{ ...at, kind: "note", text: `FROM ${runtime.image} pins no ${languageName(language)} version; the builder installs ${runtime.buildpacks ?? "its default"} (${runtime.source})` }];
  if (runtime.same === false) {
    const name = languageName(language);
    const theirs = runtime.buildpacks === "latest" ? `the newest ${name} release` : `${name} ${runtime.buildpacks}`;
    return [{ ...at, kind: "step", text: `${pinStep(runtime, ctx.builder, ctx.facts)} (the Dockerfile runs ${name} ${runtime.dockerfile}; the builder would install ${theirs}: ${runtime.source})` }];
  }
  return [];
}

/** The builder's own findings on the folder that the comparison's steps do not already settle. */
export function builderFindings(detected: DetectResult, checks: Check[]): Check[] {
  const procfile = checks.some((c) => c.kind === "step" && /Procfile/.test(c.text));
  const buildable = checks.some((c) => c.kind === "step" && /GOOGLE_BUILDABLE|BP_GO_TARGETS/.test(c.text));
  const runtime = checks.some((c) => c.aspect === "runtime" && c.kind !== "note");
  return detected.findings
    .filter((f) => f.code !== "dockerfile-ignored")
    .filter((f) => !(procfile && SETTLED_BY_PROCFILE.has(f.code)) && !(buildable && SETTLED_BY_BUILDABLE.has(f.code)) && !(runtime && f.code === "runtime-version-unavailable"))
    .map((f): Check =>
      // Nothing to build at all (a Rust or Elixir app, a static site): no step makes the builder build it.
      f.code === "nothing-detected"
        ? { aspect: "builder", kind: "blocker", text: `the builder detects no language it has buildpacks for in this source folder, so it would build nothing; ${f.message}` }
        : { aspect: "builder", kind: f.severity === "error" ? "step" : "note", text: `${f.message} Fix: ${f.fix}` },
    );
}

export function dedupe(checks: Check[]): Check[] {
  const seen = new Set<string>();
  return checks.filter((c) => {
    const key = `${c.kind}\0${c.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
