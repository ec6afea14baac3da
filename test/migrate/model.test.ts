// The pieces `gantry migrate` reads a Dockerfile and a source folder with, each against hand-written cases.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { baseFacts, pythonAppBase, versionInTag } from "../../dockerfile/bases";
import { parseDockerfile, parseImageRef } from "../../dockerfile/parse";
import { defaultPortOf, sourceListen } from "../../migrate/listen";
import { classifyPackage } from "../../migrate/packages";
import { procfileLine, pythonRunsAsScript } from "../../migrate/procfile-line";
import { classifyRuns } from "../../migrate/run-steps";
import { baseRuntime, compareLines, nearestOffered } from "../../migrate/runtime";
import type { Check } from "../../migrate/types";
import { reasonOf } from "../../migrate/verdict";

const dirs: string[] = [];
function tree(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "gantry-migrate-")));
  dirs.push(dir);
  for (const [rel, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), body);
  }
  return dir;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const run = (text: string) => classifyRuns([{ stage: 0, line: 1, text }]).map((r) => ({ kind: r.kind, ...(r.packages ? { packages: r.packages } : {}), ...(r.manager ? { manager: r.manager } : {}) }));

describe("ARG values, as Docker resolves them", () => {
  it("an ARG of the stage feeds a later ENV; a build arg of service.yaml wins over its default; ${X:-d} falls back", () => {
    const text = "ARG BASE=3.12\nFROM python:${BASE}-slim\nARG NODE_ENV=production\nARG MODE\nENV NODE_ENV=$NODE_ENV APP_MODE=${MODE:-batch} RAW=$UNSET\n";
    expect(parseDockerfile(text).config.env).toEqual([
      { name: "NODE_ENV", value: "production", source: "$NODE_ENV", line: 5 },
      { name: "APP_MODE", value: "batch", source: "${MODE:-batch}", line: 5 },
      { name: "RAW", value: "$UNSET", line: 5 },
    ]);
    const given = parseDockerfile(text, undefined, { NODE_ENV: "staging", MODE: "web", BASE: "3.11" });
    expect(given.config.env.map((e) => `${e.name}=${e.value}`)).toEqual(["NODE_ENV=staging", "APP_MODE=web", "RAW=$UNSET"]);
    expect(given.stages[0]!.base!.tag).toBe("3.11-slim");
  });

  it("a bare `ARG X` in a stage takes the global default; an ARG of another stage is not seen", () => {
    const text = "ARG VERSION=1.4\nFROM alpine AS a\nARG LOCAL=x\nFROM alpine\nARG VERSION\nENV V=$VERSION L=$LOCAL\n";
    expect(parseDockerfile(text).config.env.map((e) => `${e.name}=${e.value}`)).toEqual(["V=1.4", "L=$LOCAL"]);
  });

  it("an exec-form string keeps its spaces, across a continuation line", () => {
    expect(parseDockerfile('FROM nginx\nCMD ["nginx", \\\n  "-g", "daemon off;"]\n').config.cmd).toMatchObject({ argv: ["nginx", "-g", "daemon off;"], text: "nginx -g 'daemon off;'" });
    expect(parseDockerfile('FROM nginx\nCOPY ["my file.txt", "/srv/"]\n').copies[0]).toMatchObject({ sources: ["my file.txt"], dest: "/srv/" });
  });

  it("the image's root base follows stage parents; scratch has none", () => {
    expect(parseDockerfile("FROM node:20 AS base\nFROM base AS deps\nFROM deps\n").rootBase).toMatchObject({ name: "node", tag: "20" });
    expect(parseDockerfile("FROM golang:1.22 AS b\nFROM scratch\nCOPY --from=b /x /x\n").rootBase).toBeNull();
  });
});

