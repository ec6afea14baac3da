import type { Check } from "./types";

export type Verdict = "ready" | "needs" | "blocked";

/** Blocked when buildpacks cannot do something the Dockerfile does; needs when concrete changes close the gap; else ready. */
export function verdictOf(checks: readonly Check[]): Verdict {
  if (checks.some((c) => c.kind === "blocker")) return "blocked";
  if (checks.some((c) => c.kind === "step")) return "needs";
  return "ready";
}

/** The verdict's reason in one line: the first blocker, else how many steps and the first, else what makes it ready. */
export function reasonOf(checks: readonly Check[], ready: string): string {
  const blockers = checks.filter((c) => c.kind === "blocker");
  const steps = checks.filter((c) => c.kind === "step");
  // Up to the first ": " or "; " outside backticks: the change, without its explanation.
  // A blocker keeps its why (up to "; "), a step only its change (up to ": ").
  const short = (text: string, stops: string) => {
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      if (text[i] === "`") quoted = !quoted;
      else if (!quoted && stops.includes(text[i]!) && text[i + 1] === " ") return text.slice(0, i);
    }
    return text;
  };
  if (blockers.length > 0) return `${short(blockers[0]!.text, ";")}${blockers.length > 1 ? ` (and ${blockers.length - 1} more blocker${blockers.length > 2 ? "s" : ""})` : ""}`;
  if (steps.length > 0) return `${steps.length} step${steps.length === 1 ? "" : "s"}, first: ${short(steps[0]!.text, ":;")}`;
  return ready;
}
