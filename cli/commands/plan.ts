import type { Command } from "commander";
import * as fs from "node:fs";
import * as path from "node:path";
import { mdCode } from "../../output/markdown";
import { progressLine } from "../../output/progress";
import { catalogScope } from "../catalog-options";
import { selectServices } from "../plan-selection";

interface PlanCliOptions {
  stack: string;
  services?: string;
  service?: string[];
  markdown?: boolean;
  json?: boolean;
  outputs?: string;
  sourceOutputs?: string;
  full?: boolean;
  fullFile?: string;
}

export function registerPlan(program: Command): void {
  program
    .command("plan")
    .description(
      "Say what deploying a stack would do, with no cloud credentials and no Pulumi CLI: the stack's real program runs under Pulumi's mock runtime and is compared with the last deployment. Shows what a reviewer must not miss first (deletions, new public access, IAM grants, secrets, cost), then each changed service's resources (create, update old -> new, replace, delete) and its image's build decision, the build preflight and the catalog's problems; exits 1 when the catalog or config is invalid.",
    )
    .requiredOption("--stack <name>", "the stack to plan (dev, staging, prod, pr-<n>)")
    .option("--services <dir>", "catalog folder (default: services/ of the project, found from any subfolder)")
    .option("--service <name>", "show only this service and its resources (repeatable); the whole stack is still planned", (v: string, prev: string[] = []) => [...prev, v])
    .option("--markdown", "render for a pull request comment, sized to fit one")
    .option("--json", "print the plan as JSON, for tools")
    .option("--outputs <file>", "the stack's last deployment: `pulumi stack export` (every resource, for the diff) or `pulumi stack output --json` (images only) (default: read from a file:// state backend)")
    .option("--source-outputs <file>", "the same for the stack a promoting stack promotes from")
    .option("--full", "every image and every resource, unchanged ones too (default: what changes)")
    .option("--full-file <file>", "also write the full markdown plan to this file, for the pipeline to attach; the short plan points to it")
    .action(async (opts: PlanCliOptions) => {
      if (opts.markdown && opts.json) {
        console.error("gantry plan: give --markdown or --json, not both");
        process.exitCode = 2;
        return;
      }
      quietRuntimeWarnings();
      // Loaded here, not at the top: the Pulumi SDK and providers are heavy and only this command needs them.
      const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
      const { makePlan } = require("../../plan/run") as typeof import("../../plan/run");
      const render = require("../../plan/render") as typeof import("../../plan/render");
      const { renderMarkdown } = require("../../plan/render-markdown") as typeof import("../../plan/render-markdown");
      const progress = progressLine(process.stderr, "gantry plan", { enabled: !opts.json });
      try {
        const scope = catalogScope(opts);
        const made = await makePlan({
          stack: opts.stack,
          projectDir: scope.projectDir,
          servicesDir: scope.servicesDir,
          outputsFile: opts.outputs,
          sourceOutputsFile: opts.sourceOutputs,
          progress: (step) => progress.update(step),
        });
        progress.done();
        const selected = opts.service ? selectServices(made, opts.service) : { plan: made };
        if ("error" in selected) {
          console.error(`gantry plan: ${selected.error}`);
          process.exitCode = 1;
          return;
        }
        const { plan } = selected;
        if (opts.fullFile && !writeFullPlan(opts.fullFile, renderMarkdown(plan, { full: true }))) return;
        const fullPlan = opts.fullFile ? `the full plan, attached as ${mdCode(path.basename(opts.fullFile))}` : undefined;
        process.stdout.write(
          opts.json ? render.renderJson(plan) : opts.markdown ? renderMarkdown(plan, { full: opts.full, ...(fullPlan ? { fullPlan } : {}) }) : render.renderText(plan, { full: opts.full }),
        );
        if (!plan.ok) {
          const errors = plan.problems.filter((p) => p.severity === "error").length + plan.preflight.filter((p) => p.severity === "error").length;
          console.error(`gantry plan: ${errors} problem${errors === 1 ? "" : "s"} in the service catalog or stack config (listed in the plan); nothing would be built or deployed.`);
          process.exitCode = 1;
        }
      } catch (err) {
        progress.done();
        // A user's mistake (RunError) or an unreadable --outputs file: the message, never a stack trace.
        const message = err instanceof Error ? err.message : String(err);
        if (!(err instanceof Error) || !(pulumi.RunError.isInstance(err) || /^[^\n]*: (not JSON|expected the JSON)|ENOENT/.test(message))) throw err;
        console.error(`gantry plan: ${message}`);
        process.exitCode = 1;
      }
    });
}

/** The full plan for the pipeline to attach; a path that cannot be written is the user's to fix, not a crash. */
function writeFullPlan(file: string, text: string): boolean {
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, text);
    return true;
  } catch (err) {
    console.error(`gantry plan: cannot write --full-file ${file}: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
    return false;
  }
}

/**
 * Pulumi's closure serializer touches every Node built-in while it serializes the PackImage provider, which
 * makes Node warn about `sys` and WASI; noise in a plan, and nothing the user can act on.
 */
function quietRuntimeWarnings(): void {
  const listeners = process.listeners("warning");
  process.removeAllListeners("warning");
  process.on("warning", (w: Error & { code?: string }) => {
    if (w.code === "DEP0025" || (w.name === "ExperimentalWarning" && /WASI/.test(w.message))) return;
    for (const l of listeners) l(w);
  });
}
