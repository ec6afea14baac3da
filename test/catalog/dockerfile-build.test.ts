import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblem } from "../../catalog/problems";
import { preflightProblems } from "../../preflight/catalog";
import { BASE, catalogOf, errorsOf } from "../support/catalog-fixture";

/* build.dockerfile, the escape hatch: what the schema and rules accept, and what the preflight checks instead of buildpacks. */

describe("build.dockerfile in service.yaml", () => {
  it("is a valid build on its own, with context, target and args", () => {
    expect(errorsOf("service", "build:\n  dockerfile: Dockerfile\n")).toEqual([]);
    expect(errorsOf("service", "build:\n  dockerfile: docker/Dockerfile.prod\n  context: ..\n  target: runtime\n  args:\n    VERSION: 3\n")).toEqual([]);
  });

  it("refuses buildpacks-only options beside it, where they are written", () => {
    expect(errorsOf("service", "build:\n  dockerfile: Dockerfile\n  include: [src/]\n  defaultProcess: web\n  env:\n    GOOGLE_PYTHON_VERSION: '3.12'\n")).toEqual([
      "services/svc/service.yaml:5:3 build.include: build.include filters what pack uploads; a Dockerfile build sends its whole context: use a .dockerignore; it cannot be combined with build.dockerfile",
      "services/svc/service.yaml:6:3 build.defaultProcess: build.defaultProcess picks a buildpacks process; a Dockerfile image starts its ENTRYPOINT/CMD; it cannot be combined with build.dockerfile",
      "services/svc/service.yaml:7:3 build.env: build.env is buildpacks build env (project.toml); a Dockerfile build takes build args instead: use build.args; it cannot be combined with build.dockerfile",
    ]);
    expect(errorsOf("service", "build:\n  dockerfile: Dockerfile\n  exclude: [tests/]\n")).toEqual([
      "services/svc/service.yaml:5:3 build.exclude: build.exclude filters what pack uploads; a Dockerfile build sends its whole context: use a .dockerignore; it cannot be combined with build.dockerfile",
    ]);
  });

  it("refuses Dockerfile-only options without it", () => {
    expect(errorsOf("service", "build:\n  context: ..\n  args:\n    A: b\n")).toEqual([
      "services/svc/service.yaml:4:3 build.context: build.context applies to a Dockerfile build only; add build.dockerfile, or remove it (buildpacks build the source folder)",
      "services/svc/service.yaml:5:3 build.args: build.args applies to a Dockerfile build only; add build.dockerfile, or remove it (buildpacks build the source folder)",
    ]);
  });

  it("refuses absolute paths and bad build arg names", () => {
    expect(errorsOf("service", "build:\n  dockerfile: /src/Dockerfile\n  context: /src\n  args:\n    1BAD: x\n")).toEqual([
      'services/svc/service.yaml:4:15 build.dockerfile: "/src/Dockerfile" must be relative to the folder holding service.yaml, so the build works in every checkout',
      'services/svc/service.yaml:5:12 build.context: "/src" must be relative to the folder holding service.yaml, so the build works in every checkout',
      'services/svc/service.yaml:7:5 build.args.1BAD: "1BAD" is not a valid build arg name (letters, digits and _)',
    ]);
  });

  it("refuses a job's buildpacks process, and leaves GKE secrets to the preflight, which reads the Dockerfile", () => {
    expect(errorsOf("job", "process: report\nbuild:\n  dockerfile: Dockerfile\n")).toEqual([
      "services/svc/service.yaml:3:10 process: process picks a buildpacks process (/cnb/process/<name>), which an image built from a Dockerfile does not have; the job runs the Dockerfile's ENTRYPOINT/CMD, so remove process",
    ]);
    expect(errorsOf("gke", "secrets:\n  DB: web-db-password\nbuild:\n  dockerfile: Dockerfile\n")).toEqual([]);
    expect(errorsOf("service", "secrets:\n  DB: api-db-password\nbuild:\n  dockerfile: Dockerfile\n")).toEqual([]);
  });

  it("may be set for one stack only, and is then reported there", () => {
    const c = catalogOf({ svc: `${BASE.service}environments:\n  prod:\n    build:\n      dockerfile: Dockerfile\n      include: [src/]\n` });
    expect(c.lines).toEqual([
      "services/svc/service.yaml:7:7 environments.prod.build.include: build.include filters what pack uploads; a Dockerfile build sends its whole context: use a .dockerignore; it cannot be combined with build.dockerfile [prod]",
    ]);
  });
});

