import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { expect, it } from "vitest";

/*
 * The program, the CLI and the tests compile under the strict tsconfig. `pulumi up` only transpiles
 * (tsconfig.pulumi.json), so this is where a type error stops a change.
 */

const ROOT = path.join(__dirname, "..");

it("tsc --noEmit finds no type error", () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", ROOT], { encoding: "utf8", timeout: 5 * 60_000 });
  expect(`${r.stdout}${r.stderr}`.trim()).toBe("");
  expect(r.status).toBe(0);
}, 5 * 60_000);
