import * as path from "node:path";

/** A path as the user typed it relative to where they stand, so `file:line:col` is clickable in a terminal. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel.split(path.sep).join("/") : file;
}
