import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { detect, type DetectResult, type PreflightInput } from "../../preflight";

export const FIXTURES = path.join(__dirname, "..", "fixtures", "preflight");
export const GOOGLE = "gcr.io/buildpacks/builder";
export const PAKETO = "paketobuildpacks/builder-jammy-base";

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

export function run(name: string, extra: Partial<PreflightInput> = {}): DetectResult {
  return detect({ dir: fixture(name), builder: GOOGLE, ...extra });
}

export function codes(r: DetectResult): string[] {
  return r.findings.map((f) => f.code);
}

export function errorCodes(r: DetectResult): string[] {
  return r.findings.filter((f) => f.severity === "error").map((f) => f.code);
}

const made: string[] = [];

/** A throwaway app folder for layouts git cannot hold (node_modules, empty folders). */
export function tempApp(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-preflight-"));
  made.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return dir;
}

export function removeTempApps(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
