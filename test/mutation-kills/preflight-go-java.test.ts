// Go and Java preflight edges: the exact findings a user acts on (message, fix, where), what each is keyed on, and
// the launch and detection details (binary path per builder, versions, the jar picked, a function's invoker).
import { afterAll, describe, expect, it } from "vitest";
import { detect, type DetectResult } from "../../preflight";
import { GOOGLE, PAKETO, removeTempApps, tempApp } from "../preflight/helpers";

afterAll(removeTempApps);

const run = (files: Record<string, string>, buildEnv: Record<string, string> = {}, builder = GOOGLE): DetectResult => detect({ dir: tempApp(files), builder, buildEnv });
const MOD = "module example.com/shop/api\n\ngo 1.22\n";
const MAIN = "package main\n\nfunc main() {}\n";
const BIN = "/layers/google.go.build/bin/main";
const DEFAULT_GO = { value: null, source: "builder default (latest Go 1.x)" };

describe("Go findings, word for word", () => {
  it("several main packages and none at the root, on each builder", () => {
    const files = { "go.mod": MOD, "cmd/a/main.go": MAIN, "cmd/b/main.go": MAIN };
    const google = run(files);
    expect(google).toMatchObject({ language: "go", packageManager: "go modules", runtimeVersion: DEFAULT_GO, detectedBy: "*.go files (cmd/a/main.go, cmd/b/main.go) and go.mod", outcome: "build-error", processes: { web: BIN } });
    expect(google.findings).toEqual([
      { severity: "error", code: "go-multiple-mains", message: 'There are 2 main packages (./cmd/a, ./cmd/b) and none at the root; the builder then builds "." and fails.', fix: "Set GOOGLE_BUILDABLE under build.env in service.yaml to the one to deploy, e.g. GOOGLE_BUILDABLE: ./cmd/a." },
    ]);
    const paketo = run(files, {}, PAKETO);
    expect(paketo).toMatchObject({ runtimeVersion: { value: "1.22", source: "go.mod go directive" }, processes: { web: "/layers/paketo-buildpacks_go-build/targets/bin/api" } });
    expect(paketo.findings[0]!.fix).toBe("Set BP_GO_TARGETS under build.env in service.yaml to the one to deploy, e.g. BP_GO_TARGETS: ./cmd/a.");
  });

  it("no main package; no go.mod", () => {
    expect(run({ "go.mod": MOD, "lib.go": "package lib\n" }).findings).toEqual([
      { severity: "error", code: "go-no-main-package", message: "No Go file here declares `package main`, so `go build` produces no program for the builder to run.", fix: "Add a main package (e.g. main.go or cmd/<app>/main.go), or point the service at the folder that holds it." },
    ]);
    const gopath = run({ "main.go": MAIN });
    expect(gopath).toMatchObject({ packageManager: null, detectedBy: "*.go files (main.go) — builds .", outcome: "web" });
    expect(gopath.findings).toEqual([
      { severity: "warning", code: "go-no-go-mod", message: "There is no go.mod, so the builder falls back to its legacy GOPATH flow; modern modules and dependency pinning are not used.", fix: "Run `go mod init <module path>` and `go mod tidy`, and commit go.mod and go.sum." },
    ]);
  });

  it("GOOGLE_BUILDABLE: a missing folder, a missing file, a package that is not main, the module's import path", () => {
    const files = { "go.mod": MOD, "cmd/a/main.go": MAIN, "pkg/x.go": "package pkg\n" };
    expect(run(files, { GOOGLE_BUILDABLE: "./cmd/x" }).findings).toEqual([
      { severity: "error", code: "go-buildable-missing", message: "GOOGLE_BUILDABLE (service build env) is ./cmd/x, but there is no folder cmd/x here.", fix: "Use one of the main packages found: ./cmd/a." },
    ]);
    expect(run(files, { GOOGLE_BUILDABLE: "cmd/x/main.go" }).findings).toEqual([
      { severity: "error", code: "go-buildable-missing", message: "GOOGLE_BUILDABLE (service build env) names cmd/x/main.go, which does not exist.", fix: "Set GOOGLE_BUILDABLE to an existing main package, e.g. ./cmd/a." },
    ]);
    expect(run(files, { GOOGLE_BUILDABLE: "./pkg" }).findings).toEqual([
      { severity: "error", code: "go-buildable-not-main", message: "GOOGLE_BUILDABLE (service build env) is ./pkg, but pkg has no `package main` file, so there is no program to run.", fix: "Use one of the main packages found: ./cmd/a." },
    ]);
    expect(run(files, { GOOGLE_BUILDABLE: "example.com/shop/api/cmd/a" })).toMatchObject({ outcome: "web", findings: [], detectedBy: "*.go files (cmd/a/main.go, pkg/x.go) and go.mod — builds ./cmd/a" });
    expect(run(files, { GOOGLE_BUILDABLE: "cmd/a/main.go" })).toMatchObject({ outcome: "web", findings: [] });
  });

  it("a pinned Go older than go.mod's, just under and at it", () => {
    const files = { "go.mod": MOD, "main.go": MAIN };
    expect(run(files, { GOOGLE_GO_VERSION: "1.21" }).findings).toEqual([
      { severity: "warning", code: "go-version-below-go-mod", message: "GOOGLE_GO_VERSION (service build env) pins Go 1.21, but go.mod says `go 1.22`; the build must download a newer toolchain or fail.", fix: "Raise the pinned version to 1.22 or later, or drop the pin.", file: "go.mod" },
    ]);
    expect(run(files, { GOOGLE_GO_VERSION: "1.22" }).findings).toEqual([]);
    expect(run(files, { GOOGLE_RUNTIME_VERSION: "1.23" }).runtimeVersion).toEqual({ value: "1.23", source: "GOOGLE_RUNTIME_VERSION (service build env)" });
  });

  it("functions: a main package, and no package at all, where the function should be", () => {
    expect(run({ "go.mod": MOD, "main.go": MAIN }, { GOOGLE_FUNCTION_TARGET: "F" }).findings).toEqual([
      {
        severity: "error",
        code: "function-package-main",
        message: "GOOGLE_FUNCTION_TARGET is F, so the Functions Framework buildpack imports the function's package, but the root package is `package main`, which Go cannot import.",
        fix: "Give the function's files a package name of their own (e.g. `package function`), or drop GOOGLE_FUNCTION_TARGET and serve HTTP from main().",
        file: "main.go",
      },
    ]);
    const none = run({ "go.mod": MOD, "sub/x.go": "package x\n" }, { GOOGLE_FUNCTION_TARGET: "F" });
    expect(none.detectedBy).toBe("*.go files (sub/x.go) and go.mod — a function (GOOGLE_FUNCTION_TARGET (service build env) = F)");
    expect(none.findings).toEqual([{ severity: "error", code: "function-source-missing", message: "GOOGLE_FUNCTION_TARGET is F, but the root folder has no Go file to hold the function.", fix: "Put the function's package at the root, or set GOOGLE_FUNCTION_SOURCE to its folder." }]);
    // A test file's package clause does not decide: go test files may be package x_test.
    expect(run({ "go.mod": MOD, "fn.go": "package fn\n", "fn_test.go": "package main\n" }, { GOOGLE_FUNCTION_TARGET: "F" }).findings).toEqual([]);
    // Paketo has no Functions Framework: the variable means nothing there.
    expect(run({ "go.mod": MOD, "main.go": MAIN }, { GOOGLE_FUNCTION_TARGET: "F" }, PAKETO).findings).toEqual([]);
  });

  it("go run at launch", () => {
    expect(run({ "go.mod": MOD, "main.go": MAIN, Procfile: "web: go run .\n" }).findings).toEqual([
      {
        severity: "error",
        code: "go-run-at-launch",
        message: 'Procfile process "web" runs `go run .`, but the Go toolchain is only in the build image, not the run image: the process fails with "go: command not found".',
        fix: "Let the builder compile the program and run the binary: drop the Procfile line (the default web process runs it), or pick the package with GOOGLE_BUILDABLE.",
        file: "Procfile",
        line: 1,
      },
    ]);
    const env = run({ "go.mod": MOD, "main.go": MAIN }, { GOOGLE_ENTRYPOINT: "cd app && go run ." });
    expect(env.findings).toEqual([
      {
        severity: "error",
        code: "go-run-at-launch",
        message: 'GOOGLE_ENTRYPOINT runs `cd app && go run .`, but the Go toolchain is only in the build image, not the run image: the process fails with "go: command not found".',
        fix: "Let the builder compile the program and run the binary: drop the GOOGLE_ENTRYPOINT (the default web process runs it), or pick the package with GOOGLE_BUILDABLE.",
      },
    ]);
    expect(run({ "go.mod": MOD, "main.go": MAIN, Procfile: "web: gorun .\n" }).findings).toEqual([]);
  });
});

