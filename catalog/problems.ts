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

/**
 * A field path as it is printed. A key is the user's text too, and a value can end up inside one: `{PASSWORD:sk_live_x}`
 * (no space after the colon) or a stray byte after the colon makes the key `PASSWORD:sk_live_x` with no value. So a key
 * is cut before its first colon, quote or character outside printable ASCII (and after 64 characters); line and
 * column still point at it.
 */
export function fieldPath(path: readonly (string | number)[]): string {
  return path
    .map((k, i) => (typeof k === "number" ? String(k) : i === 1 && path[0] === "config" && PULUMI_CONFIG_KEY.test(k) ? k : shownKey(k)))
    .join(".");
}

/** Under a stack file's `config:`, keys are `<namespace>:<name>` by Pulumi's grammar. */
const PULUMI_CONFIG_KEY = /^[A-Za-z][\w-]*:[A-Za-z][\w-]*$/;

/** A key as a message may quote it: whole when nothing could be glued into it, else the part before that point. */
export function shownKey(key: string): string {
  const cut = key.search(/[:"'`]|[^\x20-\x7e]/);
  if (cut === -1 && key.length <= 64) return key;
  return `${key.slice(0, Math.min(cut === -1 ? key.length : cut, 64))}…`;
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
