import * as os from "node:os";
import * as path from "node:path";

/**
 * The state backend Gantry's commands use: PULUMI_BACKEND_URL, else a file backend inside the project
 * (.gantry/state, git-ignored), so previews and plans work with no Pulumi Cloud account.
 */
export function backendUrl(projectDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.PULUMI_BACKEND_URL || `file://${path.join(path.resolve(projectDir), ".gantry", "state")}`;
}

/** The folder of a file:// backend (file:///abs, file://~/x, file://relative), or undefined for any other. */
export function fileBackendDir(url: string, cwd = process.cwd()): string | undefined {
  if (!url.startsWith("file://")) return undefined;
  const rest = url.slice("file://".length).replace(/\?.*$/, "");
  if (rest === "~" || rest.startsWith("~/")) return path.join(os.homedir(), rest.slice(1));
  return path.resolve(cwd, rest);
}

/** Self-managed backends (file://, s3://, gs://, azblob://...) encrypt config secrets with a passphrase; Pulumi Cloud does it itself. */
export function isSelfManaged(url: string): boolean {
  return !/^https?:\/\//.test(url);
}

/** True on a CI agent: CI set to anything but "" or "false" (Jenkins, GitHub Actions, GitLab...), or JENKINS_URL. */
export function runningInCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.CI !== undefined && env.CI !== "" && env.CI.toLowerCase() !== "false") || Boolean(env.JENKINS_URL);
}

/**
 * Why previews may not use the backend here, or undefined when they may. On a CI agent a file backend is the
 * agent's own disk (by default inside the checkout): a preview made there could not be found, listed or destroyed
 * from any other agent, and a public preview with dev's secrets would be left running.
 */
export function previewBackendProblem(projectDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!runningInCi(env)) return undefined;
  const url = backendUrl(projectDir, env);
  if (fileBackendDir(url, projectDir) === undefined) return undefined;
  const which = env.PULUMI_BACKEND_URL ? `PULUMI_BACKEND_URL is ${url}` : `PULUMI_BACKEND_URL is unset, so the state would go to ${url}`;
  return `${which}, on this agent's own disk: a preview made here could not be found or destroyed from another agent. In CI, set PULUMI_BACKEND_URL to a shared backend (gs://<bucket>, as the Jenkinsfile does)`;
}
