import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { promisify } from "node:util";
import { LocalWorkspace, Stack, type PulumiCommand, type StackSummary } from "@pulumi/pulumi/automation";
import { backendUrl, fileBackendDir, isSelfManaged } from "./backend";

/*
 * Automation API workspaces for preview stacks, one per stack and never shared.
 *
 * The CLI keeps the "current stack" of each project checkout in ~/.pulumi/workspaces/<project>-<hash>-workspace.json,
 * and `pulumi stack select` / `pulumi stack init` rewrite it: two at once corrupt it (pulumi/pulumi#8186), which
 * is what Stack.createOrSelect runs. So no stack is ever selected here: existence is read with `stack ls`, a
 * new stack is made with `stack init --no-select`, and every other command names its stack with --stack (the
 * Automation API does so already). What is left per stack is its own Pulumi.<stack>.yaml and its own state.
 */

export interface WorkspaceOptions {
  /** Folder holding Pulumi.yaml: the workDir, where Pulumi.<stack>.yaml files are written. */
  projectDir: string;
  /** The CLI to run; default `pulumi` from PATH (npx puts the `pulumi` package's launcher there). */
  pulumiCommand?: PulumiCommand;
  env?: NodeJS.ProcessEnv;
}

/** Environment for every CLI call: the state backend, and a passphrase for file backends that have none set. */
export function workspaceEnv(opts: WorkspaceOptions): Record<string, string> {
  const env = opts.env ?? process.env;
  const backend = backendUrl(opts.projectDir, env);
  const vars: Record<string, string> = { PULUMI_BACKEND_URL: backend, PULUMI_SKIP_UPDATE_CHECK: "true" };
  for (const [k, v] of Object.entries(env)) if (k.startsWith("PULUMI_") && v !== undefined && !(k in vars)) vars[k] = v;
  // A self-managed backend encrypts config secrets with a passphrase and refuses to start without one.
  // Preview stacks hold no secrets of their own, so an empty one is set unless the user chose theirs.
  if (isSelfManaged(backend) && env.PULUMI_CONFIG_PASSPHRASE === undefined && env.PULUMI_CONFIG_PASSPHRASE_FILE === undefined) vars.PULUMI_CONFIG_PASSPHRASE = "";
  return vars;
}

/** True when the user chose a passphrase (so secrets copied from a base stack are really protected). */
export function hasOwnPassphrase(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.PULUMI_CONFIG_PASSPHRASE || env.PULUMI_CONFIG_PASSPHRASE_FILE);
}

/** A new workspace for one stack's operations. */
export async function stackWorkspace(opts: WorkspaceOptions): Promise<LocalWorkspace> {
  const envVars = workspaceEnv(opts);
  const dir = fileBackendDir(envVars.PULUMI_BACKEND_URL!, opts.projectDir);
  if (dir) fs.mkdirSync(dir, { recursive: true });
  const ws = await LocalWorkspace.create({ workDir: opts.projectDir, envVars, ...(opts.pulumiCommand ? { pulumiCommand: opts.pulumiCommand } : {}) });
  // Stack.create / Stack.select call these; the CLI's own versions would make the stack current.
  ws.selectStack = async () => {};
  ws.createStack = async (name: string) => {
    await runPulumi(ws, ["stack", "init", name, "--no-select"]);
  };
  return ws;
}

/** Stacks of this project in the backend (read only: `pulumi stack ls --json`). */
export async function listStacks(ws: LocalWorkspace): Promise<StackSummary[]> {
  return ws.listStacks();
}

/** The stack, created when missing, without selecting it. */
export async function createOrSelect(ws: LocalWorkspace, name: string): Promise<Stack> {
  const exists = (await listStacks(ws)).some((s) => s.name === name);
  if (exists) return Stack.select(name, ws);
  try {
    return await Stack.create(name, ws);
  } catch (err) {
    // Another run (a second push to the same PR) created it in between: use it.
    if (err instanceof Error && /already exists/.test(err.message)) return Stack.select(name, ws);
    throw err;
  }
}

/** The stack if it exists, without selecting it. */
export async function selectExisting(ws: LocalWorkspace, name: string): Promise<Stack | undefined> {
  const exists = (await listStacks(ws)).some((s) => s.name === name);
  return exists ? Stack.select(name, ws) : undefined;
}

const execFileAsync = promisify(execFile);

/** One CLI call the Automation API has no non-selecting form of, run the way it runs its own. */
async function runPulumi(ws: LocalWorkspace, args: string[]): Promise<void> {
  try {
    await execFileAsync(ws.pulumiCommand.command, [...args, "--non-interactive"], {
      cwd: ws.workDir,
      env: { ...process.env, ...ws.envVars, PULUMI_AUTOMATION_API: "true" },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`pulumi ${args.join(" ")} failed: ${(e.stderr || e.message).trim()}`);
  }
}
