import type { z } from "zod";
import { closest, didYouMean } from "./suggest";
import type { PathKey } from "./yaml-source";

export interface FieldIssue {
  path: PathKey[];
  message: string;
  /** Point at the key (unknown keys) rather than at its value. */
  atKey?: boolean;
}

type Issue = z.core.$ZodIssue;

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  // JSON.stringify would print both as null, which the file does not say.
  if (typeof value === "number" && Number.isNaN(value)) return "not a number (.nan)";
  if (typeof value === "number" && !Number.isFinite(value)) return `${value < 0 ? "minus " : ""}infinity (.inf, or a number too large to hold)`;
  return JSON.stringify(value);
}

const suggestion = (match: string | undefined, spell: (key: string) => string) => (match === undefined ? "" : ` (did you mean "${spell(match)}"?)`);

const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

/**
 * Turns zod's issues into messages a service owner understands, with a did-you-mean for unknown keys.
 * `keysAt` answers which keys are allowed at a path, so suggestions work at any depth.
 */
export function explainIssues(
  issues: readonly Issue[],
  keysAt: (path: PathKey[]) => string[],
  hidden: (path: PathKey[]) => boolean = () => false,
  spelled: (path: PathKey[], key: string) => string = (_path, key) => key,
): FieldIssue[] {
  return issues.flatMap((issue) => explain(issue, keysAt, hidden, spelled));
}

function explain(issue: Issue, keysAt: (path: PathKey[]) => string[], hidden: (path: PathKey[]) => boolean, spelled: (path: PathKey[], key: string) => string): FieldIssue[] {
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  // A value that may be a secret is described, never quoted: these lines end up in CI logs.
  const describe = (value: unknown) => (hidden(path) && value !== undefined && typeof value !== "object" ? "a value (not shown)" : describeValue(value));
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => ({
        path: [...path, key],
        atKey: true,
        message: `unknown field${suggestion(closest(key, keysAt(path)), (k) => spelled(path, k))}`,
      }));
    case "invalid_type":
      if (issue.input === undefined) return [{ path, message: "is required" }];
      return [{ path, message: `must be ${article(issue.expected)}, got ${describe(issue.input)}` }];
    case "invalid_value": {
      const allowed = issue.values.map((v) => JSON.stringify(v));
      const got = describe(issue.input);
      const hint = typeof issue.input === "string" && !hidden(path) ? didYouMean(issue.input, issue.values.map(String)) : "";
      return [{ path, message: allowed.length === 1 ? `must be ${allowed[0]}, got ${got}` : `must be one of ${allowed.join(", ")}, got ${got}${hint}` }];
    }
    case "too_small":
      if (ownMessage(issue)) return [{ path, message: issue.message }];
      if (issue.origin === "string") return [{ path, message: `must be at least ${issue.minimum} characters` }];
      // positive() and gt() exclude their bound: "at least 0, got 0" would contradict itself.
      return [{ path, message: `must be ${issue.inclusive === false ? "more than" : "at least"} ${issue.minimum}, got ${describe(issue.input)}` }];
    case "too_big":
      if (ownMessage(issue)) return [{ path, message: issue.message }];
      if (issue.origin === "string") return [{ path, message: `must be at most ${issue.maximum} characters` }];
      return [{ path, message: `must be ${issue.inclusive === false ? "less than" : "at most"} ${issue.maximum}, got ${describe(issue.input)}` }];
    case "invalid_format":
      return [{ path, message: `${issue.message}, got ${describe(issue.input)}` }];
    case "invalid_key":
      // A record key that breaks its grammar: the key is what is wrong, so point at it.
      return explainIssues(issue.issues.map((i) => ({ ...i, path })) as Issue[], keysAt, hidden).map((i) => ({ ...i, atKey: true }));
    case "invalid_union": {
      if ("discriminator" in issue && issue.discriminator) {
        const at = path[path.length - 1] === issue.discriminator ? path : [...path, issue.discriminator];
        return [{ path: at, message: `must be one of "service", "job", "gke"${kindHint(issue.input, issue.discriminator)}` }];
      }
      // A union like `string | {secret, version}`: explain the branch that matches the shape the user wrote.
      const branches = issue.errors.filter((b) => b.length > 0);
      const shaped = branches.find((b) => !b.every((i) => i.code === "invalid_type" && i.path.length === 0));
      if (shaped) return explainIssues(shaped.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as Issue), keysAt, hidden);
      return [{ path, message: `has the wrong type (${describe(issue.input)})` }];
    }
    default:
      return [{ path, message: issue.message }];
  }
}

/** A schema that words its own bound (ranged()) is quoted as it is; zod's default wording is not. */
function ownMessage(issue: Issue): boolean {
  return !/^Too (small|big)\b/.test(issue.message);
}

function kindHint(input: unknown, discriminator: string): string {
  const value = input && typeof input === "object" ? (input as Record<string, unknown>)[discriminator] : input;
  if (value === undefined) return ", got nothing";
  return `, got ${describeValue(value)}${typeof value === "string" ? didYouMean(value, ["service", "job", "gke"]) : ""}`;
}
