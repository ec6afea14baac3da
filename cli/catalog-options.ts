import type { Command } from "commander";
import { hasErrors, loadCatalog, type Catalog } from "../catalog/load";
import { formatProblem } from "../catalog/problems";
import { stackChecks } from "../infra/checks";

export interface CatalogOptions {
  stack?: string;
  services: string;
}

/** Every subcommand that reads the catalog takes the same two options. */
export function withCatalogOptions(cmd: Command): Command {
  return cmd.option("--stack <name>", "one stack only (default: every Pulumi.<stack>.yaml)").option("--services <dir>", "catalog folder", "services");
}

/** The catalog with the build preflight's findings added, so a build that would fail is caught here. */
export function readCatalog(opts: CatalogOptions): Catalog {
  const catalog = loadCatalog({ servicesDir: opts.services, stacks: opts.stack ? [opts.stack] : undefined });
  const checks = stackChecks(catalog, process.cwd());
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
