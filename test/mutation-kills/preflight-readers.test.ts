// The Go, Java and Procfile readers past their common forms: the Go source files and go.mod lines as the go tool reads
// them, where each Go finding points and whether it stops the build, the pom, Gradle and manifest forms a jar's name
// and its Main-Class come from, and the Procfile lines each builder takes or skips.
import { afterAll, describe, expect, it } from "vitest";
import { detect, type DetectResult } from "../../preflight";
import { parseProcfile, processMap } from "../../preflight/procfile";
import { GOOGLE, PAKETO, removeTempApps, tempApp } from "../preflight/helpers";

afterAll(removeTempApps);

const run = (files: Record<string, string>, buildEnv: Record<string, string> = {}, builder = GOOGLE): DetectResult => detect({ dir: tempApp(files), builder, buildEnv });
const codes = (r: DetectResult): string[] => r.findings.map((f) => f.code);
const MOD = "module example.com/shop/api\n\ngo 1.22\n";
const MAIN = "package main\n\nfunc main() {}\n";
const PAKETO_BIN = "/layers/paketo-buildpacks_go-build/targets/bin/";

describe("Go source files as the go tool reads them", () => {
  it("skips files whose name starts with . or _, as it does folders", () => {
    for (const name of ["_main.go", ".main.go"]) {
      expect([name, codes(run({ "go.mod": MOD, [name]: MAIN, "lib.go": "package lib\n" }))]).toEqual([name, ["go-no-main-package"]]);
    }
  });

  it("lists several main packages in sorted order, not in the order the folders were walked", () => {
    const r = run({ "go.mod": MOD, "svc/main.go": MAIN, "svc/admin/main.go": MAIN, "svc-tools/main.go": MAIN });
    expect(r.findings[0]!.message).toBe('There are 3 main packages (./svc, ./svc-tools, ./svc/admin) and none at the root; the builder then builds "." and fails.');
  });

  it("a comment is a space, and a /* inside a line comment opens nothing", () => {
    const outcome = (source: string) => run({ "go.mod": MOD, "app.go": source }).outcome;
    expect(outcome("/* doc */ package main\n")).toBe("web");
    expect(outcome("package/* c */main\n")).toBe("web");
    expect(outcome("// see /*\npackage main\n// */\n")).toBe("web");
    expect(outcome("/*\npackage main\n*/\npackage lib\n")).toBe("build-error");
    expect(outcome("\tpackage  main\n")).toBe("web");
    // Only a line's first token is a package clause.
    expect(outcome('var tmpl = "package main"\n')).toBe("build-error");
  });

  it("reads go.mod's module and go lines only at a line's start, with any spacing", () => {
    const paketo = (gomod: string) => run({ "go.mod": gomod, "main.go": MAIN }, {}, PAKETO);
    const r = paketo("// This module serves the shop.\n\tmodule   example.com/x/svc\n\n// go 1.30 is next\n  go   1.21.5 \nrequire example.com/y v1.0.0\n");
    expect([r.processes["web"], r.runtimeVersion]).toEqual([`${PAKETO_BIN}svc`, { value: "1.21.5", source: "go.mod go directive" }]);
    expect(paketo("module example.com/x/tight\ngo 1.23\nrequire example.com/y v1.0.0\n").runtimeVersion).toEqual({ value: "1.23", source: "go.mod go directive" });
    expect(paketo("module example.com/x/svc\n\ngo 10.1\n").runtimeVersion?.value).toBe("10.1");
    expect(paketo("module example.com/x/svc\n// was go 1.19\ngo 1.22\n").runtimeVersion?.value).toBe("1.22");
  });

  it("a go.mod without a module line or without a go line", () => {
    const noModule = run({ "go.mod": "go 1.22\n", "main.go": MAIN }, {}, PAKETO);
    expect([noModule.processes["web"], noModule.runtimeVersion?.value]).toEqual([`${PAKETO_BIN}app`, "1.22"]);
    const noGo = run({ "go.mod": "module example.com/x/svc\n", "main.go": MAIN }, {}, PAKETO);
    expect([noGo.processes["web"], noGo.runtimeVersion]).toEqual([`${PAKETO_BIN}svc`, { value: null, source: "buildpack default" }]);
  });

  it("a pinned Go that is not a version is not compared with go.mod's", () => {
    expect(codes(run({ "go.mod": MOD, "main.go": MAIN }, { GOOGLE_GO_VERSION: "latest" }))).toEqual(["runtime-version-unavailable"]);
  });
});

