// compareLaunch's language paths on hand-made services: the same app under another command (Flask's server, go run,
// a Next.js build output), the Functions Framework, Java's jar and options, and the Go package, flags and arguments.
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compareLaunch } from "../../migrate/launch";
import type { RunCommand } from "../../migrate/run-steps";
import { removeTempTrees } from "./temp-tree";
import { gobuild, PY, run, service, type Opts } from "./launch-context";

afterAll(removeTempTrees);

describe("the same app under another command", () => {
  const FLASK = "import flask\napp = Flask(__name__)\napp.run(port=5000)\n";
  it("Flask's development server against the builder's gunicorn, with the port it no longer uses", () => {
    expect(run(PY + 'CMD ["python", "app.py"]\n', { web: "gunicorn -b :$PORT app:app", files: { "app.py": FLASK } })).toEqual({
      comparison: { dockerfile: "python app.py", buildpacks: "gunicorn -b :$PORT app:app", same: true, after: "gunicorn -b :$PORT app:app" },
      checks: [{ aspect: "launch", kind: "note", line: 2, text: "`python app.py` runs app.py's `app` in Flask's development server; the builder's `gunicorn -b :$PORT app:app` serves the same app on $PORT, and the port 5000 written in app.py no longer applies, so no Procfile line is needed" }],
    });
    expect(run(PY + 'CMD ["python3", "web/server.py"]\n', { web: "gunicorn web.server:app", files: { "web/server.py": "app = flask.Flask(__name__)\nport = 8080\n" } }).checks).toEqual([
      { aspect: "launch", kind: "note", line: 2, text: "`python3 web/server.py` runs web/server.py's `app` in Flask's development server; the builder's `gunicorn web.server:app` serves the same app on $PORT, so no Procfile line is needed" },
    ]);
    expect(run(PY + 'CMD ["python", "app.py"]\n', { web: "gunicorn app:app", files: { "app.py": "app=Flask(x)\nrun(port=5000)\n" } }).checks[0]!.text).toBe(
      "`python app.py` runs app.py's `app` in Flask's development server; the builder's `gunicorn app:app` serves the same app on $PORT, and the port 5000 written in app.py no longer applies, so no Procfile line is needed",
    );
  });

  it("an ASGI app against the builder's uvicorn", () => {
    expect(run(PY + 'CMD ["python", "main.py"]\n', { web: "uvicorn main:app --port $PORT", files: { "main.py": "app = FastAPI()\nuvicorn.run(app, port=80)\n" } }).checks[0]!.text).toBe(
      "`python main.py` runs main.py's `app` in its own uvicorn call; the builder's `uvicorn main:app --port $PORT` serves the same app on $PORT, and the port 80 written in main.py no longer applies, so no Procfile line is needed",
    );
    expect(run(PY + 'CMD ["python", "main.py"]\n', { web: "uvicorn main:app", files: { "main.py": "app = fastapi.Starlette()\nuvicorn.run(app)\n" } }).comparison.same).toBe(true);
    expect(run(PY + 'CMD ["python", "main.py"]\n', { web: "uvicorn main:app", files: { "main.py": "app = FastAPI()\nuvicorn.run(app, port = 5000)\n" } }).checks[0]!.text).toBe(
      "`python main.py` runs main.py's `app` in its own uvicorn call; the builder's `uvicorn main:app` serves the same app on $PORT, and the port 5000 written in main.py no longer applies, so no Procfile line is needed",
    );
  });

  it("not the same app: another module, another server, no such file, a comment, extra words, no builder command", () => {
    const flask = { "app.py": "app = Flask(__name__)\napp.run()\n" };
    const step = (c: string, o: Opts) => run(PY + `CMD ${c}\n`, o).checks.map((x) => x.text);
    expect(step("python app.py", { web: "gunicorn main:app", files: flask })).toEqual(["add a Procfile line `web: python app.py`"]);
    expect(step("python app.py", { web: "uvicorn app:app", files: flask })).toEqual(["add a Procfile line `web: python app.py`"]);
    expect(step("python app.py", { web: "gunicorn app:app", files: { "app.py": "# app = Flask(__name__)\napp.run()\n" } })).toEqual(["add a Procfile line `web: python app.py`"]);
    expect(step("python app.py", { web: "gunicorn app:app", files: { "app.py": "app  =  Flask(__name__)\napp.run()\n" } })).toEqual([
      "`python app.py` runs app.py's `app` in Flask's development server; the builder's `gunicorn app:app` serves the same app on $PORT, so no Procfile line is needed",
    ]);
    expect(step("python app.py", { web: "gunicorn app:app", files: { "app.py": "app = FastAPI()\napp.run()\n" } })).toEqual(["add a Procfile line `web: python app.py`"]);
    expect(step("python app.py", { web: "uvicorn app:application", files: { "app.py": "app = FastAPI()\napp.run()\n" } })).toEqual(["add a Procfile line `web: python app.py`"]);
    expect(step("python app.py --x", { web: "gunicorn app:app", files: flask })).toEqual(["add a Procfile line `web: python app.py --x`"]);
    expect(step("mypython app.py", { web: "gunicorn app:app", files: flask })[0]).toMatch(/^write a Procfile web line/);
    expect(step("python app.py", { files: flask })).toEqual(["add a Procfile line `web: python app.py`"]);
    expect(step("python app.pyw", { web: "gunicorn app:app", files: { ...flask, "app.pyw": "x" } })).toEqual(["add a Procfile line `web: python app.pyw`"]);
  });

  it("go run against the binary the Go buildpack compiles, for a Go app with a builder command", () => {
    expect(run("FROM golang:1.22\nCMD go run .\n", { language: "go", web: "/workspace/bin/app" })).toEqual({
      comparison: { dockerfile: "go run .", buildpacks: "/workspace/bin/app", same: true, after: "/workspace/bin/app" },
      checks: [{ aspect: "launch", kind: "note", line: 2, text: "`go run .` compiles and runs the app at start; the Go buildpack compiles it at build time and runs the binary (`/workspace/bin/app`)" }],
    });
    // Otherwise `go` is a program the buildpacks image does not have.
    const missing = (c: string) => `write a Procfile web line that starts the app from the source folder: the Dockerfile's \`${c}\` uses \`go\`, which a buildpacks image does not have (the app is in /workspace, the runtime and dependencies on PATH)`;
    expect(run("FROM golang:1.22\nCMD go run .\n", { language: "go" }).checks.map((c) => c.text)).toEqual([missing("go run .")]);
    expect(run("FROM golang:1.22\nCMD go build .\n", { language: "go", web: "app" }).checks[0]!.text).toMatch(/^write a Procfile web line .* uses `go`/);
    expect(run("FROM golang:1.22\nCMD go vet run\n", { language: "go", web: "app" }).checks[0]!.text).toMatch(/^write a Procfile web line .* uses `go`/);
    expect(run("FROM golang:1.22\nCMD go run .\n", { language: "nodejs", web: "app" }).checks[0]!.text).toMatch(/^write a Procfile web line .* uses `go`/);
  });

  it("a Node.js file the build stage made against `npm run start`", () => {
    const df = (src: string) => `FROM node:20 AS build\nRUN npm run build\nFROM node:20\nCOPY --from=build ${src} ./\nCMD ["node", "server.js"]\n`;
    const o: Opts = { language: "nodejs", web: "npm run start", scripts: { start: "next start" }, nodeDeps: ["next"], stages: [1] };
    const note = "`node server.js` runs server.js, which the Dockerfile's build stage made and the source folder does not have; the builder runs the build and then `npm run start` (`next start`), which serves the same app";
    expect(run(df("/app/.next/standalone"), o)).toEqual({
      comparison: { dockerfile: "node server.js", buildpacks: "npm run start", same: true, after: "npm run start" },
      checks: [{ aspect: "launch", kind: "note", line: 5, text: note }],
    });
    expect(run(df("/app/dist /app/package.json"), o).checks[0]!.text).toBe(note);
    const step = ["add a Procfile line `web: node server.js`"];
    expect(run(df("/app/public"), o).checks.map((c) => c.text)).toEqual(step);
    expect(run(df("/app/dist"), { ...o, stages: [0, 1] }).checks[0]!.text).toBe(note);
    expect(run(df("/app/dist"), { ...o, stages: [0] }).checks.map((c) => c.text)).toEqual(step);
    expect(run(df("/app/dist"), { ...o, files: { "server.js": "x" } }).checks.map((c) => c.text)).toEqual(step);
    // No start script: npm runs `node server.js` itself, the same command; another file is a Procfile line.
    expect(run(df("/app/dist"), { ...o, scripts: {} })).toMatchObject({ comparison: { same: true }, checks: [] });
    expect(run(df("/app/dist").replace('"server.js"', '"index.js"'), { ...o, scripts: {} }).checks.map((c) => c.text)).toEqual(["add a Procfile line `web: node index.js`"]);
    expect(run(df("/app/dist"), { ...o, web: "npm run start:prod" }).checks.map((c) => c.text)).toEqual(step);
    expect(run(df("/app/dist"), { ...o, web: "x npm run start" }).checks.map((c) => c.text)).toEqual(step);
    expect(run(df("/app/dist"), { ...o, language: "python" }).checks.map((c) => c.text)).toEqual(step);
    expect(run(df("/app/dist").replace('"server.js"', '"server.ts"'), o).checks.map((c) => c.text)).toEqual(["add a Procfile line `web: node server.ts`"]);
    expect(run(df("/app/dist").replace('"server.js"', '"server.js.map"'), o).checks.map((c) => c.text)).toEqual(["add a Procfile line `web: node server.js.map`"]);
    expect(run(df("/app/dist").replace('["node", "server.js"]', '["xnode", "server.js"]'), o).checks[0]!.text).toMatch(/^write a Procfile web line/);
    expect(run(df("/app/dist").replace('["node", "server.js"]', '["node", "--inspect", "server.js"]'), o).checks.map((c) => c.text)).toEqual(["add a Procfile line `web: node --inspect server.js`"]);
  });
});

