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
    // A service.yaml given where its catalog folder belongs is the likely slip: say which folder was meant.
    const file = isFile(servicesDir);
    const message = !file
      ? "service catalog folder not found"
      : path.basename(servicesDir) === SERVICE_FILE
        ? `is a file, not the catalog folder: give the folder holding the services (--services ${displayPath(path.dirname(path.dirname(servicesDir)))}), or pick this one with --service ${path.basename(path.dirname(servicesDir))}`
        : "is a file, not the service catalog folder";
    return { files: [], problems: [problemAt(shownDir, message)] };
  }
  if (entries.some((e) => e.isFile() && e.name === SERVICE_FILE)) {
    const name = path.basename(servicesDir);
    return {
      files: [],
      problems: [problemAt(shownDir, `is one service's folder, not the catalog: give the folder holding it (--services ${displayPath(path.dirname(servicesDir))}), or pick the service with --service ${name}`)],
    };
  }
  const files: string[] = [];
  const problems: Problem[] = [];
  for (const link of entries.filter((e) => e.isSymbolicLink() && !e.name.startsWith("."))) {
    if (!isDirectoryBehind(path.join(servicesDir, link.name))) continue;
    problems.push(problemAt(displayPath(path.join(servicesDir, link.name)), `is a symbolic link to a folder, so ${link.name} would not be deployed: Gantry reads only real folders under ${shownDir} ${LINK_REASON}; move the service's folder here`));
  }
  const folders = entries.filter((d) => d.isDirectory() && !d.name.startsWith(".")).sort((a, b) => a.name.localeCompare(b.name));
  for (const d of folders) {
    const dir = path.join(servicesDir, d.name);
    const inside = fs.readdirSync(dir, { withFileTypes: true });
    const entry = inside.find((e) => e.name === SERVICE_FILE);
    if (entry?.isFile()) {
      files.push(path.join(dir, SERVICE_FILE));
      continue;
    }
    if (entry) {
      problems.push(problemAt(displayPath(path.join(dir, SERVICE_FILE)), `is ${notAFile(entry)}, not a file, so ${d.name} would not be deployed: Gantry reads ${SERVICE_FILE} only as a file in the service's own folder${entry.isSymbolicLink() ? ` ${LINK_REASON}` : ""}; put the file itself there`));
      continue;
    }
    const misnamed = inside.filter((e) => e.isFile() && looksLikeServiceFile(e.name));
    for (const e of misnamed) {
      problems.push(problemAt(displayPath(path.join(dir, e.name)), `looks like a misspelled ${SERVICE_FILE}, so ${d.name} would not be deployed: rename it to ${SERVICE_FILE}`));
    }
    if (misnamed.length > 0) continue;
    const nested = inside.filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, SERVICE_FILE)));
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

// Why links are not followed: a pull request could point one at any file of the agent, and errors quote values.
const LINK_REASON = "(a link could point anywhere on the machine that builds)";

function notAFile(entry: fs.Dirent): string {
  if (entry.isSymbolicLink()) return "a symbolic link";
  if (entry.isDirectory()) return "a folder";
  return "a special file (a pipe, socket or device)";
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDirectoryBehind(link: string): boolean {
  try {
    return fs.statSync(link).isDirectory();
  } catch {
    return false;
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
