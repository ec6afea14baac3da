import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { displayPath } from "../../catalog/display-path";
import { hasErrors, loadCatalog, type Catalog, type LoadedService } from "../../catalog/load";
import { formatProblem } from "../../catalog/problems";
import { DEFAULT_BUILDER, describeBuilder, detect, type DetectResult, type Finding } from "../../preflight";
import { preflightInput, preflightService } from "../../preflight/catalog";
import { catalogScope } from "../catalog-options";
import { projectRoot } from "../project-root";

interface DetectOptions {
  json?: boolean;
  service?: string[];
  stack?: string;
  builder: string;
  env: string[];
  port?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerDetect(program: Command): void {
  program
    .command("detect")
    .description("Predict, without building, which language the buildpacks builder picks for each folder, which processes the image gets, and what would make the build fail.")
    .argument("[dir...]", "service source folders (default: the current folder)")
    .option("--json", "print a JSON array with one entry per folder")
    .option("--builder <image>", "builder image whose rules to apply", DEFAULT_BUILDER)
    .option("--env <NAME=VALUE>", "build env entry, as service.yaml would pass it (repeatable)", collect, [])
    .option("--port <port>", "container port the service declares")
    .option("--service <name>", "a service of the catalog, by name or folder, with its own build env, port and kind (repeatable)", collect)
    .option("--stack <name>", "with --service: the stack whose builder and overrides apply (default: the first)")
    .action((dirs: string[], opts: DetectOptions, command: Command) => {
      if (opts.service) {
        if (dirs.length > 0) {
          console.error("gantry detect: give folders or --service, not both");
          process.exitCode = 2;
          return;
        }
        const results = catalogDetections(opts.service, opts.stack);
        if (!results) {
          process.exitCode = 1;
          return;
        }
        print(results, opts);
        return;
      }
      const folders = dirs.length > 0 ? dirs : ["."];
      const problems = usageProblems(folders, opts);
      if (problems.length > 0) {
        for (const p of problems) console.error(`gantry detect: ${p}`);
        process.exitCode = 2;
        return;
      }
      const buildEnv = Object.fromEntries(opts.env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
      const port = opts.port === undefined ? undefined : Number(opts.port);
      const builderGiven = command.getOptionValueSource("builder") === "cli";
      const results: Detection[] = [];
      for (const dir of folders) {
        // A service's own folder (or its source folder) is predicted as the builder will see it: with the service's
        // build env, include/exclude, kind and port, and its stack's builder; options given here still win.
        const owned = serviceOfFolder(dir, opts.stack);
        if (owned === "invalid") {
          process.exitCode = 1;
          return;
        }
        if (owned) {
          const builder = builderGiven ? opts.builder : owned.builder;
          const result = detect({ ...preflightInput(owned.service, builder), buildEnv: { ...owned.service.spec.build?.env, ...buildEnv }, ...(port !== undefined ? { port } : {}) });
          results.push({ result: { ...result, dir: displayPath(owned.service.sourceDir) }, builder, service: { name: owned.service.spec.name, stack: owned.stack, file: owned.service.file } });
          continue;
        }
        results.push({ result: detect({ dir, builder: opts.builder, buildEnv, ...(port !== undefined ? { port } : {}) }), builder: opts.builder });
      }
      print(results, opts);
    });
}

interface Detection {
  result: DetectResult;
  builder: string;
  /** The catalog service whose settings were applied, when the folder is one. */
  service?: { name: string; stack: string; file: string };
}

// Folders of one project share its catalog: read it once per command.
const catalogs = new Map<string, Catalog>();

/**
 * The catalog service a folder holds (its service.yaml's folder, or the folder its `source` points at) in the
 * first stack that builds it; "invalid" after printing why that service.yaml cannot be read.
 */
function serviceOfFolder(dir: string, stack: string | undefined): { service: LoadedService; builder: string; stack: string } | "invalid" | undefined {
  const abs = path.resolve(dir);
  const root = projectRoot(abs);
  if (!fs.existsSync(path.join(root, "Pulumi.yaml")) && !fs.existsSync(path.join(root, "Pulumi.yml"))) return undefined;
  const ownFile = ["service.yaml", "service.yml"].map((f) => path.join(abs, f)).find((f) => fs.existsSync(f));
  const key = `${root}\0${stack ?? ""}`;
  const catalog = catalogs.get(key) ?? loadCatalog({ projectDir: root, ...(stack ? { stacks: [stack] } : {}) });
  catalogs.set(key, catalog);
  for (const s of catalog.stacks) {
    const platform = catalog.platforms[s];
    if (!platform) continue;
    const service = (catalog.services[s] ?? []).find((x) => path.resolve(x.sourceDir) === abs || path.resolve(x.dir) === abs);
    if (service) return { service, builder: platform.builder, stack: s };
  }
  if (!ownFile) return undefined;
  // The folder has a service file the catalog could not load: its problems say why, and a guess without them would mislead.
  const shown = displayPath(ownFile);
  const own = catalog.problems.filter((p) => p.file === shown);
  for (const p of own.length > 0 ? own : catalog.problems.filter((x) => x.severity === "error")) console.error(formatProblem(p));
  console.error(`gantry detect: ${shown} could not be loaded (${own.length > 0 ? "its problems" : "the project's problems"} above), so the service's build settings are unknown; fix ${own.length > 0 ? "it" : "them"} and run detect again.`);
  return "invalid";
}

function print(results: Detection[], opts: DetectOptions): void {
  const all = results.map((r) => r.result);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
  } else {
    process.stdout.write(results.map((r) => report(r.result, r.builder, r.service)).join("\n"));
    if (all.length > 1) process.stdout.write(`\n${summary(all)}\n`);
  }
  if (all.some(failed)) process.exitCode = 1;
}

/** The named services as one stack builds them (its builder, their build env, port and kind); undefined after printing why not. */
function catalogDetections(names: string[], stack: string | undefined): Detection[] | undefined {
  const catalog = loadCatalog(catalogScope({ service: names, ...(stack ? { stack } : {}) }));
  if (hasErrors(catalog.problems)) {
    for (const p of catalog.problems) console.error(formatProblem(p));
    return undefined;
  }
  const used = catalog.stacks.find((s) => catalog.platforms[s] && catalog.services[s]!.length > 0);
  if (!used) return [];
  const builder = catalog.platforms[used]!.builder;
  return catalog.services[used]!.map((service) => ({ result: { ...preflightService(service, builder), dir: displayPath(service.sourceDir) }, builder, service: { name: service.spec.name, stack: used, file: service.file } }));
}

function usageProblems(folders: string[], opts: DetectOptions): string[] {
  const out: string[] = [];
  for (const dir of folders) {
    let isDir = false;
    try {
      isDir = fs.statSync(dir).isDirectory();
    } catch {
      out.push(`${dir}: no such folder`);
      continue;
    }
    if (!isDir) out.push(`${dir}: not a folder`);
  }
  for (const e of opts.env) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(e)) out.push(`--env ${e}: expected NAME=VALUE`);
  }
  if (opts.port !== undefined && !/^\d{1,5}$/.test(opts.port)) out.push(`--port ${opts.port}: expected a port number`);
  if (!opts.builder.trim()) out.push("--builder: expected an image reference");
  return out;
}