describe("GOOGLE_BUILDABLE and BP_GO_TARGETS: what each finding says and that it stops the build", () => {
  const files = { "go.mod": MOD, "main.go": MAIN, "cmd/a/main.go": MAIN, "pkg/x.go": "package pkg\n" };

  it("the root main package wins over others with no variable set", () => {
    expect(run({ "go.mod": MOD, "main.go": MAIN, "cmd/tool/main.go": MAIN })).toMatchObject({ outcome: "web", findings: [], detectedBy: "*.go files (main.go, cmd/tool/main.go) and go.mod — builds ." });
  });

  it("a missing folder lists the root as . among the main packages", () => {
    const r = run(files, { GOOGLE_BUILDABLE: "./nope" });
    expect(r.outcome).toBe("build-error");
    expect(r.findings).toEqual([{ severity: "error", code: "go-buildable-missing", message: "GOOGLE_BUILDABLE (service build env) is ./nope, but there is no folder nope here.", fix: "Use one of the main packages found: ., ./cmd/a." }]);
  });

  it("a folder that is not main: the root folder by name, and the fix when there is no main package at all", () => {
    const r = run({ "go.mod": MOD, "cmd/a/main.go": MAIN, "lib.go": "package lib\n" }, { GOOGLE_BUILDABLE: "." });
    expect(r.outcome).toBe("build-error");
    expect(r.findings).toEqual([{ severity: "error", code: "go-buildable-not-main", message: "GOOGLE_BUILDABLE (service build env) is ., but the root folder has no `package main` file, so there is no program to run.", fix: "Use one of the main packages found: ./cmd/a." }]);
    const none = run({ "go.mod": MOD, "lib.go": "package lib\n", "pkg/x.go": "package pkg\n" }, { GOOGLE_BUILDABLE: "./pkg" });
    expect(none.findings.map((f) => [f.code, f.fix])).toEqual([["go-buildable-not-main", "Add a main package and point the variable at it."]]);
    expect(run(files, { GOOGLE_BUILDABLE: "./pkg" }).findings.map((f) => f.fix)).toEqual(["Use one of the main packages found: ., ./cmd/a."]);
  });

  it("with no main package anywhere, a missing folder or file gets a fix of its own", () => {
    const lib = { "go.mod": MOD, "lib.go": "package lib\n" };
    const folder = run(lib, { GOOGLE_BUILDABLE: "cmd/x" });
    expect(folder.findings.map((f) => [f.code, f.fix])).toEqual([["go-buildable-missing", "Create the package or fix GOOGLE_BUILDABLE."]]);
    const file = run(lib, { GOOGLE_BUILDABLE: "cmd/x/main.go" });
    expect(file.outcome).toBe("build-error");
    expect(file.findings.map((f) => [f.code, f.fix])).toEqual([["go-buildable-missing", "Set GOOGLE_BUILDABLE to an existing main package, e.g. ./cmd/app."]]);
  });

  it("BP_GO_TARGETS is named as itself in Paketo's findings", () => {
    expect(run(files, { BP_GO_TARGETS: "./nope" }, PAKETO).findings[0]!.message).toBe("BP_GO_TARGETS (service build env) is ./nope, but there is no folder nope here.");
  });

  it("spaces around the value, repeated trailing slashes, another module's path with a trailing slash", () => {
    expect(run(files, { GOOGLE_BUILDABLE: " ./cmd/a " })).toMatchObject({ findings: [], detectedBy: "*.go files (main.go, cmd/a/main.go, pkg/x.go) and go.mod — builds ./cmd/a" });
    expect(run(files, { GOOGLE_BUILDABLE: "cmd/a//" })).toMatchObject({ findings: [], detectedBy: "*.go files (main.go, cmd/a/main.go, pkg/x.go) and go.mod — builds ./cmd/a" });
    expect(run(files, { GOOGLE_BUILDABLE: "github.com/other/tool/" })).toMatchObject({ outcome: "web", findings: [] });
  });
});

