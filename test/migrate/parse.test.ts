import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { comparable, launchOf, rewriteForWorkspace, sameCommand } from "../../migrate/launch";
import { DockerfileError, parseDockerfile, parseImageRef } from "../../dockerfile/parse";
import { migrateService } from "../../migrate/report";
import { classifyRuns } from "../../migrate/run-steps";
import { baseRuntime } from "../../migrate/runtime";
import { BASE, catalogOf } from "../support/catalog-fixture";

const launch = (text: string, target?: string) => launchOf(parseDockerfile(text, target).config);

describe("the start command Docker would run", () => {
  it("exec-form ENTRYPOINT gets CMD appended; shell form runs through /bin/sh -c", () => {
    expect(launch('FROM python:3.12\nENTRYPOINT ["uvicorn"]\nCMD ["main:app", "--port", "8000"]\n')).toEqual({ argv: ["uvicorn", "main:app", "--port", "8000"], command: "uvicorn main:app --port 8000", line: 2, init: null });
    expect(launch("FROM python:3.12\nCMD gunicorn -b :$PORT 'app:create_app()'\n")).toMatchObject({ argv: ["/bin/sh", "-c", "gunicorn -b :$PORT 'app:create_app()'"], command: "gunicorn -b :$PORT 'app:create_app()'" });
    expect(launch('FROM node:20\nENTRYPOINT ["docker-entrypoint.sh"]\nCMD npm start\n')!.argv).toEqual(["docker-entrypoint.sh", "/bin/sh", "-c", "npm start"]);
  });

  it("shell-form ENTRYPOINT ignores CMD; SHELL changes the shell", () => {
    expect(launch('FROM node:20\nENTRYPOINT node server.js\nCMD ["--inspect"]\n')!.command).toBe("node server.js");
    expect(launch('FROM python:3.12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nCMD python app.py | tee /tmp/log\n')).toMatchObject({ argv: ["/bin/bash", "-o", "pipefail", "-c", "python app.py | tee /tmp/log"], command: "python app.py | tee /tmp/log" });
  });

  it("follows stages: a child inherits CMD, ENV, EXPOSE and WORKDIR; its ENTRYPOINT drops the inherited CMD but keeps its own", () => {
    const base = 'FROM python:3.12-slim AS base\nWORKDIR /app\nENV A=1\nEXPOSE 8000\nCMD ["python", "main.py"]\n';
    const parsed = parseDockerfile(`${base}FROM base AS web\nENV B=$A-2\n`);
    expect(parsed.config).toMatchObject({ workdir: "/app", env: [{ name: "A", value: "1" }, { name: "B", value: "1-2" }], expose: [{ port: 8000, protocol: "tcp" }] });
    expect(launchOf(parsed.config)!.command).toBe("python main.py");
    expect(launch(`${base}FROM base\nENTRYPOINT ["gunicorn"]\n`)!.argv).toEqual(["gunicorn"]);
    expect(launch(`${base}FROM base\nCMD ["-b", ":8080"]\nENTRYPOINT ["gunicorn"]\n`)!.argv).toEqual(["gunicorn", "-b", ":8080"]);
  });

  it("tini and dumb-init are set aside", () => {
    expect(launch('FROM node:20\nENTRYPOINT ["/usr/bin/tini", "--"]\nCMD ["node", "index.js"]\n')).toMatchObject({ command: "node index.js", init: "tini" });
    expect(launch('FROM node:20\nENTRYPOINT ["dumb-init", "node", "index.js"]\n')).toMatchObject({ command: "node index.js", init: "dumb-init" });
  });

  it("builds --target's stage, substitutes ARG defaults in FROM, and ignores stages the image does not use", () => {
    const text = 'ARG PY=3.11\nFROM python:${PY}-slim AS deps\nRUN pip install -r requirements.txt\nFROM node:20 AS unused\nRUN npm ci\nFROM deps AS prod\nCMD ["python", "app.py"]\nFROM prod AS debug\nCMD ["python", "-X", "dev", "app.py"]\n';
    const parsed = parseDockerfile(text, "prod");
    expect(parsed.built.name).toBe("prod");
    expect(parsed.stages[0]!.base).toMatchObject({ name: "python", tag: "3.11-slim" });
    expect(parsed.reachable.map((s) => s.name)).toEqual(["deps", "prod"]);
    expect(parsed.runs.map((r) => r.text)).toEqual(["pip install -r requirements.txt"]);
    expect(launchOf(parsed.config)!.command).toBe("python app.py");
    expect(() => parseDockerfile(text, "nope")).toThrow(DockerfileError);
    expect(() => parseDockerfile("# empty\n")).toThrow("the Dockerfile has no FROM instruction");
  });

  it("reads COPY --from, ADD and heredoc RUN lines", () => {
    const parsed = parseDockerfile("FROM golang:1.22 AS build\nRUN <<EOF\ngo mod download\ngo build -o /out/app .\nEOF\nFROM alpine:3.19\nCOPY --from=build /out/app /app\nCOPY --from=ghcr.io/acme/tools:1 /bin/tool /usr/local/bin/\nADD https://example.com/model.bin /models/\n");
    expect(parsed.runs).toEqual([{ stage: 0, line: 2, text: "go mod download && go build -o /out/app ." }]);
    expect(parsed.copies.map((c) => [c.keyword, c.from, c.sources, c.dest])).toEqual([
      ["COPY", "build", ["/out/app"], "/app"],
      ["COPY", "ghcr.io/acme/tools:1", ["/bin/tool"], "/usr/local/bin/"],
      ["ADD", null, ["https://example.com/model.bin"], "/models/"],
    ]);
  });
});

