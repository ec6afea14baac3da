// base-image.ts's decisions on hand-made Dockerfiles and source trees: what a well-known base brings and what the
// user is told to do about it, where the app calls a cloud CLI, which source files are read, and which language the
// image runs against the one the builder detects. Every expected value is written out by hand.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDockerfile } from "../../dockerfile/parse";
import { compareBase, compareLanguages, runningLanguage, sourceFiles } from "../../migrate/base-image";
import type { CompareContext } from "../../migrate/types";
import { removeTempTrees, tempDir } from "./temp-tree";

afterAll(removeTempTrees);

function tree(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [rel, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), body);
  }
  return dir;
}

interface Opts {
  files?: Record<string, string>;
  language?: string | null;
  source?: string;
  detectedBy?: string;
}
function ctx(dockerfile: string, o: Opts = {}): CompareContext {
  return {
    parsed: parseDockerfile(dockerfile),
    service: { sourceDir: tree(o.files ?? {}), spec: o.source === undefined ? {} : { source: o.source } },
    detected: { language: o.language ?? null, ...(o.detectedBy === undefined ? {} : { detectedBy: o.detectedBy }), findings: [] },
  } as unknown as CompareContext;
}

describe("what a well-known base brings, and what to do about it", () => {
  const blocker = (ref: string) => compareBase(ctx(`FROM ${ref}\nCMD ["./app"]\n`));
  it.each([
    ["ghcr.io/puppeteer/puppeteer:22", "a headless browser (Chrome or Chromium and the system libraries it needs); the builder's run image has no browser and not its libraries, so this needs a custom run image"],
    ["mcr.microsoft.com/playwright:v1.44.0-jammy", "Playwright's browsers (Chromium, Firefox, WebKit) and their system libraries; the builder's run image has no browser and not its libraries, so this needs a custom run image"],
    ["jrottenberg/ffmpeg:6.1-ubuntu", "ffmpeg and its codecs; the builder's run image has none of it, so this needs a custom run image"],
    ["ghcr.io/osgeo/gdal:ubuntu-small-3.8.4", "GDAL and the geospatial libraries it links; the builder's run image has none of it, so this needs a custom run image"],
    ["jbarlow83/ocrmypdf:v16", "Tesseract OCR and its language data; the builder's run image has none of it, so this needs a custom run image"],
    ["pandoc/latex:3.1", "a document toolchain (pandoc or TeX); the builder's run image has none of it, so this needs a custom run image"],
    ["nvidia/cuda:12.4.1-runtime-ubuntu22.04", "GPU libraries (CUDA and cuDNN); the builder's run image has none of it, so this needs a custom run image"],
    ["continuumio/miniconda3:24.1.2-0", "a conda environment (conda packages, often with native libraries pip cannot install); Google's builder cannot install it, so this needs a custom builder or the Dockerfile"],
    ["denoland/deno:1.44.0", "a language runtime Google's builder has no buildpack for; Google's builder cannot install it, so this needs a custom builder or the Dockerfile"],
    ["nginx:1.27-alpine", "a web server (nginx, Apache or Caddy) serving files or proxying; Google's builder has no web-server buildpack (serve the files from the app itself, or keep the Dockerfile)"],
    ["tomcat:10.1-jdk17", "a Java application server that deploys a WAR; Google's Java buildpack runs an executable JAR (`java -jar`), not a WAR in a servlet container (package the app as an executable JAR, or keep the Dockerfile)"],
    ["quay.io/wildfly/wildfly:latest", "a Java application server that deploys a WAR; Google's Java buildpack runs an executable JAR (`java -jar`), not a WAR in a servlet container (package the app as an executable JAR, or keep the Dockerfile)"],
    ["postgres:16", "a database or broker server, not an app; this is not an app the builder builds; run it as a managed service (Cloud SQL, Memorystore) or keep the image"],
  ])("FROM %s is a blocker", (ref, text) => {
    expect(blocker(ref)).toEqual([{ aspect: "builder", kind: "blocker", line: 1, text: `FROM ${ref} brings ${text}` }]);
  });

  it("the finding stands at the FROM line of the stage the image starts from", () => {
    expect(compareBase(ctx("FROM nginx:1.27-alpine AS web\nCOPY site /usr/share/nginx/html\nFROM web\n"))).toEqual([
      {
        aspect: "builder",
        kind: "blocker",
        line: 1,
        text: "FROM nginx:1.27-alpine brings a web server (nginx, Apache or Caddy) serving files or proxying; Google's builder has no web-server buildpack (serve the files from the app itself, or keep the Dockerfile)",
      },
    ]);
  });

  it("a language image, or scratch, brings nothing to report", () => {
    expect(compareBase(ctx("FROM python:3.12-slim\n"))).toEqual([]);
    expect(compareBase(ctx("FROM golang:1.22 AS b\nFROM scratch\nCOPY --from=b /x /x\n"))).toEqual([]);
  });
});

