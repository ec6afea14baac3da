// What the Go, Java and Procfile readers key on: which folders and clauses make a main package, go.mod's fields,
// the markers that make Java win, the pom fields a jar is named from, and the Procfile lines each builder skips.
import { afterAll, describe, expect, it } from "vitest";
import { detect, type DetectResult } from "../../preflight";
import { parseProcfile, processMap } from "../../preflight/procfile";
import { GOOGLE, PAKETO, removeTempApps, tempApp } from "../preflight/helpers";

afterAll(removeTempApps);

const run = (files: Record<string, string>, buildEnv: Record<string, string> = {}, builder = GOOGLE): DetectResult => detect({ dir: tempApp(files), builder, buildEnv });
const MOD = "module example.com/shop/api\n\ngo 1.22\n";
const MAIN = "package main\n\nfunc main() {}\n";

describe("which Go packages are main", () => {
  it("skips test files and the folders the go tool skips", () => {
    for (const dir of ["vendor/x", "testdata", ".hidden", "_old", "a/testdata/b"]) {
      const r = run({ "go.mod": MOD, "cmd/api/main.go": MAIN, [`${dir}/main.go`]: MAIN });
      expect([dir, r.outcome, r.findings, r.detectedBy?.endsWith(" and go.mod — builds ./cmd/api")]).toEqual([dir, "web", [], true]);
    }
    expect(run({ "go.mod": MOD, "cmd/api/main.go": MAIN, "tool/x_test.go": MAIN }).detectedBy).toBe("*.go files (cmd/api/main.go, tool/x_test.go) and go.mod — builds ./cmd/api");
    // A folder whose name merely contains those words is walked.
    expect(run({ "go.mod": MOD, "cmd/api/main.go": MAIN, "myvendor/main.go": MAIN }).findings.map((f) => f.code)).toEqual(["go-multiple-mains"]);
  });

  it("reads the package clause past comments", () => {
    expect(run({ "go.mod": MOD, "lib.go": "// package main\npackage lib\n" }).findings.map((f) => f.code)).toEqual(["go-no-main-package"]);
    expect(run({ "go.mod": MOD, "lib.go": "/* package main\n*/\npackage lib\n" }).findings.map((f) => f.code)).toEqual(["go-no-main-package"]);
    expect(run({ "go.mod": MOD, "app.go": "// Command app serves.\npackage main\n" }).outcome).toBe("web");
  });
});

describe("go.mod and the Paketo binary name", () => {
  it("names the binary after the module, a quoted module, the target folder, or app", () => {
    const web = (files: Record<string, string>, env: Record<string, string> = {}) => run(files, env, PAKETO).processes["web"];
    expect(web({ "go.mod": 'module "example.com/quoted/svc"\n\ngo 1.22.3\n', "main.go": MAIN })).toBe("/layers/paketo-buildpacks_go-build/targets/bin/svc");
    expect(web({ "main.go": MAIN })).toBe("/layers/paketo-buildpacks_go-build/targets/bin/app");
    expect(web({ "go.mod": MOD, "cmd/a/main.go": MAIN, "cmd/b/main.go": MAIN }, { BP_GO_TARGETS: "./cmd/b:./cmd/a" })).toBe("/layers/paketo-buildpacks_go-build/targets/bin/b");
    expect(run({ "go.mod": 'module "example.com/quoted/svc"\n\ngo 1.22.3\n', "main.go": MAIN }, {}, PAKETO).runtimeVersion).toEqual({ value: "1.22.3", source: "go.mod go directive" });
    expect(run({ "go.mod": MOD, "main.go": MAIN }, { BP_GO_VERSION: "1.23.*" }, PAKETO).runtimeVersion).toEqual({ value: "1.23.*", source: "BP_GO_VERSION (service build env)" });
  });

  it("GOOGLE_BUILDABLE forms: ./, a trailing slash, a leading slash, another module's path", () => {
    const files = { "go.mod": MOD, "main.go": MAIN, "cmd/a/main.go": MAIN };
    expect(run(files, { GOOGLE_BUILDABLE: "./" }).detectedBy).toBe("*.go files (main.go, cmd/a/main.go) and go.mod — builds .");
    expect(run(files, { GOOGLE_BUILDABLE: "cmd/a/" }).detectedBy).toBe("*.go files (main.go, cmd/a/main.go) and go.mod — builds ./cmd/a");
    expect(run(files, { GOOGLE_BUILDABLE: "/cmd/a" }).detectedBy).toBe("*.go files (main.go, cmd/a/main.go) and go.mod — builds ./cmd/a");
    expect(run(files, { GOOGLE_BUILDABLE: "github.com/other/tool" })).toMatchObject({ outcome: "web", findings: [], detectedBy: "*.go files (main.go, cmd/a/main.go) and go.mod — builds ./github.com/other/tool" });
    expect(run(files, { GOOGLE_BUILDABLE: "example.com/shop/api" }).detectedBy).toBe("*.go files (main.go, cmd/a/main.go) and go.mod — builds .");
  });
});