describe("a Functions Framework start", () => {
  const ff = (cmd: string, o: Opts = {}) => run(`FROM node:20\nCMD ${cmd}\n`, { language: "nodejs", nodeDeps: ["@google-cloud/functions-framework", "functions-framework", "my-functions-framework", "functions-framework-x"], ...o });
  const target = (t: string) => `set \`GOOGLE_FUNCTION_TARGET: "${t}"\` under build.env in service.yaml instead of a Procfile: Google's builder then starts the Functions Framework itself on $PORT (its functions_framework buildpack)`;

  it("is GOOGLE_FUNCTION_TARGET, with the signature type and source it passes", () => {
    expect(ff("npx --yes -y @google-cloud/functions-framework --target=hello --signature-type=event --source=./src", { web: "npm start" })).toEqual({
      comparison: { dockerfile: "npx --yes -y @google-cloud/functions-framework --target=hello --signature-type=event --source=./src", buildpacks: "npm start", same: false, after: null },
      checks: [
        { aspect: "launch", kind: "step", line: 2, text: target("hello") },
        { aspect: "launch", kind: "step", line: 2, text: 'set `GOOGLE_FUNCTION_SIGNATURE_TYPE: "event"` under build.env in service.yaml (the Dockerfile passes --signature-type=event)' },
        { aspect: "launch", kind: "step", line: 2, text: 'set `GOOGLE_FUNCTION_SOURCE: "src"` under build.env in service.yaml (the Dockerfile passes --source=./src)' },
      ],
    });
    expect(ff("exec functions-framework --target hello --signature-type http").checks.map((c) => c.text)).toEqual([target("hello")]);
    expect(ff("/usr/local/bin/functions-framework-python --target=f", { language: "python" }).checks.map((c) => c.text)).toEqual([target("f")]);
    expect(ff("functions_framework --target=f").checks.map((c) => c.text)).toEqual([target("f")]);
  });

  it("needs a target, a Functions Framework program and Google's builder", () => {
    const plain = (c: string) => [`add a Procfile line \`web: ${c}\``];
    expect(ff("functions-framework --signature-type=event").checks.map((c) => c.text)).toEqual(plain("functions-framework --signature-type=event"));
    expect(ff("functions-framework --target=f", { family: "paketo" }).checks.map((c) => c.text)).toEqual(plain("functions-framework --target=f"));
    expect(ff("npx my-functions-framework --target=f").checks.map((c) => c.text)).toEqual(plain("npx my-functions-framework --target=f"));
    expect(ff("npx functions-framework-x --target=f").checks.map((c) => c.text)).toEqual(plain("npx functions-framework-x --target=f"));
    expect(ff("npm exec --target=f").checks.map((c) => c.text)).toEqual(plain("npm exec --target=f"));
  });
});

