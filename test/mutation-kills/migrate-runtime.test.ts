// runtime.ts's decisions on hand-made Dockerfiles: which base image names carry a language and which version their
// tag pins, which stage's version speaks, what the builder installs instead, when a line is not offered (and which
// stack offers it), and the pin step a user follows. Every expected value is written out by hand.
import { describe, expect, it } from "vitest";
import type { BuilderInfo, DetectResult } from "../../preflight";
import { parseDockerfile } from "../../dockerfile/parse";
import { baseRuntime, compareLines, compareRuntime, nearestOffered, pinStep, type RuntimeComparison } from "../../migrate/runtime";
import type { SourceFacts } from "../../migrate/source-facts";

const GOOGLE_22: BuilderInfo = { image: "gcr.io/buildpacks/builder:google-22", family: "google", vendor: "google", stack: "google-22" };
const GOOGLE_24: BuilderInfo = { image: "gcr.io/buildpacks/builder:google-24", family: "google", vendor: "google", stack: "google-24" };
const GOOGLE_NO_STACK: BuilderInfo = { image: "gcr.io/buildpacks/builder", family: "google", vendor: "google", stack: null };
const PAKETO: BuilderInfo = { image: "paketobuildpacks/builder-jammy-base", family: "paketo", vendor: "paketo", stack: null };

const from = (ref: string) => baseRuntime(parseDockerfile(`FROM ${ref}\n`).stages[0]!);
const detected = (language: string | null, runtimeVersion?: { value: string | null; source: string }): DetectResult => ({ language, runtimeVersion, findings: [] }) as unknown as DetectResult;
const compare = (dockerfile: string, d: DetectResult, builder: BuilderInfo = GOOGLE_22) => compareRuntime(parseDockerfile(dockerfile), d, builder);

describe("which base images carry a language, and the version their tag pins", () => {
  it.each([
    ["ruby:3.3-slim", { language: "ruby", version: "3.3" }],
    ["php:8.2-fpm", { language: "php", version: "8.2" }],
    ["python:3.12.4-bookworm", { language: "python", version: "3.12" }],
    ["node:20.11-alpine", { language: "nodejs", version: "20" }],
    ["golang:1.22.3", { language: "go", version: "1.22" }],
    ["openjdk:21-jdk", { language: "java", version: "21" }],
    ["azul/zulu-openjdk:17", { language: "java", version: "17" }],
    ["azul/zulu-openjdk-alpine:21", { language: "java", version: "21" }],
    ["bellsoft/liberica-openjdk-debian:17", { language: "java", version: "17" }],
    ["gcr.io/distroless/java17-debian12:nonroot", { language: "java", version: "17" }],
    ["gcr.io/distroless/java17:nonroot", { language: "java", version: "17" }],
    ["gcr.io/distroless/nodejs20-debian12", { language: "nodejs", version: "20" }],
    ["mcr.microsoft.com/dotnet/sdk:8.0", { language: "dotnet", version: "8" }],
  ] as const)("FROM %s", (ref, runtime) => {
    expect(from(ref)).toEqual(runtime);
  });

  it("a tag that starts with something other than a version pins none (python:alpine3.19 is the newest Python on Alpine 3.19)", () => {
    expect(from("python:alpine3.19")).toEqual({ language: "python", version: null });
    expect(from("python:3")).toEqual({ language: "python", version: null });
    expect(from("node:lts")).toEqual({ language: "nodejs", version: null });
  });

  // In-house images named after a language carry their own version in the tag, not the language's.
  it.each([
    "acme/python:2.3", "python-base:1.4",
    "acme/node:2.3", "node-base:1.4",
    "acme/golang:2.3", "golang-base:1.4",
    "acme/openjdk:2.3", "openjdk-base:1.4",
    "acme/ruby:2.3", "ruby-base:1.4",
    "acme/php:2.3", "php-base:1.4",
    "acme/distroless/python3-debian12:1.4", "acme/distroless/nodejs20:1.4", "acme/distroless/java17:1.4",
    "acme/dotnet/sdk:2.3", "dotnet/sdk-tools:1.4",
    "acme/maven:2.3", "maven-base:1.4",
    "acme/tiangolo/base:2.3", "nikolaik/python-nodejs-tools:1.4",
    "acme/zenika/alpine-chrome:2.3", "zenika/alpine-chrome-tools:1.4",
  ])("%s is no language image", (ref) => {
    expect(from(ref)).toBeNull();
  });

  it("a build tool's image is read for its language from the tag's JDK or Python part", () => {
    expect(from("maven")).toEqual({ language: "java", version: null });
    expect(from("astral-sh/uv:python3.12-bookworm")).toEqual({ language: "python", version: "3.12" });
    expect(from("zenika/alpine-chrome:with-node")).toEqual({ language: "nodejs", version: null });
  });
});

