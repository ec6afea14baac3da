import * as fs from "node:fs";
import * as path from "node:path";

/** The text of every regular file under `dir` (logs, SBOMs): what a "the secret appears nowhere" check reads. */
export function textsUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((f) => path.join(dir, f))
    .filter((p) => fs.statSync(p).isFile())
    .map((p) => fs.readFileSync(p, "utf8"));
}
