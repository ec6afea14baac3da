// A Dockerfile as Gantry reads it: stages, the image config the built stage ends up with (after Docker's
// inheritance between stages), and the build steps that feed it. Parsed with dockerfile-ast. Below both readers:
// `gantry migrate` and the GKE launch wrapper of an image still built from its Dockerfile.

import type { DockerfileParser, Instruction } from "dockerfile-ast";
import { normalizeRel } from "../preflight/source";

// Loaded when the first Dockerfile is read: the preflight and the program import this module for every fleet, and
// most fleets have no Dockerfile left to read.
let parser: typeof DockerfileParser | undefined;
export function dockerfileParser(): typeof DockerfileParser {
  return (parser ??= (require("dockerfile-ast") as typeof import("dockerfile-ast")).DockerfileParser);
}

export interface ImageRef {
  /** As written, with ARG defaults substituted. */
  ref: string;
  /** Repository without registry, tag or digest, lower-cased, `library/` dropped: "python", "distroless/static-debian12". */
  name: string;
  registry: string | null;
  tag: string | null;
  digest: string | null;
}

export interface Stage {
  index: number;
  /** `AS <name>`, lower-cased. */
  name: string | null;
  /** 1-based line of its FROM. */
  line: number;
  /** The image it starts from, or null when it starts from an earlier stage or from scratch. */
  base: ImageRef | null;
  /** Index of the earlier stage it starts from. */
  parent: number | null;
  instructions: Instruction[];
}

/** A command as Docker stores it: an argv, `shell` when written in shell form (argv is then the SHELL plus the text). */
export interface Command {
  argv: string[];
  shell: boolean;
  /** The text as written (shell form) or the argv joined (exec form). */
  text: string;
  line: number;
}

export interface EnvEntry {
  name: string;
  /** With ARG and ENV references resolved. */
  value: string;
  /** As written, when it differs (`$VERSION`). */
  source?: string;
  line: number;
}

export interface ImageConfig {
  entrypoint: Command | null;
  cmd: Command | null;
  env: EnvEntry[];
  expose: { port: number; protocol: string; line: number }[];
  user: { value: string; line: number } | null;
  workdir: string;
  healthcheck: number | null;
}

export interface RunStep {
  stage: number;
  line: number;
  /** The shell text (exec form joined with spaces). */
  text: string;
}

export interface CopyStep {
  stage: number;
  line: number;
  keyword: "COPY" | "ADD";
  /** --from: a stage name or index, or an image. */
  from: string | null;
  sources: string[];
  dest: string;
}

export interface ParsedDockerfile {
  stages: Stage[];
  /** The stage that becomes the image: --target's, else the last. */
  built: Stage;
  /** Stages whose work reaches the built image: its ancestors and those it copies from, transitively. */
  reachable: Stage[];
  config: ImageConfig;
  /** The image the built stage ultimately starts from (following stage parents), or null for scratch. */
  rootBase: ImageRef | null;
  runs: RunStep[];
  copies: CopyStep[];
}

export class DockerfileError extends Error {}

const DEFAULT_SHELL = ["/bin/sh", "-c"];

