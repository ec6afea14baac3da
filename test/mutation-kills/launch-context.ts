// What launch.ts's kill tests share: a CompareContext over a Dockerfile and a temp source folder, with what the
// builder detected and the app's facts given by hand, and compareLaunch run over it.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDockerfile } from "../../dockerfile/parse";
import { compareLaunch } from "../../migrate/launch";
import type { RunCommand } from "../../migrate/run-steps";
import type { CompareContext } from "../../migrate/types";
import { tempDir } from "./temp-tree";

export interface Opts {
  language?: string | null;
  web?: string;
  processes?: Record<string, string>;
  defaultProcess?: string | null;
  detectedBy?: string | null;
  family?: string;
  files?: Record<string, string>;
  procfileWeb?: string;
  scripts?: Record<string, string>;
  nodeDeps?: string[];
  pythonDeps?: string[];
  pythonFile?: string | null;
  runs?: RunCommand[];
  stages?: number[];
}

export function service(dockerfile: string, o: Opts = {}): CompareContext {
  const dir = tempDir();
  for (const [f, text] of Object.entries(o.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  const parsed = parseDockerfile(dockerfile);
  return {
    service: { sourceDir: dir },
    docker: { context: dir },
    builder: { family: o.family ?? "google" },
    parsed,
    detected: { language: o.language === undefined ? "python" : o.language, processes: o.web ? { web: o.web } : (o.processes ?? {}), defaultProcess: o.defaultProcess ?? null, detectedBy: o.detectedBy ?? null, findings: [] },
    facts: {
      dir,
      procfile: o.procfileWeb !== undefined ? { web: o.procfileWeb } : null,
      packageJson: o.scripts || o.nodeDeps ? { scripts: o.scripts ?? {}, engines: null, dependencies: new Set(o.nodeDeps ?? []) } : null,
      pythonDeps: { names: new Set(o.pythonDeps ?? []), file: o.pythonFile ?? null },
      pythonVersionFile: null,
    },
    runs: o.runs ?? [],
    imageStages: new Set(o.stages ?? [parsed.stages.length - 1]),
  } as unknown as CompareContext;
}

export const run = (dockerfile: string, o: Opts = {}, explicit: string[] = []) => compareLaunch(service(dockerfile, o), new Set(explicit));
export const PY = "FROM python:3.12\n";

export const gobuild = (output: string | null, packages: string[] = ["."], ldflags: string | null = null, line = 3): RunCommand => ({ kind: "go-build", stage: 0, line, text: "go build", go: { output, packages, ldflags } });