// Nothing detected is always an error finding, unless the builder is one whose predictions never block.
function failed(r: DetectResult): boolean {
  return r.findings.some((f) => f.severity === "error");
}

const OUTCOME: Record<DetectResult["outcome"], string> = {
  web: "builds",
  "build-error": "BUILD WOULD FAIL",
  "detect-fail": "NO LANGUAGE DETECTED",
};

function report(r: DetectResult, builder: string, service?: Detection["service"]): string {
  const lines: string[] = [];
  const verdict = r.outcome === "web" && failed(r) ? "builds, but would not run" : OUTCOME[r.outcome];
  lines.push(`${r.dir}: ${verdict}`);
  if (service) lines.push(`  service     ${service.name} (${service.file}, stack ${service.stack}: its build env, include/exclude, kind and port)`);
  const family = describeBuilder(builder);
  lines.push(`  builder     ${builder} (${family.vendor === "heroku" ? "heroku, read as paketo" : family.family}${family.stack ? `, ${family.stack}` : ""})`);
  if (r.language) {
    lines.push(`  language    ${r.language}${r.packageManager ? ` (${r.packageManager})` : ""}`);
    if (r.detectedBy) lines.push(`  because     ${r.detectedBy}`);
    if (r.runtimeVersion) lines.push(`  version     ${r.runtimeVersion.value !== null ? `${r.runtimeVersion.value} from ` : ""}${r.runtimeVersion.source}`);
    const names = Object.keys(r.processes);
    if (names.length === 0) lines.push("  processes   (none)");
    const width = Math.max(...names.map((n) => n.length), 3);
    names.forEach((name, i) => {
      const tag = name === r.defaultProcess ? "  (default)" : "";
      lines.push(`  ${i === 0 ? "processes" : "         "}   ${name.padEnd(width)}  ${r.processes[name]}${tag}`);
    });
  }
  for (const f of r.findings) lines.push(...findingLines(f));
  return `${lines.join("\n")}\n`;
}

function findingLines(f: Finding): string[] {
  const where = f.file ? ` ${f.file}${f.line !== undefined ? `:${f.line}` : ""}` : "";
  return [`  ${f.severity === "error" ? "error  " : "warning"} [${f.code}]${where}`, `      ${f.message}`, `      fix: ${f.fix}`];
}

function summary(results: DetectResult[]): string {
  const bad = results.filter(failed).length;
  const warned = results.filter((r) => !failed(r) && r.findings.length > 0).length;
  return `${results.length} folders: ${results.length - bad} without errors${warned ? ` (${warned} with warnings)` : ""}, ${bad} with errors.`;
}
