import { describe, expect, it } from "vitest";
import { codes, errorCodes, PAKETO, run } from "./helpers";

describe("Go on Google's builder", () => {
  it("go.mod + main.go at the root → the compiled binary is web", () => {
    const r = run("go-root", { kind: "service", port: 8080 });
    expect(r).toMatchObject({ language: "go", packageManager: "go modules", outcome: "web", defaultProcess: "web" });
    expect(r.processes).toEqual({ web: "/layers/google.go.build/bin/main" });
    expect(r.runtimeVersion).toEqual({ value: null, source: "builder default (latest Go 1.x)" });
    expect(r.findings).toEqual([]);
  });

  it("GOOGLE_BUILDABLE=./cmd/api from project.toml selects one of several main packages", () => {
    const r = run("go-cmd-buildable");
    expect(r.outcome).toBe("web");
    expect(r.detectedBy).toContain("builds ./cmd/api");
    expect(r.findings).toEqual([]);
  });

  it("the service build env overrides project.toml's GOOGLE_BUILDABLE", () => {
    expect(run("go-cmd-buildable", { buildEnv: { GOOGLE_BUILDABLE: "./cmd/worker" } }).detectedBy).toContain("builds ./cmd/worker");
  });

  it("a single main package under cmd/ is found without GOOGLE_BUILDABLE", () => {
    const r = run("go-single-cmd");
    expect(r.outcome).toBe("web");
    expect(r.detectedBy).toContain("builds ./cmd/server");
  });

  it("several main packages and none at the root → build error naming GOOGLE_BUILDABLE", () => {
    const r = run("go-multi-main");
    expect(r.outcome).toBe("build-error");
    expect(errorCodes(r)).toEqual(["go-multiple-mains"]);
    expect(r.findings[0]?.fix).toContain("GOOGLE_BUILDABLE: ./cmd/api");
  });

  it("a GOOGLE_BUILDABLE that does not exist, or is not main, fails the build", () => {
    expect(errorCodes(run("go-cmd-buildable", { buildEnv: { GOOGLE_BUILDABLE: "./cmd/nope" } }))).toEqual(["go-buildable-missing"]);
    expect(errorCodes(run("go-cmd-buildable", { buildEnv: { GOOGLE_BUILDABLE: "./internal/store" } }))).toEqual(["go-buildable-not-main"]);
    expect(run("go-cmd-buildable", { buildEnv: { GOOGLE_BUILDABLE: "github.com/acme/platform/cmd/worker" } }).outcome).toBe("web");
  });

  it("a library without package main has nothing to run", () => {
    expect(errorCodes(run("go-library"))).toEqual(["go-no-main-package"]);
  });

  it("a pinned Go older than go.mod's go line is a warning; an unparseable one too", () => {
    expect(codes(run("go-root", { buildEnv: { GOOGLE_GO_VERSION: "1.21" } }))).toEqual(["go-version-below-go-mod"]);
    expect(run("go-root", { buildEnv: { GOOGLE_RUNTIME_VERSION: "1.23.4" } }).runtimeVersion).toEqual({ value: "1.23.4", source: "GOOGLE_RUNTIME_VERSION (service build env)" });
  });

  it("Paketo names the binary after the target and reads BP_GO_TARGETS", () => {
    const r = run("go-cmd-buildable", { builder: PAKETO, buildEnv: { BP_GO_TARGETS: "./cmd/api" } });
    expect(r.processes).toEqual({ web: "/layers/paketo-buildpacks_go-build/targets/bin/api" });
    expect(r.runtimeVersion).toEqual({ value: "1.22", source: "go.mod go directive" });
  });
});

describe("a Go version the builder cannot resolve", () => {
  it("is answered with the lines the builder offers, a major written as 1.x rather than a bare 1", () => {
    const r = run("go-root", { buildEnv: { GOOGLE_GO_VERSION: "latest" } });
    const f = r.findings.find((x) => x.code === "runtime-version-unavailable");
    expect(f?.message).toBe('go version "latest" (GOOGLE_GO_VERSION (service build env)) is not a version the builder can resolve.');
    expect(f?.fix).toBe("Ask for one of 1.x, or use a builder tag that offers it.");
  });
});
