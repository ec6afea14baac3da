// dockerfile/bases.ts: which image names are the well-known bases (and which lookalikes are not), the Python
// framework bases, and the language version a tag names. Each kind is pinned by what migrate tells the user in
// migrate-base-image.test.ts; here the names.
import { describe, expect, it } from "vitest";
import { baseFacts, pythonAppBase, versionInTag } from "../../dockerfile/bases";
import { parseImageRef } from "../../dockerfile/parse";

const kind = (ref: string) => baseFacts(parseImageRef(ref))?.kind ?? null;

describe("well-known base names", () => {
  it.each([
    ["puppeteer/puppeteer:22", "browser"],
    ["browserless/chromium", "browser"],
    ["zenika/alpine-chrome:124", "browser"],
    ["selenium/standalone-chrome:4.21", "browser"],
    ["selenium/node-firefox:4.21", "browser"],
    ["mcr.microsoft.com/playwright:v1.44.0-jammy", "browser"],
    ["mcr.microsoft.com/playwright/java:v1.44.0", "browser"],
    ["gcr.io/google.com/cloudsdktool/cloud-sdk:alpine", "cloud-sdk"],
    ["google-cloud-cli:latest", "cloud-sdk"],
    ["amazon/aws-cli:2.15.0", "cloud-sdk"],
    ["mcr.microsoft.com/azure-cli:2.61.0", "cloud-sdk"],
    ["mwader/static-ffmpeg:7.0", "system-libraries"],
    ["osgeo/gdal/ubuntu-small", "system-libraries"],
    ["tesseractshadow/tesseract4re", "system-libraries"],
    ["pandoc/latex:3.1", "system-libraries"],
    ["texlive/texlive", "system-libraries"],
    ["continuumio/miniconda", "other-runtime"],
    ["mambaorg/micromamba:1.5", "other-runtime"],
    ["pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime", "system-libraries"],
    ["bitnami/nginx:1.27", "web-server"],
    ["jetty:12", "app-server"],
    ["quay.io/wildfly/wildfly:latest", "app-server"],
    ["rocker/r-ver:4.4", "other-runtime"],
    ["perl:5.38", "other-runtime"],
    ["redis:7", "service"],
    ["bitnami/postgresql:16", "service"],
  ])("%s is a %s base", (ref, k) => {
    expect(kind(ref)).toBe(k);
  });

  // In-house images and exporters named after a well-known base are other images.
  it.each([
    "acme/puppeteer/puppeteer", "puppeteer/puppeteer-extra",
    "acme/browserless/chrome", "browserless/chrome-exporter",
    "acme/zenika/alpine-chrome", "zenika/alpine-chrome-exporter",
    "acme/selenium/standalone-chrome",
    "acme/playwright", "playwright-exporter",
    "acme/google-cloud-cli", "google/cloud-sdk-exporter",
    "acme/amazon/aws-cli", "amazon/aws-cli-exporter", "acme/azure-cli", "azure-cli-exporter",
    "acme/jrottenberg/ffmpeg", "jrottenberg/ffmpeg-exporter",
    "acme/osgeo/gdal", "osgeo/gdal-exporter",
    "acme/jbarlow83/ocrmypdf", "jbarlow83/ocrmypdf-exporter",
    "acme/pandoc/latex", "texlive/texlive-exporter",
    "acme/continuumio/miniconda3", "continuumio/miniconda3-exporter",
    "acme/nvidia/cuda", "nvidia/cuda-exporter",
    "acme/tomcat", "tomcat-exporter",
    "acme/perl", "erlang-exporter",
    "acme/postgres", "postgres-exporter",
  ])("%s is no well-known base", (ref) => {
    expect(kind(ref)).toBeNull();
  });
});

describe("Python framework bases", () => {
  it.each(["tiangolo/uvicorn-gunicorn:python3.11", "tiangolo/uwsgi-nginx:python3.11", "tiangolo/meinheld-gunicorn:python3.9", "nikolaik/python-nodejs:python3.12-nodejs20"])("%s starts its own server", (ref) => {
    expect(pythonAppBase(parseImageRef(ref))).toBe(true);
  });
  it.each(["acme/tiangolo/uvicorn-gunicorn", "nikolaik/python-nodejs-exporter"])("%s does not", (ref) => {
    expect(pythonAppBase(parseImageRef(ref))).toBe(false);
  });
});

describe("the language version a tag names", () => {
  it.each([
    [null, "java", null],
    ["0.4.0-python3.12-bookworm", "python", "3.12"],
    ["jdk17-temurin-jammy", "java", "17"],
    ["3.9-temurin-21", "java", "21"],
  ] as const)("%s names %s %s", (tag, language, version) => {
    expect(versionInTag(tag, language)).toBe(version);
  });
});