describe("a Java jar", () => {
  const JAVA = "FROM eclipse-temurin:21\n";
  it("JVM options go to JAVA_TOOL_OPTIONS, arguments to a Procfile line after the builder's java -jar", () => {
    expect(run(JAVA + 'ENTRYPOINT ["java", "-Xmx512m", "-jar", "/app/app.jar", "--spring.profiles.active=prod"]\n', { language: "java", web: "java -jar target/app.jar" })).toEqual({
      comparison: { dockerfile: "java -Xmx512m -jar /app/app.jar --spring.profiles.active=prod", buildpacks: "java -jar target/app.jar", same: false, after: "java -jar target/app.jar --spring.profiles.active=prod" },
      checks: [
        { aspect: "launch", kind: "step", line: 2, text: 'add `JAVA_TOOL_OPTIONS: "-Xmx512m"` under env in service.yaml: the Dockerfile passes these JVM options, and the builder\'s `java -jar target/app.jar` reads them from there' },
        { aspect: "launch", kind: "step", line: 2, text: "add a Procfile line `web: java -jar target/app.jar --spring.profiles.active=prod`" },
      ],
    });
    expect(run(JAVA + "CMD exec /opt/java/bin/java -jar app.jar\n", { language: "java", web: "java -jar target/x.jar" })).toEqual({
      comparison: { dockerfile: "exec /opt/java/bin/java -jar app.jar", buildpacks: "java -jar target/x.jar", same: true, after: "java -jar target/x.jar" },
      checks: [],
    });
  });

  it("not a jar the builder runs: a class path, no builder command, another builder command, not java", () => {
    const plain = (c: string) => [`add a Procfile line \`web: ${c}\``];
    expect(run(JAVA + 'CMD ["java", "-cp", "app.jar", "Main"]\n', { language: "java", web: "java -jar x.jar" }).checks.map((c) => c.text)).toEqual(plain("java -cp app.jar Main"));
    expect(run(JAVA + 'CMD ["java", "-jar", "app.jar"]\n', { language: "java" }).checks.map((c) => c.text)).toEqual(plain("java -jar app.jar"));
    expect(run(JAVA + 'CMD ["java", "-jar", "app.jar"]\n', { language: "java", web: "x java -jar x.jar" }).checks.map((c) => c.text)).toEqual(plain("java -jar app.jar"));
    expect(run(JAVA + 'CMD ["-jar", "java", "app.jar"]\n', { language: "java", web: "java -jar x.jar" }).checks[0]!.text).toMatch(/^write a Procfile web line/);
    expect(run(JAVA + 'CMD ["javac", "-jar", "app.jar"]\n', { language: "java", web: "java -jar x.jar" }).checks[0]!.text).toMatch(/^write a Procfile web line/);
    expect(run(JAVA + 'CMD ["java", "-jar", "app.jar"]\n', { language: "nodejs", web: "java -jar x.jar" }).checks.map((c) => c.text)).toEqual(plain("java -jar app.jar"));
  });
});