describe("commands compared for what they run", () => {
  it("treats spellings of the same command as the same", () => {
    expect(sameCommand("exec python3 -m gunicorn --bind=0.0.0.0:8080 main:app", "gunicorn -b :8080 main:app", {})).toBe(true);
    expect(sameCommand("gunicorn --bind 0.0.0.0:${PORT} main:app", "gunicorn -b :$PORT main:app", {})).toBe(true);
    expect(sameCommand("npm start", "node server.js", { start: "node server.js" })).toBe(true);
    expect(sameCommand("node server.js", "npm run start", {})).toBe(true);
    // What Google's yarn and pnpm buildpacks register, against what a Dockerfile usually says.
    expect(sameCommand("yarn start", "yarn run start", { start: "node app.js" })).toBe(true);
    expect(sameCommand("pnpm start", "pnpm run start", { start: "node app.js" })).toBe(true);
    expect(sameCommand("yarn run-script start", "yarn run start", { start: "node app.js" })).toBe(false);
    expect(sameCommand("gunicorn -b :8080 app:server", "gunicorn -b :8080 app:app", {})).toBe(false);
    expect(comparable("python ./main.py", {})).toEqual(["python", "main.py"]);
  });

  it("rewrites paths for /workspace: the WORKDIR prefix, and a script copied onto the PATH", () => {
    const parsed = parseDockerfile('FROM python:3.12\nWORKDIR /srv/app\nCOPY scripts/start.sh /usr/local/bin/\nCOPY . .\nCMD ["start.sh", "/srv/app/config.yaml"]\n');
    const stages = new Set([0]);
    expect(rewriteForWorkspace(launchOf(parsed.config)!.command, parsed, stages, "/ctx", "/ctx")).toBe("./scripts/start.sh config.yaml");
  });
});

describe("RUN commands, classified", () => {
  it("tells OS packages, dependency installs, packages by name, builds and custom steps apart", () => {
    const runs = classifyRuns([
      { stage: 0, line: 1, text: "apt-get update && apt-get install -y --no-install-recommends libpq-dev=15.* curl && rm -rf /var/lib/apt/lists/*" },
      { stage: 0, line: 2, text: "apk add --no-cache --virtual .build-deps gcc musl-dev" },
      { stage: 0, line: 3, text: "pip install --no-cache-dir -r requirements.txt gunicorn==22.0.0 && python -m pip install --upgrade pip" },
      { stage: 0, line: 4, text: "npm ci --omit=dev && npm install -g pm2 && npm run build" },
      { stage: 0, line: 5, text: 'CGO_ENABLED=0 go build -trimpath -ldflags "-X main.version=1" -o /bin/api ./cmd/api' },
      { stage: 0, line: 6, text: "python manage.py collectstatic --noinput; python -m venv /venv" },
    ]);
    expect(runs.map((r) => [r.line, r.kind, r.packages ?? r.script ?? r.go ?? null])).toEqual([
      [1, "housekeeping", null],
      [1, "system-packages", ["libpq-dev", "curl"]],
      [1, "housekeeping", null],
      [2, "system-packages", ["gcc", "musl-dev"]],
      [3, "python-packages", ["gunicorn==22.0.0"]],
      [3, "housekeeping", null],
      [4, "dependencies", null],
      [4, "node-packages", ["pm2"]],
      [4, "node-script", "build"],
      [5, "go-build", { output: "/bin/api", packages: ["./cmd/api"], ldflags: "-X main.version=1" }],
      [6, "custom", null],
      [6, "housekeeping", null],
    ]);
  });
});

