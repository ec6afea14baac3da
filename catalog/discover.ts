import * as fs from "node:fs";
import * as path from "node:path";
import { distance } from "fastest-levenshtein";
import type { Problem } from "./problems";
import { isInside, realOrSelf } from "./repository-path";

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
export function discoverServiceFiles(servicesDir: string, displayPath: (f: string) => string, repositoryDir = path.dirname(servicesDir)): Discovered {
  const shownDir = displayPath(servicesDir);
  const root = realOrSelf(repositoryDir);
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
  if (entries.some((e) => e.name === SERVICE_FILE && kindOf(servicesDir, e, root) === "file")) {
    const name = path.basename(servicesDir);
    return {
      files: [],
      problems: [problemAt(shownDir, `is one service's folder, not the catalog: give the folder holding it (--services ${displayPath(path.dirname(servicesDir))}), or pick the service with --service ${name}`)],
    };
  }
  const files: string[] = [];
  const problems: Problem[] = [];
  // Each entry's kind once: for a link that is a realpath and a stat.
  const visible = entries
    .filter((d) => !d.name.startsWith("."))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((d) => ({ d, kind: kindOf(servicesDir, d, root) }));
  for (const { d, kind } of visible) {
    if (kind === "broken" || kind === "outside") problems.push(problemAt(displayPath(path.join(servicesDir, d.name)), `${LINK[kind]}, so nothing in it is deployed: ${kind === "broken" ? "point it at the service's folder, or remove it" : OUTSIDE_FIX}`));
  }
  for (const { d } of visible.filter((e) => e.kind === "dir")) {
    const dir = path.join(servicesDir, d.name);
    const inside = fs.readdirSync(dir, { withFileTypes: true });
    const own = inside.find((e) => e.name === SERVICE_FILE);
    if (own) {
      const kind = kindOf(dir, own, root);
      if (kind === "file") files.push(path.join(dir, SERVICE_FILE));
      else problems.push(problemAt(displayPath(path.join(dir, SERVICE_FILE)), `${NOT_A_FILE[kind]}, so ${d.name} would not be deployed: ${kind === "outside" ? OUTSIDE_FIX : kind === "broken" ? "point it at the service's file, or replace it with one" : "put the file itself there"}`));
      continue;
    }
    const misnamed = inside.filter((e) => kindOf(dir, e, root) === "file" && looksLikeServiceFile(e.name));
    for (const e of misnamed) {
      problems.push(problemAt(displayPath(path.join(dir, e.name)), `looks like a misspelled ${SERVICE_FILE}, so ${d.name} would not be deployed: rename it to ${SERVICE_FILE}`));
    }
    if (misnamed.length > 0) continue;
    const nested = inside.filter((e) => kindOf(dir, e, root) === "dir" && fs.existsSync(path.join(dir, e.name, SERVICE_FILE)));
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

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

type Kind = "file" | "dir" | "broken" | "outside" | "other";

const LINK = { broken: "is a symbolic link to nothing", outside: "is a symbolic link leading outside the repository" } as const;
const NOT_A_FILE: Record<Exclude<Kind, "file">, string> = { ...LINK, dir: "is a folder, not a file", other: "is a special file (a pipe, socket or device), not a file" };
// Why a link may not leave the checkout: what deploys must be what review saw, and a link could point anywhere on the
// machine that builds (and errors quote what they read).
const OUTSIDE_FIX = "a service's folder and file must be in this checkout; move them here";

/**
 * A folder entry as git checkouts see it, through a symbolic link: a link to a service folder or service.yaml
 * elsewhere in the repository (a monorepo's layout) is the service's; a link to nothing or out of the repository is
 * named, never followed or skipped.
 */
function kindOf(dir: string, entry: fs.Dirent, root: string): Kind {
  if (entry.isFile()) return "file";
  if (entry.isDirectory()) return "dir";
  if (!entry.isSymbolicLink()) return "other";
  try {
    const target = fs.realpathSync(path.join(dir, entry.name));
    if (!isInside(root, target)) return "outside";
    const stat = fs.statSync(target);
    return stat.isFile() ? "file" : stat.isDirectory() ? "dir" : "other";
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
