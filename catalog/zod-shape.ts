import type { z } from "zod";
import type { PathKey } from "./yaml-source";

type AnySchema = z.core.$ZodType;

/** Keys an object schema allows at `path`, looking through optional/default/pipe/union/record wrappers. */
export function keysAtPath(schema: AnySchema, path: readonly PathKey[]): string[] {
  let current: AnySchema[] = [schema];
  for (const key of path) {
    current = current.flatMap((s) => childSchemas(s, key));
  }
  return [...new Set(current.flatMap(objectKeys))];
}

function unwrap(s: AnySchema): AnySchema[] {
  const def = s._zod.def as unknown as Record<string, unknown> & { type: string };
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
      return unwrap(def.innerType as AnySchema);
    case "pipe":
      return unwrap(def.in as AnySchema);
    case "union":
      return (def.options as AnySchema[]).flatMap(unwrap);
    default:
      return [s];
  }
}

function childSchemas(s: AnySchema, key: PathKey): AnySchema[] {
  return unwrap(s).flatMap((u) => {
    const def = u._zod.def as unknown as Record<string, unknown> & { type: string };
    if (def.type === "object") {
      const child = (def.shape as Record<string, AnySchema>)[String(key)];
      return child ? [child] : [];
    }
    if (def.type === "record") return [def.valueType as AnySchema];
    if (def.type === "array") return [def.element as AnySchema];
    return [];
  });
}

function objectKeys(s: AnySchema): string[] {
  return unwrap(s).flatMap((u) => {
    const def = u._zod.def as unknown as Record<string, unknown> & { type: string };
    return def.type === "object" ? Object.keys(def.shape as object) : [];
  });
}
