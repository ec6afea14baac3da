// A package server on 127.0.0.1 for the test deps buildpack. It stands in for PyPI or npm, which cannot be reached
// here: what matters to Gantry is that dependencies arrive over the network, slowly when they are big, and that
// a build with a warm cache does not ask for them at all. Each request is recorded so tests can say exactly that.
import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface DepsServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  requests(): Array<{ path: string; authorized: boolean }>;
  close(): Promise<void>;
}

export interface DepsServerOptions {
  /** Bearer token the server requires (a private index); none when unset. */
  token?: string;
  /** Size of each dependency. */
  bytesPerDep?: number;
  /** Download speed, as a real index over a real network has one. Unlimited when unset. */
  bytesPerSecond?: number;
}

/** Deterministic, incompressible bytes per dependency name, so layers and digests repeat across runs. */
function payload(name: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash("sha256").update(name).digest();
  for (let off = 0; off < size; off += block.length) {
    block.copy(out, off);
    block = createHash("sha256").update(block).digest();
  }
  return out;
}

export async function startDepsServer(opts: DepsServerOptions = {}): Promise<DepsServer> {
  const seen: Array<{ path: string; authorized: boolean }> = [];
  const size = opts.bytesPerDep ?? 4096;
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? "/").slice(1));
    const authorized = !opts.token || req.headers.authorization === `Bearer ${opts.token}`;
    seen.push({ path: req.url ?? "/", authorized });
    if (!authorized) return void res.writeHead(401).end("token required\n");
    if (!name || name.startsWith("missing-")) return void res.writeHead(404).end(`no such package: ${name}\n`);
    const body = payload(name, size);
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(body.length) });
    if (!opts.bytesPerSecond) return void res.end(body);
    // Paced in 64 KiB chunks at the configured speed.
    const chunk = 64 * 1024;
    const interval = Math.max(1, Math.round((chunk / opts.bytesPerSecond) * 1000));
    let off = 0;
    const send = () => {
      if (res.destroyed) return;
      res.write(body.subarray(off, off + chunk));
      off += chunk;
      if (off >= body.length) res.end();
      else setTimeout(send, interval);
    };
    send();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => [...seen],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
