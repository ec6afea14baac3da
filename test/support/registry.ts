// Start/stop a real OCI registry (Debian's `docker-registry`, distribution v2) on 127.0.0.1 for tests,
// plus small Registry HTTP API v2 helpers. The registry stores into a fresh temp dir and never
// touches /etc/docker/registry or the Debian system service.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import * as fs from "node:fs";
import { existsSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { alive } from "./processes";

export const REGISTRY_BINARY = "/usr/bin/docker-registry";

export const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
].join(", ");

export interface RunningRegistry {
  /** "127.0.0.1:PORT" — use as the registry part of image names. */
  host: string;
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** Kills the registry and removes its temp dir. Safe to call twice. */
  stop(): Promise<void>;
  pid: number;
  /** Its temp dir (config and storage). */
  dir: string;
}

export interface RegistryOptions {
  /** In its own process group and unref'd, so it outlives this process; stop it with stopDetachedRegistry. */
  detached?: boolean;
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(
  method: string,
  url: string,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url}: timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** A port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function registryConfig(rootDir: string, port: number): string {
  // YAML (JSON is valid YAML). Access log off, logs to stderr at warn level.
  return JSON.stringify(
    {
      version: 0.1,
      log: { level: "warn", accesslog: { disabled: true } },
      storage: {
        filesystem: { rootdirectory: rootDir },
        delete: { enabled: true },
        maintenance: { uploadpurging: { enabled: false } },
      },
      http: { addr: `127.0.0.1:${port}`, secret: "gantry-test-registry" },
    },
    null,
    2,
  );
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function startOnce(opts: RegistryOptions): Promise<RunningRegistry> {
  if (!existsSync(REGISTRY_BINARY)) {
    throw new Error(
      `${REGISTRY_BINARY} is missing: install Debian's docker-registry package (test/support/global-setup.ts does this as root)`,
    );
  }
  const tmp = await mkdtemp(path.join(os.tmpdir(), "gantry-registry-"));
  const dataDir = path.join(tmp, "data");
  await mkdir(dataDir);
  const port = await freePort();
  const configFile = path.join(tmp, "config.yml");
  await writeFile(configFile, registryConfig(dataDir, port));

  // Strip REGISTRY_* variables: distribution lets them override the config file.
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("REGISTRY_")) env[k] = v;
  let output = "";
  const logFd = opts.detached ? fs.openSync(path.join(tmp, "registry.log"), "a") : undefined;
  const child = spawn(REGISTRY_BINARY, ["serve", configFile], { env, stdio: logFd === undefined ? ["ignore", "pipe", "pipe"] : ["ignore", logFd, logFd], detached: opts.detached });
  if (logFd !== undefined) {
    fs.closeSync(logFd);
    child.unref();
  }
  const keep = (c: Buffer) => {
    output = (output + c.toString("utf8")).slice(-16_384);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      child.kill("SIGTERM");
      if (!(await waitForExit(child, 5_000))) {
        child.kill("SIGKILL");
        await waitForExit(child, 5_000);
      }
    }
    await rm(tmp, { recursive: true, force: true });
  };

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`docker-registry exited during startup (port ${port}):\n${output}`);
    }
    try {
      const res = await request("GET", `${url}/v2/`, {}, 1_000);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer GET /v2/ with 200 within 15 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { host, url, stop, pid: child.pid!, dir: tmp };
}

/** Starts a throwaway registry on a free 127.0.0.1 port (retries if the port was taken meanwhile). */
export async function startRegistry(opts: RegistryOptions = {}): Promise<RunningRegistry> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

/** HEAD /v2/<repo>/manifests/<reference> → status and Docker-Content-Digest (null when absent). */
export async function headManifest(
  host: string,
  repo: string,
  reference: string,
): Promise<{ status: number; digest: string | null }> {
  const res = await request("HEAD", `http://${host}/v2/${repo}/manifests/${reference}`, { Accept: MANIFEST_ACCEPT });
  const digest = res.headers["docker-content-digest"];
  return { status: res.status, digest: typeof digest === "string" ? digest : null };
}

/** GET /v2/<repo>/manifests/<reference>; body is the exact manifest bytes. */
export async function getManifest(
  host: string,
  repo: string,
  reference: string,
): Promise<{ status: number; digest: string | null; mediaType: string | null; body: Buffer; json: any }> {
  const res = await request("GET", `http://${host}/v2/${repo}/manifests/${reference}`, { Accept: MANIFEST_ACCEPT });
  const digest = res.headers["docker-content-digest"];
  const type = res.headers["content-type"];
  let json: unknown = null;
  if (res.status === 200) json = JSON.parse(res.body.toString("utf8"));
  return {
    status: res.status,
    digest: typeof digest === "string" ? digest : null,
    mediaType: typeof type === "string" ? type : null,
    body: res.body,
    json,
  };
}

/** GET /v2/<repo>/blobs/<digest> → bytes (throws unless 200). */
export async function getBlob(host: string, repo: string, digest: string): Promise<Buffer> {
  const res = await request("GET", `http://${host}/v2/${repo}/blobs/${digest}`);
  if (res.status !== 200) throw new Error(`GET blob ${repo}@${digest}: HTTP ${res.status}`);
  return res.body;
}

/** Image config JSON of <repo>:<reference> (throws unless the manifest exists). */
export async function getImageConfig(host: string, repo: string, reference: string): Promise<any> {
  const m = await getManifest(host, repo, reference);
  if (m.status !== 200) throw new Error(`manifest ${repo}:${reference}: HTTP ${m.status}`);
  return JSON.parse((await getBlob(host, repo, m.json.config.digest)).toString("utf8"));
}

/** GET /v2/<repo>/tags/list → tags ([] when the repository is unknown). */
export async function listTags(host: string, repo: string): Promise<string[]> {
  const res = await request("GET", `http://${host}/v2/${repo}/tags/list`);
  if (res.status !== 200) return [];
  return (JSON.parse(res.body.toString("utf8")).tags as string[] | null) ?? [];
}

/** DELETE /v2/<repo>/manifests/<digest> → HTTP status (202 when deleted). */
export async function deleteManifest(host: string, repo: string, digest: string): Promise<number> {
  const res = await request("DELETE", `http://${host}/v2/${repo}/manifests/${digest}`);
  return res.status;
}

/** Stops a registry started with `detached` by another process (its pid and dir are all that is left of it). */
export async function stopDetachedRegistry(reg: { pid: number; dir: string }): Promise<void> {
  if (alive(reg.pid)) {
    process.kill(reg.pid, "SIGTERM");
    const until = Date.now() + 5_000;
    while (alive(reg.pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    if (alive(reg.pid)) process.kill(reg.pid, "SIGKILL");
  }
  await rm(reg.dir, { recursive: true, force: true });
}

/** PUT /v2/<repo>/manifests/<reference> with the exact bytes given → HTTP status (201 when stored). */
export async function putManifest(host: string, repo: string, reference: string, body: Buffer, mediaType: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`http://${host}/v2/${repo}/manifests/${reference}`, { method: "PUT", headers: { "Content-Type": mediaType, "Content-Length": String(body.length) }, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}
