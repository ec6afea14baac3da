/** One thing wrong with a user's file, located precisely enough to jump to it from a terminal or a PR comment. */
export interface Problem {
  /** Path as the user should read it, relative to the working directory where possible. */
  file: string;
  line: number;
  column: number;
  /** Dotted field path inside the file, e.g. `environments.prod.memory`; empty for whole-file problems. */
  field: string;
  message: string;
  severity: "error" | "warning";
  /** Stacks the problem applies to; undefined when it applies regardless of stack. */
  stacks?: string[];
}

export function formatProblem(p: Problem): string {
  const where = `${p.file}:${p.line}:${p.column}`;
  const field = p.field ? ` ${p.field}:` : "";
  const stacks = p.stacks && p.stacks.length > 0 ? ` [${p.stacks.join(", ")}]` : "";
  const tag = p.severity === "warning" ? " (warning)" : "";
  return `${where}${field} ${p.message}${stacks}${tag}`;
}

export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.message.localeCompare(b.message),
  );
}

/** The same finding reached through several stacks is reported once, naming the stacks. */
export function mergeAcrossStacks(problems: Problem[], allStacks: string[]): Problem[] {
  const byKey = new Map<string, Problem>();
  for (const p of problems) {
    const key = [p.file, p.line, p.column, p.field, p.message, p.severity].join("\u0000");
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...p, stacks: p.stacks ? [...p.stacks] : undefined });
    } else if (seen.stacks && p.stacks) {
      for (const s of p.stacks) if (!seen.stacks.includes(s)) seen.stacks.push(s);
    } else {
      seen.stacks = undefined;
    }
  }
  const order = (s: string) => {
    const i = allStacks.indexOf(s);
    return i < 0 ? allStacks.length : i;
  };
  return [...byKey.values()].map((p) => {
    if (!p.stacks) return p;
    const stacks = [...p.stacks].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
    const everywhere = allStacks.length > 0 && allStacks.every((s) => stacks.includes(s));
    return { ...p, stacks: everywhere ? undefined : stacks };
  });
}
