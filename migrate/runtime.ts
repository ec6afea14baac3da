// The language runtime version: the one the Dockerfile's base image carries against the one the builder installs.

import * as semver from "semver";
import type { BuilderInfo, DetectResult } from "../preflight";
import { offeredMatches } from "../preflight/offered";
import { languageName } from "./language-name";
import { GOOGLE_OFFERED, type GoogleStack, type VersionedLanguage } from "../preflight/versions";
import { versionInTag } from "../dockerfile/bases";
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
  /** The builder cannot install the Dockerfile's version: what it offers, the closest line, and stacks that offer it. */
  unavailable?: { stack: GoogleStack; offered: string[]; nearest: string; direction: "upgrade" | "downgrade"; otherStacks: GoogleStack[] };
}

const IMAGES: [RegExp, VersionedLanguage][] = [
  [/^python$/, "python"],
  [/^node$/, "nodejs"],
  [/^golang$/, "go"],
  [/^(eclipse-temurin|openjdk|amazoncorretto|ibmjava|ibm-semeru-runtimes|sapmachine|azul\/zulu-openjdk.*|bellsoft\/liberica-openjdk.*)$/, "java"],
  [/^ruby$/, "ruby"],
  [/^php$/, "php"],
  [/^distroless\/python3/, "python"],
  [/^distroless\/nodejs/, "nodejs"],
  [/^distroless\/java/, "java"],
  [/^dotnet\/(aspnet|runtime|sdk|runtime-deps)$/, "dotnet"],
];

/** Images whose tag's leading number is not the language's: the build tool's version comes first ("maven:3.8.5-eclipse-temurin-17"). */
const TOOL_IMAGES: [RegExp, "python" | "nodejs" | "java"][] = [
  [/^(maven|gradle|sbt|sbtscala\/scala-sbt|tomcat|jetty)$/, "java"],
  [/^(tiangolo\/.+|nikolaik\/python-nodejs|astral-sh\/uv)$/, "python"],
  [/^(puppeteer\/puppeteer|browserless\/chrome|zenika\/alpine-chrome)$/, "nodejs"],
];

/** The line that matters for each language: Python and Go move by minor versions, the others by majors. */
const MINOR_LINES = new Set<string>(["python", "go", "ruby", "php"]);

export function baseRuntime(stage: Stage): { language: VersionedLanguage; version: string | null } | null {
  const base = stage.base;
  if (!base) return null;
  const tool = TOOL_IMAGES.find(([re]) => re.test(base.name));
  if (tool) return { language: tool[1], version: lineOf(tool[1], versionInTag(base.tag, tool[1])) };
  const hit = IMAGES.find(([re]) => re.test(base.name));
  if (!hit) return null;
  const language = hit[1];
  // distroless names carry the major ("nodejs20-debian12", "java17"); everything else its tag ("3.11-slim", "20-alpine", "1.22").
  const fromName = /^distroless\/\D+?(\d+)(?:-|$)/.exec(base.name)?.[1];
  const fromTag = /^v?(\d+(?:\.\d+){0,2})(?:$|[-_.a-z])/.exec(base.tag ?? "")?.[1];
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
  // The stage that runs decides (a node:20 build stage does not make a node:18 image Node.js 20); a build stage
  // speaks only when the image's own stages pin nothing (golang:1.22 compiling into distroless/static).
  const running = new Set<number>();
  for (let s: number | null = parsed.built.index; s !== null; s = parsed.stages[s]!.parent) running.add(s);
  const rank = (c: { stage: Stage; rt: { version: string | null } }) => (c.rt.version === null ? 0 : running.has(c.stage.index) ? 2 : 1);
  // A stable sort: among stages that rank alike, the first reachable one (lineOf gives every version of a language as many parts).
  const best = [...candidates].sort((a, b) => rank(b) - rank(a))[0]!;
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
      const nearest = nearestOffered(rt.version, offered);
      const elsewhere = (Object.keys(GOOGLE_OFFERED) as GoogleStack[]).filter((s) => s !== "google-18" && s !== stack && GOOGLE_OFFERED[s][rt.language].some((line) => sameLine(rt.version!, line)));
      result.unavailable = { stack, offered, nearest, direction: compareLines(nearest, rt.version) > 0 ? "upgrade" : "downgrade", otherStacks: elsewhere };
    }
  }
  return result;
}

/** The offered line closest to the wanted one: the next newer, else the newest there is. */
export function nearestOffered(version: string, offered: readonly string[]): string {
  const sorted = [...offered].sort(compareLines);
  return sorted.find((line) => compareLines(line, version) > 0) ?? sorted[sorted.length - 1]!;
}

/** Numeric order of version lines ("3.9" < "3.10"). */
export function compareLines(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
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
export function pinStep(c: RuntimeComparison, builder: BuilderInfo, facts: SourceFacts, version?: string): string {
  const v = version ?? c.dockerfile!;
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
