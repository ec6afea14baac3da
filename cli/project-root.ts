import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The Gantry project a command works on: the nearest folder holding Pulumi.yaml, from `start` upwards, as git and
 * pulumi find theirs. Outside any project, `start` itself, so the command says what is missing there.
 */
export function projectRoot(start = process.cwd()): string {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml")) || fs.existsSync(path.join(dir, "Pulumi.yml"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(start);
    dir = parent;
  }
}
