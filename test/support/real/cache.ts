// Where the real tier keeps what is slow to make (Go tools, the Debian root file system): outside the checkout,
// so a fresh clone on the same machine (CI) reuses them, keyed by everything that went into them.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export function realCacheRoot(): string {
  const root = process.env.GANTRY_REAL_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "gantry", "real");
  fs.mkdirSync(root, { recursive: true });
  return root;
}

export function contentKey(parts: Array<string | Buffer>): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 16);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function holderAlive(lockDir: string): boolean {
  try {
    const pid = Number(fs.readFileSync(path.join(lockDir, "pid"), "utf8"));
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes `target` once, across processes: test files run in parallel workers, and two of them must not build the
 * same tool into the same folder. The product is written into a sibling folder and renamed into place, so a run
 * killed half-way leaves nothing that looks finished.
 */
export function makeOnce(target: string, make: (tmp: string) => void): string {
  if (fs.existsSync(target)) return target;
  const lock = `${target}.lock`;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, "pid"), String(process.pid));
      break;
    } catch {
      if (fs.existsSync(target)) return target;
      // A holder that died (killed run) leaves its lock behind.
      if (!holderAlive(lock)) fs.rmSync(lock, { recursive: true, force: true });
      else sleepSync(500);
    }
  }
  try {
    if (fs.existsSync(target)) return target;
    const tmp = `${target}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    try {
      make(tmp);
      fs.renameSync(tmp, target);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    return target;
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
