// What a well-known base image brings beyond a language runtime. An image built FROM one of these inherits it,
// and a buildpacks image, which starts from the builder's run image (Ubuntu with a small package set:
// https://github.com/GoogleCloudPlatform/buildpacks/tree/main/builders/google-22 run-packages), does not.

import type { ImageRef } from "./parse";

export type BaseKind = "browser" | "cloud-sdk" | "system-libraries" | "web-server" | "other-runtime" | "service" | "app-server";

/**
 * What it brings, as a platform engineer would name it. A cloud SDK matters only when the app calls one of its
 * executables; every other kind blocks the move whatever the app calls, so only a cloud SDK lists its commands.
 */
export type BaseFacts =
  | { kind: "cloud-sdk"; provides: string; commands: string[] }
  | { kind: Exclude<BaseKind, "cloud-sdk">; provides: string };

/** names: repository names, registry and `library/` removed, as parseImageRef gives them. */
type Entry = BaseFacts & { names: RegExp };

const TABLE: Entry[] = [
  {
    names: /^puppeteer\/puppeteer$|^browserless\/chrom(e|ium)$|^zenika\/alpine-chrome$|^selenium\/(standalone|node)-(chrome|chromium|firefox|edge)/,
    kind: "browser",
    provides: "a headless browser (Chrome or Chromium and the system libraries it needs)",
  },
  {
    names: /^(microsoft\/)?playwright(\/python|\/java)?$/,
    kind: "browser",
    provides: "Playwright's browsers (Chromium, Firefox, WebKit) and their system libraries",
  },
  {
    names: /^(google\/cloud-sdk|google\.com\/cloudsdktool\/(cloud-sdk|google-cloud-cli)|cloudsdktool\/(cloud-sdk|google-cloud-cli)|google-cloud-cli)$/,
    kind: "cloud-sdk",
    provides: "the Google Cloud CLI (gcloud, gsutil, bq)",
    commands: ["gcloud", "gsutil", "bq"],
  },
  {
    names: /^amazon\/aws-cli$/,
    kind: "cloud-sdk",
    provides: "the AWS CLI (aws)",
    commands: ["aws"],
  },
  {
    names: /^(mcr\.microsoft\.com\/azure-cli|azure-cli)$/,
    kind: "cloud-sdk",
    provides: "the Azure CLI (az)",
    commands: ["az"],
  },
  {
    names: /^(jrottenberg\/ffmpeg|linuxserver\/ffmpeg|mwader\/static-ffmpeg)$/,
    kind: "system-libraries",
    provides: "ffmpeg and its codecs",
  },
  {
    names: /^(osgeo\/gdal|osgeo\/gdal\/.*|geodata\/gdal|ghcr\.io\/osgeo\/gdal)$/,
    kind: "system-libraries",
    provides: "GDAL and the geospatial libraries it links",
  },
  {
    names: /^(jbarlow83\/ocrmypdf|tesseractshadow\/tesseract.*|clearlinux\/tesseract-ocr)$/,
    kind: "system-libraries",
    provides: "Tesseract OCR and its language data",
  },
  {
    names: /^(pandoc\/.*|texlive\/texlive|blang\/latex)$/,
    kind: "system-libraries",
    provides: "a document toolchain (pandoc or TeX)",
  },
  {
    names: /^(continuumio\/(mini|ana)conda3?|condaforge\/(miniforge3|mambaforge)|mambaorg\/micromamba)$/,
    kind: "other-runtime",
    provides: "a conda environment (conda packages, often with native libraries pip cannot install)",
  },
  {
    names: /^(nvidia\/cuda|pytorch\/pytorch|tensorflow\/tensorflow)$/,
    kind: "system-libraries",
    provides: "GPU libraries (CUDA and cuDNN)",
  },
  {
    names: /^(nginx|nginxinc\/nginx-unprivileged|httpd|caddy|openresty\/openresty|bitnami\/nginx)$/,
    kind: "web-server",
    provides: "a web server (nginx, Apache or Caddy) serving files or proxying",
  },
  {
    names: /^(tomcat|jetty|bitnami\/tomcat|open-liberty|websphere-liberty|jboss\/wildfly|quay\.io\/wildfly\/wildfly)$/,
    kind: "app-server",
    provides: "a Java application server that deploys a WAR",
  },
  {
    names: /^(denoland\/deno|oven\/bun|elixir|erlang|swift|rust|haskell|dart|julia|r-base|rocker\/.*|perl|crystallang\/crystal)$/,
    kind: "other-runtime",
    provides: "a language runtime Google's builder has no buildpack for",
  },
  {
    names: /^(postgres|mysql|mariadb|redis|mongo|rabbitmq|elasticsearch|memcached|bitnami\/(postgresql|redis|mongodb))$/,
    kind: "service",
    provides: "a database or broker server, not an app",
  },
];

/** Framework images that carry a Python runtime and a start script of their own (gunicorn and uvicorn on port 80). */
const PYTHON_APP_BASES = /^(tiangolo\/(uvicorn-gunicorn(-fastapi|-starlette)?|uwsgi-nginx(-flask)?|meinheld-gunicorn(-flask)?|gunicorn-uvicorn)|nikolaik\/python-nodejs)$/;

export function baseFacts(base: ImageRef | null): BaseFacts | null {
  if (!base) return null;
  const full = base.registry ? `${base.registry}/${base.name}` : base.name;
  const hit = TABLE.find((e) => e.names.test(base.name) || e.names.test(full));
  if (!hit) return null;
  const { names: _names, ...facts } = hit;
  return facts;
}

/** A Python framework base (tiangolo's and the like): the runtime is fine, its start script is not the builder's. */
export function pythonAppBase(base: ImageRef | null): boolean {
  return base !== null && PYTHON_APP_BASES.test(base.name);
}

/** A language version written in a tag as `python3.9`, `node20`, `nodejs18`, `jdk17` or `-temurin-17` ("python3.9-slim", "3.8.5-eclipse-temurin-17"). */
export function versionInTag(tag: string | null, language: "python" | "nodejs" | "java"): string | null {
  if (!tag) return null;
  const patterns: Record<typeof language, RegExp> = {
    python: /(?:^|[-_])python-?(\d+\.\d+)/,
    nodejs: /(?:^|[-_])node(?:js)?-?(\d+)/,
    java: /(?:^|[-_])(?:(?:eclipse-)?temurin|openjdk|jdk|jre|amazoncorretto|corretto|graalvm-ce|ibmjava|ibm-semeru-runtimes|sapmachine|zulu|liberica)-?(\d+)/,
  };
  return patterns[language].exec(tag.toLowerCase())?.[1] ?? null;
}
