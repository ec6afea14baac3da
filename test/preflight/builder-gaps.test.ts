import { afterAll, describe, expect, it } from "vitest";
import { detect, type DetectResult } from "../../preflight";
import { smartDefaultApplies } from "../../preflight/python";
import { GOOGLE, PAKETO, removeTempApps, tempApp } from "./helpers";

afterAll(removeTempApps);

function google(files: Record<string, string>, buildEnv: Record<string, string> = {}): DetectResult {
  return detect({ dir: tempApp(files), builder: GOOGLE, buildEnv, kind: "service" });
}
const errors = (r: DetectResult) => r.findings.filter((f) => f.severity === "error").map((f) => f.code);
const json = (v: unknown) => JSON.stringify(v);
const FASTAPI = "from fastapi import FastAPI\napp = FastAPI()\n";
const FLASK = "from flask import Flask\napp = Flask(__name__)\n";

describe("Python's default server follows the version asked for (pkg/python/python.go SupportsSmartDefaultEntrypoint)", () => {
  it("compares the request with 3.13, wildcards as 0", () => {
    expect(smartDefaultApplies("3.12.99")).toBe(false);
    expect(smartDefaultApplies("3.13.0")).toBe(true);
    expect(smartDefaultApplies("3.13")).toBe(true);
    expect(smartDefaultApplies("3.13.*")).toBe(true);
    expect(smartDefaultApplies("3.*")).toBe(false);
    expect(smartDefaultApplies("3")).toBe(false);
    expect(smartDefaultApplies("v3.14.1")).toBe(true);
    expect(smartDefaultApplies("3.14.0rc1")).toBe(true);
  });

  it("a request that is not a version stops the default-entrypoint build", () => {
    for (const v of ["3.13.x", ">=3.12", "~3.12", "3.14.0a1"]) expect(smartDefaultApplies(v), v).toBe("invalid");
    const r = google({ "main.py": FLASK, "requirements.txt": "flask\n" }, { GOOGLE_PYTHON_VERSION: "3.13.x" });
    expect(r.outcome).toBe("build-error");
    expect(errors(r)).toEqual(["python-version-not-a-version"]);
    expect(r.findings[0]!.message).toContain('GOOGLE_PYTHON_VERSION (service build env) asks for Python "3.13.x"');
    // With a Procfile the default-entrypoint step never runs.
    const procfile = google({ "main.py": FLASK, "requirements.txt": "flask\ngunicorn\n", Procfile: "web: gunicorn -b :$PORT main:app\n" }, { GOOGLE_PYTHON_VERSION: "3.13.x" });
    expect(errors(procfile)).toEqual([]);
  });
});

describe(".python-version as each builder reads it", () => {
  const app = { "main.py": FLASK, "requirements.txt": "flask\n" };
  it("Google: one version line (with or without a newline) is read; a comment or a second line breaks the build", () => {
    expect(google({ ...app, ".python-version": "3.12" }).runtimeVersion).toEqual({ value: "3.12", source: ".python-version" });
    expect(errors(google({ ...app, ".python-version": "3.12\n\n" }))).toEqual([]);
    const commented = google({ ...app, ".python-version": "# team pin\n3.12\n" });
    expect(commented).toMatchObject({ outcome: "build-error", runtimeVersion: { value: "3.12", source: ".python-version" } });
    expect(commented.findings[0]).toMatchObject({ code: "python-version-file-unreadable", file: ".python-version", line: 1 });
    expect(commented.findings[0]!.message).toContain("comment lines");
    expect(commented.findings[0]!.fix).toContain("Keep only the version line (3.12)");
    const two = google({ ...app, ".python-version": "3.12.4\n3.11.9\n" });
    expect(two.findings[0]!.message).toContain("more than one line");
  });

  it("Paketo ignores the file, and says so", () => {
    const r = detect({ dir: tempApp({ ...app, ".python-version": "# pin\n3.11\n", Procfile: "web: gunicorn main:app\n" }), builder: PAKETO });
    expect(r.findings.map((f) => f.code)).toContain("python-version-file-ignored");
    expect(r.findings.find((f) => f.code === "python-version-file-ignored")!.message).toContain(".python-version asks for 3.11");
    const pinned = detect({ dir: tempApp({ ...app, ".python-version": "3.11\n", Procfile: "web: gunicorn main:app\n" }), builder: PAKETO, buildEnv: { BP_CPYTHON_VERSION: "3.11.*" } });
    expect(pinned.findings.map((f) => f.code)).not.toContain("python-version-file-ignored");
  });
});