describe("OS package installs in every form", () => {
  it.each([
    ["apt-get -y install ffmpeg", ["ffmpeg"], "apt-get"],
    ["apt-get install -y --no-install-recommends ffmpeg libpq5", ["ffmpeg", "libpq5"], "apt-get"],
    ["apt -o Dpkg::Options::=--force-confold -y install imagemagick", ["imagemagick"], "apt-get"],
    ["apt-get -o Acquire::Retries=3 install -y curl", ["curl"], "apt-get"],
    ["apt-get install -y -t bookworm-backports golang=2:1.21", ["golang"], "apt-get"],
    ["apk --no-cache add chromium", ["chromium"], "apk"],
    ["apk add --virtual .build-deps gcc musl-dev", ["gcc", "musl-dev"], "apk"],
    ["apk add --no-cache --repository http://dl-cdn.alpinelinux.org/alpine/edge/community vips>8.14", ["vips"], "apk"],
    ["yum -y --setopt=tsflags=nodocs install libreoffice", ["libreoffice"], "yum"],
    ["dnf install -y --enablerepo crb poppler-utils", ["poppler-utils"], "dnf"],
    ["microdnf install -y shadow-utils", ["shadow-utils"], "microdnf"],
    ["zypper in -y ghostscript", ["ghostscript"], "zypper"],
    ["sudo apt-get install -y $PACKAGES tesseract-ocr", ["tesseract-ocr"], "apt-get"],
  ])("%s", (text, packages, manager) => {
    expect(run(text)).toEqual([{ kind: "system-packages", packages, manager }]);
  });

  it("other verbs change nothing the image has", () => {
    expect(run("apt-get -qq update && apk --no-cache upgrade && yum clean all && apt-get -y autoremove").map((r) => r.kind)).toEqual(["housekeeping", "housekeeping", "housekeeping", "housekeeping"]);
    expect(run("apt-get -o Debug::x=1")).toEqual([{ kind: "housekeeping" }]);
  });

  it("a language runtime from the OS is the builder's to install; a library is not", () => {
    for (const p of ["python3", "python3-pip", "python3.11-venv", "py3-pip", "nodejs", "npm", "openjdk-17-jre-headless", "default-jdk", "golang-go", "ruby-full", "php8.2-cli"]) expect(classifyPackage(p, true), p).toBe("language-runtime");
    for (const p of ["libpython3-dev", "nodejs-doc", "python-is-python3x", "chromium"]) expect(classifyPackage(p, true), p).toBe("needs-image");
  });
});

describe("checks, dependency steps and custom commands", () => {
  it("linters and test runners are checks, wherever they are called from", () => {
    for (const t of ["flake8 .", "python -m pytest -q", "python3 -m mypy src", "black --check .", "npm run lint", "npm test", "npm run test:unit", "yarn lint", "pnpm run typecheck", "npx eslint src", "npx tsc --noEmit", "go test ./...", "go vet ./...", "mvn test", "./gradlew check", "ruff check ."]) {
      expect(run(t).map((r) => r.kind), t).toEqual(["check"]);
    }
  });

  it("a build tool's fetch or build is the buildpack's own work; npm run build stays a script", () => {
    for (const t of ["mvn -B dependency:go-offline", "mvn package -DskipTests", "./mvnw -q verify package", "gradle bootJar --no-daemon", "conda env create -f environment.yml", "uv sync --frozen", "poetry install --no-root"]) {
      expect(run(t).map((r) => r.kind), t).toEqual(["dependencies"]);
    }
    expect(classifyRuns([{ stage: 0, line: 1, text: "npm run build" }])[0]).toMatchObject({ kind: "node-script", script: "build" });
  });

  it("setting up a Node.js package manager is the builder's job", () => {
    expect(run("corepack enable && corepack prepare pnpm@9.1.0 --activate")).toEqual([{ kind: "housekeeping" }, { kind: "housekeeping" }]);
  });

  it("pip installs of tools the builder brings are no packages to list", () => {
    expect(run("pip install --no-cache-dir poetry==1.8.3 uv pipenv")).toEqual([{ kind: "housekeeping" }]);
    expect(run("pip install boto3 uv")).toEqual([{ kind: "python-packages", packages: ["boto3"] }]);
  });
});