describe("Go functions: where the function's package is looked for", () => {
  it("GOOGLE_FUNCTION_SOURCE names the folder in both findings, and a missing package stops the build", () => {
    const main = run({ "go.mod": MOD, "fn/main.go": MAIN }, { GOOGLE_FUNCTION_TARGET: "F", GOOGLE_FUNCTION_SOURCE: "fn" });
    expect(main.findings.map((f) => [f.code, f.message, f.file])).toEqual([
      ["function-package-main", "GOOGLE_FUNCTION_TARGET is F, so the Functions Framework buildpack imports the function's package, but fn is `package main`, which Go cannot import.", "fn/main.go"],
    ]);
    const missing = run({ "go.mod": MOD, "fn/README.md": "", "x.go": "package x\n" }, { GOOGLE_FUNCTION_TARGET: "F", GOOGLE_FUNCTION_SOURCE: "./fn/" });
    expect(missing.outcome).toBe("build-error");
    expect(missing.findings.map((f) => f.message)).toEqual(["GOOGLE_FUNCTION_TARGET is F, but fn has no Go file to hold the function."]);
    // Only a leading ./ is dropped: ../fn is another folder, named as given.
    const parent = run({ "go.mod": MOD, "x.go": "package x\n" }, { GOOGLE_FUNCTION_TARGET: "F", GOOGLE_FUNCTION_SOURCE: "../fn" });
    expect(parent.findings.map((f) => f.message)).toEqual(["GOOGLE_FUNCTION_TARGET is F, but ../fn has no Go file to hold the function."]);
  });

  it("a file with no package clause and a test file do not decide the package", () => {
    expect(codes(run({ "go.mod": MOD, "a.go": "", "main.go": MAIN }, { GOOGLE_FUNCTION_TARGET: "F" }))).toEqual(["function-package-main"]);
    expect(codes(run({ "go.mod": MOD, "a_test.go": "package main\n", "fn.go": "package fn\n" }, { GOOGLE_FUNCTION_TARGET: "F" }))).toEqual([]);
  });
});

describe("go run at launch", () => {
  it("any spacing, and at the end of the command", () => {
    expect(codes(run({ "go.mod": MOD, "main.go": MAIN, Procfile: "web: go  run .\n" }))).toEqual(["go-run-at-launch"]);
    expect(codes(run({ "go.mod": MOD, "main.go": MAIN, Procfile: "web: ./setup.sh; go run\n" }))).toEqual(["go-run-at-launch"]);
  });

  it("GOOGLE_ENTRYPOINT with a Procfile beside it: the variable is named, and the Procfile is not pointed at", () => {
    const r = run({ "go.mod": MOD, "main.go": MAIN, Procfile: "worker: ./w\n" }, { GOOGLE_ENTRYPOINT: "go run ." });
    const launch = r.findings.filter((f) => f.code === "go-run-at-launch");
    expect(launch).toEqual([
      {
        severity: "error",
        code: "go-run-at-launch",
        message: 'GOOGLE_ENTRYPOINT runs `go run .`, but the Go toolchain is only in the build image, not the run image: the process fails with "go: command not found".',
        fix: "Let the builder compile the program and run the binary: drop the GOOGLE_ENTRYPOINT (the default web process runs it), or pick the package with GOOGLE_BUILDABLE.",
      },
    ]);
  });

  it("on Paketo, which ignores GOOGLE_ENTRYPOINT, the Procfile line is named even when the variable is set", () => {
    const r = run({ "go.mod": MOD, "main.go": MAIN, Procfile: "worker: ./w\nweb: go run .\n" }, { GOOGLE_ENTRYPOINT: "./bin/x" }, PAKETO);
    expect(r.findings.filter((f) => f.code === "go-run-at-launch").map((f) => [f.message.split(",")[0], f.file, f.line])).toEqual([['Procfile process "web" runs `go run .`', "Procfile", 2]]);
  });
});

