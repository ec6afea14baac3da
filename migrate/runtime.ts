// The language runtime version: the one the Dockerfile's base image carries against the one the builder installs.

import * as semver from "semver";
import type { BuilderInfo, DetectResult } from "../preflight";
import { offeredMatches } from "../preflight/offered";
import { languageName } from "./language-name";
import { GOOGLE_OFFERED, type VersionedLanguage } from "../preflight/versions";
import type { ParsedDockerfile, Stage } from "../dockerfile/parse";
import type { SourceFacts } from "./source-facts";

export interface RuntimeComparison {
  language: string;
  /** The base image the version was read from, and its FROM line. */
  image: string;
  line: number;
  /** major.minor for Python and Go, the major for the rest; null when the tag pins none ("latest", "alpine"). */
  dockerfile: string | null;
  /** What the builder installs, in the same form, and why. */
  buildpacks: string | null;
  source: string;
  same: boolean | null;
  /** The builder cannot install the Dockerfile's version at all. */
  unavailable?: string;
}

const IMAGES: [RegExp, VersionedLanguage][] = [
  [/^python$/, "python"],
  [/^node$/, "nodejs"],
  [/^golang$/, "go"],
  [/^(eclipse-temurin|openjdk|amazoncorretto|maven|gradle)$/, "java"],
  [/^ruby$/, "ruby"],
  [/^php$/, "php"],
  [/^distroless\/python3/, "python"],
  [/^distroless\/nodejs/, "nodejs"],
  [/^distroless\/java/, "java"],
];

/** The line that matters for each language: Python and Go move by minor versions, the others by majors. */
const MINOR_LINES = new Set<string>(["python", "go", "ruby", "php"]);

export function baseRuntime(stage: Stage): { language: VersionedLanguage; version: string | null } | null {
  const base = stage.base;
  if (!base) return null;
  const hit = IMAGES.find(([re]) => re.test(base.name));
  if (!hit) return null;
  const language = hit[1];
  // distroless names carry the major ("nodejs20-debian12", "java17"); everything else its tag ("3.11-slim", "20-alpine", "1.22").
  const fromName = /^distroless\/\D+?(\d+)(?:-|$)/.exec(base.name)?.[1];
  const fromTag = /^(\d+(?:\.\d+){0,2})(?:$|[-_.a-z])/.exec(base.tag ?? "")?.[1];
  return { language, version: lineOf(language, fromTag ?? fromName ?? null) };
}

function lineOf(language: string, version: string | null): string | null {
  if (version === null) return null;
  const parts = version.replace(/^v/, "").split(".");
  // "python:3" or "golang:1" names no line the app could be pinned to.
  if (MINOR_LINES.has(language)) return parts.length >= 2 ? `${parts[0]}.${parts[1]}` : null;
  return parts[0]!;
}

export function compareRuntime(parsed: ParsedDockerfile, detected: DetectResult, builder: BuilderInfo): RuntimeComparison | null {
  const language = detected.language;
  if (!language) return null;
  const candidates = parsed.reachable
    .map((s) => ({ stage: s, rt: baseRuntime(s) }))
    .filter((c): c is { stage: Stage; rt: { language: VersionedLanguage; version: string | null } } => c.rt !== null && c.rt.language === language);
  if (candidates.length === 0) return null;
  // The most precise tag wins (python:3.11 in a build stage over distroless/python3 in the image).
  const best = candidates.sort((a, b) => precision(b.rt.version) - precision(a.rt.version))[0]!;
  const rt = best.rt;
  const wanted = builderVersion(rt.language, detected, builder);
  const result: RuntimeComparison = {
    language,
    image: best.stage.base!.ref,
    line: best.stage.line,
    dockerfile: rt.version,
    buildpacks: wanted.line,
    source: wanted.source,
    same: rt.version === null || wanted.line === null ? null : wanted.line !== "latest" && sameLine(rt.version, wanted.line),
  };
  if (rt.version !== null && builder.family === "google") {
    const stack = builder.stack ?? "google-22";
    const offered = GOOGLE_OFFERED[stack][rt.language];
    if (!offered.some((line) => sameLine(rt.version!, line))) {
      result.unavailable = `${builder.image} (${stack}) offers ${languageName(language)} ${offered.join(", ")}`;
    }
  }
  return result;
}

function precision(v: string | null): number {
  return v === null ? -1 : v.split(".").length;
}

function sameLine(a: string, b: string): boolean {
  const pa = a.split(".");
  const pb = b.split(".");
  const n = Math.min(pa.length, pb.length);
  return pa.slice(0, n).join(".") === pb.slice(0, n).join(".");
}

/** The line the builder installs: a pin resolved against what it offers, or its default. */
function builderVersion(language: VersionedLanguage, detected: DetectResult, builder: BuilderInfo): { line: string | null; source: string } {
  const rv = detected.runtimeVersion;
  if (!rv) return { line: null, source: "unknown" };
  // "latest Go 1.x": whatever is newest on build day, which a pinned Dockerfile never is for long.
  if (rv.value === null) return { line: rv.source.startsWith("builder default") ? "latest" : null, source: rv.source };
  if (builder.family === "google" && language !== "go") {
    const matches = offeredMatches(language, rv.value, builder.stack ?? "google-22");
    if (matches && matches.length > 0) return { line: lineOf(language, matches[0]!), source: rv.source };
  }
  const coerced = semver.coerce(rv.value);
  return { line: lineOf(language, coerced ? `${coerced.major}.${coerced.minor}` : rv.value), source: rv.source };
}

/** The concrete change that makes the builder install the Dockerfile's version. */
export function pinStep(c: RuntimeComparison, builder: BuilderInfo, facts: SourceFacts): string {
  const v = c.dockerfile!;
  const google = builder.family === "google";
  switch (c.language) {
    case "python":
      if (!google) return `set \`BP_CPYTHON_VERSION: "${v}"\` under build.env in service.yaml`;
      return facts.pythonVersionFile !== null ? `change .python-version from ${facts.pythonVersionFile} to ${v}` : `pin \`.python-version\` ${v}`;
    case "nodejs":
      return facts.packageJson?.engines ? `change engines.node in package.json from "${facts.packageJson.engines}" to "${v}.x"` : `set \`"engines": {"node": "${v}.x"}\` in package.json`;
    case "go":
      return google ? `set \`GOOGLE_GO_VERSION: "${v}"\` under build.env in service.yaml` : `set \`BP_GO_VERSION: "${v}.*"\` under build.env in service.yaml`;
    case "java":
      return google ? `set \`GOOGLE_RUNTIME_VERSION: "${v}"\` under build.env in service.yaml` : `set \`BP_JVM_VERSION: "${v}"\` under build.env in service.yaml`;
    default:
      return google ? `set \`GOOGLE_RUNTIME_VERSION: "${v}"\` under build.env in service.yaml` : `pin ${c.language} ${v} the way the builder's ${c.language} buildpack reads it`;
  }
}
