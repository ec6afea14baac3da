// Types shared by the preflight modules and their callers (`gantry detect`, validate, plan).

export type BuilderFamily = "google" | "paketo";

export interface PreflightInput {
  dir: string; // the service source folder
  builder: string; // builder image reference
  buildEnv?: Record<string, string>; // build-time env from service.yaml (GOOGLE_* etc.)
  kind?: "service" | "job" | "gke"; // what the image will run as
  port?: number; // container port the service declares (services / gke)
  jobProcess?: string; // for jobs: the Procfile process the job runs
  defaultProcess?: string; // build.defaultProcess from service.yaml, if any
  include?: string[]; // build.include from service.yaml (project.toml include), if any
  exclude?: string[]; // build.exclude from service.yaml (project.toml exclude), if any
}

export interface Finding {
  severity: "error" | "warning";
  code: string;
  message: string;
  fix: string;
  file?: string; // relative to the input dir
  line?: number; // 1-based
}

export interface RuntimeVersion {
  value: string | null;
  source: string;
}

export interface DetectResult {
  dir: string;
  language: string | null;
  packageManager: string | null;
  runtimeVersion: RuntimeVersion | null;
  processes: Record<string, string>;
  defaultProcess: string | null;
  outcome: "web" | "build-error" | "detect-fail";
  findings: Finding[];
  /** Builder family whose rules were applied (heroku/* images are read with Paketo's rules). */
  builderFamily: BuilderFamily;
  /** Why the builder picks this language, e.g. "go.mod and *.go files"; null on detect-fail. */
  detectedBy: string | null;
}

/**
 * A finding plus whether it stops the build itself. Errors that only show at run time
 * (a crashing web process, a job pointing at a missing process) keep the outcome at
 * "web" but still fail `gantry detect`, because the deploy would not work either.
 */
export interface Issue extends Finding {
  breaksBuild: boolean;
}

export function error(code: string, message: string, fix: string, where: Where & { breaksBuild?: boolean } = {}): Issue {
  const { breaksBuild = false, ...at } = where;
  return { severity: "error", code, message, fix, ...at, breaksBuild };
}

export function warning(code: string, message: string, fix: string, where: Where = {}): Issue {
  return { severity: "warning", code, message, fix, ...where, breaksBuild: false };
}

export interface Where {
  file?: string;
  line?: number;
}

export function toFinding(issue: Issue): Finding {
  const f: Finding = { severity: issue.severity, code: issue.code, message: issue.message, fix: issue.fix };
  if (issue.file !== undefined) f.file = issue.file;
  if (issue.line !== undefined) f.line = issue.line;
  return f;
}