describe("which build tool a Java marker means", () => {
  it.each([
    [".mvn/extensions.xml", "maven"],
    ["settings.gradle", "gradle"],
    ["settings.gradle.kts", "gradle"],
  ])("%s alone means %s", (marker, tool) => {
    expect(run({ [marker]: "" }).packageManager).toBe(tool);
  });

  it("Paketo's default JVM and the builder's Java finding texts", () => {
    expect(run({ "pom.xml": "<project/>" }, {}, PAKETO).runtimeVersion).toEqual({ value: null, source: "buildpack default" });
    expect(run({ "A.java": "class A {}" }).findings).toEqual([
      {
        severity: "error",
        code: "java-no-build-file",
        message: "There are .java files but no pom.xml, build.gradle or jar, so nothing compiles them and the builder finds no executable jar to run.",
        fix: "Add a Maven (pom.xml) or Gradle (build.gradle) build, or commit the built executable jar.",
      },
    ]);
    const boot = "<build><plugins><plugin><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></build>";
    expect(run({ "pom.xml": `<project><artifactId>a</artifactId><version>1</version><properties><java.version>25</java.version></properties>${boot}</project>` }).findings).toEqual([
      {
        severity: "error",
        code: "java-version-mismatch",
        message: 'pom.xml compiles for Java 25, but the builder installs Java 21 (builder default (google-22)); Maven stops with "release version 25 not supported".',
        fix: 'Set GOOGLE_RUNTIME_VERSION: "25" under build.env in service.yaml.',
        file: "pom.xml",
      },
    ]);
  });
});

describe("pom.xml as Maven reads it", () => {
  const BOOT = "<build><plugins><plugin><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></build>";
  const web = (pom: string) => run({ "pom.xml": pom }).processes["web"];

  it("a comment inside a value, dependencies and plugins spread over lines are not the project's coordinates", () => {
    expect(web(`<project><artifactId>svc<!-- renamed from shop --></artifactId><version>2</version>${BOOT}</project>`)).toBe("java -jar target/svc-2.jar");
    const deps = "<dependencies>\n  <dependency>\n    <artifactId>dep</artifactId>\n    <version>5</version>\n  </dependency>\n</dependencies>";
    expect(web(`<project>${deps}<artifactId>svc</artifactId><version>3</version>${BOOT}</project>`)).toBe("java -jar target/svc-3.jar");
    // The version comes from the parent, so it is not known here: a plugin's version is not taken for it.
    const plugins = "<build>\n  <plugins>\n    <plugin>\n      <artifactId>spring-boot-maven-plugin</artifactId>\n      <version>3.3.4</version>\n    </plugin>\n  </plugins>\n</build>";
    expect(web(`<project><parent><artifactId>spring-boot-starter-parent</artifactId><version>3.3.4</version></parent>${plugins}<artifactId>svc</artifactId></project>`)).toBe("java -jar target/<artifactId>-<version>.jar");
  });

  it("a commented-out or merely managed Spring Boot plugin makes nothing executable", () => {
    const commented = "<project><artifactId>a</artifactId><version>1</version><build><plugins>\n<!--\n  <plugin><artifactId>spring-boot-maven-plugin</artifactId></plugin>\n-->\n</plugins></build></project>";
    expect(codes(run({ "pom.xml": commented }))).toEqual(["java-no-main-class"]);
    const managed = "<project><artifactId>a</artifactId><version>1</version><build>\n<pluginManagement>\n  <plugins>\n    <plugin><artifactId>spring-boot-maven-plugin</artifactId></plugin>\n  </plugins>\n</pluginManagement>\n</build></project>";
    expect(codes(run({ "pom.xml": managed }))).toEqual(["java-no-main-class"]);
  });

  it("the assembly plugin's descriptor and appendAssemblyId with spaces around the value", () => {
    const assembly = (config: string) =>
      `<project><artifactId>a</artifactId><version>1</version><build><plugins><plugin><artifactId>maven-assembly-plugin</artifactId><configuration><archive><manifest><mainClass>x.Y</mainClass></manifest></archive>${config}</configuration></plugin></plugins></build></project>`;
    expect(web(assembly("<descriptorRefs><descriptorRef> bundle </descriptorRef></descriptorRefs>"))).toBe("java -jar target/a-1-bundle.jar");
    expect(web(assembly("<appendAssemblyId> false </appendAssemblyId>"))).toBe("java -jar target/a-1.jar");
    expect(web(assembly(""))).toBe("java -jar target/a-1-jar-with-dependencies.jar");
  });

  it("the shade plugin's jar is the project's own", () => {
    const shade = "<project><artifactId>a</artifactId><version>1</version><build><plugins><plugin><artifactId>maven-shade-plugin</artifactId><configuration><transformers><transformer implementation=\"org.apache.maven.plugins.shade.resource.ManifestResourceTransformer\"/></transformers></configuration></plugin></plugins></build></project>";
    expect(run({ "pom.xml": shade })).toMatchObject({ outcome: "web", processes: { web: "java -jar target/a-1.jar" } });
  });

  it.each(["micronaut-maven-plugin", "onejar-maven-plugin", "maven-dependency-plugin", "exec-maven-plugin", "native-maven-plugin", "jib-maven-plugin"])(
    "%s may make the jar executable in ways not read here: no finding",
    (plugin) => {
      expect(run({ "pom.xml": `<project><artifactId>a</artifactId><version>1</version><build><plugins><plugin><artifactId>${plugin}</artifactId></plugin></plugins></build></project>` })).toMatchObject({ findings: [], processes: { web: "java -jar target/a-1.jar" } });
    },
  );

  it("a parent pom other than Spring Boot's is not second-guessed, however it is laid out", () => {
    const pom = "<project>\n  <parent>\n    <groupId>com.acme</groupId>\n    <artifactId> acme-parent </artifactId>\n    <version>7</version>\n  </parent>\n  <artifactId>a</artifactId><version>1</version>\n</project>";
    expect(run({ "pom.xml": pom })).toMatchObject({ findings: [], processes: { web: "java -jar target/a-1.jar" } });
  });

  it("<packaging> pom </packaging> with spaces is an aggregator; a parent's packaging over lines is not the project's", () => {
    expect(codes(run({ "pom.xml": "<project><artifactId>a</artifactId><version>1</version><packaging> pom </packaging></project>" }))).toEqual(["java-no-executable-jar"]);
    const child = `<project><parent>\n  <artifactId>p</artifactId>\n  <packaging>pom</packaging>\n</parent><artifactId>a</artifactId><version>1</version>${BOOT}</project>`;
    expect(run({ "pom.xml": child })).toMatchObject({ outcome: "web", findings: [] });
  });
});

