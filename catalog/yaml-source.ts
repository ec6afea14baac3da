import * as fs from "node:fs";
import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from "yaml";
import { fieldPath, type Problem } from "./problems";
import { decodeUtf8 } from "./utf8";

export type PathKey = string | number;

/** A parsed YAML file that can answer "where is this field?" for error messages. */
export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  value: unknown;
}

export type ParseResult = { ok: true; source: YamlSource } | { ok: false; problems: Problem[] };

// More expanded nodes than this behind aliases is a "billion laughs" file, not configuration.
const MAX_ALIAS_COUNT = 100;
const MERGE_KEY = "<<";

/** Reads a YAML file as UTF-8 and parses it; bytes that are not UTF-8 are a located problem, never U+FFFD. */
export function readYamlFile(file: string, shown: string): ParseResult {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    return { ok: false, problems: [wholeFile(shown, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)] };
  }
  const decoded = decodeUtf8(bytes);
  if ("error" in decoded) {
    const { offset, byte, line, column } = decoded.error;
    const hex = byte.toString(16).toUpperCase().padStart(2, "0");
    return {
      ok: false,
      problems: [{ file: shown, line, column, field: "", severity: "error", message: `is not UTF-8: byte 0x${hex} at byte offset ${offset} is not valid UTF-8 (Latin-1 or Windows-1252?); save the file as UTF-8` }],
    };
  }
  return parseYaml(shown, decoded.text);
}

export function parseYaml(file: string, text: string): ParseResult {
  const lineCounter = new LineCounter();
  const at = (offset: number, field: string, message: string): Problem => {
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, column: pos.col, field, message, severity: "error" };
  };
  let doc: Document.Parsed;
  try {
    // uniqueKeys is checked below in one pass: the library's own check compares every key with every other.
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: true });
  } catch (e) {
    return { ok: false, problems: [wholeFile(file, unreadable(e))] };
  }
  if (doc.errors.length > 0) {
    // Later errors are usually echoes of the first one, which is the one to fix.
    const e = doc.errors[0]!;
    const message =
      e.code === "MULTIPLE_DOCS"
        ? "holds more than one YAML document (a second `---`); this file is one document: remove the `---` line, or move what follows it to a file of its own"
        : `YAML syntax error: ${firstLine(e.message)}`;
    return { ok: false, problems: [at(e.pos[0], "", message)] };
  }
  const keyProblems = checkKeys(doc.contents, (n) => lineCounter.linePos(n.range?.[0] ?? 0).line).map((k) => at(k.node.range?.[0] ?? 0, fieldPath(k.path), k.message));
  if (keyProblems.length > 0) return { ok: false, problems: keyProblems };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const alias = firstAlias(doc.contents);
    if (/alias count/i.test((e as Error).message)) {
      return {
        ok: false,
        problems: [at(alias?.range?.[0] ?? 0, "", `aliases expand to more than ${MAX_ALIAS_COUNT} nodes (a YAML "billion laughs" file); write the values out instead of nesting aliases`)],
      };
    }
    return { ok: false, problems: [at(alias?.range?.[0] ?? 0, "", unreadable(e))] };
  }
  return { ok: true, source: { file, doc, lineCounter, value } };
}

// With `merge: true` the library gives a merge key the value Symbol("<<"), not the string.
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (key.value === MERGE_KEY || (typeof key.value === "symbol" && key.value.description === MERGE_KEY));
}

function wholeFile(file: string, message: string): Problem {
  return { file, line: 1, column: 1, field: "", severity: "error", message };
}

function unreadable(e: unknown): string {
  if (e instanceof RangeError) return "is nested too deeply to read; a service file is a few levels of mappings and lists";
  return `YAML could not be read: ${firstLine(e instanceof Error ? e.message : String(e))}`;
}

interface KeyProblem {
  node: Node;
  path: PathKey[];
  message: string;
}

/**
 * One pass over every mapping: duplicate keys (YAML forbids them; one would silently win), `__proto__` (schemas
 * drop such a key silently instead of rejecting it) and keys that are not plain scalars. Iterative, so a deeply
 * nested file cannot overflow the stack.
 */