describe("ASGI apps and gunicorn's sync worker", () => {
  const fastapi = { "main.py": FASTAPI, "requirements.txt": "fastapi\nuvicorn\ngunicorn\n" };
  it("an ASGI worker on the command line or in gunicorn.conf.py serves it; any other worker class does not", () => {
    expect(errors(google({ ...fastapi, Procfile: "web: gunicorn -k uvicorn.workers.UvicornWorker main:app\n" }))).toEqual([]);
    expect(errors(google({ ...fastapi, Procfile: "web: gunicorn --worker-class=uvicorn_worker.UvicornWorker main:app\n" }))).toEqual([]);
    expect(errors(google({ ...fastapi, Procfile: "web: gunicorn -k gevent main:app\n" }))).toEqual(["asgi-on-sync-worker"]);
    expect(errors(google({ ...fastapi, "gunicorn.conf.py": "worker_class = 'uvicorn.workers.UvicornWorker'\n" }))).toEqual([]);
    expect(errors(google({ ...fastapi, "gunicorn.conf.py": "workers = 4\n" }))).toEqual(["asgi-on-sync-worker"]);
    expect(errors(google({ ...fastapi, "conf/gunicorn.py": "worker_class = 'uvicorn.workers.UvicornWorker'\n", Procfile: "web: gunicorn -c conf/gunicorn.py main:app\n" }))).toEqual([]);
    expect(errors(google({ ...fastapi, "conf/gunicorn.py": "worker_class = 'uvicorn.workers.UvicornWorker'\n", Procfile: "web: gunicorn -c python:conf.gunicorn main:app\n" }))).toEqual([]);
    // Named config files replace ./gunicorn.conf.py, which is then not read.
    expect(errors(google({ ...fastapi, "gunicorn.conf.py": "worker_class = 'uvicorn.workers.UvicornWorker'\n", "other.py": "workers = 2\n", Procfile: "web: gunicorn -c other.py main:app\n" }))).toEqual(["asgi-on-sync-worker"]);
  });

  it("an app factory, quoted as the shell needs it, is read from its module, and the fix starts it with uvicorn --factory", () => {
    const factory = { "main.py": "from fastapi import FastAPI\n\ndef create_app():\n    return FastAPI()\n", "requirements.txt": "fastapi\nuvicorn\ngunicorn\n" };
    const r = google({ ...factory, Procfile: "web: gunicorn -b :$PORT 'main:create_app()'\n" });
    expect(r.findings[0]).toMatchObject({ code: "asgi-on-sync-worker", file: "Procfile", line: 1 });
    expect(r.findings[0]!.message).toContain("but main.py is a FastAPI (ASGI) app");
    expect(r.findings[0]!.fix).toContain("`web: uvicorn --factory main:create_app --host 0.0.0.0 --port $PORT`");
  });

  it("points at the Procfile line, and the fix names the three ways out", () => {
    const r = google({ ...fastapi, Procfile: "release: python migrate.py\nweb: gunicorn -b :$PORT main:app\n" });
    expect(r.findings[0]).toMatchObject({ code: "asgi-on-sync-worker", file: "Procfile", line: 2 });
    expect(r.findings[0]!.message).toBe("The Procfile's web process is `gunicorn -b :$PORT main:app`, but main.py is a FastAPI (ASGI) app, and gunicorn's default sync worker calls it as WSGI: every request fails.");
    const byDefault = google(fastapi);
    expect(byDefault.findings[0]!.fix).toContain("web: uvicorn main:app --host 0.0.0.0 --port $PORT");
    expect(byDefault.findings[0]!.fix).toContain("-k uvicorn.workers.UvicornWorker");
    expect(byDefault.findings[0]!.fix).toContain("Python 3.13 or later");
    expect(byDefault.findings[0]!.file).toBeUndefined();
  });

  it("reads the module gunicorn loads; a WSGI module, or WSGI packages when the module is not there, is no finding", () => {
    expect(errors(google({ "main.py": FLASK, "requirements.txt": "flask\nfastapi\n" }))).toEqual([]);
    const missingModule = google({ "main.py": "x = 1\n", "requirements.txt": "starlette\ngunicorn\n", Procfile: "web: gunicorn -b :$PORT service.api:app\n" });
    expect(missingModule.findings.map((f) => f.code)).toEqual(["asgi-on-sync-worker"]);
    expect(missingModule.findings[0]!.message).toContain("the app is a Starlette (ASGI) app");
    const wsgiToo = google({ "main.py": "x = 1\n", "requirements.txt": "starlette\ndjango\ngunicorn\n", Procfile: "web: gunicorn -b :$PORT service.api:app\n" });
    expect(errors(wsgiToo)).toEqual([]);
  });
});

