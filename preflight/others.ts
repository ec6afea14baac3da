// Languages Gantry does not model in depth (.NET, Dart, Ruby, PHP): enough to know the builder
// picks them, so the ordering of Go/Java/Python/Node.js around them stays right.

import { envLabel, envValue, listFiles, type Context, type LanguageResult } from "./context";
import type { SourceTree } from "./source";

export function dotnetMarker(tree: SourceTree): string | null {
  const projects = tree.withSuffix(".csproj", ".fsproj", ".vbproj");
  return projects.length ? `.NET project files (${listFiles(projects)})` : null;
}

export function dartMarker(tree: SourceTree): string | null {
  return tree.has("pubspec.yaml") ? "pubspec.yaml" : null;
}

export function rubyMarker(tree: SourceTree): string | null {
  for (const f of ["Gemfile", "gems.rb"]) if (tree.has(f)) return f;
  const rb = tree.rootFiles().filter((f) => f.endsWith(".rb"));
  return rb.length ? `*.rb files (${listFiles(rb)})` : null;
}

export function phpMarker(tree: SourceTree): string | null {
  if (tree.has("composer.json")) return "composer.json";
  const php = tree.rootFiles().filter((f) => f.endsWith(".php"));
  return php.length ? `*.php files (${listFiles(php)})` : null;
}

function version(ctx: Context, names: string[]): LanguageResult["runtimeVersion"] {
  for (const n of names) {
    const v = envValue(ctx, n);
    if (v) return { value: v, source: envLabel(ctx, n) };
  }
  return { value: null, source: ctx.builder.family === "google" ? "builder default" : "buildpack default" };
}

export function analyzeDotnet(ctx: Context, detectedBy: string): LanguageResult {
  const projects = ctx.tree.withSuffix(".csproj", ".fsproj", ".vbproj");
  const name = projects[0]?.split("/").pop()?.replace(/\.[a-z]+proj$/, "") ?? "app";
  return {
    language: "dotnet",
    packageManager: "nuget",
    runtimeVersion: version(ctx, ["GOOGLE_DOTNET_SDK_VERSION", "GOOGLE_RUNTIME_VERSION", "BP_DOTNET_FRAMEWORK_VERSION"]),
    // google.dotnet.publish runs the published assembly named after the project.
    web: ctx.builder.family === "google" ? `dotnet ${name}.dll` : `./${name}`,
    detectedBy,
  };
}

export function analyzeDart(ctx: Context, detectedBy: string): LanguageResult {
  return { language: "dart", packageManager: "pub", runtimeVersion: version(ctx, ["GOOGLE_RUNTIME_VERSION"]), web: "bin/server (compiled by google.dart.compile)", detectedBy };
}

export function analyzeRuby(ctx: Context, detectedBy: string): LanguageResult {
  // Google's Ruby group requires an explicit entrypoint; Paketo's starts rackup/puma/passenger on config.ru.
  let web: string | null = null;
  if (ctx.builder.family === "paketo" && ctx.tree.has("config.ru")) web = "bundle exec rackup config.ru -p ${PORT:-9292}";
  return { language: "ruby", packageManager: "bundler", runtimeVersion: version(ctx, ["GOOGLE_RUBY_VERSION", "GOOGLE_RUNTIME_VERSION", "BP_MRI_VERSION"]), web, detectedBy };
}

export function analyzePhp(ctx: Context, detectedBy: string): LanguageResult {
  return {
    language: "php",
    packageManager: ctx.tree.has("composer.json") ? "composer" : null,
    runtimeVersion: version(ctx, ["GOOGLE_PHP_VERSION", "GOOGLE_RUNTIME_VERSION", "BP_PHP_VERSION"]),
    // google.php.webconfig starts nginx in front of php-fpm; there is no single user command.
    web: "nginx + php-fpm (configured by the builder)",
    detectedBy,
  };
}