/** `buildArgs`: the service's build.args, which override ARG defaults as `docker build --build-arg` does. */
export function parseDockerfile(text: string, target?: string, buildArgs: Record<string, string> = {}): ParsedDockerfile {
  const dockerfile = dockerfileParser().parse(text);
  const args: Record<string, string> = Object.fromEntries(dockerfile.getInitialARGs().flatMap((a) => a.getProperties().map((p) => [p.getName(), buildArgs[p.getName()] ?? p.getValue() ?? ""] as const)));
  const stages: Stage[] = [];
  for (const ins of dockerfile.getInstructions()) {
    const keyword = ins.getKeyword().toUpperCase();
    if (keyword === "FROM") {
      const words = ins.getArguments().map((a) => a.getValue());
      const asIndex = words.findIndex((w) => w.toUpperCase() === "AS");
      const image = substitute(words.find((w) => !w.startsWith("--")) ?? "scratch", args);
      const name = asIndex >= 0 ? (words[asIndex + 1] ?? "").toLowerCase() || null : null;
      const parent = stages.findIndex((s) => s.name !== null && s.name === image.toLowerCase());
      stages.push({
        index: stages.length,
        name,
        line: ins.getRange().start.line + 1,
        base: parent >= 0 || image === "scratch" ? null : parseImageRef(image),
        parent: parent >= 0 ? parent : null,
        instructions: [],
      });
    } else if (stages.length > 0) {
      stages[stages.length - 1]!.instructions.push(ins);
    }
  }
  if (stages.length === 0) throw new DockerfileError("the Dockerfile has no FROM instruction");

  let built = stages[stages.length - 1]!;
  if (target !== undefined) {
    const found = stages.find((s) => s.name === target.toLowerCase());
    if (!found) throw new DockerfileError(`the Dockerfile has no stage named "${target}"`);
    built = found;
  }

  const runs: RunStep[] = [];
  const copies: CopyStep[] = [];
  for (const stage of stages) {
    for (const ins of stage.instructions) {
      const keyword = ins.getKeyword().toUpperCase();
      const line = ins.getRange().start.line + 1;
      if (keyword === "RUN") runs.push({ stage: stage.index, line, text: runText(ins) });
      if (keyword === "COPY" || keyword === "ADD") {
        const words = jsonStrings(ins) ?? ins.getArguments().map((a) => a.getValue());
        const from = flag(ins, "from");
        copies.push({ stage: stage.index, line, keyword, from, sources: words.slice(0, -1), dest: words[words.length - 1] ?? "" });
      }
    }
  }

  const reachable = reachableStages(stages, built, copies);
  return { stages, built, reachable, config: configOf(stages, built.index, args, buildArgs), rootBase: rootBase(stages, built), runs: runs.filter((r) => reachable.includes(stages[r.stage]!)), copies: copies.filter((c) => reachable.includes(stages[c.stage]!)) };
}

function rootBase(stages: Stage[], stage: Stage): ImageRef | null {
  let s: Stage = stage;
  while (s.parent !== null) s = stages[s.parent]!;
  return s.base;
}

/**
 * Docker's rules: a stage inherits its parent's config; ENTRYPOINT drops an inherited CMD, not one set in the same
 * stage. An ARG declared in the stage (with its default, or the global default for a bare `ARG X`) is visible to
 * later ENV and WORKDIR lines of that stage only; nothing passes --build-arg here, so defaults are the values.
 */
