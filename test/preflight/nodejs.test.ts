import { afterAll, describe, expect, it } from "vitest";
import { detect } from "../../preflight";
import { codes, errorCodes, GOOGLE, PAKETO, removeTempApps, run, tempApp } from "./helpers";

afterAll(removeTempApps);

describe("Node.js on Google's builder", () => {
  it("scripts.start + package-lock.json → npm, npm run start, version from engines.node", () => {
    const r = run("node-npm", { kind: "service", port: 8080 });
    expect(r).toMatchObject({ language: "nodejs", packageManager: "npm", outcome: "web", defaultProcess: "web" });
    expect(r.processes).toEqual({ web: "npm run start" });
    expect(r.runtimeVersion).toEqual({ value: ">=20", source: "package.json engines.node" });
    expect(r.findings).toEqual([]);
  });

  it("yarn.lock → yarn; pnpm-lock.yaml → pnpm", () => {
    // pkg/nodejs/nodejs.go Entrypoint: the yarn and pnpm buildpacks register `<manager> run start`.
    expect(run("node-yarn")).toMatchObject({ packageManager: "yarn", processes: { web: "yarn run start" }, outcome: "web" });
    expect(run("node-pnpm")).toMatchObject({ packageManager: "pnpm", processes: { web: "pnpm run start" }, outcome: "web" });
  });

  it("no start script: server.js → npm run start, else node <main>, else node index.js", () => {
    expect(run("node-server-js").processes["web"]).toBe("npm run start");
    expect(run("node-main").processes["web"]).toBe("node src/app.js");
    expect(run("node-index-js").processes["web"]).toBe("node index.js");
  });

  it("falling back to a missing index.js is an error (the container would crash)", () => {
    const r = run("node-missing-entry");
    expect(r.outcome).toBe("web");
    expect(errorCodes(r)).toEqual(["node-entrypoint-missing"]);
  });

  it("a main that a build script produces is not flagged", () => {
    const dir = tempApp({ "package.json": JSON.stringify({ main: "dist/index.js", scripts: { build: "tsc" } }) });
    expect(codes(detect({ dir, builder: GOOGLE }))).toEqual([]);
  });

  it("GOOGLE_NODEJS_VERSION beats engines.node; an unoffered version is a warning", () => {
    const r = run("node-npm", { buildEnv: { GOOGLE_NODEJS_VERSION: "22" } });
    expect(r.runtimeVersion).toEqual({ value: "22", source: "GOOGLE_NODEJS_VERSION (service build env)" });
    const old = run("node-old-engines");
    expect(old.findings).toMatchObject([{ severity: "warning", code: "runtime-version-unavailable", file: "package.json" }]);
  });

  it("a packageManager field that contradicts yarn.lock fails the build", () => {
    const r = run("node-pm-conflict");
    expect(r).toMatchObject({ packageManager: "yarn", outcome: "build-error" });
    expect(r.findings[0]?.message).toContain("yarn was detected but pnpm is set in the packageManager package.json field.");
  });

  it("a Procfile web line replaces the start command", () => {
    const dir = tempApp({ "package.json": '{"scripts":{"start":"node a.js"}}', Procfile: "web: node --enable-source-maps dist/server.js\n" });
    expect(detect({ dir, builder: GOOGLE }).processes).toEqual({ web: "node --enable-source-maps dist/server.js" });
  });

  it(".js files without package.json need a Procfile", () => {
    const r = run("node-no-package-json");
    expect(r).toMatchObject({ language: null, outcome: "detect-fail" });
    expect(errorCodes(r)).toEqual(["node-needs-entrypoint"]);
    const dir = tempApp({ "server.js": "", Procfile: "web: node server.js\n" });
    expect(detect({ dir, builder: GOOGLE })).toMatchObject({ language: "nodejs", packageManager: null, outcome: "web", processes: { web: "node server.js" } });
  });

  it("stray .go files make the builder pick Go for a Node.js app", () => {
    const r = run("node-stray-go");
    expect(r).toMatchObject({ language: "go", outcome: "build-error" });
    expect(r.findings).toMatchObject([{ code: "stray-go-files", file: "tools/gen/main.go" }]);
    expect(r.findings[0]?.fix).toContain("GOOGLE_RUNTIME=nodejs");
  });

  it("excluding the stray .go files (service build.exclude) or GOOGLE_RUNTIME brings Node.js back", () => {
    expect(run("node-stray-go", { exclude: ["**/*.go"] })).toMatchObject({ language: "nodejs", outcome: "web" });
    expect(run("node-stray-go", { buildEnv: { GOOGLE_RUNTIME: "nodejs" } })).toMatchObject({ language: "nodejs", outcome: "web" });
  });

  it("with a Procfile, stray .py files make the builder pick Python over Node.js", () => {
    const r = run("node-stray-py");
    expect(r.language).toBe("python");
    expect(errorCodes(r)).toEqual(["stray-python-files"]);
  });

  it("ignores node_modules when looking for other languages", () => {
    const dir = tempApp({ "package.json": '{"scripts":{"start":"node s.js"}}', "node_modules/x/build.py": "", "node_modules/y/main.go": "package main", Procfile: "web: node s.js\n" });
    expect(detect({ dir, builder: GOOGLE })).toMatchObject({ language: "nodejs", outcome: "web" });
  });

  it("a Dockerfile is ignored by the buildpacks: a warning with its CMD as a Procfile hint", () => {
    const r = run("node-dockerfile");
    expect(r.outcome).toBe("web");
    expect(r.findings).toMatchObject([{ severity: "warning", code: "dockerfile-ignored", file: "Dockerfile", line: 9 }]);
    expect(r.findings[0]?.fix).toContain("`web: node server.js --trace-warnings`");
  });
});

describe("Node.js on Paketo's builder", () => {
  it("runs the start script itself, or node <server|app|main|index>.js", () => {
    expect(run("node-npm", { builder: PAKETO }).processes).toEqual({ web: "node src/server.js" });
    expect(run("node-server-js", { builder: PAKETO }).processes).toEqual({ web: "node server.js" });
  });
});