describe("Java findings, word for word", () => {
  const plainPom = "<project><artifactId>a</artifactId><version>1</version></project>";
  it("a plain jar from Maven and from Gradle", () => {
    const maven = run({ "pom.xml": plainPom });
    expect(maven).toMatchObject({ language: "java", packageManager: "maven", runtimeVersion: { value: "21", source: "builder default (google-22)" }, processes: { web: "java -jar target/a-1.jar" }, outcome: "build-error" });
    expect(maven.findings).toEqual([
      {
        severity: "error",
        code: "java-no-main-class",
        message: 'pom.xml packages a plain jar: nothing (Spring Boot\'s plugin, shade, assembly, or a jar manifest with Main-Class) makes it executable, so the builder stops with "did not find any jar files with a Main-Class manifest entry".',
        fix: "Add the spring-boot-maven-plugin (Spring Boot), or maven-jar-plugin's <archive><manifest><mainClass>…</mainClass></manifest></archive>, or a Procfile with `web: java -cp target/classes:target/dependency/* <MainClass>`.",
        file: "pom.xml",
      },
    ]);
    const gradle = run({ "build.gradle.kts": "plugins { java }\n" });
    expect(gradle.processes["web"]).toBe("java -jar build/libs/workspace.jar");
    expect(gradle.findings).toEqual([
      {
        severity: "error",
        code: "java-no-main-class",
        message: 'build.gradle.kts packages a plain jar: nothing (Spring Boot\'s plugin, shade, assembly, or a jar manifest with Main-Class) makes it executable, so the builder stops with "did not find any jar files with a Main-Class manifest entry".',
        fix: "Add `jar { manifest { attributes 'Main-Class': '<MainClass>' } }` (and bundle the dependencies, e.g. with the Shadow plugin), or the org.springframework.boot plugin.",
        file: "build.gradle.kts",
      },
    ]);
    // Paketo reads the manifest itself; no verdict there.
    expect(run({ "pom.xml": plainPom }, { BP_JVM_VERSION: "17" }, PAKETO)).toMatchObject({ findings: [], runtimeVersion: { value: "17", source: "BP_JVM_VERSION (service build env)" }, processes: { web: "java (main class from the executable JAR's manifest)" } });
  });

  it("a multi-module parent; a pom whose own <parent> says pom is not one", () => {
    const agg = run({ "pom.xml": "<project><artifactId>a</artifactId><version>1</version><packaging>pom</packaging></project>" });
    expect(agg.processes).toEqual({});
    expect(agg.findings).toEqual([
      {
        severity: "error",
        code: "java-no-executable-jar",
        message: 'pom.xml is a multi-module parent (<packaging>pom</packaging>): the build leaves no jar in target/, and the builder stops with "did not find any jar files with a Main-Class manifest entry".',
        fix: "Set GOOGLE_BUILDABLE under build.env to the module to run (its target/ is searched first), or point the service at that module's folder.",
        file: "pom.xml",
      },
    ]);
    const child = run({ "pom.xml": "<project><parent><artifactId>p</artifactId><packaging>pom</packaging></parent><artifactId>a</artifactId><version>1</version><build><plugins><plugin><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></build></project>" });
    expect(child).toMatchObject({ outcome: "web", findings: [] });
  });

  it("jar names: a property in finalName or version is not guessed", () => {
    const boot = "<build><plugins><plugin><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></build>";
    expect(run({ "pom.xml": `<project><artifactId>a</artifactId><version>\${revision}</version>${boot}</project>` }).processes["web"]).toBe("java -jar target/<artifactId>-<version>.jar");
    expect(run({ "pom.xml": `<project><artifactId>a</artifactId><version>2</version><build><finalName>\${project.artifactId}</finalName><plugins><plugin><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></build></project>` }).processes["web"]).toBe("java -jar target/a-2.jar");
  });

  it("a Gradle function gets the invoker with build/libs and its dependencies", () => {
    const r = run({ "build.gradle": "plugins { id 'java' }\n", "settings.gradle": "rootProject.name='f'\n" }, { GOOGLE_FUNCTION_TARGET: "a.F" });
    expect(r).toMatchObject({ outcome: "web", findings: [], detectedBy: "build.gradle — a function (GOOGLE_FUNCTION_TARGET (service build env) = a.F)" });
    expect(r.processes["web"]).toBe("java -jar /layers/google.java.functions-framework/functions-framework/java-function-invoker.jar --classpath build/libs/f.jar:build/_javaFunctionDependencies/*");
    expect(run({ "app.jar": "PK" }, { GOOGLE_FUNCTION_TARGET: "a.F" }).processes["web"]).toBe("java -jar /layers/google.java.functions-framework/functions-framework/java-function-invoker.jar --classpath app.jar");
  });
});
