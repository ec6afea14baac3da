import * as fs from "node:fs";
import * as path from "node:path";

/** The real path of `p` (links resolved), or `p` itself where it does not exist or is a link to nothing. */
export function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/** Whether `target` lies at or below `root`, both real paths: what deploys must be in the checkout review saw. */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return !rel.startsWith("..") && !path.isAbsolute(rel);
}