describe("the preflight of a Dockerfile service", () => {
  const yaml = `${BASE.service}build:\n  dockerfile: Dockerfile\n`;

  it("needs the Dockerfile, located at build.dockerfile", () => {
    const c = catalogOf({ svc: yaml });
    expect(preflightProblems(c, c.root).map(formatProblem)).toEqual(["services/svc/service.yaml:4:15 build.dockerfile: api: Dockerfile services/svc/Dockerfile not found; build.dockerfile is relative to the folder holding service.yaml"]);
  });

  it("reports no buildpacks finding: a folder buildpacks could not build at all is fine", () => {
    const c = catalogOf({ svc: yaml });
    fs.writeFileSync(path.join(c.root, "services", "svc", "Dockerfile"), "FROM nginx:1.27\nCOPY site/ /usr/share/nginx/html/\n");
    fs.writeFileSync(path.join(c.root, "services", "svc", ".dockerignore"), "service.yaml\n");
    expect(preflightProblems(c, c.root)).toEqual([]);
    // The same folder without the escape hatch: the builder finds nothing to build.
    const plain = catalogOf({ svc: BASE.service });
    expect(preflightProblems(plain, plain.root).map((p) => p.message)).toEqual([expect.stringContaining("nothing-detected")]);
  });

  it("checks the Dockerfile has a FROM and the target stage, and warns when service.yaml is sent with the context", () => {
    const c = catalogOf({ svc: `${BASE.service}build:\n  dockerfile: Dockerfile\n  target: prod\n` });
    const dockerfile = path.join(c.root, "services", "svc", "Dockerfile");
    fs.writeFileSync(dockerfile, "# nothing yet\n");
    expect(preflightProblems(c, c.root).map(formatProblem)).toEqual(["services/svc/Dockerfile:1:1 api: the Dockerfile has no FROM instruction, so docker cannot build it"]);
    fs.writeFileSync(dockerfile, "FROM node:20 AS build\nRUN npm ci\nFROM node:20-slim AS runtime\n");
    expect(preflightProblems(c, c.root).map(formatProblem)).toEqual([
      "services/svc/service.yaml:4:15 build.dockerfile: api: service.yaml is inside the build context and .dockerignore does not exclude it, so editing service.yaml (scaling, env) rebuilds the image; add `service.yaml` to services/svc/.dockerignore (warning)",
      'services/svc/service.yaml:5:11 build.target: api: the Dockerfile has no stage named "prod" (its stages are build, runtime)',
    ]);
  });

  it("on GKE with secrets, needs a shell in the image and a command to run after reading them", () => {
    const gke = `name: api\nkind: gke\nsecrets:\n  DB: api-db-password\nbuild:\n  dockerfile: Dockerfile\n`;
    const c = catalogOf({ svc: gke });
    const dockerfile = path.join(c.root, "services", "svc", "Dockerfile");
    fs.writeFileSync(path.join(c.root, "services", "svc", ".dockerignore"), "service.yaml\n");
    fs.writeFileSync(dockerfile, "FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n");
    expect(preflightProblems(c, c.root).map(formatProblem)).toEqual([
      "services/svc/service.yaml:4:3 secrets: api: the image is built FROM gcr.io/distroless/static-debian12, which has no /bin/sh to read the mounted secrets into environment variables on GKE; use a base with a shell, or deploy it to Cloud Run (kind: service), which injects secrets itself",
    ]);
    fs.writeFileSync(dockerfile, "FROM node:20-slim\nCOPY . .\n");
    expect(preflightProblems(c, c.root).map(formatProblem)).toEqual([
      "services/svc/service.yaml:4:3 secrets: api: the Dockerfile declares no ENTRYPOINT or CMD, which Gantry must run after reading the secrets on GKE; add the image's CMD to the Dockerfile",
    ]);
    fs.writeFileSync(dockerfile, "FROM node:20-slim\nCOPY . .\nCMD [\"node\", \"server.js\"]\n");
    expect(preflightProblems(c, c.root)).toEqual([]);
  });

  it("checks the context folder", () => {
    const c = catalogOf({ svc: `${BASE.service}build:\n  dockerfile: Dockerfile\n  context: ../shared\n` });
    fs.writeFileSync(path.join(c.root, "services", "svc", "Dockerfile"), "FROM scratch\n");
    expect(preflightProblems(c, c.root).map(formatProblem)).toEqual(["services/svc/service.yaml:5:12 build.context: api: the build context services/shared is not a folder"]);
  });
});