function checkKeys(root: unknown, lineOf: (n: Node) => number): KeyProblem[] {
  const found: KeyProblem[] = [];
  const todo: { node: unknown; path: PathKey[] }[] = [{ node: root, path: [] }];
  while (todo.length > 0) {
    const { node, path } = todo.pop()!;
    if (isNode(node) && node.tag !== undefined && !CORE_TAGS.has(node.tag)) {
      found.push({ node, path, message: `the YAML tag ${shownTag(node.tag)} is not one Gantry reads (it would be dropped, or turn the value into something else): write the plain value` });
    }
    if (isMap(node)) {
      const seen = new Map<string, Node>();
      for (const pair of node.items) {
        if (!isScalar(pair.key)) {
          const keyNode = (pair.key ?? pair.value) as Node | null;
          if (keyNode) found.push({ node: keyNode, path, message: "a key must be a plain name, not a list, a mapping or an alias" });
          continue;
        }
        const key = isMergeKey(pair.key) ? MERGE_KEY : String(pair.key.value);
        if (key === "__proto__") {
          found.push({ node: pair.key, path: [...path, key], message: `"__proto__" cannot be used as a name: JavaScript objects reserve it, so the entry would vanish without a word` });
        }
        const first = seen.get(key);
        if (first && key !== MERGE_KEY) {
          found.push({ node: pair.key, path: [...path, key], message: `"${key}" is given twice in this mapping (first at line ${lineOf(first)}); YAML keeps one, so remove the other` });
        } else if (!first) seen.set(key, pair.key);
        todo.push({ node: pair.value, path: [...path, key] });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => todo.push({ node: item, path: [...path, i] }));
    }
  }
  return found;
}

// Explicit tags that only restate a plain value. Any other (!Ref, !!binary, !!timestamp, !!set) is dropped by the
// library with a warning nobody sees, or turns the value into something the schema then misdescribes.
const CORE_TAGS = new Set(["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`));

function shownTag(tag: string): string {
  const short = tag.replace(/^tag:yaml\.org,2002:/, "!!");
  return short.length > 40 ? `${short.slice(0, 40)}…` : short;
}

function firstAlias(root: unknown): Node | undefined {
  const todo: unknown[] = [root];
  while (todo.length > 0) {
    const node = todo.pop();
    if (isAlias(node)) return node;
    // Pushed last-first, so the first alias in the file is the one popped first.
    if (isMap(node)) for (let i = node.items.length - 1; i >= 0; i--) todo.push(node.items[i]!.value, node.items[i]!.key);
    else if (isSeq(node)) for (let i = node.items.length - 1; i >= 0; i--) todo.push(node.items[i]);
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

// A mapping's keys, indexed on first use: locating every problem of a 200,000-key mapping stays linear.
const keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  let index = keyIndex.get(map);
  if (!index) {
    index = new Map();
    for (const pair of map.items) {
      if (!isScalar(pair.key)) continue;
      const k = String(pair.key.value);
      if (!index.has(k)) index.set(k, pair as Pair);
    }
    keyIndex.set(map, index);
  }
  return index.get(key);
}

// Merges nest only as deep as anchors defined before their aliases allow; this bounds a hostile file's chain.
const MAX_MERGE_DEPTH = 32;

/**
 * The pair a `<<` merge brings into `map` for `key`, inside the merged mapping itself (an inline mapping, or the
 * anchor an alias names): that is where the value is written. Keys written in `map` win over merged ones, and
 * earlier sources of `<<: [*a, *b]` over later ones, as the yaml library merges them.
 */
function mergedPairOf(doc: Document.Parsed, map: YAMLMap, key: string, depth = 0): Pair | undefined {
  if (depth > MAX_MERGE_DEPTH) return undefined;
  for (const merge of map.items) {
    if (!isMergeKey(merge.key)) continue;
    const sources = isSeq(merge.value) ? merge.value.items : [merge.value];
    for (const item of sources) {
      const target = isAlias(item) ? item.resolve(doc) : item;
      if (!isMap(target)) continue;
      const pair = pairOf(target, key) ?? mergedPairOf(doc, target, key, depth + 1);
      if (pair) return pair;
    }
  }
  return undefined;
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
      const pair = pairOf(node, String(key)) ?? mergedPairOf(source.doc, node, String(key));
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
    if (cur === null || typeof cur !== "object" || !Object.prototype.hasOwnProperty.call(cur, String(key))) return false;
    cur = (cur as Record<string, unknown>)[String(key)];
  }
  return true;
}
