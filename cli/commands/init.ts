import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { stringify } from "yaml";
import { displayPath } from "../../catalog/display-path";
import { SERVICE_FILE } from "../../catalog/discover";
import { CLOUD_RUN_NAME } from "../../catalog/rules/names";
import { DEFAULT_BUILDER, detect, type DetectResult } from "../../preflight";
import { projectRoot } from "../project-root";

interface InitOptions {
  name?: string;
  kind?: string;
}

const KINDS = ["service", "job", "gke"];

export function registerInit(program: Command): void {
  program
    .command("init")
    .description(
      "Write a service.yaml for the source in a folder (default: the current one): the kind and the runtime come from what the buildpacks builder would detect there, with the schema modeline for editors. Never overwrites a service.yaml.",
    )
    .argument("[dir]", "the service's folder, holding its source", ".")
    .option("--name <name>", "service name (default: the folder's name)")
    .option("--kind <kind>", "service, job or gke (default: service when the source has a web process, else job)")
    .action((dir: string, opts: InitOptions) => {
      const problem = initService(path.resolve(dir), opts);
      if (problem) {
        console.error(`gantry init: ${problem.message}`);
        process.exitCode = problem.code;
      }
    });
}

/** Writes <dir>/service.yaml, or says why not (exit code 2 for a usage mistake, 1 for a folder it will not touch). */
function initService(dir: string, opts: InitOptions): { message: string; code: number } | undefined {
  const file = path.join(dir, SERVICE_FILE);
  const shown = displayPath(file);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return { message: `${displayPath(dir)}: no such folder`, code: 2 };
  if (fs.existsSync(file)) return { message: `${shown} already exists; it is left as it is (remove it first to start again)`, code: 1 };
  // Only services/<name>/service.yaml is deployed: a file written anywhere else would be skipped or refused.
  const catalog = path.join(projectRoot(dir), "services");
  if (path.dirname(dir) !== catalog) {
    const where = dir.startsWith(catalog + path.sep) ? "is deeper than one folder under" : "is not a folder of";
    return {
      message: `${displayPath(dir)} ${where} the service catalog ${displayPath(catalog)}, so a service.yaml there would not be deployed: run gantry init on ${displayPath(catalog)}/<name> (its source may stay where it is: source: in service.yaml points at it)`,
      code: 1,
    };
  }
  if (opts.kind !== undefined && !KINDS.includes(opts.kind)) return { message: `--kind ${opts.kind}: expected service, job or gke`, code: 2 };
  const name = opts.name ?? serviceName(path.basename(dir));
  if (!CLOUD_RUN_NAME.test(name)) return { message: `"${name}" is not a service name: lowercase letters, digits and hyphens, starting with a letter (give --name)`, code: 2 };

  const found = detect({ dir, builder: DEFAULT_BUILDER });
  if (found.outcome === "detect-fail") {
    return { message: `no language the buildpacks builder knows was found in ${displayPath(dir)} (${found.findings.map((f) => f.message).join("; ") || "no source files"}); add the source first`, code: 1 };
  }
  const kind = opts.kind ?? (found.processes.web !== undefined || Object.keys(found.processes).length === 0 ? "service" : "job");
  fs.writeFileSync(file, render(name, kind, found, schemaModeline(dir)), { flag: "wx" });
  console.log(`wrote ${shown}: ${name}, kind: ${kind}, ${describe(found)}`);
  console.log(`next: npx gantry validate --service ${name}`);
  return undefined;
}

/** The folder's name as a Cloud Run name: lowercase, hyphens for anything else, within 49 characters. */
function serviceName(folder: string): string {
  return folder
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, 49)
    .replace(/-+$/, "");
}

function describe(found: DetectResult): string {
  const version = found.runtimeVersion?.value ? ` ${found.runtimeVersion.value} (${found.runtimeVersion.source})` : "";
  return `${found.language}${version}`;
}

/** Relative path from the service folder to the project's generated schema, as the examples carry it. */
function schemaModeline(dir: string): string {
  const schema = path.join(projectRoot(dir), "services", "service.schema.json");
  const ref = fs.existsSync(schema) ? path.relative(dir, schema).split(path.sep).join("/") : "https://gantry.dev/schemas/service.schema.json";
  return `# yaml-language-server: $schema=${ref}`;
}

function render(name: string, kind: string, found: DetectResult, modeline: string): string {
  const processes = Object.entries(found.processes).map(([p, cmd]) => `#   ${p}: ${cmd}`);
  const body: Record<string, unknown> = { name, kind };
  if (kind === "job") {
    const process = Object.keys(found.processes).find((p) => p !== "web");
    if (process) body.process = process;
  }
  body.memory = kind === "gke" ? "256Mi" : "512Mi";
  if (kind === "gke") body.cpu = "250m";
  const header = [
    modeline,
    `# Written by gantry init from what the buildpacks builder would detect here: ${describe(found)}${found.detectedBy ? `, because of ${found.detectedBy}` : ""}.`,
    ...(processes.length > 0 ? ["# Processes the image gets:", ...processes] : []),
    "# Secrets go under secrets: (Secret Manager ids), never under env:.",
  ];
  return `${header.join("\n")}\n${stringify(body)}`;
}
