// Java: build tool, JDK version and the jar the builder starts.
// Google rules: cmd/java/runtime/lib/lib.go (detect files, GOOGLE_RUNTIME_VERSION, stack default),
// cmd/java/entrypoint/lib/lib.go (`java -jar <executable jar>`), builders/gcp/base/builder.toml.

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

/**
 * Gradle names the jar <project name>-<version>.jar, and the project name defaults to the folder's, which in the
 * builder is /workspace (the CNB app dir), whatever the folder is called here.
 */
function gradleProject(ctx: Context): { name: string; version: string | null; build: string } {
  const settings = ctx.tree.read("settings.gradle") ?? ctx.tree.read("settings.gradle.kts") ?? "";
  const build = ctx.tree.read("build.gradle") ?? ctx.tree.read("build.gradle.kts") ?? "";
  const named = /rootProject\.name\s*=\s*["']([^"']+)["']/.exec(settings)?.[1];
  const version = /^\s*version\s*=\s*["']([^"'$]+)["']/m.exec(build)?.[1] ?? null;
  return { name: named ?? "workspace", version, build };
}

/** Something not read here (a framework's plugin, a parent pom, a prebuilt jar) decides whether the jar is executable. */
const UNREAD = Symbol("unread");

/** The executable jar's file name; UNREAD when that is not known here; null when nothing makes the jar executable. */
type ExecutableJar = string | typeof UNREAD | null;

/**
 * Which jar in target/ gets a Main-Class manifest entry, read from pom.xml: Spring Boot's repackage, the shade
 * plugin, the assembly plugin's jar-with-dependencies, or the jar plugin's manifest. null: none of them, so
 * google.java.entrypoint finds no executable jar (pkg/java/java.go ExecutableJar).
 */
function mavenMainClass(pom: string, jarBase: string): ExecutableJar {
  const body = pom.replace(/<!--[\s\S]*?-->/g, "");
  const build = /<build>([\s\S]*?)<\/build>/.exec(body)?.[1] ?? "";
  const plugins = build.replace(/<pluginManagement>[\s\S]*?<\/pluginManagement>/g, "");
  const has = (artifact: string): boolean => new RegExp(`<artifactId>\\s*${artifact}\\s*</artifactId>`).test(plugins);
  if (has("spring-boot-maven-plugin")) return `${jarBase}.jar`; // Spring Boot's repackage
  if (has("maven-shade-plugin") && /ManifestResourceTransformer|<mainClass>/.test(plugins)) return `${jarBase}.jar`;
  if (has("maven-assembly-plugin") && /<mainClass>/.test(plugins)) {
    const id = /<descriptorRef>\s*([\w-]+)\s*<\/descriptorRef>/.exec(plugins)?.[1] ?? "jar-with-dependencies";
    const append = !/<appendAssemblyId>\s*false\s*<\/appendAssemblyId>/.test(plugins);
    return append ? `${jarBase}-${id}.jar` : `${jarBase}.jar`;
  }
  if (has("maven-jar-plugin") && /<mainClass>/.test(plugins)) return `${jarBase}.jar`;
  // Frameworks whose own plugins or parents write the manifest in ways not read here: no verdict.
  for (const framework of ["quarkus-maven-plugin", "micronaut-maven-plugin", "onejar-maven-plugin", "maven-dependency-plugin", "exec-maven-plugin", "native-maven-plugin", "jib-maven-plugin"]) {
    if (has(framework)) return UNREAD;
  }
  const parent = /<parent>[\s\S]*?<artifactId>\s*([^<\s]+)\s*<\/artifactId>[\s\S]*?<\/parent>/.exec(body)?.[1];
  if (parent !== undefined && parent !== "spring-boot-starter-parent") return UNREAD;
  return null;
}

