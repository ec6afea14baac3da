import { describe, expect, it } from "vitest";
import { formatProblem } from "../../catalog/problems";
import { preflightProblems } from "../../preflight/catalog";
import { BASE, catalogOf, PLATFORM_YAML } from "../support/catalog-fixture";

/* A platform team's own builder: Gantry predicts with Google's rules, and only pack's real answer may stop a deploy. */

const CUSTOM = "  gantry:builder: registry.example.com/platform/builder@sha256:1c17d62996c90331eb07c628037e70a0b97bd76675900807340387b64f74777f\n";

describe("the preflight with a builder Gantry does not recognise", () => {
  it("reports what Google's builder would refuse as a warning that says why it does not block", () => {
    const c = catalogOf({ svc: BASE.service }, { dev: PLATFORM_YAML("dev", CUSTOM) });
    const problems = preflightProblems(c, c.root);
    expect(problems.map((p) => p.severity)).toEqual(["warning", "warning"]);
    expect(problems.map(formatProblem)).toEqual([
      expect.stringMatching(/builder-unrecognized/),
      expect.stringMatching(/nothing-detected\)\. Fix: .* \(not blocking: a prediction for a builder Gantry does not recognise\)/),
    ]);
  });

  it("still blocks on Google's builder, for the same folder", () => {
    const c = catalogOf({ svc: BASE.service }, { dev: PLATFORM_YAML("dev") });
    expect(preflightProblems(c, c.root).map((p) => [p.severity, p.message.includes("nothing-detected")])).toEqual([["error", true]]);
  });
});
