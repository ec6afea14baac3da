// compare.ts's own decisions, on hand-made inputs: the runtime line it reports, which of the builder's findings a
// step of the comparison already settles, and that a finding said twice is said once.
import { describe, expect, it } from "vitest";
import type { DetectResult } from "../../preflight";
import { builderFindings, dedupe, runtimeChecks } from "../../migrate/compare";
import type { RuntimeComparison } from "../../migrate/runtime";
import type { Check, CompareContext } from "../../migrate/types";

const GOOGLE = { image: "gcr.io/buildpacks/builder:google-22", family: "google", vendor: "google", stack: "google-22" } as const;
const FACTS = { dir: "/src", procfile: null, packageJson: null, pythonDeps: { names: new Set<string>(), file: null }, pythonVersionFile: null };

function ctx(language: string | null, runtimeVersion?: { value: string | null; source: string }): CompareContext {
  return { detected: { language, runtimeVersion, findings: [] }, builder: GOOGLE, facts: FACTS } as unknown as CompareContext;
}

const base: RuntimeComparison = { language: "python", image: "python:3.9-slim", line: 4, dockerfile: "3.9", buildpacks: "3.13", source: "builder default (google-22)", same: false };

describe("the runtime line", () => {
  it("says nothing without a detected language, or when the lines agree", () => {
    expect(runtimeChecks(ctx(null), base)).toEqual([]);
    expect(runtimeChecks(ctx("python"), { ...base, dockerfile: "3.13", same: true })).toEqual([]);
    expect(runtimeChecks(ctx("python"), { ...base, dockerfile: "3.13", same: null })).toEqual([]);
  });

  it("with no base image to read from, notes what the builder installs, or its default", () => {
    expect(runtimeChecks(ctx("nodejs", { value: "20", source: "builder default (google-22)" }), null)).toEqual([
      { aspect: "runtime", kind: "note", text: "no Node.js base image to read a version from; the builder installs Node.js 20 (builder default (google-22))" },
    ]);
    expect(runtimeChecks(ctx("go", { value: null, source: "builder default (latest Go 1.x)" }), null)[0]!.text).toBe(
      "no Go base image to read a version from; the builder installs Go (its default) (builder default (latest Go 1.x))",
    );
    expect(runtimeChecks(ctx("ruby"), null)[0]!.text).toBe("no Ruby base image to read a version from; the builder installs Ruby (its default) (default)");
  });

  it("an unpinned tag is a note at its FROM line", () => {
    expect(runtimeChecks(ctx("python"), { ...base, image: "python:3", dockerfile: null, same: null })).toEqual([
      { aspect: "runtime", kind: "note", line: 4, text: "FROM python:3 pins no Python version; the builder installs 3.13 (builder default (google-22))" },
    ]);
    expect(runtimeChecks(ctx("python"), { ...base, dockerfile: null, buildpacks: null, source: "unknown", same: null })[0]!.text).toBe(
      "FROM python:3.9-slim pins no Python version; the builder installs its default (unknown)",
    );
  });

  it("a line the stack does not offer is a step: upward, or downward with a stack that offers it", () => {
    const up = runtimeChecks(ctx("python"), { ...base, unavailable: { stack: "google-22", offered: ["3.10", "3.11", "3.12", "3.13"], nearest: "3.10", direction: "upgrade", otherStacks: [] } });
    expect(up).toEqual([
      {
        aspect: "runtime",
        kind: "step",
        line: 4,
        text: "pin `.python-version` 3.10: the Dockerfile runs Python 3.9 (FROM python:3.9-slim), which the google-22 builder does not offer (it offers 3.10, 3.11, 3.12, 3.13); upgrade the app to Python 3.10",
      },
    ]);
    const down = runtimeChecks(ctx("python"), { ...base, image: "python:3.14", dockerfile: "3.14", unavailable: { stack: "google-22", offered: ["3.10", "3.13"], nearest: "3.13", direction: "downgrade", otherStacks: ["google-24"] } });
    expect(down[0]!.text).toBe(
      "pin `.python-version` 3.13: the Dockerfile runs Python 3.14 (FROM python:3.14), which the google-22 builder does not offer (it offers 3.10, 3.13); move the app down to Python 3.13 (a downgrade: check that it runs there), or build with the google-24 builder (gcr.io/buildpacks/builder:google-24), which offers Python 3.14",
    );
  });

  it("a different offered line is a pin step naming both; `latest` is the newest release", () => {
    expect(runtimeChecks(ctx("python"), { ...base, dockerfile: "3.11" })[0]).toEqual({
      aspect: "runtime",
      kind: "step",
      line: 4,
      text: "pin `.python-version` 3.11 (the Dockerfile runs Python 3.11; the builder would install Python 3.13: builder default (google-22))",
    });
    expect(runtimeChecks(ctx("go"), { ...base, language: "go", image: "golang:1.22", dockerfile: "1.22", buildpacks: "latest", source: "builder default (latest Go 1.x)" })[0]!.text).toBe(
      'set `GOOGLE_GO_VERSION: "1.22"` under build.env in service.yaml (the Dockerfile runs Go 1.22; the builder would install the newest Go release: builder default (latest Go 1.x))',
    );
  });
});

