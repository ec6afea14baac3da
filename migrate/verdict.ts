import type { Check } from "./types";

export type Verdict = "ready" | "needs" | "blocked";

/** Blocked when buildpacks cannot do something the Dockerfile does; needs when concrete changes close the gap; else ready. */
export function verdictOf(checks: readonly Check[]): Verdict {
  if (checks.some((c) => c.kind === "blocker")) return "blocked";
  if (checks.some((c) => c.kind === "step")) return "needs";
  return "ready";
}
