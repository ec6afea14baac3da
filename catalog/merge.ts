type Json = Record<string, unknown>;

const isMapping = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Per-stack overrides over the base file: mappings merge key by key, everything else (lists, scalars) is replaced,
 * and `null` removes the key, so `environments: { dev: { schedule: null } }` turns a schedule off in dev.
 */
export function mergeOverrides(base: Json, override: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete out[key];
    else if (isMapping(value) && isMapping(out[key])) out[key] = mergeOverrides(out[key] as Json, value);
    else out[key] = value;
  }
  return out;
}
