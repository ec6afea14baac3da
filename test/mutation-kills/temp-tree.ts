import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

const made: string[] = [];

/** A throwaway folder (real path) holding these files, each containing its own name, and these empty folders. */
export function tempTree(files: string[], dirs: string[] = []): string {
  const dir = tempDir();
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), f);
  }
  for (const d of dirs) fs.mkdirSync(path.join(dir, d), { recursive: true });
  return dir;
}

export function tempDir(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "gantry-kill-")));
  made.push(dir);
  return dir;
}

export function removeTempTrees(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** Runs `work` while a Unix socket (a special file no upload set holds) listens at `file`. */
export async function withSocket<T>(file: string, work: () => T): Promise<T> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(file, resolve));
  try {
    return work();
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
