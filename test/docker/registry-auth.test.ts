import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ambientTokenSource, registryPassword } from "../../components/docker/registry-auth";

/** A stand-in gcloud: prints what it is given, exits with the given status. */
function fakeGcloud(stdout: string, status = 0, stderr = ""): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gantry-gcloud-")), "gcloud");
  fs.writeFileSync(file, `#!/bin/sh\n[ "$1 $2" = "auth print-access-token" ] || exit 9\nprintf '%s' '${stdout}'\nprintf '%s' '${stderr}' >&2\nexit ${status}\n`, { mode: 0o755 });
  return file;
}

describe("the Artifact Registry token", () => {
  it("comes from GOOGLE_OAUTH_ACCESS_TOKEN when set, without running gcloud", async () => {
    await expect(ambientTokenSource({ GOOGLE_OAUTH_ACCESS_TOKEN: " ya29.env \n" }, "/nonexistent/gcloud")()).resolves.toBe("ya29.env");
  });

  it("else from `gcloud auth print-access-token`", async () => {
    await expect(ambientTokenSource({}, fakeGcloud("ya29.gcloud\n"))()).resolves.toBe("ya29.gcloud");
  });

  it("fails as the user's to fix (a RunError, no stack trace) when neither is there", async () => {
    const missing = ambientTokenSource({}, "/nonexistent/gcloud")();
    await expect(missing).rejects.toSatisfy((e: unknown) => pulumi.RunError.isInstance(e));
    await expect(missing).rejects.toThrow(/gcloud is not installed\); set GOOGLE_OAUTH_ACCESS_TOKEN, or log in with `gcloud auth login`/);
    const loggedOut = ambientTokenSource({}, fakeGcloud("", 1, "ERROR: (gcloud.auth.print-access-token) You do not currently have an active account selected."))();
    await expect(loggedOut).rejects.toThrow(/You do not currently have an active account selected/);
  });

  it("reaches the provider as a secret, asked for once per source", async () => {
    let calls = 0;
    const source = () => {
      calls++;
      return Promise.resolve("ya29.once");
    };
    const a = registryPassword(source);
    const b = registryPassword(source);
    expect(await pulumi.isSecret(a)).toBe(true);
    expect(await new Promise((r) => b.apply(r))).toBe("ya29.once");
    expect(calls).toBe(1);
  });
});
