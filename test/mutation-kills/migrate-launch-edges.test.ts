// launch.ts's edges the first kill tests left open: a name that only starts like a server or script, `./app.py`,
// an app folder without app/main.py, and the Go builder line when the builder names no package.
import { afterAll, describe, expect, it } from "vitest";
import { parseDockerfile } from "../../dockerfile/parse";
import { comparable, rewriteForWorkspace } from "../../migrate/launch";
import { removeTempTrees } from "./temp-tree";
import { gobuild, PY, run, type Opts } from "./launch-context";

afterAll(removeTempTrees);

describe("edges", () => {
  it("a multi-source COPY is never read as its first file; a bare name matches only whole", () => {
    const parsed = parseDockerfile("FROM python:3.12\nCOPY a.sh b.sh /usr/local/bin/\nCOPY scripts/run.sh /usr/local/bin/run\n");
    expect(rewriteForWorkspace("a.sh", parsed, new Set([0]), "/ctx", "/ctx")).toBe("a.sh");
    expect(rewriteForWorkspace("runner --x", parsed, new Set([0]), "/ctx", "/ctx")).toBe("runner --x");
    expect(rewriteForWorkspace("run --x", parsed, new Set([0]), "/ctx", "/ctx")).toBe("./scripts/run.sh --x");
  });

  it("`npm <other> start` is not the start script", () => {
    expect(comparable("npm exec start", { start: "node a.js" })).toEqual(["npm", "exec", "start"]);
  });

  it("`python ./app.py` and `exec python app.py` are the same Flask app as the builder's gunicorn (fix: ./ was not read)", () => {
    const files = { "app.py": "app = Flask(__name__)\napp.run()\n" };
    expect(run(PY + "CMD python ./app.py\n", { web: "gunicorn app:app", files })).toEqual({
      comparison: { dockerfile: "python ./app.py", buildpacks: "gunicorn app:app", same: true, after: "gunicorn app:app" },
      checks: [{ aspect: "launch", kind: "note", line: 2, text: "`python ./app.py` runs ./app.py's `app` in Flask's development server; the builder's `gunicorn app:app` serves the same app on $PORT, so no Procfile line is needed" }],
    });
    expect(run(PY + "CMD exec python app.py\n", { web: "gunicorn app:app", files }).checks.map((c) => c.text)).toEqual([
      "`exec python app.py` runs app.py's `app` in Flask's development server; the builder's `gunicorn app:app` serves the same app on $PORT, so no Procfile line is needed",
    ]);
    expect(run(PY + "CMD pythonw app.py\n", { web: "gunicorn app:app", files }).checks[0]!.text).toMatch(/^write a Procfile web line .* uses `pythonw`/);
  });

  it("an ASGI app is found only as a top-level `app = FastAPI(`, however spaced", () => {
    const note = "`python main.py` runs main.py's `app` in its own uvicorn call; the builder's `uvicorn main:app` serves the same app on $PORT, so no Procfile line is needed";
    expect(run(PY + "CMD python main.py\n", { web: "uvicorn main:app", files: { "main.py": "app  =  FastAPI()\nuvicorn.run(app)\n" } }).checks.map((c) => c.text)).toEqual([note]);
    expect(run(PY + "CMD python main.py\n", { web: "uvicorn main:app", files: { "main.py": "myapp = FastAPI()\nuvicorn.run(myapp)\n" } }).checks.map((c) => c.text)).toEqual(["add a Procfile line `web: python main.py`"]);
  });

  it("only `go run` in a Go app is the Go buildpack's binary", () => {
    expect(run("FROM golang:1.22\nCMD task run\n", { language: "go", web: "/workspace/bin/app", pythonDeps: ["task"] }).checks.map((c) => c.text)).toEqual(["add a Procfile line `web: task run`"]);
  });

  it("a Node.js build output is only `node <file>.js` alone, copied from a build stage, with a package.json", () => {
    const df = (copy: string, cmd = '["node", "server.js"]') => `FROM node:20 AS build\nRUN npm run build\nFROM node:20\n${copy}\nCMD ${cmd}\n`;
    const o: Opts = { language: "nodejs", web: "npm run start", scripts: { start: "next start" }, nodeDeps: ["next", "nodemon"], stages: [1] };
    expect(run(df("COPY --from=build /app/dist ./", '["nodemon", "server.js"]'), o).checks.map((c) => c.text)).toEqual(["add a Procfile line `web: nodemon server.js`"]);
    expect(run(df("COPY --from=build /app/dist ./", '["node", "server.js", "--port", "3000"]'), o).checks.map((c) => c.text)).toEqual(["add a Procfile line `web: node server.js --port 3000`"]);
    expect(run(df("COPY dist ./"), o).checks.map((c) => c.text)).toEqual(["add a Procfile line `web: node server.js`"]);
    expect(run(df("COPY --from=build /app/dist ./", '["node", "index.js"]'), { language: "nodejs", web: "npm run start", stages: [1] }).checks.map((c) => c.text)).toEqual(["add a Procfile line `web: node index.js`"]);
  });

  it("a framework base with an app folder but no app/main.py serves main:app; checks carry no line", () => {
    const r = run("FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11\n", { files: { "app/other.py": "x", "main.py": "x" }, pythonDeps: ["gunicorn", "uvicorn"] });
    expect(r).toStrictEqual({
      comparison: { dockerfile: null, buildpacks: null, same: false, after: "gunicorn -k uvicorn.workers.UvicornWorker -b :$PORT main:app" },
      checks: [{ aspect: "launch", kind: "step", line: 1, text: "add a Procfile line `web: gunicorn -k uvicorn.workers.UvicornWorker -b :$PORT main:app` (FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11 starts gunicorn with uvicorn workers from a start script of the image's own on port 80)" }],
    });
    expect(run("FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11\n", { pythonDeps: ["uvicorn"] }).checks[1]).toStrictEqual({ aspect: "launch", kind: "step", text: "add `gunicorn` to requirements.txt: with a Procfile the builder installs only what the app lists" });
  });

  it("a Go package written with a doubled trailing slash is the builder's; with no package named the builder line is its command alone", () => {
    const GO = "FROM golang:1.22 AS build\nRUN go build -o /out/api ./cmd/api\nFROM gcr.io/distroless/base\nCMD [\"/out/api\"]\n";
    expect(run(GO, { language: "go", web: "/workspace/bin/api", runs: [gobuild("/out/api", ["./cmd/api//"])], stages: [1], detectedBy: "go.mod — builds ./cmd/api" }).checks).toEqual([]);
    expect(run(GO, { language: "go", web: "/workspace/bin/api", runs: [gobuild("/out/api", ["."])], stages: [1], detectedBy: null }).comparison).toEqual({
      dockerfile: "/out/api",
      buildpacks: "/workspace/bin/api",
      same: false,
      after: "/workspace/bin/api",
    });
  });
});
