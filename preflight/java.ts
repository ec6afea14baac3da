// Java: build tool, JDK version and the jar the builder starts.
// Google rules: cmd/java/runtime/lib/lib.go (detect files, GOOGLE_RUNTIME_VERSION, stack default),
// cmd/java/entrypoint/lib/lib.go (`java -jar <executable jar>`), builders/gcp/base/builder.toml.

import * as path from "node:path";
import { envLabel, envValue, listFiles, type Context, type LanguageResult } from "./context";
import { error } from "./findings";
import type { SourceTree } from "./source";
import { GOOGLE_DEFAULT } from "./versions";

const JAVA_MARKERS = ["pom.xml", ".mvn/extensions.xml", "build.gradle", "build.gradle.kts", "settings.gradle.kts", "settings.gradle", "META-INF/MANIFEST.MF"];

/** What makes google.java.runtime opt in; root-level *.java / *.jar count too. */
export function javaMarker(tree: SourceTree): string | null {
  const f = JAVA_MARKERS.find((m) => tree.has(m));
  if (f) return f;
  const root = tree.rootFiles();
  const java = root.filter((n) => n.endsWith(".java"));
  if (java.length) return `*.java files (${listFiles(java)})`;
  const jars = root.filter((n) => n.endsWith(".jar"));
  if (jars.length) return `*.jar files (${listFiles(jars)})`;
  return null;
}

function tag(xml: string, name: string): string | null {
  const m = new RegExp(`<${name}>\\s*([^<]+?)\\s*</${name}>`).exec(xml);
  return m ? (m[1] ?? null) : null;
}

/** Top-level project coordinates, ignoring <parent> and <dependencies> blocks. */
function pomCoordinates(pom: string): { artifactId: string | null; version: string | null; finalName: string | null; javaLevel: number | null } {
  const body = pom.replace(/<!--[\s\S]*?-->/g, "").replace(/<parent>[\s\S]*?<\/parent>/g, "").replace(/<dependencies>[\s\S]*?<\/dependencies>/g, "").replace(/<plugins>[\s\S]*?<\/plugins>/g, "");
  const props = /<properties>([\s\S]*?)<\/properties>/.exec(body)?.[1] ?? "";
  const level = tag(props, "maven.compiler.release") ?? tag(props, "java.version") ?? tag(props, "maven.compiler.target") ?? tag(props, "maven.compiler.source");
  return {
    artifactId: tag(body, "artifactId"),
    version: tag(body, "version"),
    finalName: tag(body, "finalName"),
    javaLevel: level ? javaMajor(level) : null,
  };
}

function javaMajor(v: string): number | null {
  const m = /^(?:1\.)?(\d+)/.exec(v.trim());
  return m ? Number(m[1]) : null;
}

/** Gradle names the jar <rootProject.name>-<version>.jar; the project name defaults to the folder's. */
function gradleJarName(ctx: Context): string {
  const settings = ctx.tree.read("settings.gradle") ?? ctx.tree.read("settings.gradle.kts") ?? "";
  const build = ctx.tree.read("build.gradle") ?? ctx.tree.read("build.gradle.kts") ?? "";
  const name = /rootProject\.name\s*=\s*["']([^"']+)["']/.exec(settings)?.[1] ?? path.basename(path.resolve(ctx.input.dir));
  const version = /^\s*version\s*=\s*["']([^"'$]+)["']/m.exec(build)?.[1];
  return version ? `${name}-${version}.jar` : `${name}.jar`;
}

export function analyzeJava(ctx: Context, detectedBy: string, hasEntrypointConfig: boolean): LanguageResult {
  const { tree } = ctx;
  const google = ctx.builder.family === "google";
  const maven = tree.has("pom.xml") || tree.has(".mvn/extensions.xml");
  const gradle = ["build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts"].some((f) => tree.has(f));
  const stack = ctx.builder.stack ?? "google-22";

  let runtimeVersion: LanguageResult["runtimeVersion"];
  const envName = google ? "GOOGLE_RUNTIME_VERSION" : "BP_JVM_VERSION";
  const pinned = envValue(ctx, envName);
  if (pinned) runtimeVersion = { value: pinned, source: envLabel(ctx, envName) };
  else runtimeVersion = google ? { value: GOOGLE_DEFAULT[stack].java, source: `builder default (${stack})` } : { value: null, source: "buildpack default" };

  let web: string | null;
  if (!google) {
    web = "java (main class from the executable JAR's manifest)";
  } else if (maven) {
    const pom = tree.read("pom.xml");
    const c = pom ? pomCoordinates(pom) : null;
    const literal = (s: string | null | undefined): s is string => !!s && !s.includes("${");
    const jar = literal(c?.finalName) ? `${c?.finalName}.jar` : literal(c?.artifactId) && literal(c?.version) ? `${c?.artifactId}-${c?.version}.jar` : "<artifactId>-<version>.jar";
    web = `java -jar target/${jar}`;
    const jdk = javaMajor(runtimeVersion.value ?? "");
    if (c?.javaLevel && jdk && c.javaLevel > jdk) {
      ctx.issues.push(
        error(
          "java-version-mismatch",
          `pom.xml compiles for Java ${c.javaLevel}, but the builder installs Java ${jdk} (${runtimeVersion.source}); Maven stops with "release version ${c.javaLevel} not supported".`,
          `Set GOOGLE_RUNTIME_VERSION: "${c.javaLevel}" under build.env in service.yaml.`,
          { file: "pom.xml", breaksBuild: true },
        ),
      );
    }
  } else if (gradle) {
    web = `java -jar build/libs/${gradleJarName(ctx)}`;
  } else {
    const jars = tree.rootFiles().filter((n) => n.endsWith(".jar"));
    web = jars.length ? `java -jar ${jars[0]}` : null;
    if (!jars.length && !tree.has("META-INF/MANIFEST.MF") && !hasEntrypointConfig) {
      ctx.issues.push(
        error(
          "java-no-build-file",
          "There are .java files but no pom.xml, build.gradle or jar, so nothing compiles them and the builder finds no executable jar to run.",
          "Add a Maven (pom.xml) or Gradle (build.gradle) build, or commit the built executable jar.",
          { breaksBuild: true },
        ),
      );
    }
  }
  return { language: "java", packageManager: maven ? "maven" : gradle ? "gradle" : null, runtimeVersion, web, detectedBy };
}