describe("the builder's findings a step already settles", () => {
  const finding = (code: string, severity: "error" | "warning" = "error") => ({ code, severity, message: `${code} found.`, fix: `fix ${code}.` });
  const detected = (...codes: string[]): DetectResult => ({ findings: codes.map((c) => finding(c)) }) as unknown as DetectResult;
  const step = (text: string, aspect: Check["aspect"] = "launch"): Check => ({ aspect, kind: "step", text });
  const PROCFILE = ["python-no-entrypoint", "python-default-port", "python-server-not-installed", "node-entrypoint-missing", "node-needs-entrypoint", "ruby-no-entrypoint", "paketo-python-no-web", "no-web-process", "procfile-missing-web", "web-port-mismatch"];
  const BUILDABLE = ["go-multiple-mains", "go-buildable-missing", "go-buildable-not-main"];

  it("a Procfile step settles every finding about the start command, and only those", () => {
    expect(builderFindings(detected(...PROCFILE, "other"), [step("add a Procfile line `web: x`")]).map((c) => c.text)).toEqual(["other found. Fix: fix other."]);
    // Without a Procfile step each one stands, an error as a step.
    expect(builderFindings(detected(...PROCFILE), [step("something else")]).map((c) => c.text)).toEqual(PROCFILE.map((c) => `${c} found. Fix: fix ${c}.`));
    // A Procfile mentioned by a note settles nothing.
    expect(builderFindings(detected("no-web-process"), [{ aspect: "launch", kind: "note", text: "a Procfile note" }])).toHaveLength(1);
  });

  it("a GOOGLE_BUILDABLE (or BP_GO_TARGETS) step settles the Go package findings", () => {
    expect(builderFindings(detected(...BUILDABLE, "other"), [step("set `GOOGLE_BUILDABLE: ./cmd/api`")]).map((c) => c.text)).toEqual(["other found. Fix: fix other."]);
    expect(builderFindings(detected(...BUILDABLE), [step("set `BP_GO_TARGETS: ./cmd/api`")])).toEqual([]);
    expect(builderFindings(detected(...BUILDABLE), [step("add a Procfile line")])).toHaveLength(3);
    expect(builderFindings(detected("go-multiple-mains"), [{ aspect: "launch", kind: "note", text: "GOOGLE_BUILDABLE" }])).toHaveLength(1);
  });

  it("a runtime step settles the builder's unavailable-version finding; a runtime note does not", () => {
    expect(builderFindings(detected("runtime-version-unavailable"), [step("pin 3.10", "runtime")])).toEqual([]);
    expect(builderFindings(detected("runtime-version-unavailable"), [step("add a Procfile line"), step("pin 3.10", "runtime")])).toEqual([]);
    expect(builderFindings(detected("runtime-version-unavailable"), [{ aspect: "runtime", kind: "note", text: "n" }])).toHaveLength(1);
    expect(builderFindings(detected("runtime-version-unavailable"), [step("pin 3.10", "build")])).toHaveLength(1);
  });

  it("errors are steps, warnings notes; nothing detected blocks; the Dockerfile-ignored hint is dropped", () => {
    const d = { findings: [finding("x", "error"), finding("y", "warning"), finding("dockerfile-ignored"), finding("nothing-detected")] } as unknown as DetectResult;
    expect(builderFindings(d, [])).toEqual([
      { aspect: "builder", kind: "step", text: "x found. Fix: fix x." },
      { aspect: "builder", kind: "note", text: "y found. Fix: fix y." },
      { aspect: "builder", kind: "blocker", text: "the builder detects no language it has buildpacks for in this source folder, so it would build nothing; nothing-detected found." },
    ]);
  });
});

describe("a finding said twice", () => {
  it("is said once, keeping the first; the same text of another kind stays", () => {
    const a: Check = { aspect: "launch", kind: "step", text: "same", line: 1 };
    const b: Check = { aspect: "port", kind: "step", text: "same", line: 2 };
    const c: Check = { aspect: "port", kind: "note", text: "same" };
    expect(dedupe([a, b, c, a])).toEqual([a, c]);
    expect(dedupe([])).toEqual([]);
  });
});
