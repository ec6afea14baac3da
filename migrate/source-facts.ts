// What the source folder says that the comparison needs beyond detect(): Procfile, package.json, Python deps.

import * as fs from "node:fs";
import * as path from "node:path";
import { parseProcfile, processMap } from "../preflight/procfile";
import type { BuilderFamily } from "../preflight";

export interface SourceFacts {
  dir: string;
  procfile: Record<string, string> | null;
  packageJson: { scripts: Record<string, string>; engines: string | null; dependencies: Set<string> } | null;
  /** Lower-cased distribution names listed in requirements.txt or pyproject.toml, and which file listed them. */
  pythonDeps: { names: Set<string>; file: string | null };
  pythonVersionFile: string | null;
}

export function readSourceFacts(dir: string, family: BuilderFamily): SourceFacts {
  const read = (f: string): string | null => {
    try {
      return fs.readFileSync(path.join(dir, f), "utf8");
    } catch {
      return null;
    }
  };
  const procfileText = read("Procfile");
  return {
    dir,
    procfile: procfileText === null ? null : processMap(parseProcfile(procfileText, family)),
    packageJson: packageJson(read("package.json")),
    pythonDeps: pythonDeps(read("requirements.txt"), read("pyproject.toml")),
    pythonVersionFile: read(".python-version")?.trim() || null,
  };
}

function packageJson(text: string | null): SourceFacts["packageJson"] {
  if (text === null) return null;
  try {
    const pkg = JSON.parse(text) as { scripts?: Record<string, unknown>; engines?: { node?: unknown }; dependencies?: Record<string, unknown>; devDependencies?: Record<string, unknown> };
    const scripts = Object.fromEntries(Object.entries(pkg.scripts ?? {}).filter((e): e is [string, string] => typeof e[1] === "string"));
    return { scripts, engines: typeof pkg.engines?.node === "string" ? pkg.engines.node : null, dependencies: new Set(Object.keys(pkg.dependencies ?? {})) };
  } catch {
    return null;
  }
}

/** PEP 503 normalized name of a requirement line or specifier, e.g. "Flask[async]>=3" -> "flask". */
export function requirementName(spec: string): string | null {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(spec);
  return m ? m[1]!.toLowerCase().replace(/[-_.]+/g, "-") : null;
}

function pythonDeps(requirements: string | null, pyproject: string | null): SourceFacts["pythonDeps"] {
  if (requirements !== null) {
    const names = requirements
      .split(/\r?\n/)
      .map((l) => l.replace(/#.*/, "").trim())
      .filter((l) => l && !l.startsWith("-"))
      .map(requirementName)
      .filter((n): n is string => n !== null);
    return { names: new Set(names), file: "requirements.txt" };
  }
  if (pyproject !== null) {
    // Quoted specifiers anywhere in the file: dependencies arrays and Poetry tables alike; a loose read is enough to say "listed".
    const names = [...pyproject.matchAll(/^\s*"([A-Za-z0-9][^"]*)"|^\s*([A-Za-z0-9][\w.-]*)\s*=/gm)].map((m) => requirementName(m[1] ?? m[2] ?? "")).filter((n): n is string => n !== null);
    return { names: new Set(names), file: "pyproject.toml" };
  }
  return { names: new Set(), file: null };
}
