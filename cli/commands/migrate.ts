import type { Command } from "commander";
import { hasErrors, loadCatalog } from "../../catalog/load";
import { formatProblem, mergeAcrossStacks, sortProblems } from "../../catalog/problems";
import { migrationReport, renderJson, renderMarkdown, renderText } from "../../migrate";
import { dockerfileBuildProblems } from "../../preflight/dockerfile-build";
import { catalogScope, withCatalogOptions, type CatalogOptions } from "../catalog-options";

interface MigrateOptions extends CatalogOptions {
  markdown?: boolean;
  json?: boolean;
}

export function registerMigrate(program: Command): void {
  withCatalogOptions(
    program
      .command("migrate")
      .description(
        "For every service that still builds from a Dockerfile, compare what the Dockerfile does with what the buildpacks builder would do for the same source, and say whether the Dockerfile can go: ready, needs (the changes to make), or blocked (and why). A report: exits 0 unless the catalog is invalid.",
      ),
  )
    .option("--markdown", "render for a pull request comment")
    .option("--json", "print the report as JSON, for tools")
    .action((opts: MigrateOptions) => {
      if (opts.markdown && opts.json) {
        console.error("gantry migrate: give --markdown or --json, not both");
        process.exitCode = 2;
        return;
      }
      const catalog = loadCatalog(catalogScope(opts));
      // Buildpacks findings are beside the point here; a Dockerfile that cannot be read is not.
      const dockerfiles = catalog.stacks.flatMap((stack) => (catalog.services[stack] ?? []).flatMap((s) => dockerfileBuildProblems(s, stack, process.cwd(), catalog.platforms[stack]?.baseStack ?? stack)));
      const problems = sortProblems(mergeAcrossStacks([...catalog.problems, ...dockerfiles], catalog.stacks));
      for (const p of problems) console.error(formatProblem(p));
      if (hasErrors(problems)) {
        const errors = problems.filter((p) => p.severity === "error").length;
        console.error(`\n${errors} problem${errors === 1 ? "" : "s"} in the service catalog or stack config; fix them first (\`npx gantry validate\`).`);
        process.exitCode = 1;
        return;
      }
      const report = migrationReport(catalog);
      process.stdout.write(opts.json ? renderJson(report) : opts.markdown ? renderMarkdown(report) : renderText(report));
    });
}
