import * as fs from "node:fs";
import http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildRecords, recordAnnotations } from "../../components/pack/build-record";
import { plainPackInputs } from "../support/pack-inputs";

/*
 * How the build-record lookup authenticates, against a stand-in registry on 127.0.0.1 that demands what Artifact
 * Registry demands: a Bearer token from its token endpoint, got with Basic credentials (Docker's token
 * authentication). Debian's docker-registry, which the other tests use, runs without authentication; the stand-in is
 * a few lines of HTTP that answer only the requests the lookup makes.
 */

const USER = "oauth2accesstoken";
const PASSWORD = "ya29.secret-access-token-never-shown";
const TOKEN = "registry-token-for-this-scope";
const DIGEST = "sha256:" + "d".repeat(64);
const TAG = "g-0123456789abcdef";

let server: http.Server;
let host: string;
const seen: string[] = [];
const saved = { DOCKER_CONFIG: process.env.DOCKER_CONFIG, GOOGLE_OAUTH_ACCESS_TOKEN: process.env.GOOGLE_OAUTH_ACCESS_TOKEN, PATH: process.env.PATH };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${host}`);
    seen.push(`${req.method} ${url.pathname} ${req.headers.authorization?.split(" ")[0] ?? "-"}`);
    if (url.pathname === "/token") {
      const ok = req.headers.authorization === `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}` && url.searchParams.get("scope") === "repository:services/api-build-records:pull";
      res.writeHead(ok ? 200 : 401, { "Content-Type": "application/json" }).end(ok ? JSON.stringify({ token: TOKEN }) : "{}");
      return;
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { "WWW-Authenticate": `Bearer realm="http://${host}/token",service="${host}",scope="repository:services/api-build-records:pull"` }).end();
      return;
    }
    if (url.pathname === `/v2/services/api-build-records/manifests/${TAG}`) {
      const record = { fingerprint: "sha256:fff", builder: plainPackInputs().builder, runImage: plainPackInputs().runImage, image: DIGEST, trust: "trusted" as const, operation: "build", builtOn: "agent-1", builtAt: "t" };
      res.writeHead(200, { "Content-Type": "application/vnd.oci.image.manifest.v1+json" }).end(JSON.stringify({ schemaVersion: 2, artifactType: "application/vnd.gantry.build-record.v1", annotations: recordAnnotations(record) }));
      return;
    }
    if (url.pathname === `/v2/services/api/manifests/${TAG}`) {
      res.writeHead(200, { "Docker-Content-Digest": DIGEST }).end();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  delete process.env.GOOGLE_OAUTH_ACCESS_TOKEN;
});
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (k === "GOOGLE_OAUTH_ACCESS_TOKEN") continue;
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  delete process.env.GOOGLE_OAUTH_ACCESS_TOKEN;
  // Each test starts without the token a previous one was given.
  (globalThis as unknown as Record<symbol, Map<string, string> | undefined>)[Symbol.for("gantry.registry.tokens")]?.clear();
  seen.length = 0;
});
afterAll(async () => {
  if (saved.GOOGLE_OAUTH_ACCESS_TOKEN !== undefined) process.env.GOOGLE_OAUTH_ACCESS_TOKEN = saved.GOOGLE_OAUTH_ACCESS_TOKEN;
  await new Promise((r) => server.close(r));
});

function dockerConfig(config: unknown): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-docker-config-"));
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(config));
  process.env.DOCKER_CONFIG = dir;
}

const inputs = () => plainPackInputs({ repository: `${host}/services/api` });

describe("the build-record lookup against a registry that wants a token", () => {
  it("gets one with Docker's config credentials and adopts", async () => {
    dockerConfig({ auths: { [host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString("base64") } } });
    const found = await buildRecords().lookup(inputs(), TAG);
    expect(found).toMatchObject({ adopt: true, digest: DIGEST, repository: `${host}/services/api` });
    expect(seen).toContain("GET /token Basic");
    expect(JSON.stringify(found)).not.toContain(PASSWORD);
  });

  it("gets one through a credential helper (docker-credential-<name> get), as the agents' docker-credential-gantry", async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-cred-helper-"));
    const helper = path.join(bin, "docker-credential-gantrytest");
    fs.writeFileSync(helper, `#!/bin/sh\nread server\n[ "$1" = get ] && [ "$server" = "${host}" ] && printf '{"Username":"${USER}","Secret":"${PASSWORD}"}'\n`, { mode: 0o755 });
    process.env.PATH = `${bin}${path.delimiter}${saved.PATH ?? ""}`;
    dockerConfig({ credHelpers: { [host]: "gantrytest" } });
    expect(await buildRecords().lookup(inputs(), TAG)).toMatchObject({ adopt: true, digest: DIGEST });
  });

  it("uses GOOGLE_OAUTH_ACCESS_TOKEN as Artifact Registry's oauth2accesstoken password", async () => {
    dockerConfig({});
    process.env.GOOGLE_OAUTH_ACCESS_TOKEN = PASSWORD;
    expect(await buildRecords().lookup(inputs(), TAG)).toMatchObject({ adopt: true });
  });

  it("without credentials is a miss that says why and shows no secret: the build runs", async () => {
    dockerConfig({});
    const found = await buildRecords().lookup(inputs(), TAG);
    expect(found).toEqual({ adopt: false, reason: `the registry could not be asked (${host} answered 401 for services/api-build-records:${TAG})` });
  });
});