describe("Node.js package managers (pkg/nodejs/nodejs.go Entrypoint, cmd/nodejs/*/lib/lib.go)", () => {
  const start = json({ name: "a", scripts: { start: "node a.js" } });
  it("yarn classic and berry both register `yarn run start`, and say which they are", () => {
    const classic = google({ "package.json": start, "yarn.lock": "# yarn lockfile v1\n", "a.js": "" });
    expect(classic).toMatchObject({ packageManager: "yarn", processes: { web: "yarn run start" }, detectedBy: "package.json and yarn.lock (Yarn classic)" });
    const berry = google({ "package.json": start, "yarn.lock": "__metadata:\n  version: 8\n", "a.js": "" });
    expect(berry.detectedBy).toBe("package.json and yarn.lock (Yarn 2+)");
  });

  it("GOOGLE_PACKAGE_MANAGER picks pnpm or bun without a lockfile, never over yarn.lock", () => {
    expect(google({ "package.json": start }, { GOOGLE_PACKAGE_MANAGER: "pnpm" })).toMatchObject({ packageManager: "pnpm", processes: { web: "pnpm run start" }, detectedBy: "package.json and GOOGLE_PACKAGE_MANAGER=pnpm" });
    expect(google({ "package.json": start }, { GOOGLE_PACKAGE_MANAGER: "bun" })).toMatchObject({ packageManager: "bun", processes: { web: "npm run start" } });
    expect(google({ "package.json": start, "yarn.lock": "" }, { GOOGLE_PACKAGE_MANAGER: "pnpm" }).packageManager).toBe("yarn");
    expect(google({ "package.json": start }, { GOOGLE_PACKAGE_MANAGER: "yarn" }).packageManager).toBe("npm");
  });

  it("a missing start script: yarn has no fallback, pnpm and bun's npm run server.js", () => {
    const noStart = json({ name: "a", main: "a.js" });
    const yarn = google({ "package.json": noStart, "yarn.lock": "", "server.js": "" });
    expect(errors(yarn)).toEqual(["node-start-script-missing"]);
    expect(yarn.findings[0]!.message).toBe('The yarn buildpack starts the app with `yarn run start`, but package.json has no "start" script; the container would exit at once.');
    expect(errors(google({ "package.json": noStart, "pnpm-lock.yaml": "", "server.js": "" }))).toEqual([]);
    expect(errors(google({ "package.json": noStart, "pnpm-lock.yaml": "" }))).toEqual(["node-start-script-missing"]);
    expect(errors(google({ "package.json": noStart, "bun.lockb": "" }))).toEqual(["node-start-script-missing"]);
    // A Procfile replaces the start command, so nothing is missing.
    expect(errors(google({ "package.json": noStart, "yarn.lock": "", Procfile: "web: node a.js\n", "a.js": "" }))).toEqual([]);
  });

  it("a function on Yarn 2+ with the node-modules linker starts the framework from node_modules", () => {
    const fn = json({ name: "f", dependencies: { "@google-cloud/functions-framework": "^3" } });
    const r = google({ "package.json": fn, "yarn.lock": "__metadata:\n  version: 8\n", ".yarnrc.yml": "nodeLinker: node-modules\n", "index.js": "" }, { GOOGLE_FUNCTION_TARGET: "f" });
    expect(r.processes["web"]).toBe("node_modules/.bin/functions-framework");
    expect(r.detectedBy).toBe("package.json and yarn.lock (Yarn 2+) — a function (GOOGLE_FUNCTION_TARGET (service build env) = f)");
  });
});