describe("what makes Java win, and the jar's name", () => {
  it.each([".mvn/extensions.xml", "settings.gradle", "settings.gradle.kts", "META-INF/MANIFEST.MF"])("%s alone makes it Java", (marker) => {
    const r = run({ [marker]: "" });
    expect([r.language, r.detectedBy]).toEqual(["java", marker]);
  });

  it("root .java before root .jar; a nested jar is not a marker", () => {
    expect(run({ "A.java": "", "lib.jar": "" }).detectedBy).toBe("*.java files (A.java)");
    expect(run({ "lib.jar": "" }).detectedBy).toBe("*.jar files (lib.jar)");
    expect(run({ "libs/lib.jar": "" }).language).toBeNull();
    // Paketo does not take bare .java files.
    expect(run({ "A.java": "" }, {}, PAKETO).language).toBeNull();
  });

  it("reads the project's own coordinates, not its parent's, a dependency's or a plugin's; comments are skipped", () => {
    const boot = "<plugins><plugin><artifactId>spring-boot-maven-plugin</artifactId><version>9</version></plugin></plugins>";
    const pom = `<project>
  <!-- <artifactId>commented</artifactId> -->
  <parent><artifactId>parent</artifactId><version>0</version></parent>
  <dependencies><dependency><artifactId>dep</artifactId><version>5</version></dependency></dependencies>
  <artifactId>svc</artifactId>
  <version>3.1</version>
  <build>${boot}</build>
</project>`;
    expect(run({ "pom.xml": pom }).processes["web"]).toBe("java -jar target/svc-3.1.jar");
  });

  it("the Java level from release, java.version, target or source; 1.8 is 8", () => {
    const withProps = (props: string) => `<project><artifactId>a</artifactId><version>1</version><properties>${props}</properties><build><plugins><plugin><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></build></project>`;
    const codes = (props: string, env: Record<string, string> = {}) => run({ "pom.xml": withProps(props) }, env).findings.map((f) => f.code);
    expect(codes("<maven.compiler.target>22</maven.compiler.target>")).toEqual(["java-version-mismatch"]);
    expect(codes("<maven.compiler.source>22</maven.compiler.source>")).toEqual(["java-version-mismatch"]);
    expect(codes("<maven.compiler.release>21</maven.compiler.release>")).toEqual([]);
    expect(codes("<java.version>1.8</java.version>", { GOOGLE_RUNTIME_VERSION: "11" })).toEqual([]);
    expect(codes("<java.version>17</java.version>", { GOOGLE_RUNTIME_VERSION: "1.8" })).toEqual(["java-version-mismatch"]);
  });

  it("Gradle's version: a literal is used, an interpolated one is not", () => {
    const boot = "plugins { id 'org.springframework.boot' version '3.3.4' }\n";
    expect(run({ "build.gradle": `${boot}version = '1.4'\n`, "settings.gradle": "rootProject.name = \"svc\"\n" }).processes["web"]).toBe("java -jar build/libs/svc-1.4.jar");
    expect(run({ "build.gradle": `${boot}version = "\${rev}"\n`, "settings.gradle": "rootProject.name = 'svc'\n" }).processes["web"]).toBe("java -jar build/libs/svc.jar");
    expect(run({ "build.gradle": `${boot}  version = '2.0'\n` }).processes["web"]).toBe("java -jar build/libs/workspace-2.0.jar");
  });

  it("the assembly jar takes a custom descriptor id; the jar plugin with mainClass is executable", () => {
    const assembly = `<project><artifactId>a</artifactId><version>1</version><build><plugins><plugin><artifactId>maven-assembly-plugin</artifactId><configuration><archive><manifest><mainClass>x.Y</mainClass></manifest></archive><descriptorRefs><descriptorRef>bundle</descriptorRef></descriptorRefs></configuration></plugin></plugins></build></project>`;
    expect(run({ "pom.xml": assembly }).processes["web"]).toBe("java -jar target/a-1-bundle.jar");
    const jarPlugin = `<project><artifactId>a</artifactId><version>1</version><build><plugins><plugin><artifactId>maven-jar-plugin</artifactId><configuration><archive><manifest><mainClass>x.Y</mainClass></manifest></archive></configuration></plugin></plugins></build></project>`;
    expect(run({ "pom.xml": jarPlugin })).toMatchObject({ outcome: "web", processes: { web: "java -jar target/a-1.jar" } });
    const shadeMain = `<project><artifactId>a</artifactId><version>1</version><build><plugins><plugin><artifactId>maven-shade-plugin</artifactId><configuration><mainClass>x.Y</mainClass></configuration></plugin></plugins></build></project>`;
    expect(run({ "pom.xml": shadeMain }).outcome).toBe("web");
    const shadow = "plugins { id 'com.github.johnrengelman.shadow' version '8.1.1' }\nversion = '1'\n";
    expect(run({ "build.gradle": shadow }).processes["web"]).toBe("java -jar build/libs/workspace-1-all.jar");
  });

  it("a prebuilt jar with a function target, a Procfile on a prebuilt jar, and no build at all", () => {
    expect(run({ "b.jar": "", "a.jar": "" }).processes["web"]).toBe("java -jar a.jar");
    expect(run({ "A.java": "", Procfile: "web: java A\n" }).findings.map((f) => f.code)).toEqual([]);
    expect(run({ "META-INF/MANIFEST.MF": "Manifest-Version: 1.0\nMain-Class: com.example.App\n" })).toMatchObject({ findings: [], processes: { web: "java -classpath . com.example.App" } });
  });
});

