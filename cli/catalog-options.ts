import * as path from "node:path";
import type { Command } from "commander";
import { hasErrors, loadCatalog, type Catalog } from "../catalog/load";
import { formatProblem } from "../catalog/problems";
import { stackChecks } from "../infra/checks";
import type { Progress } from "./progress";
import { projectRoot } from "./project-root";

export interface CatalogOptions {
  stack?: string;
  /** Catalog folder as typed, relative to the working directory; default <project>/services. */
  services?: string;
  /** --service, repeatable: only these services. */
  service?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Every subcommand that reads the catalog takes the same options. */
export function withCatalogOptions(cmd: Command): Command {
  return cmd
    .option("--stack <name>", "one stack only (default: every Pulumi.<stack>.yaml)")
    .option("--service <name>", "only this service, by name or folder (repeatable)", collect)
    .option("--services <dir>", "catalog folder (default: services/ of the project, found from any subfolder)");
}

/** Where the project is and what of it to read, from the options as given on any folder of the project. */
export function catalogScope(opts: CatalogOptions): { projectDir: string; servicesDir?: string; stacks?: string[]; only?: string[] } {
  return {
    projectDir: projectRoot(),
    ...(opts.services !== undefined ? { servicesDir: path.resolve(opts.services) } : {}),
    ...(opts.stack ? { stacks: [opts.stack] } : {}),
    ...(opts.service ? { only: opts.service } : {}),
  };
}

/** The catalog with the build preflight's findings added, so a build that would fail is caught here. */
export function readCatalog(opts: CatalogOptions, progress?: Progress): Catalog {
  const scope = catalogScope(opts);
  const catalog = loadCatalog({ ...scope, ...(progress ? { onProgress: progress } : {}) });
  const count = new Set(Object.values(catalog.services).flatMap((list) => list.map((s) => s.spec.name))).size;
  progress?.(`preflight: what the builder would detect for ${count} service${count === 1 ? "" : "s"}`);
  const checks = stackChecks(catalog, scope.projectDir, process.cwd(), { partial: scope.only !== undefined });
  progress?.done();
  return { ...catalog, problems: [...checks.problems, ...checks.preflight] };
}

/** Prints errors (and warnings) and says so when nothing may proceed. Returns true when there were errors. */
export function reportProblems(catalog: Catalog, out: (line: string) => void = (l) => console.error(l)): boolean {
  const errors = catalog.problems.filter((p) => p.severity === "error");
  for (const p of catalog.problems) out(formatProblem(p));
  if (errors.length > 0) {
    const files = new Set(errors.map((p) => p.file)).size;
    out(`\n${errors.length} problem${errors.length === 1 ? "" : "s"} in ${files} file${files === 1 ? "" : "s"}; nothing was built or deployed.`);
  }
  return hasErrors(catalog.problems);
}