describe("go run at launch (cmd/go/runtime: the toolchain is not in the run image)", () => {
  const app = { "go.mod": "module example.com/a\n\ngo 1.22\n", "main.go": "package main\n\nfunc main() {}\n" };
  it("flags every process that runs `go run`, at its Procfile line", () => {
    const r = google({ ...app, Procfile: "web: ./bin/main\njob: go run ./cmd/job\n" });
    expect(r.findings.filter((f) => f.code === "go-run-at-launch")).toEqual([expect.objectContaining({ file: "Procfile", line: 2 })]);
    expect(r.findings.find((f) => f.code === "go-run-at-launch")!.message).toContain('Procfile process "job" runs `go run ./cmd/job`');
    const env = google(app, { GOOGLE_ENTRYPOINT: "go run ." });
    expect(env.findings.find((f) => f.code === "go-run-at-launch")!.message).toContain("GOOGLE_ENTRYPOINT runs `go run .`");
  });
  it("other commands that contain the letters are left alone", () => {
    expect(errors(google({ ...app, Procfile: "web: cargo run --release\n" }))).not.toContain("go-run-at-launch");
    expect(errors(google({ ...app, Procfile: "web: ./mongo runner\n" }))).not.toContain("go-run-at-launch");
  });
});

describe("Go functions (cmd/go/functions_framework)", () => {
  it("GOOGLE_FUNCTION_SOURCE names the function's package folder", () => {
    const files = { "go.mod": "module example.com/f\n\ngo 1.22\n", "fn/fn.go": "package fn\n", "main.go": "package main\n\nfunc main() {}\n" };
    expect(google(files, { GOOGLE_FUNCTION_TARGET: "F", GOOGLE_FUNCTION_SOURCE: "fn" })).toMatchObject({ outcome: "web", findings: [] });
    expect(errors(google(files, { GOOGLE_FUNCTION_TARGET: "F" }))).toEqual(["function-package-main"]);
    expect(errors(google(files, { GOOGLE_FUNCTION_TARGET: "F", GOOGLE_FUNCTION_SOURCE: "nope" }))).toEqual(["function-source-missing"]);
  });
});

describe("Java's executable jar (pkg/java/java.go ExecutableJar)", () => {
  const pom = (build: string, parent = "") =>
    `<project><modelVersion>4.0.0</modelVersion>${parent}<groupId>g</groupId><artifactId>svc</artifactId><version>1.0</version><build>${build}</build></project>`;
  it("a plugin declared only under pluginManagement makes nothing executable", () => {
    const managed = google({ "pom.xml": pom("<pluginManagement><plugins><plugin><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></pluginManagement>") });
    expect(errors(managed)).toEqual(["java-no-main-class"]);
    expect(managed.findings[0]).toMatchObject({ file: "pom.xml" });
    expect(errors(google({ "pom.xml": pom("<plugins><plugin><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins>") }))).toEqual([]);
  });
  it("the assembly jar keeps its id unless appendAssemblyId is false; the jar plugin needs a mainClass", () => {
    const assembly = (extra: string) => pom(`<plugins><plugin><artifactId>maven-assembly-plugin</artifactId><configuration><archive><manifest><mainClass>a.B</mainClass></manifest></archive>${extra}</configuration></plugin></plugins>`);
    expect(google({ "pom.xml": assembly("") }).processes["web"]).toBe("java -jar target/svc-1.0-jar-with-dependencies.jar");
    expect(google({ "pom.xml": assembly("<appendAssemblyId>false</appendAssemblyId>") }).processes["web"]).toBe("java -jar target/svc-1.0.jar");
    expect(errors(google({ "pom.xml": pom("<plugins><plugin><artifactId>maven-jar-plugin</artifactId></plugin></plugins>") }))).toEqual(["java-no-main-class"]);
    expect(errors(google({ "pom.xml": pom("<plugins><plugin><artifactId>maven-shade-plugin</artifactId></plugin></plugins>") }))).toEqual(["java-no-main-class"]);
  });
  it("gives no verdict where a framework plugin or an unknown parent may write the manifest", () => {
    expect(errors(google({ "pom.xml": pom("<plugins><plugin><artifactId>quarkus-maven-plugin</artifactId></plugin></plugins>") }))).toEqual([]);
    expect(errors(google({ "pom.xml": pom("", "<parent><groupId>io.micronaut.platform</groupId><artifactId>micronaut-parent</artifactId><version>4.6.0</version></parent>") }))).toEqual([]);
    expect(errors(google({ "build.gradle": "plugins { id 'io.quarkus' }\n" }))).toEqual([]);
  });
  it("Gradle: a Main-Class attribute in either DSL, the Shadow jar, a multi-project build left alone", () => {
    expect(google({ "build.gradle.kts": 'tasks.jar { manifest { attributes("Main-Class" to "a.B") } }\nversion = "2.1"\n' }).processes["web"]).toBe("java -jar build/libs/workspace-2.1.jar");
    expect(google({ "build.gradle": "jar { manifest { attributes 'Main-Class': 'a.B' } }\n", "settings.gradle": "rootProject.name = 'svc'\n" }).processes["web"]).toBe("java -jar build/libs/svc.jar");
    expect(errors(google({ "build.gradle": "plugins { id 'java' }\n", "settings.gradle": "rootProject.name = 'svc'\ninclude 'api', 'core'\n" }))).toEqual([]);
    const plain = google({ "build.gradle": "plugins { id 'java' }\n" });
    expect(errors(plain)).toEqual(["java-no-main-class"]);
    expect(plain.findings[0]).toMatchObject({ file: "build.gradle" });
  });
  it("an explicit entrypoint or GOOGLE_BUILDABLE skips the search", () => {
    const plain = { "pom.xml": pom("") };
    expect(errors(google({ ...plain, Procfile: "web: java -cp target/classes a.B\n" }))).toEqual([]);
    expect(errors(google(plain, { GOOGLE_ENTRYPOINT: "java -cp target/classes a.B" }))).toEqual([]);
    expect(google(plain, { GOOGLE_BUILDABLE: "api/" }).processes["web"]).toBe("java -jar api/target/<the module's executable jar>");
  });
});