function configOf(stages: Stage[], index: number, globalArgs: Record<string, string>, buildArgs: Record<string, string>): ImageConfig {
  const stage = stages[index]!;
  const config: ImageConfig =
    stage.parent !== null ? structuredClone(configOf(stages, stage.parent, globalArgs, buildArgs)) : { entrypoint: null, cmd: null, env: [], expose: [], user: null, workdir: "/", healthcheck: null };
  let shell = DEFAULT_SHELL;
  let cmdSetHere = false;
  const args: EnvEntry[] = [];
  const vars = (): EnvEntry[] => [...args, ...config.env];
  for (const ins of stage.instructions) {
    const keyword = ins.getKeyword().toUpperCase();
    const line = ins.getRange().start.line + 1;
    switch (keyword) {
      case "ARG":
        for (const p of (ins as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties()) {
          const value = buildArgs[p.getName()] ?? p.getValue() ?? globalArgs[p.getName()];
          if (value !== undefined) args.push({ name: p.getName(), value: expandEnv(value, vars()), line });
        }
        break;
      case "SHELL":
        shell = jsonStrings(ins) ?? shell;
        break;
      case "CMD":
        config.cmd = command(ins, shell, line);
        cmdSetHere = true;
        break;
      case "ENTRYPOINT":
        config.entrypoint = command(ins, shell, line);
        if (!cmdSetHere) config.cmd = null;
        break;
      case "ENV":
        for (const p of (ins as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties()) {
          config.env = config.env.filter((e) => e.name !== p.getName());
          const written = p.getValue() ?? "";
          const value = expandEnv(written, vars());
          config.env.push({ name: p.getName(), value, ...(value !== written ? { source: written } : {}), line });
        }
        break;
      case "EXPOSE":
        for (const a of ins.getArguments()) {
          const m = /^(\d+)(?:-\d+)?(?:\/(\w+))?$/.exec(a.getValue());
          if (m) config.expose.push({ port: Number(m[1]), protocol: (m[2] ?? "tcp").toLowerCase(), line });
        }
        break;
      case "USER":
        config.user = { value: ins.getArgumentsContent()?.trim() ?? "", line };
        break;
      case "WORKDIR": {
        const dir = expandEnv(ins.getArgumentsContent()?.trim() ?? "", vars());
        config.workdir = dir.startsWith("/") ? normalizeDir(dir) : normalizeDir(`${config.workdir}/${dir}`);
        break;
      }
      case "HEALTHCHECK":
        config.healthcheck = /^\s*NONE\s*$/i.test(ins.getArgumentsContent() ?? "") ? null : line;
        break;
    }
  }
  return config;
}

function reachableStages(stages: Stage[], built: Stage, copies: CopyStep[]): Stage[] {
  const seen = new Set<number>();
  const visit = (s: Stage): void => {
    if (seen.has(s.index)) return;
    seen.add(s.index);
    if (s.parent !== null) visit(stages[s.parent]!);
    for (const c of copies.filter((c) => c.stage === s.index && c.from !== null)) {
      const from = stageByRef(stages, c.from!);
      if (from) visit(from);
    }
  };
  visit(built);
  return stages.filter((s) => seen.has(s.index));
}

/** `--from=<name>` or `--from=<index>` naming a stage; anything else is an image. */
export function stageByRef(stages: Stage[], ref: string): Stage | undefined {
  if (/^\d+$/.test(ref)) return stages[Number(ref)];
  return stages.find((s) => s.name === ref.toLowerCase());
}

function command(ins: Instruction, shell: string[], line: number): Command {
  const json = jsonStrings(ins);
  if (json) return { argv: json, shell: false, text: joinArgv(json), line };
  const text = ins.getArgumentsContent()?.trim() ?? "";
  return { argv: [...shell, text], shell: true, text, line };
}

function runText(ins: Instruction): string {
  const json = jsonStrings(ins);
  if (json) return json.join(" ");
  const content = ins.getArgumentsContent() ?? "";
  // A heredoc RUN (<<EOF ... EOF) runs its body as a script.
  const heredoc = /^<<-?\s*["']?(\w+)["']?\s*\n([\s\S]*?)\n\s*\1\s*$/.exec(content.trim());
  return heredoc ? heredoc[2]!.split("\n").join(" && ") : content.trim();
}

function jsonStrings(ins: Instruction): string[] | null {
  const j = ins as unknown as { getOpeningBracket?(): unknown; getJSONStrings?(): { getJSONValue(): string }[] };
  if (!j.getOpeningBracket || !j.getJSONStrings || j.getOpeningBracket() === null) return null;
  // dockerfile-ast drops the spaces inside a JSON string ("daemon off;" comes back "daemonoff;"): read the array itself.
  try {
    const parsed: unknown = JSON.parse((ins.getArgumentsContent() ?? "").replace(/\\\r?\n/g, ""));
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((x) => typeof x === "string")) return parsed as string[];
  } catch {
    // Not strict JSON (a continuation line, a comment): fall back to the parser's strings.
  }
  const strings = j.getJSONStrings();
  return strings.length > 0 ? strings.map((s) => s.getJSONValue()) : null;
}

function flag(ins: Instruction, name: string): string | null {
  const f = ins as unknown as { getFlags?(): { getName(): string; getValue(): string | null }[] };
  return f.getFlags?.().find((x) => x.getName() === name)?.getValue() ?? null;
}

export function parseImageRef(image: string): ImageRef {
  let rest = image.trim();
  let digest: string | null = null;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry: string | null = null;
  const first = rest.split("/")[0] ?? "";
  if (rest.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost")) {
    registry = first;
    rest = rest.slice(first.length + 1);
  }
  let name = rest.toLowerCase();
  if (registry === null || registry === "docker.io" || registry === "index.docker.io") name = name.replace(/^library\//, "");
  return { ref: image, name, registry, tag, digest };
}

/** ARG defaults in FROM lines: $VAR, ${VAR}, ${VAR:-default}. */
function substitute(text: string, args: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)/g, (_, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
    const value = args[(braced ?? bare)!];
    return value !== undefined && value !== "" ? value : (fallback ?? "");
  });
}

/** $VAR, ${VAR} and ${VAR:-default} from ENV and ARG values; a variable nothing sets stays as written. */
function expandEnv(text: string, env: EnvEntry[]): string {
  const vars: Record<string, string> = {};
  for (const e of env) vars[e.name] = e.value;
  return text.replace(/\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)/g, (whole, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
    const value = vars[(braced ?? bare)!];
    if (value !== undefined) return value;
    return fallback ?? whole;
  });
}

function normalizeDir(dir: string): string {
  return `/${normalizeRel(dir)}`;
}

/** An argv as one shell line, quoting only the words that need it. */
export function joinArgv(argv: readonly string[]): string {
  return argv.map((w) => (/^[\w@%+=:,./$-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`)).join(" ");
}
