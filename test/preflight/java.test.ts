import { describe, expect, it } from "vitest";
import { codes, errorCodes, PAKETO, run } from "./helpers";

describe("Java on Google's builder", () => {
  it("pom.xml → maven, java -jar target/<artifactId>-<version>.jar, JDK 21 on google-22", () => {
    const r = run("java-maven", { kind: "service", port: 8080 });
    expect(r).toMatchObject({ language: "java", packageManager: "maven", outcome: "web", defaultProcess: "web" });
    expect(r.processes).toEqual({ web: "java -jar target/inventory-0.0.1-SNAPSHOT.jar" });
    expect(r.runtimeVersion).toEqual({ value: "21", source: "builder default (google-22)" });
    expect(r.findings).toEqual([]);
  });

  it("build.gradle → gradle, jar named from rootProject.name and version", () => {
    expect(run("java-gradle")).toMatchObject({ packageManager: "gradle", processes: { web: "java -jar build/libs/ledger-1.2.0.jar" }, outcome: "web" });
    // No rootProject.name: Gradle names the project after its folder, which in the builder is /workspace.
    expect(run("java-gradle-kts")).toMatchObject({ packageManager: "gradle", processes: { web: "java -jar build/libs/workspace.jar" } });
  });

  it("a pom compiling for a newer Java than the builder installs fails; GOOGLE_RUNTIME_VERSION fixes it", () => {
    const r = run("java-maven-java25");
    expect(r.outcome).toBe("build-error");
    expect(r.findings).toMatchObject([{ code: "java-version-mismatch", file: "pom.xml" }]);
    expect(run("java-maven-java25", { builder: "gcr.io/buildpacks/builder:google-24" }).outcome).toBe("web");
    const pinned = run("java-maven-java25", { buildEnv: { GOOGLE_RUNTIME_VERSION: "25" } });
    expect(errorCodes(pinned)).toEqual([]);
    expect(codes(pinned)).toEqual(["runtime-version-unavailable"]); // google-22 has no 25
  });

  it("a Procfile replaces the jar command and adds its other processes", () => {
    expect(run("java-procfile").processes).toEqual({
      web: "java -Xss512k -jar target/reports-1.0.jar --server.port=$PORT",
      export: "java -cp target/reports-1.0.jar com.acme.Export",
    });
  });

  it("a Procfile web line on $PORT fits any service port", () => {
    expect(codes(run("java-procfile", { kind: "service", port: 9000 }))).toEqual([]);
  });

  it("stray .go files make the builder pick Go for a Java app", () => {
    const r = run("java-stray-go");
    expect(r).toMatchObject({ language: "go", outcome: "build-error" });
    expect(codes(r)).toEqual(["stray-go-files"]);
    expect(r.findings[0]?.fix).toContain("GOOGLE_RUNTIME=java");
    expect(run("java-stray-go", { buildEnv: { GOOGLE_RUNTIME: "java" } })).toMatchObject({ language: "java", outcome: "web" });
  });

  it("Paketo builds the same pom with its executable-jar launcher", () => {
    expect(run("java-maven", { builder: PAKETO })).toMatchObject({ language: "java", packageManager: "maven", outcome: "web" });
  });
});
