import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, registryHosts, withCredHelpers } from "../../infra/jenkins/registry-auth";
import { PROJECT_DIR } from "../service/harness";

/* How pack on an agent gets Artifact Registry credentials: a Docker credential helper backed by the agent's identity. */

const HELPER = path.join(PROJECT_DIR, "jenkins", "docker-credential-gantry");

function helper(args: string[], stdin: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(HELPER, args, { env: { PATH: process.env.PATH ?? "", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    // A helper that exits without reading its input shows up as the exit status asserted, not as EPIPE here.
    child.stdin.on("error", () => {});
    child.stdin.end(stdin);
  });
}

let metadata: http.Server;
let metadataHost = "";
const seen: Array<{ url?: string; flavor?: string | string[] }> = [];

beforeAll(async () => {
  metadata = http.createServer((req, res) => {
    seen.push({ url: req.url, flavor: req.headers["metadata-flavor"] });
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ access_token: "ya29.agent-token", expires_in: 3599, token_type: "Bearer" }));
  });
  await new Promise<void>((r) => metadata.listen(0, "127.0.0.1", r));
  metadataHost = `127.0.0.1:${(metadata.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => metadata.close(() => r())));

describe("jenkins/docker-credential-gantry", () => {
  it("answers `get` with a fresh token of the agent's identity from the metadata server", async () => {
    const r = await helper(["get"], "europe-west1-docker.pkg.dev\n", { GCE_METADATA_HOST: metadataHost });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ServerURL: "europe-west1-docker.pkg.dev", Username: "oauth2accesstoken", Secret: "ya29.agent-token" });
    expect(seen.at(-1)).toEqual({ url: "/computeMetadata/v1/instance/service-accounts/default/token", flavor: "Google" });
  });

  it("prefers GOOGLE_OAUTH_ACCESS_TOKEN, stores nothing, and fails without any identity", async () => {
    const viaEnv = await helper(["get"], "europe-west1-docker.pkg.dev\n", { GOOGLE_OAUTH_ACCESS_TOKEN: "from-env", GCE_METADATA_HOST: "127.0.0.1:9" });
    expect(JSON.parse(viaEnv.stdout).Secret).toBe("from-env");
    expect((await helper(["store"], '{"ServerURL":"x","Username":"u","Secret":"s"}\n', {})).code).toBe(0);
    expect((await helper(["list"], "", {})).stdout.trim()).toBe("{}");
    const none = await helper(["get"], "europe-west1-docker.pkg.dev\n", { GCE_METADATA_HOST: "127.0.0.1:9" });
    expect(none.code).not.toBe(0);
  });
});

describe("registry-auth", () => {
  it("adds the helper for each registry host and keeps the rest of the config", () => {
    expect(registryHosts(["europe-west1", "us-central1", "europe-west1"])).toEqual(["europe-west1-docker.pkg.dev", "us-central1-docker.pkg.dev"]);
    expect(withCredHelpers({ auths: { "ghcr.io": { auth: "x" } }, credHelpers: { "gcr.io": "gcloud" } }, ["europe-west1-docker.pkg.dev"])).toEqual({
      auths: { "ghcr.io": { auth: "x" } },
      credHelpers: { "gcr.io": "gcloud", "europe-west1-docker.pkg.dev": "gantry" },
    });
  });

  it("writes the Docker config for every stack's region", () => {
    const dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-docker-"));
    fs.writeFileSync(path.join(dockerConfig, "config.json"), JSON.stringify({ auths: { "ghcr.io": {} } }));
    const lines: string[] = [];
    expect(main(PROJECT_DIR, { DOCKER_CONFIG: dockerConfig }, (l) => lines.push(l))).toBe(0);
    expect(lines).toEqual(["europe-west1-docker.pkg.dev: docker-credential-gantry"]);
    expect(JSON.parse(fs.readFileSync(path.join(dockerConfig, "config.json"), "utf8"))).toEqual({ auths: { "ghcr.io": {} }, credHelpers: { "europe-west1-docker.pkg.dev": "gantry" } });
  });
});
