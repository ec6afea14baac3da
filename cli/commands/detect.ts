import * as fs from "node:fs";
import type { Command } from "commander";
import { displayPath } from "../../catalog/display-path";
import { hasErrors, loadCatalog } from "../../catalog/load";
import { formatProblem } from "../../catalog/problems";
import { DEFAULT_BUILDER, describeBuilder, detect, type DetectResult, type Finding } from "../../preflight";
import { preflightService } from "../../preflight/catalog";
import { catalogScope } from "../catalog-options";

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
    .action((dirs: string[], opts: DetectOptions) => {
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
      const results = folders.map((dir) => detect({ dir, builder: opts.builder, buildEnv, ...(port !== undefined ? { port } : {}) }));
      print(
        results.map((result) => ({ result, builder: opts.builder })),
        opts,
      );
    });
}

function print(results: { result: DetectResult; builder: string }[], opts: DetectOptions): void {
  const all = results.map((r) => r.result);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
  } else {
    process.stdout.write(results.map((r) => report(r.result, r.builder)).join("\n"));
    if (all.length > 1) process.stdout.write(`\n${summary(all)}\n`);
  }
  if (all.some(failed)) process.exitCode = 1;
}

/** The named services as one stack builds them (its builder, their build env, port and kind); undefined after printing why not. */
function catalogDetections(names: string[], stack: string | undefined): { result: DetectResult; builder: string }[] | undefined {
  const catalog = loadCatalog(catalogScope({ service: names, ...(stack ? { stack } : {}) }));
  if (hasErrors(catalog.problems)) {
    for (const p of catalog.problems) console.error(formatProblem(p));
    return undefined;
  }
  const used = catalog.stacks.find((s) => catalog.platforms[s] && catalog.services[s]!.length > 0);
  if (!used) return [];
  const builder = catalog.platforms[used]!.builder;
  return catalog.services[used]!.map((service) => ({ result: { ...preflightService(service, builder), dir: displayPath(service.sourceDir) }, builder }));
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

function failed(r: DetectResult): boolean {
  return r.outcome === "detect-fail" || r.findings.some((f) => f.severity === "error");
}

const OUTCOME: Record<DetectResult["outcome"], string> = {
  web: "builds",
  "build-error": "BUILD WOULD FAIL",
  "detect-fail": "NO LANGUAGE DETECTED",
};

function report(r: DetectResult, builder: string): string {
  const lines: string[] = [];
  const verdict = r.outcome === "web" && failed(r) ? "builds, but would not run" : OUTCOME[r.outcome];
  lines.push(`${r.dir}: ${verdict}`);
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