describe("Gradle and prebuilt jars", () => {
  const main = (build: string) => run({ "build.gradle.kts": build, "settings.gradle.kts": 'rootProject.name = "svc"\n' });

  it("settings.gradle.kts names the project", () => {
    expect(main("plugins { id(\"org.springframework.boot\") version \"3.3.4\" }\n").processes["web"]).toBe("java -jar build/libs/svc.jar");
  });

  it.each([
    ["a Groovy map after another attribute", "jar { manifest { attributes('Implementation-Title': 'svc', 'Main-Class': 'a.B') } }"],
    ["a Kotlin pair after another attribute", 'tasks.jar { manifest { attributes("Implementation-Title" to "svc", "Main-Class" to "a.BKt") } }'],
    ["Kotlin's index form", 'tasks.jar { manifest { attributes["Main-Class"] = "a.BKt" } }'],
    ["Kotlin's index form, unspaced", 'tasks.jar { manifest { attributes["Main-Class"]="a.BKt" } }'],
    ["attribute(name, value)", 'tasks.jar { manifest { attribute("Main-Class", "a.BKt") } }'],
  ])("a Main-Class attribute as %s makes the jar executable", (_, build) => {
    expect(main(`plugins { java }\n${build}\n`)).toMatchObject({ outcome: "web", findings: [], processes: { web: "java -jar build/libs/svc.jar" } });
  });

  it("the project version: no spaces, and not a commented-out line", () => {
    const boot = "plugins { id 'org.springframework.boot' version '3.3.4' }\n";
    expect(run({ "build.gradle": `${boot}version='1.4'\n` }).processes["web"]).toBe("java -jar build/libs/workspace-1.4.jar");
    expect(run({ "build.gradle": `${boot}// version = '0.9' was the last release\n` }).processes["web"]).toBe("java -jar build/libs/workspace.jar");
  });

  it.each([
    ["settings.gradle", "  include('api')\n"],
    ["settings.gradle", "include ('api')\n"],
    ["settings.gradle", 'include( "api")\n'],
    ["settings.gradle.kts", 'include("api", "worker")\n'],
  ])("%s with %j is a multi-project build", (file, settings) => {
    expect(run({ "build.gradle": "plugins { id 'java' }\n", [file]: settings }).processes["web"]).toBe("java -jar <subproject>/build/libs/<name>.jar");
  });

  it("a commented-out include is not a multi-project build", () => {
    expect(run({ "build.gradle": "plugins { id 'org.springframework.boot' version '3.3.4' }\n", "settings.gradle": "rootProject.name = 'svc'\n// include 'old'\n" }).processes["web"]).toBe("java -jar build/libs/svc.jar");
  });

  it("an exploded jar's Main-Class, not an agent's Premain-Class", () => {
    expect(run({ "META-INF/MANIFEST.MF": "Manifest-Version: 1.0\nPremain-Class: agent.Agent\nMain-Class: app.Main\n" }).processes["web"]).toBe("java -classpath . app.Main");
  });

  it("a function on .java files with no build has no jar to name; GOOGLE_BUILDABLE's trailing slashes are dropped", () => {
    expect(run({ "A.java": "class A {}" }, { GOOGLE_FUNCTION_TARGET: "A" }).processes["web"]).toBe("java -jar /layers/google.java.functions-framework/functions-framework/java-function-invoker.jar --classpath <jar>");
    expect(run({ "pom.xml": "<project/>" }, { GOOGLE_BUILDABLE: "services/api//" }).processes["web"]).toBe("java -jar services/api/target/<the module's executable jar>");
  });
});