describe("Python functions", () => {
  it("are detected as functions, not as an app with a Procfile, and a Procfile still replaces the launch", () => {
    const fn = { "main.py": "def f(request):\n    return 'ok'\n", "requirements.txt": "functions-framework\n" };
    const r = google(fn, { GOOGLE_FUNCTION_TARGET: "f" });
    expect(r).toMatchObject({ outcome: "web", processes: { web: "functions-framework" }, detectedBy: "*.py files (main.py) — a function (GOOGLE_FUNCTION_TARGET (service build env) = f)" });
    const withProcfile = google({ ...fn, Procfile: "web: functions-framework --target=f --port=$PORT\n" }, { GOOGLE_FUNCTION_TARGET: "f" });
    expect(withProcfile.processes["web"]).toBe("functions-framework --target=f --port=$PORT");
    expect(withProcfile.detectedBy).toBe("*.py files (main.py) with a Procfile — a function (GOOGLE_FUNCTION_TARGET (service build env) = f)");
  });
});

describe("a Java function without a build file (cmd/java/functions_framework/lib/lib.go classpath)", () => {
  const CLASS = "com/acme/Fn.class";
  it("runs the invoker on the one jar at the root", () => {
    const r = google({ "fn.jar": "PK", [CLASS]: "" }, { GOOGLE_FUNCTION_TARGET: "com.acme.Fn" });
    expect(errors(r)).toEqual([]);
    expect(r.processes["web"]).toBe("java -jar /layers/google.java.functions-framework/functions-framework/java-function-invoker.jar --classpath fn.jar");
  });

  it("stops an exploded jar, which the builder does not take as a function's classpath", () => {
    const r = google({ "META-INF/MANIFEST.MF": "Main-Class: com.acme.Main\n", [CLASS]: "" }, { GOOGLE_FUNCTION_TARGET: "com.acme.Fn" });
    expect(errors(r)).toEqual(["java-function-no-single-jar"]);
    expect(r.findings[0]!.message).toContain("(an exploded jar is not one)");
    expect(r.findings[0]!.message).toContain('"function has neither pom.xml nor already-built jar file"');
    expect(r.processes["web"]).not.toContain("-classpath .");
  });

  it("stops two jars at the root, naming them", () => {
    const r = google({ "a.jar": "PK", "b.jar": "PK" }, { GOOGLE_FUNCTION_TARGET: "com.acme.Fn" });
    expect(errors(r)).toEqual(["java-function-no-single-jar"]);
    expect(r.findings[0]!.message).toContain("there are 2 (a.jar, b.jar)");
  });
});
