// Reads a Procfile exactly the way each builder family does, and notes the lines it would skip.
//
// Google (GoogleCloudPlatform/buildpacks pkg/entrypoint/procfile.go): one multi-line regex
// `(?m)^(\w+):\s*(.+)$` over the whole file, first duplicate wins. Because `\s*` also matches
// newlines, an empty `web:` takes the NEXT line as its command; that quirk is reproduced here.
// Paketo (paketo-buildpacks/procfile procfile/procfile.go): the regex `^([A-Za-z0-9_-]+):\s*(.+)$`
// line by line, later duplicates overwrite earlier ones.

import type { BuilderFamily } from "./findings";

export interface ProcfileEntry {
  name: string;
  command: string;
  line: number;
}

export interface ProcfileParse {
  /** Processes as the builder registers them, in order of first appearance. */
  processes: ProcfileEntry[];
  /** Later (Google) or earlier (Paketo) definitions of a name that the builder drops. */
  duplicates: ProcfileEntry[];
  /** Lines shaped like `name: command` that the builder's regex does not accept. */
  rejected: { name: string; line: number; reason: "name" | "indented" | "space" }[];
  /** `name:` lines with no command; `swallowed` is the next line Google's parser takes instead. */
  emptyCommands: { name: string; line: number; swallowed: string | null }[];
}

// RE2's \s is [\t\n\f\r ]; JavaScript's is wider, so spell it out to match Go exactly.
const GOOGLE_RE = /^([A-Za-z0-9_]+):[\t\n\f\r ]*(.+)$/gm;
const PAKETO_LINE_RE = /^([A-Za-z0-9_-]+):[\t\n\f\r ]*(.+)$/;
// Anything that looks like an attempt at a process line: a token, optional spaces, a colon.
const CANDIDATE_RE = /^([ \t]*)([^\s:#][^\s:]*)([ \t]*):(.*)$/;

export function parseProcfile(content: string, family: BuilderFamily): ProcfileParse {
  return family === "google" ? parseGoogle(content) : parsePaketo(content);
}

function lineStarts(content: string): number[] {
  const starts = [0];
  for (let i = 0; i < content.length; i++) if (content[i] === "\n") starts.push(i + 1);
  return starts;
}

function lineOf(starts: number[], index: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function splitLines(content: string): string[] {
  return content.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
}

function parseGoogle(content: string): ProcfileParse {
  const starts = lineStarts(content);
  const out: ProcfileParse = { processes: [], duplicates: [], rejected: [], emptyCommands: [] };
  const seen = new Map<string, ProcfileEntry>();
  const consumed = new Set<number>();
  for (const m of content.matchAll(GOOGLE_RE)) {
    const name = m[1] ?? "";
    const command = (m[2] ?? "").trim();
    const index = m.index ?? 0;
    const line = lineOf(starts, index);
    const endLine = lineOf(starts, index + m[0].length - 1);
    for (let l = line; l <= endLine; l++) consumed.add(l);
    if (endLine > line) out.emptyCommands.push({ name, line, swallowed: command });
    const entry = { name, command, line };
    if (seen.has(name)) {
      out.duplicates.push(entry);
      continue;
    }
    seen.set(name, entry);
    out.processes.push(entry);
  }
  splitLines(content).forEach((text, i) => {
    const line = i + 1;
    if (consumed.has(line)) return;
    noteSkippedLine(out, text, line, /^[A-Za-z0-9_]+$/);
  });
  return out;
}

function parsePaketo(content: string): ProcfileParse {
  const out: ProcfileParse = { processes: [], duplicates: [], rejected: [], emptyCommands: [] };
  // Setting a key a Map holds keeps its place: first-appearance order with the last definition, as Paketo's map does.
  const byName = new Map<string, ProcfileEntry>();
  splitLines(content).forEach((text, i) => {
    const line = i + 1;
    const m = PAKETO_LINE_RE.exec(text);
    if (!m) {
      noteSkippedLine(out, text, line, /^[A-Za-z0-9_-]+$/);
      return;
    }
    const entry = { name: m[1] ?? "", command: (m[2] ?? "").trim(), line };
    const earlier = byName.get(entry.name);
    if (earlier) out.duplicates.push(earlier);
    byName.set(entry.name, entry);
  });
  out.processes = [...byName.values()];
  return out;
}

function noteSkippedLine(out: ProcfileParse, text: string, line: number, validName: RegExp): void {
  const c = CANDIDATE_RE.exec(text);
  if (!c) return;
  const indent = c[1] ?? "";
  const name = c[2] ?? "";
  const gap = c[3] ?? "";
  const rest = (c[4] ?? "").trim();
  if (!validName.test(name)) {
    out.rejected.push({ name, line, reason: "name" });
  } else if (indent.length > 0) {
    out.rejected.push({ name, line, reason: "indented" });
  } else if (gap.length > 0) {
    out.rejected.push({ name, line, reason: "space" });
  } else if (rest === "") {
    out.emptyCommands.push({ name, line, swallowed: null });
  }
}

/**
 * The Procfile's processes as a name → command map. Defined as own properties, because a process may be called
 * `__proto__` (`\w+` allows it) and plain assignment would set the object's prototype instead.
 */
export function processMap(parse: ProcfileParse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of parse.processes) Object.defineProperty(out, p.name, { value: p.command, enumerable: true, writable: true, configurable: true });
  return out;
}