describe("Procfile lines each builder takes or skips", () => {
  it("no space after the colon, and trailing spaces are not part of the command", () => {
    for (const family of ["google", "paketo"] as const) {
      expect([family, processMap(parseProcfile("web:gunicorn app:app  \nworker: python w.py\t\n", family))]).toEqual([family, { web: "gunicorn app:app", worker: "python w.py" }]);
    }
  });

  it("Google: a line an empty web: swallowed is not reported again", () => {
    const p = parseProcfile("web:\nsync-prices: python sync.py\n", "google");
    expect(p.rejected).toEqual([]);
    expect(p.emptyCommands).toEqual([{ name: "web", line: 1, swallowed: "sync-prices: python sync.py" }]);
  });

  it("a space before the colon: a bad name is still reported as a bad name, a good one as the space, never an empty command", () => {
    expect(parseProcfile("sync-prices : python sync.py\n", "google").rejected).toEqual([{ name: "sync-prices", line: 1, reason: "name" }]);
    expect(parseProcfile("web : python app.py\n", "google")).toEqual({ processes: [], duplicates: [], rejected: [{ name: "web", line: 1, reason: "space" }], emptyCommands: [] });
    expect(parseProcfile("web :\n", "google").emptyCommands).toEqual([]);
  });

  it("Paketo rejects a name with a dot anywhere in it", () => {
    expect(parseProcfile("clock.tick: b\nweb.x: c\n", "paketo").rejected).toEqual([
      { name: "clock.tick", line: 1, reason: "name" },
      { name: "web.x", line: 2, reason: "name" },
    ]);
  });

  it("Paketo keeps first-appearance order across several duplicates", () => {
    const p = parseProcfile("b: 1\na: 2\nb: 3\nc: 4\na: 5\n", "paketo");
    expect(p.processes).toEqual([
      { name: "b", command: "3", line: 3 },
      { name: "a", command: "5", line: 5 },
      { name: "c", command: "4", line: 4 },
    ]);
  });

  it("the process map is an ordinary object its callers may change", () => {
    const map = processMap(parseProcfile("web: a\nworker: b\n", "google"));
    map["web"] = "c";
    delete map["worker"];
    expect(map).toEqual({ web: "c" });
  });
});