describe("well-known bases", () => {
  const facts = (ref: string) => baseFacts(parseImageRef(ref))?.kind ?? null;
  it("names what a base brings beyond a language runtime, whatever registry spells it", () => {
    expect(facts("ghcr.io/puppeteer/puppeteer:22.6.0")).toBe("browser");
    expect(facts("mcr.microsoft.com/playwright/python:v1.44.0-jammy")).toBe("browser");
    expect(facts("google/cloud-sdk:slim")).toBe("cloud-sdk");
    expect(facts("gcr.io/google.com/cloudsdktool/google-cloud-cli:alpine")).toBe("cloud-sdk");
    expect(facts("ghcr.io/osgeo/gdal:ubuntu-small-3.8.4")).toBe("system-libraries");
    expect(facts("nginx:1.27-alpine")).toBe("web-server");
    expect(facts("docker.io/library/tomcat:10.1-jdk17")).toBe("app-server");
    expect(facts("denoland/deno:1.44.0")).toBe("other-runtime");
    expect(facts("continuumio/miniconda3")).toBe("other-runtime");
    expect(facts("postgres:16")).toBe("service");
    for (const plain of ["python:3.12-slim", "node:20", "ubuntu:22.04", "nginxproxy/nginx-proxy", "my-nginx", "cloud-sdk-tools/x"]) expect(facts(plain), plain).toBeNull();
    expect(baseFacts(null)).toBeNull();
  });

  it("knows the Python framework bases that start their own server", () => {
    expect(pythonAppBase(parseImageRef("tiangolo/uvicorn-gunicorn-fastapi:python3.9-slim"))).toBe(true);
    expect(pythonAppBase(parseImageRef("tiangolo/uwsgi-nginx-flask:python3.8"))).toBe(true);
    expect(pythonAppBase(parseImageRef("python:3.12"))).toBe(false);
    expect(pythonAppBase(null)).toBe(false);
  });

  it.each([
    ["python3.9-slim", "python", "3.9"],
    ["python-3.11", "python", "3.11"],
    ["3.8.5-eclipse-temurin-17", "java", "17"],
    ["3-openjdk-11", "java", "11"],
    ["8.7-jdk21", "java", "21"],
    ["10.1-jdk17-temurin", "java", "17"],
    ["3.9", "java", null],
    ["python3.11-nodejs20", "nodejs", "20"],
    ["node18-slim", "nodejs", "18"],
    ["latest", "python", null],
  ] as const)("the tag %s names %s %s", (tag, language, version) => {
    expect(versionInTag(tag, language)).toBe(version);
  });

  it("reads the language line of a tool image from its JDK or Python part, never from the tool's own version", () => {
    const stage = (ref: string) => baseRuntime(parseDockerfile(`FROM ${ref}\n`).stages[0]!);
    expect(stage("maven:3.8.5-eclipse-temurin-17")).toEqual({ language: "java", version: "17" });
    expect(stage("maven:3.9")).toEqual({ language: "java", version: null });
    expect(stage("gradle:8.7-jdk21")).toEqual({ language: "java", version: "21" });
    expect(stage("tiangolo/uvicorn-gunicorn-fastapi:python3.9-slim")).toEqual({ language: "python", version: "3.9" });
    expect(stage("eclipse-temurin:17-jre-alpine")).toEqual({ language: "java", version: "17" });
    expect(stage("google/cloud-sdk:slim")).toBeNull();
    expect(stage("mcr.microsoft.com/dotnet/aspnet:8.0")).toEqual({ language: "dotnet", version: "8" });
  });
});

describe("version lines", () => {
  it("orders numerically, not as text", () => {
    expect(compareLines("3.9", "3.10")).toBeLessThan(0);
    expect(compareLines("3.10", "3.9")).toBeGreaterThan(0);
    expect(compareLines("22", "22")).toBe(0);
    expect(compareLines("3", "3.0")).toBe(0);
  });

  it("the nearest offered line: the next newer, else the newest", () => {
    const py = ["3.10", "3.11", "3.12", "3.13"];
    expect(nearestOffered("3.9", py)).toBe("3.10");
    expect(nearestOffered("3.14", py)).toBe("3.13");
    expect(nearestOffered("21", ["12", "14", "16", "18", "20", "22", "24"])).toBe("22");
    expect(nearestOffered("25", ["22", "24"])).toBe("24");
    expect(nearestOffered("23", ["24", "22"])).toBe("24");
  });
});

describe("a Procfile line for a buildpacks image", () => {
  const dir = tree({ "start.sh": "#!/bin/sh\n", "main.py": "app = 1\n", "bin/run.sh": "#!/bin/sh\n" });
  it.each([
    ["/usr/local/bin/python3 main.py", "python3 main.py", []],
    ["/opt/venv/bin/gunicorn -b :8080 main:app", "gunicorn -b :8080 main:app", []],
    ["uv run --frozen uvicorn main:app", "uvicorn main:app", []],
    ["poetry run gunicorn app:app", "gunicorn app:app", []],
    ["start.sh", "./start.sh", []],
    ["./bin/run.sh --fast", "./bin/run.sh --fast", []],
    ["java -jar /helloworld.jar", "java -jar /helloworld.jar", ["/helloworld.jar"]],
    ["gunicorn --config=/etc/gunicorn.py app:app", "gunicorn --config=/etc/gunicorn.py app:app", ["/etc/gunicorn.py"]],
    ["python other.py", "python other.py", ["other.py"]],
    ["conda run -n svc python serve.py", "conda run -n svc python serve.py", ["conda", "serve.py"]],
    ["/usr/local/bin/supervisord -c x", "/usr/local/bin/supervisord -c x", ["/usr/local/bin/supervisord"]],
    ["sh -c 'exec gunicorn app:app' >/tmp/log", "sh -c 'exec gunicorn app:app' >/tmp/log", []],
    ["CONFIG=/workspace/conf.yml exec gunicorn app:app", "CONFIG=/workspace/conf.yml exec gunicorn app:app", []],
  ])("%s -> %s", (command, line, missing) => {
    expect(procfileLine(command, dir)).toEqual({ command: line, missing });
  });

  it("a dependency's console script is on PATH; an unknown program is not", () => {
    expect(procfileLine("celery -A tasks worker", dir, new Set(["celery"])).missing).toEqual([]);
    expect(procfileLine("celery -A tasks worker", dir).missing).toEqual(["celery"]);
  });

  it("tells a Python file that starts something from one that only defines the app", () => {
    const d = tree({ "a.py": "app = Flask(__name__)\n", "b.py": 'if __name__ == "__main__":\n    app.run()\n', "c.py": "app = web.Application()\nweb.run_app(app)\n", "d.py": "uvicorn.run(app)\n" });
    expect(pythonRunsAsScript(d, "a.py")).toBe(false);
    expect(pythonRunsAsScript(d, "b.py")).toBe(true);
    expect(pythonRunsAsScript(d, "c.py")).toBe(true);
    expect(pythonRunsAsScript(d, "d.py")).toBe(true);
    expect(pythonRunsAsScript(d, "missing.py")).toBeNull();
  });
});