/** The same for Gradle: Spring Boot's bootJar, the Shadow plugin's -all jar, or a jar task with a Main-Class attribute. */
function gradleMainClass(build: string, jarBase: string): ExecutableJar {
  if (/org\.springframework\.boot/.test(build)) return `${jarBase}.jar`; // bootJar; the -plain jar has no Main-Class
  if (/com\.github\.johnrengelman\.shadow|com\.gradleup\.shadow|shadowJar/.test(build)) return `${jarBase}-all.jar`;
  // A Main-Class attribute in any of its forms: 'Main-Class': x (Groovy map), "Main-Class" to x (Kotlin pair),
  // attribute("Main-Class", x), attributes["Main-Class"] = x.
  if (/["']Main-Class["']\s*(?:to|:|,|\]\s*=)/.test(build)) return `${jarBase}.jar`;
  for (const framework of ["io.quarkus", "io.micronaut", "org.beryx", "com.google.cloud.tools.jib"]) if (build.includes(framework)) return UNREAD;
  return null;
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

  const target = google ? envValue(ctx, "GOOGLE_FUNCTION_TARGET") : undefined;
  const buildable = envValue(ctx, "GOOGLE_BUILDABLE");
  // With an explicit entrypoint the config.entrypoint group wins and no executable jar is looked for; a function
  // is started by the framework's invoker, which needs no Main-Class.
  const checkMainClass = google && !hasEntrypointConfig && target === undefined && buildable === undefined;
  let web: string | null;
  let mainClass: ExecutableJar = null;
  let buildFile = "pom.xml";
  if (!google) {
    web = "java (main class from the executable JAR's manifest)";
  } else if (maven) {
    const pom = tree.read("pom.xml");
    const c = pom ? pomCoordinates(pom) : null;
    const literal = (s: string | null | undefined): s is string => !!s && !s.includes("${");
    const base = literal(c?.finalName) ? c!.finalName : literal(c?.artifactId) && literal(c?.version) ? `${c!.artifactId}-${c!.version}` : "<artifactId>-<version>";
    const aggregator = pom !== null && /<packaging>\s*pom\s*<\/packaging>/.test(pom.replace(/<parent>[\s\S]*?<\/parent>/g, ""));
    mainClass = pom === null ? UNREAD : aggregator ? null : mavenMainClass(pom, base);
    web = `java -jar target/${typeof mainClass === "string" ? mainClass : `${base}.jar`}`;
    if (aggregator && checkMainClass) {
      ctx.issues.push(
        error(
          "java-no-executable-jar",
          'pom.xml is a multi-module parent (<packaging>pom</packaging>): the build leaves no jar in target/, and the builder stops with "did not find any jar files with a Main-Class manifest entry".',
          "Set GOOGLE_BUILDABLE under build.env to the module to run (its target/ is searched first), or point the service at that module's folder.",
          { file: "pom.xml", breaksBuild: true },
        ),
      );
      mainClass = UNREAD; // reported above
      web = null;
    }
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
    const g = gradleProject(ctx);
    buildFile = tree.has("build.gradle") ? "build.gradle" : "build.gradle.kts";
    const base = g.version ? `${g.name}-${g.version}` : g.name;
    const multiProject = /^\s*include\s*\(?\s*["']/m.test(tree.read("settings.gradle") ?? tree.read("settings.gradle.kts") ?? "");
    mainClass = multiProject ? UNREAD : gradleMainClass(g.build, base);
    web = multiProject ? "java -jar <subproject>/build/libs/<name>.jar" : `java -jar build/libs/${typeof mainClass === "string" ? mainClass : `${base}.jar`}`;
  } else {
    const jars = tree.rootFiles().filter((n) => n.endsWith(".jar"));
    // An exploded jar runs its manifest's Main-Class from the folder (cmd/java/exploded_jar/lib/lib.go).
    const exploded = /^Main-Class:\s*(\S+)/m.exec(tree.read("META-INF/MANIFEST.MF") ?? "")?.[1];
    web = jars.length ? `java -jar ${jars[0]}` : exploded ? `java -classpath . ${exploded}` : null;
    mainClass = UNREAD;
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
  if (checkMainClass && mainClass === null) {
    ctx.issues.push(
      error(
        "java-no-main-class",
        `${buildFile} packages a plain jar: nothing (Spring Boot's plugin, shade, assembly, or a jar manifest with Main-Class) makes it executable, so the builder stops with "did not find any jar files with a Main-Class manifest entry".`,
        maven
          ? "Add the spring-boot-maven-plugin (Spring Boot), or maven-jar-plugin's <archive><manifest><mainClass>…</mainClass></manifest></archive>, or a Procfile with `web: java -cp target/classes:target/dependency/* <MainClass>`."
          : "Add `jar { manifest { attributes 'Main-Class': '<MainClass>' } }` (and bundle the dependencies, e.g. with the Shadow plugin), or the org.springframework.boot plugin.",
        { file: buildFile, breaksBuild: true },
      ),
    );
  }
  if (target !== undefined) {
    // google.java.functions-framework (cmd/java/functions_framework/lib/lib.go BuildFn): the invoker jar with the
    // function's jar and its dependencies on the classpath.
    // Without a build file it takes exactly one built jar at the root as the whole classpath, and stops otherwise
    // (lib.go classpath: "function has neither pom.xml nor already-built jar file", "... more than one jar file").
    const rootJars = maven || gradle ? [] : tree.rootFiles().filter((n) => n.endsWith(".jar"));
    if (!maven && !gradle && rootJars.length !== 1) {
      ctx.issues.push(
        error(
          "java-function-no-single-jar",
          rootJars.length === 0
            ? `A function (${envLabel(ctx, "GOOGLE_FUNCTION_TARGET")}) with no pom.xml or build.gradle needs its built jar at the source folder's root, and there is none${tree.has("META-INF/MANIFEST.MF") ? " (an exploded jar is not one)" : ""}: the builder stops with "function has neither pom.xml nor already-built jar file".`
            : `A function (${envLabel(ctx, "GOOGLE_FUNCTION_TARGET")}) with no pom.xml or build.gradle takes exactly one jar at the source folder's root as its classpath, and there are ${rootJars.length} (${rootJars.join(", ")}): the builder stops with "more than one jar file".`,
          "Build the function with Maven (pom.xml) or Gradle (build.gradle), or commit exactly one self-contained jar at the source folder's root.",
          { breaksBuild: true },
        ),
      );
    }
    const jar = maven || gradle ? (web?.replace(/^java -jar /, "") ?? "<jar>") : (rootJars.length === 1 ? rootJars[0]! : "<jar>");
    web = `java -jar /layers/google.java.functions-framework/functions-framework/java-function-invoker.jar --classpath ${jar}${maven ? ":target/dependency/*" : gradle ? ":build/_javaFunctionDependencies/*" : ""}`;
    detectedBy += ` — a function (${envLabel(ctx, "GOOGLE_FUNCTION_TARGET")} = ${target})`;
  } else if (google && buildable !== undefined && !hasEntrypointConfig) {
    // pkg/java/java.go ExecutableJar searches <GOOGLE_BUILDABLE>/target first.
    web = `java -jar ${buildable.replace(/\/+$/, "")}/target/<the module's executable jar>`;
  }
  return { language: "java", packageManager: maven ? "maven" : gradle ? "gradle" : null, runtimeVersion, web, detectedBy };
}