describe("the runtime version of a base image", () => {
  it.each([
    ["python:3.11-slim", "python", "3.11"],
    ["docker.io/library/python:3.12.4-bookworm", "python", "3.12"],
    ["node:20-alpine", "nodejs", "20"],
    ["node:lts-alpine", "nodejs", null],
    ["golang:1.22", "go", "1.22"],
    ["golang:alpine", "go", null],
    ["gcr.io/distroless/nodejs20-debian12", "nodejs", "20"],
    ["gcr.io/distroless/python3-debian12", "python", null],
    ["python:3", "python", null],
  ])("%s is %s %s", (image, language, version) => {
    const stage = { index: 0, name: null, line: 1, base: parseImageRef(image), parent: null, instructions: [] };
    expect(baseRuntime(stage)).toEqual({ language, version });
  });

  it("is not an answer for other images", () => {
    expect(baseRuntime({ index: 0, name: null, line: 1, base: parseImageRef("ubuntu:22.04"), parent: null, instructions: [] })).toBeNull();
  });
});

describe("what buildpacks cannot do", () => {
  it("a Python the builder does not offer, files from another image; and the steps for a file fetched by URL or copied from outside", () => {
    const c = catalogOf({ api: `${BASE.service}build:\n  dockerfile: Dockerfile\n  context: ..\n` });
    const dir = path.join(c.root, "services", "api");
    fs.writeFileSync(path.join(dir, "main.py"), "app = None\n");
    fs.writeFileSync(path.join(dir, "requirements.txt"), "gunicorn\n");
    fs.mkdirSync(path.join(c.root, "services", "shared"));
    fs.writeFileSync(
      path.join(dir, "Dockerfile"),
      'FROM python:3.8-slim\nWORKDIR /app\nCOPY shared/ /app/shared/\nCOPY api/ .\nCOPY --from=ghcr.io/acme/ffmpeg:6 /usr/bin/ffmpeg /usr/bin/ffmpeg\nADD https://example.com/model.bin /app/model.bin\nCMD ["gunicorn", "-b", ":8080", "main:app"]\n',
    );
    const result = migrateService(c.services.dev![0]!, c.platforms.dev!.builder, c.root)!;
    expect(result.verdict).toBe("blocked");
    expect(result.blockers).toEqual(["COPY --from=ghcr.io/acme/ffmpeg:6 takes /usr/bin/ffmpeg from another image; buildpacks cannot add files from an image, so this needs a custom run image"]);
    // A version the stack does not offer is a change to make, not a wall: the nearest offered line, upward.
    expect(result.steps).toEqual([
      "pin `.python-version` 3.10: the Dockerfile runs Python 3.8 (FROM python:3.8-slim), which the google-22 builder does not offer (it offers 3.10, 3.11, 3.12, 3.13); upgrade the app to Python 3.10",
      "move shared/ into the service's source folder (or point source at a folder that holds both): the Dockerfile copies it from outside, and buildpacks see only .",
      "commit the file ADD downloads from https://example.com/model.bin to the source folder: buildpacks fetch nothing at build time",
    ]);
  });
});

describe("ENV the app reads", () => {
  it("asks for each variable under env, unless service.yaml has it; one from a build arg asks for the value the build gave it", () => {
    const c = catalogOf({ api: `${BASE.service}env:\n  TZ: Europe/Berlin\n  MODE: staging\nbuild:\n  dockerfile: Dockerfile\n` });
    const dir = path.join(c.root, "services", "api");
    fs.writeFileSync(path.join(dir, "main.py"), "app = None\n");
    fs.writeFileSync(path.join(dir, "requirements.txt"), "gunicorn\n");
    fs.writeFileSync(path.join(dir, ".python-version"), "3.13\n");
    fs.writeFileSync(
      path.join(dir, "Dockerfile"),
      'FROM python:3.13-slim\nARG VERSION=dev\nENV TZ=Europe/Berlin MODE=prod APP_VERSION=$VERSION PIP_NO_CACHE_DIR=1 FEATURE_X=on\nCMD ["gunicorn", "-b", ":8080", "main:app"]\n',
    );
    const result = migrateService(c.services.dev![0]!, c.platforms.dev!.builder, c.root)!;
    expect(result.steps).toEqual([
      'add `APP_VERSION: "dev"` under env in service.yaml: the Dockerfile sets it (ENV APP_VERSION=$VERSION, with the build arg\'s value) and the app may read it at run time',
      'add `FEATURE_X: "on"` under env in service.yaml: the Dockerfile sets it (ENV) and the app may read it at run time',
    ]);
    expect(result.notes).toEqual(['ENV MODE=prod is overridden by service.yaml\'s env ("staging") already']);
  });
});
