import * as fs from "node:fs";
import * as path from "node:path";
import { renderMarkdown } from "../plan/render-markdown";
import { renderText } from "../plan/render";
import { makePlan } from "../plan/run";
import { deploy } from "../test/plan/fixtures";

/*
 * One step of the plan benchmark, in a process of its own so its time and peak memory are its own:
 *   tsx bench/plan-worker.ts deploy <projectDir> <backendDir>   the fleet deployed (mock runtime), its checkpoint written
 *   tsx bench/plan-worker.ts plan <projectDir> <backendDir>     `gantry plan --stack bench` against it: plan, text and markdown
 * Prints {"ms", "maxRssMiB", ...} on stdout.
 */

async function main(): Promise<void> {
  const [mode, projectDir, backend] = process.argv.slice(2) as [string, string, string];
  const started = performance.now();
  if (mode === "deploy") {
    const { checkpoint } = await deploy("bench", projectDir);
    fs.mkdirSync(path.join(backend, ".pulumi", "stacks", "gantry"), { recursive: true });
    fs.writeFileSync(path.join(backend, ".pulumi", "stacks", "gantry", "bench.json"), JSON.stringify(checkpoint));
    report({ ms: performance.now() - started });
    return;
  }
  const plan = await makePlan({ stack: "bench", projectDir, cwd: projectDir, env: { PULUMI_BACKEND_URL: `file://${backend}` } });
  const text = renderText(plan);
  const markdown = renderMarkdown(plan);
  const ms = performance.now() - started;
  if (!plan.ok) throw new Error(`the plan has problems: ${text}`);
  report({ ms, markdownChars: markdown.length, textChars: text.length, risks: plan.risks.length, counts: plan.counts, removed: plan.removedServices.length });
}

function report(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...fields, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
