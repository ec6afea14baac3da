import * as fs from "node:fs";
import * as path from "node:path";
import { distance } from "fastest-levenshtein";
import type { Problem } from "./problems";

export const SERVICE_FILE = "service.yaml";

export interface Discovered {
  /** Absolute paths of services/<name>/service.yaml, sorted by folder. */
  files: string[];
  problems: Problem[];
}

const problemAt = (file: string, message: string, severity: Problem["severity"] = "error"): Problem => ({ file, line: 1, column: 1, field: "", severity, message });

/**
 * The service files of a catalog folder, and a problem for every folder that would otherwise be skipped without a
 * word: a misspelled or miscased service.yaml, one a folder too deep, a catalog with no service at all.
 */
export function discoverServiceFiles(servicesDir: string, displayPath: (f: string) => string): Discovered {
  const shownDir = displayPath(servicesDir);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(servicesDir, { withFileTypes: true });
  } catch {
    return { files: [], problems: [problemAt(shownDir, "service catalog folder not found")] };
  }
  if (entries.some((e) => e.name === SERVICE_FILE && kindOf(servicesDir, e) === "file")) {
    const name = path.basename(servicesDir);
    return {
      files: [],
      problems: [problemAt(shownDir, `is one service's folder, not the catalog: give the folder holding it (--services ${displayPath(path.dirname(servicesDir))}), or pick the service with --service ${name}`)],
    };
  }
  const files: string[] = [];
  const problems: Problem[] = [];
  const visible = entries.filter((d) => !d.name.startsWith(".")).sort((a, b) => a.name.localeCompare(b.name));
  for (const d of visible.filter((e) => kindOf(servicesDir, e) === "broken")) {
    problems.push(problemAt(displayPath(path.join(servicesDir, d.name)), `is a symbolic link to nothing, so nothing in it is deployed: point it at the service's folder, or remove it`));
  }
  for (const d of visible.filter((e) => kindOf(servicesDir, e) === "dir")) {
    const dir = path.join(servicesDir, d.name);
    const inside = fs.readdirSync(dir, { withFileTypes: true });
    const own = inside.find((e) => e.name === SERVICE_FILE);
    if (own && kindOf(dir, own) === "file") {
      files.push(path.join(dir, SERVICE_FILE));
      continue;
    }
    if (own && kindOf(dir, own) === "broken") {
      problems.push(problemAt(displayPath(path.join(dir, SERVICE_FILE)), `is a symbolic link to nothing, so ${d.name} would not be deployed: point it at the service's file, or replace it with one`));
      continue;
    }
    const misnamed = inside.filter((e) => kindOf(dir, e) === "file" && looksLikeServiceFile(e.name));
    for (const e of misnamed) {
      problems.push(problemAt(displayPath(path.join(dir, e.name)), `looks like a misspelled ${SERVICE_FILE}, so ${d.name} would not be deployed: rename it to ${SERVICE_FILE}`));
    }
    if (misnamed.length > 0) continue;
    const nested = inside.filter((e) => kindOf(dir, e) === "dir" && fs.existsSync(path.join(dir, e.name, SERVICE_FILE)));
    for (const e of nested) {
      const file = displayPath(path.join(dir, e.name, SERVICE_FILE));
      problems.push(problemAt(file, `is one folder too deep, so it would not be deployed: Gantry reads services/<name>/${SERVICE_FILE}; move it to ${displayPath(path.join(dir, SERVICE_FILE))} (with source: ${e.name}) or to a folder of its own under ${shownDir}`));
    }
    if (nested.length > 0) continue;
    if (inside.some((e) => !e.name.startsWith("."))) {
      problems.push(problemAt(displayPath(dir), `holds no ${SERVICE_FILE}, so nothing in it is deployed; add one, or move the folder out of ${shownDir}`, "warning"));
    }
  }
  if (files.length === 0 && problems.every((p) => p.severity !== "error")) {
    problems.push(problemAt(shownDir, `holds no service: each service is a folder with a ${SERVICE_FILE} (${shownDir}/<name>/${SERVICE_FILE})`));
  }
  return { files, problems };
}

/**
 * A folder entry as git checkouts and pack see it, through a symbolic link: a linked service folder or
 * service.yaml is the service's, and a link to nothing is named, never skipped.
 */
function kindOf(dir: string, entry: fs.Dirent): "file" | "dir" | "broken" | "other" {
  if (entry.isFile()) return "file";
  if (entry.isDirectory()) return "dir";
  if (!entry.isSymbolicLink()) return "other";
  try {
    const target = fs.statSync(path.join(dir, entry.name));
    return target.isFile() ? "file" : target.isDirectory() ? "dir" : "other";
  } catch {
    return "broken";
  }
}

/** Service.yaml, service.yml, servcie.yaml, services.yaml, service.json: meant as service.yaml, but not it. */
function looksLikeServiceFile(name: string): boolean {
  const lower = name.toLowerCase();
  if (lower === SERVICE_FILE) return true;
  if (/^services?\.(ya?ml|json|toml)$/.test(lower)) return true;
  // Typos of the stem (servcie, sevice, service_): same first letter, at most two edits.
  const stem = /^(.+)\.ya?ml$/.exec(lower)?.[1];
  return stem !== undefined && stem.startsWith("s") && distance(stem, "service") <= 2;
}
