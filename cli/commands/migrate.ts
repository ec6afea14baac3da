import type { Command } from "commander";
import { hasErrors, loadCatalog } from "../../catalog/load";
import { formatProblem, mergeAcrossStacks, sortProblems, type Problem } from "../../catalog/problems";
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
      for (const line of problemLines(problems)) console.error(line);
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

const IN_CONTEXT = / is inside the build context and \.dockerignore does not exclude it/;

/**
 * Errors each on their line; the service.yaml-in-the-build-context warning, which every such service gets on every
 * run and which is about rebuilds rather than migration, once for all of them.
 */
export function problemLines(problems: readonly Problem[]): string[] {
  const inContext = problems.filter((p) => p.severity === "warning" && IN_CONTEXT.test(p.message));
  const lines = problems.filter((p) => !inContext.includes(p)).map(formatProblem);
  if (inContext.length > 0) {
    const files = [...new Set(inContext.map((p) => p.file))];
    lines.push(
      `warning: ${files.length === 1 ? `${files[0]} sends its` : `${files.length} services send their`} service.yaml with the Docker build context, so a scaling or env edit rebuilds the image${files.length === 1 ? "" : ` (${files.join(", ")})`}; \`npx gantry validate\` names the .dockerignore line to add`,
    );
  }
  return lines;
}
