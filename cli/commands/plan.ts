import type { Command } from "commander";
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
}

export function registerPlan(program: Command): void {
  program
    .command("plan")
    .description(
      "Say what deploying a stack would do, with no cloud credentials and no Pulumi CLI: the stack's real program runs under Pulumi's mock runtime. Lists every resource, each image's build decision (build, rebase, unchanged, promoted) and why, the build preflight and the catalog's problems; exits 1 when the catalog or config is invalid.",
    )
    .requiredOption("--stack <name>", "the stack to plan (dev, staging, prod, pr-<n>)")
    .option("--services <dir>", "catalog folder (default: services/ of the project, found from any subfolder)")
    .option("--service <name>", "show only this service and its resources (repeatable); the whole stack is still planned", (v: string, prev: string[] = []) => [...prev, v])
    .option("--markdown", "render for a pull request comment")
    .option("--json", "print the plan as JSON, for tools")
    .option("--outputs <file>", "the stack's last deployment: `pulumi stack output --json` or `pulumi stack export` (default: read from a file:// state backend)")
    .option("--source-outputs <file>", "the same for the stack a promoting stack promotes from")
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
      try {
        const scope = catalogScope(opts);
        const made = await makePlan({ stack: opts.stack, projectDir: scope.projectDir, servicesDir: scope.servicesDir, outputsFile: opts.outputs, sourceOutputsFile: opts.sourceOutputs });
        const selected = opts.service ? selectServices(made, opts.service) : { plan: made };
        if ("error" in selected) {
          console.error(`gantry plan: ${selected.error}`);
          process.exitCode = 1;
          return;
        }
        const { plan } = selected;
        process.stdout.write(opts.json ? render.renderJson(plan) : opts.markdown ? render.renderMarkdown(plan) : render.renderText(plan));
        if (!plan.ok) {
          const errors = plan.problems.filter((p) => p.severity === "error").length + plan.preflight.filter((p) => p.severity === "error").length;
          console.error(`gantry plan: ${errors} problem${errors === 1 ? "" : "s"} in the service catalog or stack config (listed in the plan); nothing would be built or deployed.`);
          process.exitCode = 1;
        }
      } catch (err) {
        // A user's mistake (RunError) or an unreadable --outputs file: the message, never a stack trace.
        const message = err instanceof Error ? err.message : String(err);
        if (!(err instanceof Error) || !(pulumi.RunError.isInstance(err) || /^[^\n]*: (not JSON|expected the JSON)|ENOENT/.test(message))) throw err;
        console.error(`gantry plan: ${message}`);
        process.exitCode = 1;
      }
    });
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