describe("a Go binary a build stage compiled", () => {
  const GO = "FROM golang:1.22 AS build\nRUN go build -o /out/api ./cmd/api\nFROM gcr.io/distroless/base\n";
  const go = (cmd: string, runs: RunCommand[], o: Opts = {}) => run(GO + `CMD ${cmd}\n`, { language: "go", web: "/workspace/bin/api", runs, stages: [1], ...o });

  it("the package the builder would not choose is GOOGLE_BUILDABLE (BP_GO_TARGETS on Paketo), -ldflags and arguments follow", () => {
    expect(go('["/bin/api", "--verbose"]', [gobuild("/out/api", ["./cmd/api/..."], "-s -w")], { detectedBy: "go.mod — builds ./cmd/other" })).toEqual({
      comparison: { dockerfile: "/bin/api --verbose", buildpacks: "/workspace/bin/api (built from ./cmd/other)", same: false, after: "/workspace/bin/api --verbose" },
      checks: [
        { aspect: "launch", kind: "step", line: 3, text: "set `GOOGLE_BUILDABLE: ./cmd/api` under build.env in service.yaml (the Dockerfile builds ./cmd/api; the builder would build ./cmd/other)" },
        { aspect: "launch", kind: "step", line: 3, text: 'set `GOOGLE_GOLDFLAGS: "-s -w"` under build.env in service.yaml (the Dockerfile links with -ldflags "-s -w")' },
        { aspect: "launch", kind: "step", line: 4, text: "add a Procfile line `web: /workspace/bin/api --verbose`" },
      ],
    });
    expect(go('["/out/api"]', [gobuild("/out/api", ["./"], "-X main.v=1")], { family: "paketo", detectedBy: null }).checks.map((c) => c.text)).toEqual([
      "set `BP_GO_TARGETS: .` under build.env in service.yaml (the Dockerfile builds .; the builder cannot choose among the main packages)",
      'set `BP_GO_BUILD_LDFLAGS: "-X main.v=1"` under build.env in service.yaml (the Dockerfile links with -ldflags "-X main.v=1")',
    ]);
    expect(go('["/out/api"]', [gobuild("/out/api", [])], { detectedBy: "go.mod — builds ./cmd/api" }).checks[0]!.text).toBe(
      "set `GOOGLE_BUILDABLE: .` under build.env in service.yaml (the Dockerfile builds .; the builder would build ./cmd/api)",
    );
  });

  it("the same package spelled otherwise is the builder's choice: nothing to set", () => {
    expect(go('["/out/api"]', [gobuild("/out/api", ["cmd/api/"])], { detectedBy: "go.mod — builds ./cmd/api/..." })).toEqual({
      comparison: { dockerfile: "/out/api", buildpacks: "/workspace/bin/api (built from ./cmd/api)", same: true, after: "/workspace/bin/api" },
      checks: [],
    });
    expect(go('["/out/api"]', [gobuild("/out/api", ["."])], { detectedBy: "go.mod — builds ." }).comparison).toEqual({ dockerfile: "/out/api", buildpacks: "/workspace/bin/api (built from .)", same: true, after: "/workspace/bin/api" });
    expect(go('["/out/api"]', [gobuild("/out/api", ["./cmd/api"])], { detectedBy: "go.mod — builds ./cmd/api (main)" }).checks[0]!.text).toBe(
      "set `GOOGLE_BUILDABLE: ./cmd/api` under build.env in service.yaml (the Dockerfile builds ./cmd/api; the builder cannot choose among the main packages)",
    );
  });

  it("the build is found by its output, by base name, or as the only one without -o", () => {
    const checks = (cmd: string, runs: RunCommand[]) => go(cmd, runs, { detectedBy: "go.mod — builds ./cmd/api" }).checks.map((c) => c.text);
    const buildable = ["set `GOOGLE_BUILDABLE: ./cmd/x` under build.env in service.yaml (the Dockerfile builds ./cmd/x; the builder would build ./cmd/api)"];
    expect(checks('["/srv/api"]', [gobuild("/out/other", ["./cmd/api"]), gobuild("/out/api", ["./cmd/x"])])).toEqual(buildable);
    expect(checks('["/out/api"]', [gobuild(null, ["./cmd/api"]), gobuild("/out/api", ["./cmd/x"])])).toEqual(buildable);
    expect(checks('["app"]', [gobuild(null, ["./cmd/x"])])).toEqual(buildable);
    // No build matches: the command is compared as any other.
    const plain = (c: string) => [`add a Procfile line \`web: ${c}\``];
    expect(checks('["/out/app"]', [gobuild(null, ["./cmd/x"]), gobuild(null, ["./cmd/y"])])[0]).toMatch(/^write a Procfile web line/);
    expect(checks('["/out/app"]', [gobuild("/out/api", ["./cmd/x"])])[0]).toMatch(/^write a Procfile web line/);
    expect(checks('["/out/api"]', [{ ...gobuild("/out/api", ["./cmd/x"]), kind: "housekeeping" } as RunCommand])[0]).toMatch(/^write a Procfile web line/);
    expect(checks('["/out/api"]', [{ kind: "go-build", stage: 0, line: 3, text: "go build" } as RunCommand])[0]).toMatch(/^write a Procfile web line/);
    expect(run(GO + 'CMD ["/out/api"]\n', { language: "python", web: "/workspace/bin/api", runs: [gobuild("/out/api", ["./cmd/x"])], stages: [1] }).checks[0]!.text).toMatch(/^write a Procfile web line/);
    void plain;
  });

  it("arguments without a builder command stay as they are", () => {
    expect(go('["/out/api", "-v"]', [gobuild("/out/api", ["."])], { web: undefined, detectedBy: "go.mod — builds ." })).toEqual({
      comparison: { dockerfile: "/out/api -v", buildpacks: null, same: true, after: null },
      checks: [],
    });
  });
});
