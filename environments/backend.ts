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