describe("version lines", () => {
  it("a shorter line sorts before a longer one it starts", () => {
    expect(compareLines("3", "3.1")).toBeLessThan(0);
    expect(compareLines("3.1", "3")).toBeGreaterThan(0);
  });

  it("the nearest offered line is the next newer in numeric order, whatever order the list is in", () => {
    expect(nearestOffered("21", ["24", "22"])).toBe("22");
    expect(nearestOffered("22", ["20", "22", "24"])).toBe("24");
  });
});

describe("the runtime the Dockerfile runs against the builder's", () => {
  it("without a runtime version from the builder, the builder's line is unknown and no verdict is given", () => {
    expect(compare("FROM python:3.12-slim\n", detected("python"))).toEqual({
      language: "python", image: "python:3.12-slim", line: 1, dockerfile: "3.12", buildpacks: null, source: "unknown", same: null,
    });
  });

  it("without a detected language there is nothing to compare", () => {
    expect(compare("FROM python:3.12-slim\n", detected(null))).toBeNull();
  });

  it("a stage of another language does not speak for the detected one", () => {
    const text = "FROM node:20 AS assets\nRUN npm ci\nFROM python:3\nCOPY --from=assets /app/dist /static\n";
    expect(compare(text, detected("python", { value: "3.12", source: ".python-version" }))).toMatchObject({ image: "python:3", line: 3, dockerfile: null, same: null });
  });

  it("a build stage that pins a line speaks when the running stage pins none", () => {
    const text = "FROM python:3.11 AS build\nRUN pip wheel -w /w .\nFROM python:3\nCOPY --from=build /w /w\n";
    expect(compare(text, detected("python", { value: "3.11", source: ".python-version" }))).toMatchObject({ image: "python:3.11", line: 1, dockerfile: "3.11", buildpacks: "3.11", same: true });
  });

  it("Google's builder resolves a range to the newest line it offers on its stack", () => {
    const range = detected("python", { value: ">=3.11", source: "pyproject.toml requires-python" });
    expect(compare("FROM python:3.13\n", range)).toMatchObject({ buildpacks: "3.13", source: "pyproject.toml requires-python", same: true });
    expect(compare("FROM python:3.14\n", range, GOOGLE_24)).toMatchObject({ buildpacks: "3.14", same: true });
    expect(compare("FROM python:3.13\n", range, GOOGLE_NO_STACK)).toMatchObject({ buildpacks: "3.13", same: true });
  });

  it("Paketo installs the lowest version a range admits", () => {
    expect(compare("FROM python:3.13\n", detected("python", { value: ">=3.11", source: "BP_CPYTHON_VERSION" }), PAKETO)).toMatchObject({ buildpacks: "3.11", same: false });
  });

  it("a pin no offered line matches, or that is no range, is read from its number", () => {
    expect(compare("FROM python:3.13\n", detected("python", { value: "3.14", source: ".python-version" }))).toMatchObject({ buildpacks: "3.14", same: false });
    // "3.13t" (free-threaded CPython, as uv writes it) is no range: its line is read from the number.
    expect(compare("FROM python:3.13\n", detected("python", { value: "3.13t", source: ".python-version" }))).toMatchObject({ buildpacks: "3.13", same: true });
  });

  it("Go's pin is read from go.mod, not matched against Google's single Go 1.x line", () => {
    expect(compare("FROM golang:1.22\n", detected("go", { value: "1.22", source: "go.mod" }))).toMatchObject({ dockerfile: "1.22", buildpacks: "1.22", same: true });
    expect(compare("FROM golang:1.22\n", detected("go", { value: null, source: "builder default (latest Go 1.x)" }))).toMatchObject({ buildpacks: "latest", same: false });
    expect(compare("FROM golang:1.22\n", detected("go", { value: null, source: "buildpack default" }), PAKETO)).toMatchObject({ buildpacks: null, source: "buildpack default", same: null });
  });

  it("a line the stack does not offer: the next newer one, an upgrade, with no other stack that has it", () => {
    expect(compare("FROM python:3.9-slim\n", detected("python", { value: "3.9", source: ".python-version" }))).toEqual({
      language: "python", image: "python:3.9-slim", line: 1, dockerfile: "3.9", buildpacks: "3.9", source: ".python-version", same: true,
      unavailable: { stack: "google-22", offered: ["3.10", "3.11", "3.12", "3.13"], nearest: "3.10", direction: "upgrade", otherStacks: [] },
    });
  });

  it("a line newer than the stack offers: a downgrade, and the stack that offers it", () => {
    expect(compare("FROM python:3.14\n", detected("python", { value: "3.14", source: ".python-version" }))?.unavailable).toEqual({
      stack: "google-22", offered: ["3.10", "3.11", "3.12", "3.13"], nearest: "3.13", direction: "downgrade", otherStacks: ["google-24"],
    });
    expect(compare("FROM node:20\n", detected("nodejs", { value: "20", source: "engines.node" }), GOOGLE_24)?.unavailable).toEqual({
      stack: "google-24", offered: ["22", "24"], nearest: "22", direction: "upgrade", otherStacks: ["google-22"],
    });
  });

  it("a Google builder without a stack is google-22", () => {
    expect(compare("FROM python:3.9\n", detected("python", { value: "3.9", source: ".python-version" }), GOOGLE_NO_STACK)?.unavailable).toMatchObject({ stack: "google-22", nearest: "3.10" });
  });

  it("Paketo's offered lines are not Google's", () => {
    expect(compare("FROM python:3.9\n", detected("python", { value: "3.9", source: "BP_CPYTHON_VERSION" }), PAKETO)).toEqual({
      language: "python", image: "python:3.9", line: 1, dockerfile: "3.9", buildpacks: "3.9", source: "BP_CPYTHON_VERSION", same: true,
    });
  });
});

