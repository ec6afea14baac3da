import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { Problem } from "./problems";

export type PathKey = string | number;

/** A parsed YAML file that can answer "where is this field?" for error messages. */
export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  value: unknown;
}

export type ParseResult = { ok: true; source: YamlSource } | { ok: false; problems: Problem[] };

export function parseYaml(file: string, text: string): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      // Later errors are usually echoes of the first one, which is the one to fix.
      problems: doc.errors.slice(0, 1).map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return {
          file,
          line: pos.line,
          column: pos.col,
          field: "",
          message: `YAML syntax error: ${firstLine(e.message)}`,
          severity: "error" as const,
        };
      }),
    };
  }
  const reserved = protoKeys(doc.contents, []).map(({ node, path }) => {
    const pos = lineCounter.linePos(node.range?.[0] ?? 0);
    return {
      file,
      line: pos.line,
      column: pos.col,
      field: path.join("."),
      message: `"__proto__" cannot be used as a name: JavaScript objects reserve it, so the entry would vanish without a word`,
      severity: "error" as const,
    };
  });
  if (reserved.length > 0) return { ok: false, problems: reserved };
  return { ok: true, source: { file, doc, lineCounter, value: doc.toJS({ maxAliasCount: 100 }) } };
}

/** Every mapping key `__proto__`, with its field path: schemas drop such a key silently instead of rejecting it. */
function protoKeys(node: unknown, path: PathKey[]): { node: Node; path: PathKey[] }[] {
  const found: { node: Node; path: PathKey[] }[] = [];
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === "__proto__" && isScalar(pair.key)) found.push({ node: pair.key, path: [...path, key] });
      found.push(...protoKeys(pair.value, key === undefined ? path : [...path, key]));
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => found.push(...protoKeys(item, [...path, i])));
  }
  return found;
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

/**
 * Line and column of the node at `path`, or of its nearest existing ancestor when the field is missing
 * (a missing required field is reported where it should have been written).
 * `atKey` points at the key rather than the value, which reads better for "unknown key" problems.
 */
export function locate(source: YamlSource, path: readonly PathKey[], atKey = false): { line: number; column: number } {
  let node: Node | null | undefined = source.doc.contents as Node | null;
  let offset = node?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(key));
      if (!pair) break;
      const keyNode = pair.key as Node;
      if (last && atKey) {
        offset = keyNode.range?.[0] ?? offset;
        break;
      }
      node = pair.value as Node | null;
      offset = node?.range?.[0] ?? keyNode.range?.[0] ?? offset;
    } else if (isSeq(node) && typeof key === "number") {
      const item = node.items[key] as Node | undefined;
      if (!item) break;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else {
      break;
    }
  }
  const pos = source.lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** True when the document itself spells out `path` (as opposed to it coming from a default). */
export function hasPath(value: unknown, path: readonly PathKey[]): boolean {
  let cur: unknown = value;
  for (const key of path) {
    if (cur === null || typeof cur !== "object" || !(String(key) in (cur as Record<string, unknown>))) return false;
    cur = (cur as Record<string, unknown>)[String(key)];
  }
  return true;
}
