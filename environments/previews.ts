import * as fs from "node:fs";
import * as path from "node:path";
import type { PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { displayPath } from "../catalog/display-path";
import { stackFile } from "../catalog/platform";
import { formatProblem } from "../catalog/problems";
import { readYamlFile } from "../catalog/yaml-source";
import { backendUrl, isSelfManaged, previewBackendProblem } from "./backend";
import { previewConfig, previewNumber, previewStackName } from "./preview-config";
import { previewComment, type PreviewInfo } from "./preview-comment";
import { createOrSelect, hasOwnPassphrase, listStacks, selectExisting, stackWorkspace, type WorkspaceOptions } from "./workspace";

/*
 * Short-lived environments for pull requests, without Pulumi Cloud: a pr-<n> stack of this same program in
 * whatever state backend PULUMI_BACKEND_URL names (by default a file backend in .gantry/state), with its
 * base stack's config made cheap and collision-free (preview-config.ts).
 */

export interface PreviewOptions {
  projectDir: string;
  pulumiCommand?: PulumiCommand;
  env?: NodeJS.ProcessEnv;
  /** Progress: the CLI's own output while it works. */
  log?: (text: string) => void;
}

export class PreviewError extends Error {}

/** The workspace options of every preview command, after refusing a backend other agents cannot reach. */
const ws = (opts: PreviewOptions): WorkspaceOptions => {
  const problem = previewBackendProblem(opts.projectDir, opts.env);
  if (problem) throw new PreviewError(problem);
  return workspaceOptions(opts);
};
const workspaceOptions = (opts: PreviewOptions): WorkspaceOptions => ({ projectDir: opts.projectDir, ...(opts.pulumiCommand ? { pulumiCommand: opts.pulumiCommand } : {}), ...(opts.env ? { env: opts.env } : {}) });

/** Creates or updates pr-<n> from its base stack's config and the checkout's code; returns the PR comment. */
export async function previewUp(opts: PreviewOptions & { pr: number; base: string }): Promise<string> {
  const { pr, base, projectDir } = opts;
  const options = ws(opts);
  const name = previewStackName(pr);
  if (previewNumber(base) !== undefined) throw new PreviewError(`--base ${base}: a preview is made from dev, staging or prod, not from another preview`);
  const baseFile = stackFile(projectDir, base);
  if (!fs.existsSync(baseFile)) throw new PreviewError(`no stack config for the base stack "${base}" (expected ${path.basename(baseFile)})`);
  // The same reader as validate: an alias bomb or non-UTF-8 bytes are a located error, not a crash.
  const read = readYamlFile(baseFile, displayPath(baseFile));
  if (!read.ok) throw new PreviewError(read.problems.map(formatProblem).join("\n"));
  const baseConfig = (read.source.value as { config?: Record<string, unknown> } | null)?.config ?? {};
  const derived = previewConfig(baseConfig, { stack: name, base });
  if (derived.secureKeys.length > 0 && isSelfManaged(backendUrl(projectDir, opts.env)) && !hasOwnPassphrase(opts.env)) {
    throw new PreviewError(`${path.basename(baseFile)} holds secrets (${derived.secureKeys.join(", ")}); set PULUMI_CONFIG_PASSPHRASE (or _FILE) so the preview can decrypt them from ${base} and encrypt its own copy`);
  }
  for (const d of derived.dropped) opts.log?.(`gantry: ${name}: not copying ${d.key} from ${base}: ${d.why}\n`);

  const workspace = await stackWorkspace(options);
  const stack = await createOrSelect(workspace, name);
  // Written whole, so a key dropped from the base does not linger; the stack's own settings (its secrets
  // provider's salt) are kept.
  const existing = await workspace.stackSettings(name).catch(() => ({}));
  await workspace.saveStackSettings(name, { ...existing, config: derived.config as never });
  if (derived.secureKeys.length > 0) {
    const baseValues = await (await stackWorkspace(options)).getAllConfig(base);
    const secrets = Object.fromEntries(derived.secureKeys.map((k) => [k, { value: baseValues[k]?.value ?? "", secret: true }]));
    await stack.setAllConfig(secrets);
  }

  const result = await stack.up({ onOutput: (text) => opts.log?.(text) });
  const services = result.outputs.services?.value as PreviewInfo["services"] | undefined;
  const platform = derived.config as { "gantry:project"?: string; "gantry:region"?: string };
  return previewComment({ stack: name, pr, base, project: platform["gantry:project"], region: platform["gantry:region"], services: services ?? {} });
}

/** Destroys pr-<n>'s resources and removes the stack; false when there was no such stack. */
export async function previewDestroy(opts: PreviewOptions & { pr: number }): Promise<boolean> {
  const name = previewStackName(opts.pr);
  const stack = await selectExisting(await stackWorkspace(ws(opts)), name);
  if (!stack) return false;
  await destroyAndRemove(stack, opts);
  return true;
}

export interface PreviewStack {
  stack: string;
  pr: number;
  lastUpdate?: string;
  /** Milliseconds since the last update; undefined when it was never deployed. */
  ageMs?: number;
  resourceCount?: number;
  updateInProgress: boolean;
}

/** Every pr-<n> stack in the backend, oldest first. */
export async function previewList(opts: PreviewOptions & { now?: Date }): Promise<PreviewStack[]> {
  const now = (opts.now ?? new Date()).getTime();
  const stacks = await listStacks(await stackWorkspace(ws(opts)));
  return stacks
    .flatMap((s): PreviewStack[] => {
      const pr = previewNumber(s.name);
      if (pr === undefined) return [];
      const updated = s.lastUpdate ? Date.parse(s.lastUpdate) : NaN;
      return [
        {
          stack: s.name,
          pr,
          ...(s.lastUpdate ? { lastUpdate: s.lastUpdate } : {}),
          ...(Number.isNaN(updated) ? {} : { ageMs: Math.max(0, now - updated) }),
          ...(s.resourceCount !== undefined ? { resourceCount: s.resourceCount } : {}),
          updateInProgress: s.updateInProgress ?? false,
        },
      ];
    })
    .sort((a, b) => (b.ageMs ?? -1) - (a.ageMs ?? -1) || a.pr - b.pr);
}

export interface GcResult {
  destroyed: string[];
  failed: { stack: string; error: string }[];
  /** Stacks left alone, with why. */
  kept: { stack: string; why: string }[];
}

/**
 * Destroys and removes every preview not updated for `olderThanMs`, a few at a time, each in a workspace of
 * its own. A stack never deployed, or being updated now, is left alone: it may be one a `preview up` is
 * creating this very moment.
 */
export async function previewGc(opts: PreviewOptions & { olderThanMs: number; dryRun?: boolean; now?: Date; parallel?: number }): Promise<GcResult> {
  const result: GcResult = { destroyed: [], failed: [], kept: [] };
  const stale: PreviewStack[] = [];
  for (const p of await previewList(opts)) {
    if (p.updateInProgress) result.kept.push({ stack: p.stack, why: "an update is running" });
    else if (p.ageMs === undefined) result.kept.push({ stack: p.stack, why: `never deployed; remove it with \`gantry preview destroy --pr ${p.pr}\`` });
    else if (p.ageMs < opts.olderThanMs) result.kept.push({ stack: p.stack, why: `updated ${formatAge(p.ageMs)} ago` });
    else stale.push(p);
  }
  if (opts.dryRun) return { ...result, destroyed: stale.map((p) => p.stack) };
  const queue = [...stale];
  const worker = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      try {
        const stack = await selectExisting(await stackWorkspace(ws({ ...opts, log: undefined })), p.stack);
        if (stack) await destroyAndRemove(stack, { ...opts, log: undefined });
        result.destroyed.push(p.stack);
      } catch (err) {
        result.failed.push({ stack: p.stack, error: err instanceof Error ? err.message : String(err) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.parallel ?? 4) }, worker));
  result.destroyed.sort();
  return result;
}

async function destroyAndRemove(stack: Stack, opts: PreviewOptions): Promise<void> {
  await stack.destroy({ onOutput: (text) => opts.log?.(text), remove: true });
  // `pulumi stack rm` deletes the stack's config file; an older CLI, or a crash in between, may leave it.
  fs.rmSync(stackFile(opts.projectDir, stack.name), { force: true });
}

/** "3d 4h", "5h 12m", "42m". */
export function formatAge(ms: number): string {
  const m = Math.floor(ms / 60_000);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m % 60}m`;
  return `${m}m`;
}

/** "72h", "3d", "90m", "1d12h" to milliseconds; undefined when it is none of those. */
export function parseAge(text: string): number | undefined {
  const m = /^(?=\d)(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/.exec(text.trim());
  if (!m) return undefined;
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000;
}