describe("the port the app listens on", () => {
  it.each([
    [{ "app.py": 'if __name__ == "__main__":\n    app.run(host="0.0.0.0", port=5000)\n' }, 5000, "app.py:2", false],
    [{ "main.py": "import uvicorn\nuvicorn.run(app, host='0.0.0.0', port=8000)\n" }, 8000, "main.py:2", false],
    [{ "index.js": "const app = express();\n\napp.listen(3000, () => {});\n" }, 3000, "index.js:3", false],
    [{ "server.js": "app.listen(process.env.PORT || 3000)\n" }, null, null, true],
    [{ "main.go": 'package main\nfunc main() {\n\thttp.ListenAndServe(":80", nil)\n}\n' }, 80, "main.go:3", false],
    [{ "main.go": 'package main\nfunc main() { r.Run(":9000") }\n' }, 9000, "main.go:2", false],
    [{ "src/main/resources/application.properties": "spring.application.name=x\nserver.port=8081\n" }, 8081, "src/main/resources/application.properties:2", false],
    [{ "main.go": 'http.ListenAndServe(":"+os.Getenv("PORT"), nil)\n' }, null, null, true],
    [{ "README.md": "app.listen(3000)\n" }, null, null, false],
    [{ "gunicorn.conf.py": 'workers = 2\nbind = "0.0.0.0:8000"\n' }, 8000, "gunicorn.conf.py:2", false],
  ])("%j", (files, port, where, readsPort) => {
    expect(sourceListen(tree(files))).toEqual({ port, where, readsPort });
  });

  it("a server's own default when the command gives no port", () => {
    expect(defaultPortOf("flask run --host=0.0.0.0")).toBe(5000);
    expect(defaultPortOf("python -m flask run --host=0.0.0.0")).toBe(5000);
    expect(defaultPortOf("python3 -m uvicorn main:app")).toBe(8000);
    expect(defaultPortOf("uvicorn main:app --host 0.0.0.0")).toBe(8000);
    expect(defaultPortOf("streamlit run app.py")).toBe(8501);
    expect(defaultPortOf("python manage.py runserver")).toBe(8000);
    expect(defaultPortOf("python manage.py runserver 0.0.0.0:9000")).toBe(9000);
    expect(defaultPortOf("gunicorn app:app")).toBeNull();
    expect(defaultPortOf("uvicorn main:app --port $PORT")).toBeNull();
    expect(defaultPortOf("node server.js")).toBeNull();
  });
});

describe("the verdict's reason, one line", () => {
  const c = (kind: Check["kind"], text: string): Check => ({ aspect: "build", kind, text });
  it("a blocker with its why, and how many more", () => {
    expect(reasonOf([c("step", "s: x"), c("blocker", "ffmpeg (apt-get install): no OS packages; or drop it")], "R")).toBe("ffmpeg (apt-get install): no OS packages");
    expect(reasonOf([c("blocker", "a; b"), c("blocker", "c")], "R")).toBe("a (and 1 more blocker)");
    expect(reasonOf([c("blocker", "a"), c("blocker", "c"), c("blocker", "d")], "R")).toBe("a (and 2 more blockers)");
  });

  it("steps: how many and the first change, a colon inside backticks kept", () => {
    expect(reasonOf([c("note", "n"), c("step", "set `GOOGLE_GO_VERSION: \"1.22\"` under build.env: because")], "R")).toBe('1 step, first: set `GOOGLE_GO_VERSION: "1.22"` under build.env');
    expect(reasonOf([c("step", "a; b"), c("step", "c")], "R")).toBe("2 steps, first: a");
    expect(reasonOf([c("step", "plain")], "R")).toBe("1 step, first: plain");
    // Only a colon or semicolon followed by a space ends the change.
    expect(reasonOf([c("step", "map host:port now: because")], "R")).toBe("1 step, first: map host:port now");
  });

  it("ready: what makes it ready", () => {
    expect(reasonOf([c("note", "x")], "the same command")).toBe("the same command");
    expect(reasonOf([], "R")).toBe("R");
  });
});
