// A Dockerfile next to buildpack sources is ignored by `pack build`; turn it into a migration hint.

import { warning, type Issue } from "./findings";
import type { SourceTree } from "./source";

interface StartCommand {
  command: string;
  line: number;
}

/** The command the image would run: the last ENTRYPOINT and CMD of the final stage. */
function startCommand(text: string): StartCommand | null {
  // Join backslash continuations but remember where each instruction began.
  const lines = text.split(/\r?\n/);
  const instructions: { text: string; line: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    let t = lines[i] ?? "";
    const start = i + 1;
    while (t.endsWith("\\") && i + 1 < lines.length) {
      t = t.slice(0, -1) + " " + (lines[++i] ?? "").trim();
    }
    if (t.trim() && !t.trim().startsWith("#")) instructions.push({ text: t.trim(), line: start });
  }
  let entrypoint: StartCommand | null = null;
  let cmd: StartCommand | null = null;
  for (const ins of instructions) {
    const m = /^(\w+)\s+([\s\S]*)$/.exec(ins.text);
    if (!m) continue;
    const op = (m[1] ?? "").toUpperCase();
    const arg = (m[2] ?? "").trim();
    if (op === "FROM") {
      entrypoint = null;
      cmd = null;
    } else if (op === "ENTRYPOINT") {
      entrypoint = { command: shellForm(arg), line: ins.line };
      cmd = null; // Docker resets CMD when ENTRYPOINT is set in the same stage
    } else if (op === "CMD") {
      cmd = { command: shellForm(arg), line: ins.line };
    }
  }
  if (entrypoint && cmd) return { command: `${entrypoint.command} ${cmd.command}`, line: entrypoint.line };
  return entrypoint ?? cmd;
}

function shellForm(arg: string): string {
  if (arg.startsWith("[")) {
    try {
      const parts: unknown = JSON.parse(arg);
      if (Array.isArray(parts) && parts.every((p) => typeof p === "string")) {
        const words = parts as string[];
        // ["sh","-c","..."] already carries a shell line.
        if (words.length === 3 && /^(\/bin\/)?(ba)?sh$/.test(words[0] ?? "") && words[1] === "-c") return words[2] ?? "";
        return words.map((w) => (/^[\w@%+=:,./$-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`)).join(" ");
      }
    } catch {
      // Not JSON: Docker then treats it as shell form too.
    }
  }
  return arg;
}

export function dockerfileHints(tree: SourceTree, builderImage: string, hasProcfile: boolean): Issue[] {
  const name = ["Dockerfile", "Containerfile"].find((f) => tree.has(f));
  if (!name) return [];
  const text = tree.read(name) ?? "";
  const start = startCommand(text);
  const move = start && !hasProcfile ? ` Its start command can move to a Procfile as \`web: ${start.command}\`.` : "";
  return [
    warning(
      "dockerfile-ignored",
      `${name} is here, but the image is built by the buildpacks in ${builderImage}, which never read it: its RUN, ENV, EXPOSE and CMD lines have no effect.`,
      `Carry what the ${name} does over to the buildpack build (start command in a Procfile, build settings as build env), then delete it.${move}`,
      start ? { file: name, line: start.line } : { file: name },
    ),
  ];
}
