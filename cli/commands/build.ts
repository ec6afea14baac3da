import type { Command } from "commander";
import * as fs from "node:fs";
import * as path from "node:path";
import { formatProblem } from "../../catalog/problems";
import { progressLine } from "../../output/progress";
import { catalogScope } from "../catalog-options";

interface BuildCliOptions {
  stack: string;
  services?: string;
  service?: string[];
  shard?: string;
  dryRun?: boolean;
  json?: boolean;
  outputs?: string;
}

export function registerBuild(program: Command): void {
  program
    .command("build")
    .description(
      "Build (or rebase) every image a stack needs that its registry does not already hold, outside `pulumi up`: the images the stack's program declares, decided as PackImage decides (adopt, rebase, build). Each image is pushed with its build record, so the `pulumi up` that follows adopts it and builds nothing. Shards split the stack's images by fingerprint, each built by exactly one shard; the day's changes go before fleet-wide work. Exits 1 when a build fails (the others still finish and stay published) or the catalog is invalid, 2 on a wrong option.",
    )
    .requiredOption("--stack <name>", "the stack whose images to build (dev, staging, pr-<n>)")
    .option("--shard <K/N>", "build only the K-th of N shares of the stack's images (1-based, e.g. 2/4)")
    .option("--service <name>", "only this service (repeatable); shards are still split over the whole stack", (v: string, prev: string[] = []) => [...prev, v])
    .option("--dry-run", "say what would be built, rebased or adopted and why; build nothing")
    .option("--json", "print the decisions (and results) as JSON, for tools")
    .option("--outputs <file>", "the stack's last deployment (`pulumi stack export`), so a run image change rebases instead of rebuilding (default: a file:// backend's state)")
    .option("--services <dir>", "catalog folder (default: services/ of the project, found from any subfolder)")
    .action(async (opts: BuildCliOptions) => {
      const { parseShard } = require("../../build/shard") as typeof import("../../build/shard");
      const shard = opts.shard !== undefined ? parseShard(opts.shard) : undefined;
      if (shard && "error" in shard) {
        console.error(`gantry build: ${shard.error}`);
        process.exitCode = 2;
        return;
      }
      // Loaded here, not at the top: the Pulumi SDK and the program are heavy and only this command needs them.
      const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
      const { stackImages } = require("../../build/need") as typeof import("../../build/need");
      const run = require("../../build/run") as typeof import("../../build/run");
      // Evaluating the program is a terminal's status line; the build's own lines go to stderr everywhere (CI logs too).
      const status = progressLine(process.stderr, "gantry build", { enabled: !opts.json });
      const say = (line: string) => {
        status.done();
        process.stderr.write(`gantry build: ${line}\n`);
      };
      try {
        const scope = catalogScope(opts);
        const need = await stackImages({ stack: opts.stack, projectDir: scope.projectDir, servicesDir: scope.servicesDir, outputsFile: opts.outputs, progress: (step) => status.update(step) });
        status.done();
        const errors = need.problems.filter((p) => p.severity === "error");
        if (errors.length > 0) {
          for (const p of need.problems) console.error(formatProblem(p));
          console.error(`gantry build: ${errors.length} problem${errors.length === 1 ? "" : "s"} in the service catalog or stack config; nothing was built.`);
          process.exitCode = 1;
          return;
        }
        if (need.promotedFrom) {
          say(`${opts.stack} promotes the images of ${need.promotedFrom} and builds nothing`);
          if (opts.json) process.stdout.write(`${JSON.stringify({ stack: opts.stack, promotedFrom: need.promotedFrom, decisions: [] }, null, 2)}\n`);
          return;
        }
        const known = new Set(need.images.map((i) => i.name));
        const unknown = (opts.service ?? []).filter((s) => !known.has(s));
        if (unknown.length > 0) {
          console.error(`gantry build: no image of ${unknown.map((u) => `"${u}"`).join(", ")} in stack ${opts.stack} (it builds: ${[...known].join(", ") || "nothing"})`);
          process.exitCode = 1;
          return;
        }
        const where = shard ? ` (shard ${shard.index}/${shard.count})` : "";
        if (need.dockerfileServices.length > 0) say(`${need.dockerfileServices.join(", ")} still build${need.dockerfileServices.length === 1 ? "s" : ""} from a Dockerfile: pulumi up builds ${need.dockerfileServices.length === 1 ? "it" : "them"}, not gantry build`);
        say(`${need.images.length} images in ${opts.stack}; last deployment: ${need.lastDeployment.found ? need.lastDeployment.from : `none found (${need.lastDeployment.from})`}`);
        const { decisions, otherShards } = await run.decideImages(need.images, { ...(shard ? { shard } : {}), ...(opts.service ? { only: opts.service } : {}) });
        if (!opts.json) {
          for (const d of [...decisions].sort((a, b) => a.name.localeCompare(b.name))) process.stdout.write(`${d.name.padEnd(Math.max(...decisions.map((x) => x.name.length)))}  ${d.action.padEnd(9)}  ${d.why}\n`);
        }
        if (opts.dryRun) {
          if (opts.json) process.stdout.write(`${JSON.stringify({ stack: opts.stack, ...(shard ? { shard } : {}), decisions, otherShards }, null, 2)}\n`);
          else say(`dry run${where}: ${run.workOrder(decisions).length} to build or rebase, nothing done`);
          return;
        }
        const work = run.workOrder(decisions);
        say(`${work.length} to build or rebase${where}, the day's changes first; per-phase lines follow, full logs in .gantry/logs/<service>/`);
        const results = await run.runBuilds(decisions, need.images, (r, done, total) => {
          say(`[${done}/${total}] ${r.name}: ${r.outcome}${r.digest ? ` ${r.digest}` : ""} in ${r.seconds.toFixed(1)}s`);
          if (r.error) console.error(r.error);
        });
        const summary = run.summaryLine(decisions, results, otherShards);
        writeSummary(scope.projectDir, opts.stack, shard, { decisions, results, summary });
        if (opts.json) process.stdout.write(`${JSON.stringify({ stack: opts.stack, ...(shard ? { shard } : {}), decisions, results, otherShards }, null, 2)}\n`);
        say(`${opts.stack}${where}: ${summary}`);
        if (results.some((r) => r.outcome === "failed")) process.exitCode = 1;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (!(err instanceof Error) || !(pulumi.RunError.isInstance(err) || /^[^\n]*: (not JSON|expected the JSON)|ENOENT/.test(message))) throw err;
        console.error(`gantry build: ${message}`);
        process.exitCode = 1;
      }
    });
}

/** The run's decisions and results beside the build logs, for the pipeline to archive. */
function writeSummary(projectDir: string, stack: string, shard: { index: number; count: number } | undefined, body: unknown): void {
  const dir = path.join(projectDir, ".gantry", "logs");
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `build-${stack}${shard ? `-shard-${shard.index}-of-${shard.count}` : ""}.json`), `${JSON.stringify(body, null, 2)}\n`);
  } catch {
    // The summary is a convenience; the build's outcome is already printed.
  }
}
