import * as pulumi from "@pulumi/pulumi";

/*
 * Resource inputs as a plan compares and shows them: flattened to one path per leaf, secrets never in plain
 * text, values only a deployment knows marked as such.
 */

export const UNKNOWN_TEXT = "(known after deploy)";
export const SECRET_TEXT = "[secret]";

// Pulumi's wire signature of a secret: the same in the mock runtime's inputs ({sig, value}) and in a
// checkpoint ({sig, ciphertext}).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function isSecret(value: unknown): boolean {
  return value !== null && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** A leaf: what the plan shows, and whether it is a secret or known only after a deploy. */
export interface Leaf {
  text: string;
  secret?: boolean;
  unknown?: boolean;
  /** The plain value, for comparing (a checkpoint's secret has only ciphertext, so none). */
  value?: unknown;
  /** Filled in by the provider (its object's `__defaults` lists it), not set by the program. */
  defaulted?: boolean;
}

/**
 * path -> leaf. Objects by key (`template.scaling.minInstanceCount`), arrays by index, except arrays of objects
 * each with a distinct string `name` (env vars, containers, ports), which go by name: `envs[DB_URL].value`, so
 * that adding one env var does not show every later one as changed.
 */
export function flatten(value: unknown, prefix = "", out = new Map<string, Leaf>(), defaulted = false): Map<string, Leaf> {
  const set = (leaf: Leaf) => out.set(prefix, defaulted ? { ...leaf, defaulted } : leaf);
  if (pulumi.isUnknown(value)) set({ text: UNKNOWN_TEXT, unknown: true });
  else if (isSecret(value)) {
    const plain = (value as Record<string, unknown>).value;
    set({ text: SECRET_TEXT, secret: true, ...(plain !== undefined ? { value: canonical(plain) } : {}) });
  } else if (Array.isArray(value)) {
    const byName = namedElements(value);
    if (value.length === 0) set({ text: "[]", value: "[]" });
    value.forEach((v, i) => flatten(v, `${prefix}[${byName ? byName[i] : i}]`, out, defaulted));
  } else if (value !== null && typeof value === "object") {
    // `__defaults` is the engine's note of which inputs a provider filled in, at any depth: not configuration,
    // but it marks those inputs as the provider's.
    const record = value as Record<string, unknown>;
    const defaults = Array.isArray(record.__defaults) ? new Set(record.__defaults) : undefined;
    const entries = Object.entries(record).filter(([k, v]) => v !== undefined && k !== "__defaults");
    if (entries.length === 0 && prefix) set({ text: "{}", value: "{}" });
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out, defaulted || (defaults?.has(k) ?? false));
  } else {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    set({ text, value: text === undefined ? "null" : JSON.stringify(value) });
  }
  return out;
}

function namedElements(list: unknown[]): string[] | undefined {
  const names = list.map((v) => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>).name : undefined));
  if (names.length === 0 || names.some((n) => typeof n !== "string" || pulumi.isUnknown(n))) return undefined;
  return new Set(names).size === names.length ? (names as string[]) : undefined;
}

/** JSON with sorted keys, so two equal values compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * Whether a leaf differs. A secret compares by its plain value when both sides have one; a checkpoint keeps
 * only ciphertext, which cannot be read offline, so an encrypted secret is never reported as changed.
 */
export function differs(old: Leaf, next: Leaf): boolean {
  if (next.unknown) return !old.unknown;
  if (old.secret !== next.secret) return true;
  if (old.secret && (old.value === undefined || next.value === undefined)) return false;
  return old.value !== next.value;
}

/** A value for reading: long texts (a project.toml, a description) cut, digests shortened. */
export function shown(leaf: Leaf | undefined, max = 100): string {
  if (!leaf) return "(none)";
  const text = leaf.text.replace(/(sha256:[0-9a-f]{12})[0-9a-f]{52}/g, "$1").replace(/\n/g, "\\n");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