describe("Procfile lines each builder skips", () => {
  it("Google: a hyphen, an indented line, an empty command; comments and blank lines are not process lines", () => {
    const p = parseProcfile("# a comment\n\nweb: gunicorn app:app\nsync-prices: python sync.py\n  worker: python w.py\nrelease:\n", "google");
    expect(p.processes.map((x) => [x.name, x.line])).toEqual([["web", 3]]);
    expect(p.rejected).toEqual([
      { name: "sync-prices", line: 4, reason: "name" },
      { name: "worker", line: 5, reason: "indented" },
    ]);
    expect(p.emptyCommands).toEqual([{ name: "release", line: 6, swallowed: null }]);
  });

  it("Paketo: hyphens are fine, the last duplicate wins, CRLF line ends are read", () => {
    const p = parseProcfile("web: a\r\nsync-prices: b\r\nweb: c\r\n", "paketo");
    expect(processMap(p)).toEqual({ web: "c", "sync-prices": "b" });
    expect(p.duplicates).toEqual([{ name: "web", command: "a", line: 1 }]);
    // A space before the colon makes it no process line at all, not a rejected one.
    expect(parseProcfile("bad name: x\n", "paketo")).toEqual({ processes: [], duplicates: [], rejected: [], emptyCommands: [] });
  });

  it("a process named __proto__ is an ordinary key", () => {
    const map = processMap(parseProcfile("__proto__: evil\nweb: ok\n", "google"));
    expect(Object.keys(map)).toEqual(["__proto__", "web"]);
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
  });
});
