// A Procfile line is checked before it is shown: in a buildpacks image the app is in /workspace (the working
// directory the launcher starts in), the language runtime and the dependencies' scripts are on PATH, and nothing
// else of the Dockerfile's file system exists. A line that still names such a path is never suggested.

import * as fs from "node:fs";
import * as path from "node:path";
import { isFile } from "../preflight/source";
import { shellWords } from "./shell";

export interface ProcfileLine {
  /** The command as it must be written for the buildpacks image. */
  command: string;
  /** Absolute paths or files the command names that a buildpacks image does not have; empty when the line works. */
  missing: string[];
}

// The runtime's and the dependencies' executables, which the buildpacks put on PATH.
const ON_PATH = /^(python[\d.]*|pip[\d.]*|node|nodejs|npm|npx|yarn|pnpm|java|ruby|bundle|php|dotnet|gunicorn|uvicorn|hypercorn|daphne|waitress-serve|streamlit|flask|rackup|puma|rails)$/;
// Wrappers that only find the virtualenv; the builder's virtualenv is already on PATH.
const RUNNERS: Record<string, string> = { uv: "run", poetry: "run", pipenv: "run", pdm: "run", rye: "run" };
// Places every image has, which a command may name.
const SYSTEM = /^\/(tmp|dev|proc|etc\/(hosts|resolv\.conf|passwd)|bin\/(sh|bash)|usr\/bin\/env)(\/|$)/;

// Programs every run image has (a shell and coreutils), which a start command may call.
const RUN_IMAGE = new Set(["sh", "bash", "exec", "env", "sleep", "echo", "cat", "test", "["]);

/** `dependencies`: names the app's manifest lists, whose console scripts the builder puts on PATH. */
export function procfileLine(command: string, sourceDir: string, dependencies: ReadonlySet<string> = new Set()): ProcfileLine {
  let words = shellWords(command);
  let text = command;
  // `uv run gunicorn ...` -> `gunicorn ...`
  const runner = RUNNERS[(words[0] ?? "").split("/").pop()!];
  if (runner && words[1] === runner) {
    let i = 2;
    while (i < words.length && words[i]!.startsWith("-")) i++;
    text = stripLeadingWords(text, i);
    words = shellWords(text);
  }
  // `/usr/local/bin/python3 main.py`, `/opt/venv/bin/gunicorn`: the runtime and the dependencies are on PATH.
  text = text.replace(/(^|[\s;&|])\/[\w./-]*\/(bin|sbin)\/([\w.+-]+)(?=$|[\s;&|])/g, (whole, lead: string, _bin: string, exe: string) => (ON_PATH.test(exe) ? `${lead}${exe}` : whole));
  words = shellWords(text);
  // A script the Dockerfile ran by bare name (on its PATH, or `.` on PATH) is run from the app folder.
  const first = words[0] ?? "";
  if (first && !first.includes("/") && !ON_PATH.test(first) && isFile(path.join(sourceDir, first))) text = `./${text.trimStart()}`;

  const missing: string[] = [];
  const program = shellWords(text).find((w) => !/^[A-Za-z_]\w*=/.test(w) && w !== "exec") ?? "";
  if (program && !program.includes("/") && !program.includes("$") && !ON_PATH.test(program) && !RUN_IMAGE.has(program) && !dependencies.has(program.toLowerCase())) missing.push(program);
  for (const w of shellWords(text)) {
    // `--config=/etc/app.conf` and `CONFIG=/etc/app.conf` name a path as much as a bare word does.
    const p = w.replace(/^[A-Za-z_]\w*=/, "").replace(/^--?[\w-]+=/, "");
    if (p.startsWith("/") && !p.startsWith("/workspace") && !SYSTEM.test(p)) missing.push(p);
  }
  // Files the command runs by a relative path must be in the source folder (or be made by the build, which a
  // Procfile cannot know, so only scripts and Python files are held to it).
  for (const w of shellWords(text)) {
    if (/^(\.\/)?[\w./-]+\.(py|sh)$/.test(w) && !w.startsWith("/") && !isFile(path.join(sourceDir, w))) missing.push(w);
  }
  return { command: text.trim(), missing: [...new Set(missing)] };
}

function stripLeadingWords(text: string, n: number): string {
  let rest = text.trimStart();
  for (let i = 0; i < n; i++) rest = rest.replace(/^(?:'[^']*'|"(?:\\.|[^"])*"|\S)+\s*/, "");
  return rest;
}


/** Whether a Python file runs anything as a script: a `__main__` block, or top-level code that starts a server. */
export function pythonRunsAsScript(sourceDir: string, file: string): boolean | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(sourceDir, file), "utf8");
  } catch {
    return null;
  }
  return /^if\s+__name__\s*==\s*['"]__main__['"]/m.test(text) || /^[A-Za-z_][\w.]*\.(run|serve|run_forever|run_app|start)\(/m.test(text) || /^(uvicorn|waitress|asyncio)\.(run|serve)\(/m.test(text) || /^main\(\)/m.test(text);
}