describe("a cloud CLI base matters only when the app calls the CLI", () => {
  const SDK = "FROM google/cloud-sdk:slim\n";
  const blocked = (where: string, cli = "gcloud", ref = "google/cloud-sdk:slim", provides = "the Google Cloud CLI (gcloud, gsutil, bq)") => [
    { aspect: "builder", kind: "blocker", line: 1, text: `FROM ${ref} brings ${provides}, and the app calls it (${where}); the builder's run image has no ${cli}, so this needs a custom run image (or call the Cloud APIs through a client library instead)` },
  ];

  it("nothing calls it: a note", () => {
    expect(compareBase(ctx(`${SDK}CMD ["python", "main.py"]\n`, { files: { "main.py": "print('hello')\n" } }))).toEqual([
      { aspect: "builder", kind: "note", line: 1, text: "FROM google/cloud-sdk:slim brings the Google Cloud CLI (gcloud, gsutil, bq), which nothing in the app calls; the buildpacks image will not have it" },
    ]);
  });

  it("the start command calls it", () => {
    const c = ctx(`${SDK}CMD ["sh", "-c", "gcloud auth activate-service-account && python main.py"]\n`, { files: { "main.py": "print('hello')\n" } });
    expect(compareBase(c)).toEqual(blocked("the start command `gcloud auth activate-service-account && python main.py`"));
  });

  it("a source line calls it, counted from 1, even with a comment after the call", () => {
    const c = ctx(`${SDK}CMD ["python", "main.py"]\n`, { files: { "main.py": 'subprocess.run(["gsutil", "cp", src, dst])  # copy the upload\n' } });
    expect(compareBase(c)).toEqual(blocked("main.py:1"));
  });

  it("comment lines, indented or not, are not calls", () => {
    const c = ctx(`${SDK}CMD ["python", "main.py"]\n`, { files: { "main.py": "# run gsutil by hand first\n    # gsutil cp gs://a .\nimport os\nos.system('bq query x')\n" } });
    expect(compareBase(c)).toEqual(blocked("main.py:4"));
  });

  it("the AWS and Azure CLIs: the fix names the CLI the app calls", () => {
    const aws = ctx('FROM amazon/aws-cli:2.15.0\nENTRYPOINT ["aws", "s3", "sync", "/data", "s3://bucket"]\n');
    expect(compareBase(aws)).toEqual(blocked("the start command `aws s3 sync /data s3://bucket`", "aws", "amazon/aws-cli:2.15.0", "the AWS CLI (aws)"));
    const azure = ctx('FROM mcr.microsoft.com/azure-cli:2.61.0\nCMD ["az", "storage", "blob", "upload-batch"]\n');
    expect(compareBase(azure)).toEqual(blocked("the start command `az storage blob upload-batch`", "az", "mcr.microsoft.com/azure-cli:2.61.0", "the Azure CLI (az)"));
  });
});

