import { execFile } from "node:child_process";
import * as pulumi from "@pulumi/pulumi";

/** Artifact Registry's user name for an OAuth access token as the password (cloud.google.com/artifact-registry/docs/docker/authentication). */
export const REGISTRY_USERNAME = "oauth2accesstoken";

/** Produces a short-lived access token for Artifact Registry. */
export type TokenSource = () => Promise<string>;

const PRINT_TOKEN = ["auth", "print-access-token"];

/**
 * GOOGLE_OAUTH_ACCESS_TOKEN when set (a CI job with its own token, the variable `pulumi refresh` already reads),
 * else the token of the gcloud account logged in on this machine.
 */
export function ambientTokenSource(env: NodeJS.ProcessEnv = process.env, gcloud = "gcloud"): TokenSource {
  return () => {
    const fromEnv = env.GOOGLE_OAUTH_ACCESS_TOKEN?.trim();
    if (fromEnv) return Promise.resolve(fromEnv);
    return new Promise((resolve, reject) => {
      execFile(gcloud, PRINT_TOKEN, { timeout: 60_000, windowsHide: true }, (err, stdout, stderr) => {
        const token = String(stdout).trim();
        if (!err && token) return resolve(token);
        const why = err && (err as NodeJS.ErrnoException).code === "ENOENT" ? "gcloud is not installed" : (String(stderr).trim().split("\n").pop() ?? "") || (err?.message ?? "no token printed");
        // RunError: a missing login is the user's to fix, and the engine prints it without a stack trace.
        reject(
          new pulumi.RunError(
            `services built from a Dockerfile push to Artifact Registry with an access token, and none is available (\`gcloud ${PRINT_TOKEN.join(" ")}\`: ${why}); set GOOGLE_OAUTH_ACCESS_TOKEN, or log in with \`gcloud auth login\``,
          ),
        );
      });
    });
  };
}

const tokens = new WeakMap<TokenSource, Promise<string>>();
const ambient = ambientTokenSource();

/**
 * The registry password as a Pulumi secret, so it is encrypted in state and masked in output. Asked for once per
 * program run and source, and only when a service builds from a Dockerfile: buildpacks builds never need it.
 * The token changes every run; docker-build's diff ignores registry passwords, so that alone rebuilds nothing.
 */
export function registryPassword(source: TokenSource = ambient): pulumi.Output<string> {
  let token = tokens.get(source);
  if (!token) {
    token = source();
    tokens.set(source, token);
  }
  return pulumi.secret(pulumi.output(token));
}
