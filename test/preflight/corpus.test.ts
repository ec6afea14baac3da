import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detect, type DetectResult } from "../../preflight";
import { CORPUS, type CorpusApp } from "../fixtures/preflight-corpus/apps";

const BUILDERS: Record<NonNullable<CorpusApp["builder"]>, string> = {
  google: "gcr.io/buildpacks/builder",
  "google-24": "gcr.io/buildpacks/builder:google-24",
  paketo: "paketobuildpacks/builder-jammy-base",
};

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-corpus-"));
  for (const app of CORPUS) {
    for (const [rel, text] of Object.entries(app.files)) {
      const file = path.join(root, app.id, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
  }
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function predict(app: CorpusApp): DetectResult {
  return detect({
    dir: path.join(root, app.id, app.dir ?? ""),
    builder: BUILDERS[app.builder ?? "google"],
    ...(app.env ? { buildEnv: app.env } : {}),
    ...(app.exclude ? { exclude: app.exclude } : {}),
    kind: app.kind ?? "service",
    ...(app.jobProcess ? { jobProcess: app.jobProcess } : {}),
  });
}

/** What the app's container runs: a job's process, else the web process. */
function launched(app: CorpusApp, r: DetectResult): string | null {
  return r.processes[app.jobProcess ?? "web"] ?? null;
}

describe("the preflight on the corpus of app layouts", () => {
  it("holds well over 100 apps of every language Gantry supports, monorepo layouts and apps that fail", () => {
    expect(CORPUS.length).toBeGreaterThan(100);
    expect(new Set(CORPUS.map((a) => a.id)).size).toBe(CORPUS.length);
    const languages = new Set(CORPUS.map((a) => a.expect.language));
    for (const l of ["nodejs", "python", "go", "java", "ruby", "php", "dotnet", "dart", null]) expect(languages).toContain(l);
    expect(CORPUS.filter((a) => a.dir !== undefined).length).toBeGreaterThanOrEqual(4);
    expect(CORPUS.filter((a) => a.expect.outcome === "build-error").length).toBeGreaterThanOrEqual(20);
    expect(CORPUS.filter((a) => a.expect.outcome === "detect-fail").length).toBeGreaterThanOrEqual(3);
    expect(CORPUS.filter((a) => a.env?.["GOOGLE_FUNCTION_TARGET"] !== undefined).map((a) => a.expect.language)).toEqual(expect.arrayContaining(["nodejs", "python", "go", "java"]));
    for (const a of CORPUS) expect(a.rule.trim(), a.id).not.toBe("");
  });

  it.each(CORPUS.map((a) => [a.id, a] as const))("%s", (_id, app) => {
    const r = predict(app);
    const errors = r.findings.filter((f) => f.severity === "error").map((f) => f.code);
    expect({ language: r.language, outcome: r.outcome, web: launched(app, r), errors }).toEqual({
      language: app.expect.language,
      outcome: app.expect.outcome,
      web: app.expect.web,
      errors: app.expect.errors ?? [],
    });
  });
});