describe("the pin step", () => {
  const FACTS: SourceFacts = { dir: "/src", procfile: null, packageJson: null, pythonDeps: { names: new Set<string>(), file: null }, pythonVersionFile: null } as unknown as SourceFacts;
  const c = (language: string, dockerfile: string): RuntimeComparison => ({ language, image: "x", line: 1, dockerfile, buildpacks: null, source: "unknown", same: false });

  it("Python: .python-version on Google (changed when there is one), BP_CPYTHON_VERSION on Paketo", () => {
    expect(pinStep(c("python", "3.11"), GOOGLE_22, FACTS)).toBe("pin `.python-version` 3.11");
    expect(pinStep(c("python", "3.11"), GOOGLE_22, { ...FACTS, pythonVersionFile: "3.9" } as SourceFacts)).toBe("change .python-version from 3.9 to 3.11");
    expect(pinStep(c("python", "3.11"), PAKETO, FACTS)).toBe('set `BP_CPYTHON_VERSION: "3.11"` under build.env in service.yaml');
    expect(pinStep(c("python", "3.9"), GOOGLE_22, FACTS, "3.10")).toBe("pin `.python-version` 3.10");
  });

  it("Node.js: engines.node in package.json, set or changed", () => {
    expect(pinStep(c("nodejs", "20"), GOOGLE_22, FACTS)).toBe('set `"engines": {"node": "20.x"}` in package.json');
    expect(pinStep(c("nodejs", "20"), PAKETO, { ...FACTS, packageJson: { engines: ">=18" } } as unknown as SourceFacts)).toBe('change engines.node in package.json from ">=18" to "20.x"');
  });

  it("Go, Java and the rest: the builder's own build env", () => {
    expect(pinStep(c("go", "1.22"), GOOGLE_22, FACTS)).toBe('set `GOOGLE_GO_VERSION: "1.22"` under build.env in service.yaml');
    expect(pinStep(c("go", "1.22"), PAKETO, FACTS)).toBe('set `BP_GO_VERSION: "1.22.*"` under build.env in service.yaml');
    expect(pinStep(c("java", "17"), GOOGLE_22, FACTS)).toBe('set `GOOGLE_RUNTIME_VERSION: "17"` under build.env in service.yaml');
    expect(pinStep(c("java", "17"), PAKETO, FACTS)).toBe('set `BP_JVM_VERSION: "17"` under build.env in service.yaml');
    expect(pinStep(c("ruby", "3.3"), GOOGLE_22, FACTS)).toBe('set `GOOGLE_RUNTIME_VERSION: "3.3"` under build.env in service.yaml');
    expect(pinStep(c("ruby", "3.3"), PAKETO, FACTS)).toBe("pin ruby 3.3 the way the builder's ruby buildpack reads it");
  });
});
