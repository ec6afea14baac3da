import type { Command } from "commander";
import { table } from "../../output/table";
import { projectRoot } from "../project-root";
import { pulumiFailure } from "../pulumi-failure";

// The Automation API and everything under it load only when a preview command runs.
const previews = () => require("../../environments/previews") as typeof import("../../environments/previews");

function prNumber(value: string): number | undefined {
  return /^[1-9]\d{0,8}$/.test(value) ? Number(value) : undefined;
}

function usage(message: string): void {
  console.error(`gantry preview: ${message}`);
  process.exitCode = 2;
}

/** A failed CLI call or a user's mistake: its message and exit 1. Anything else is a Gantry bug. */
async function run(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    const { CommandError } = require("@pulumi/pulumi/automation") as typeof import("@pulumi/pulumi/automation");
    const known = err instanceof previews().PreviewError || err instanceof CommandError || (err instanceof Error && err.message.startsWith("pulumi "));
    if (!known) throw err;
    const message = (err as Error).message;
    console.error(`gantry preview: ${err instanceof CommandError ? pulumiFailure(message) : message}`);
    process.exitCode = 1;
  }
}

export function registerPreview(program: Command): void {
  const preview = program
    .command("preview")
    .description(
      "Short-lived environments for pull requests: stack pr-<n> of this project, made from a base stack's config (nothing kept warm or protected, every name suffixed -pr-<n>), in the state backend PULUMI_BACKEND_URL names (default: file://<project>/.gantry/state). Runs the pulumi CLI through the Automation API.",
    );

  preview
    .command("up")
    .description("Create or update pr-<n> from the checkout and print its service URLs as markdown for the PR comment (progress goes to stderr).")
    .requiredOption("--pr <n>", "pull request number")
    .option("--base <stack>", "stack whose config the preview copies", "dev")
    .action(async (opts: { pr: string; base: string }) => {
      const pr = prNumber(opts.pr);
      if (pr === undefined) return usage(`--pr ${opts.pr}: expected a pull request number`);
      await run(async () => {
        const comment = await previews().previewUp({ projectDir: projectRoot(), pr, base: opts.base, log: (t) => process.stderr.write(t) });
        process.stdout.write(comment);
      });
    });

  preview
    .command("destroy")
    .description("Destroy pr-<n>'s resources and remove the stack (nothing to do when it does not exist).")
    .requiredOption("--pr <n>", "pull request number")
    .action(async (opts: { pr: string }) => {
      const pr = prNumber(opts.pr);
      if (pr === undefined) return usage(`--pr ${opts.pr}: expected a pull request number`);
      await run(async () => {
        const removed = await previews().previewDestroy({ projectDir: projectRoot(), pr, log: (t) => process.stderr.write(t) });
        console.log(removed ? `pr-${pr}: destroyed and removed.` : `pr-${pr}: no such stack; nothing to destroy.`);
      });
    });

  preview
    .command("gc")
    .description("Destroy and remove every pr-<n> stack not updated for a while.")
    .option("--older-than <age>", 'e.g. "72h", "3d", "90m"', "72h")
    .option("--dry-run", "only say which stacks would go")
    .action(async (opts: { olderThan: string; dryRun?: boolean }) => {
      const olderThanMs = previews().parseAge(opts.olderThan);
      if (olderThanMs === undefined) return usage(`--older-than ${opts.olderThan}: expected an age such as 72h, 3d or 90m`);
      await run(async () => {
        const r = await previews().previewGc({ projectDir: projectRoot(), olderThanMs, dryRun: opts.dryRun });
        for (const s of r.destroyed) console.log(`${s}: ${opts.dryRun ? "would be destroyed" : "destroyed and removed"}`);
        for (const k of r.kept) console.log(`${k.stack}: kept (${k.why})`);
        for (const f of r.failed) console.error(`${f.stack}: failed: ${f.error}`);
        if (r.destroyed.length + r.kept.length + r.failed.length === 0) console.log("no preview stacks");
        if (r.failed.length > 0) process.exitCode = 1;
      });
    });

  preview
    .command("list")
    .description("List the pr-<n> stacks with the age of their last update.")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      await run(async () => {
        const { previewList, formatAge } = previews();
        const list = await previewList({ projectDir: projectRoot() });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
          return;
        }
        if (list.length === 0) {
          console.log("no preview stacks");
          return;
        }
        const rows = list.map((p) => [p.stack, String(p.pr), p.lastUpdate ?? "never", p.ageMs === undefined ? "-" : formatAge(p.ageMs), p.resourceCount === undefined ? "-" : String(p.resourceCount), p.updateInProgress ? "updating" : ""]);
        console.log(table(["STACK", "PR", "LAST UPDATE", "AGE", "RESOURCES", ""], rows));
      });
    });
}