describe("the source files migrate reads", () => {
  it("source files by extension, sorted as a person reads a listing (case aside), two folder levels deep, outside dependency, build and hidden folders", () => {
    const dir = tree({
      "z.py": "", "a.js": "", "Worker.py": "", "notes.py.txt": "", "README.md": "",
      "pkg/app.py": "", "pkg/sub/deep.go": "", "pkg/sub/deeper/too-deep.rb": "",
      ...Object.fromEntries(["node_modules", ".git", ".venv", "venv", "__pycache__", "dist", "build", "target", "vendor", ".next", ".cache"].map((d) => [`${d}/x.js`, ""])),
    });
    expect(sourceFiles(dir)).toEqual(["a.js", "pkg/app.py", "pkg/sub/deep.go", "Worker.py", "z.py"]);
  });

  it("at most 400: just under, at and just over the limit", () => {
    const files = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${String(n - 1 - i).padStart(3, "0")}.py`, ""]));
    expect(sourceFiles(tree(files(399)))).toHaveLength(399);
    expect(sourceFiles(tree(files(400)))).toHaveLength(400);
    const over = sourceFiles(tree(files(401)));
    expect(over).toHaveLength(400);
    expect(over[0]).toBe("f000.py");
    expect(over[399]).toBe("f399.py");
  });

  it("a folder that cannot be read has none", () => {
    expect(sourceFiles("/nonexistent/gantry-kill")).toEqual([]);
  });
});

describe("the language the image runs", () => {
  const runs = (dockerfile: string) => runningLanguage(ctx(dockerfile));

  it.each([
    ['CMD ["python3.11", "app.py"]', "python"],
    ['CMD ["python", "app.py"]', "python"],
    ['CMD ["/usr/local/bin/gunicorn", "app:app"]', "python"],
    ['CMD ["node", "server.js"]', "nodejs"],
    ['CMD ["java", "-jar", "app.jar"]', "java"],
    ['CMD ["bundle", "exec", "puma"]', "ruby"],
    ['CMD ["php-fpm"]', "php"],
    ['CMD ["dotnet", "App.dll"]', "dotnet"],
    ["CMD NODE_ENV=production exec node server.js", "nodejs"],
    ["CMD exec gunicorn app:app", "python"],
  ])("%s runs %s", (cmd, language) => {
    const command = runs(`FROM ubuntu:22.04\n${cmd}\n`);
    expect(command?.language).toBe(language);
    expect(command?.because).toMatch(/^its start command `/);
  });

  it("says which start command it read", () => {
    expect(runs('FROM ubuntu:22.04\nCMD ["node", "server.js"]\n')).toEqual({ language: "nodejs", because: "its start command `node server.js`" });
  });

  // A program whose name merely starts or ends with an interpreter's is another program: a wrapper script, an exporter.
  it.each(["start-python", "python-healthcheck", "start-node", "node_exporter", "start-java", "java-healthcheck", "start-ruby", "ruby-healthcheck", "start-php", "php-healthcheck", "start-dotnet", "dotnet-healthcheck", "FOO=bar"])(
    "%s says nothing about the language",
    (exe) => {
      expect(runs(`FROM ubuntu:22.04\nCMD ["${exe}"]\n`)).toBeNull();
    },
  );

  it("without a start command it names, the running stages' base image decides", () => {
    expect(runs("FROM node:20\n")).toEqual({ language: "nodejs", because: "FROM node:20" });
    expect(runs('FROM python:3.12 AS base\nFROM base\nCMD ["./start.sh"]\n')).toEqual({ language: "python", because: "FROM python:3.12" });
    expect(runs('FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11\nCOPY app /app\n')).toEqual({ language: "python", because: "FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11" });
  });

  it("a Go image says nothing (its binary runs on any base), nor does a build stage that is not the image's", () => {
    expect(runs('FROM golang:1.22\nCMD ["./server"]\n')).toBeNull();
    expect(runs('FROM node:20 AS assets\nRUN npm ci\nFROM ubuntu:22.04\nCOPY --from=assets /app /app\nCMD ["./server"]\n')).toBeNull();
  });
});

describe("one language per builder build", () => {
  it("the image runs one language and the builder detects another: a blocker with what to point source at", () => {
    const c = ctx('FROM python:3.12\nCMD ["gunicorn", "app:app"]\n', { language: "nodejs", source: "web", detectedBy: "package.json" });
    expect(compareLanguages(c)).toEqual([
      {
        aspect: "builder",
        kind: "blocker",
        text: "the image runs Python (its start command `gunicorn app:app`), but the builder detects Node.js in web (package.json), so the Python service would not be built at all; point source at the Python app's own folder (and build the Node.js part as a service of its own, or commit its output), or keep the Dockerfile",
      },
    ]);
  });

  it("without a source or what detected it, the message says the source folder and its files", () => {
    const c = ctx("FROM node:20\n", { language: "python" });
    expect(compareLanguages(c)[0]!.text).toBe(
      "the image runs Node.js (FROM node:20), but the builder detects Python in the source folder (its files), so the Node.js service would not be built at all; point source at the Node.js app's own folder (and build the Python part as a service of its own, or commit its output), or keep the Dockerfile",
    );
  });

  it("the same language, or nothing to compare, says nothing", () => {
    expect(compareLanguages(ctx("FROM node:20\n", { language: "nodejs" }))).toEqual([]);
    expect(compareLanguages(ctx("FROM node:20\n", { language: null }))).toEqual([]);
    expect(compareLanguages(ctx('FROM ubuntu:22.04\nCMD ["./app"]\n', { language: "go" }))).toEqual([]);
  });
});
