// What every language module gets to look at, and what it hands back to detect.ts.

import type { BuilderInfo } from "./builder";
import type { Issue, PreflightInput, RuntimeVersion } from "./findings";
import type { ProcfileParse } from "./procfile";
import type { SourceTree } from "./source";

export interface Context {
  input: PreflightInput;
  tree: SourceTree;
  builder: BuilderInfo;
  /** Build env the builder sees: project.toml's entries overlaid with the service's. */
  env: Record<string, string>;
  /** Where each env entry came from, for messages. */
  envOrigin: Record<string, "service build env" | "project.toml">;
  procfile: ProcfileParse | null;
  issues: Issue[];
}

export interface LanguageResult {
  language: string;
  packageManager: string | null;
  runtimeVersion: RuntimeVersion | null;
  /** The web command the language's own buildpack sets, before Procfile / GOOGLE_ENTRYPOINT. */
  web: string | null;
  /** Why the builder picks this language. */
  detectedBy: string;
  /** The web command is the builder's hard-coded :8080 Python default. */
  pythonDefaultEntrypoint?: boolean;
}

export function envValue(ctx: Context, name: string): string | undefined {
  const v = ctx.env[name];
  return v === undefined || v === "" ? undefined : v;
}

/** "GOOGLE_PYTHON_VERSION (service build env)" — names the variable and where it was set. */
export function envLabel(ctx: Context, name: string): string {
  return `${name} (${ctx.envOrigin[name] ?? "build env"})`;
}

/** A few file names for a message, e.g. "tools/gen.go, tools/x.go and 3 more". */
export function listFiles(files: string[], max = 3): string {
  const shown = files.slice(0, max).join(", ");
  return files.length > max ? `${shown} and ${files.length - max} more` : shown;
}
