// The port the app itself listens on, from its source: the common ways each framework is told a port, and
// whether it reads $PORT (Cloud Run sets PORT to the service's port; the builder's default commands bind to it).

import * as fs from "node:fs";
import * as path from "node:path";
import { sourceFiles } from "./base-image";

export interface SourceListen {
  /** A port written literally where the app listens, and where. */
  port: number | null;
  where: string | null;
  /** The app reads PORT from the environment where it listens. */
  readsPort: boolean;
}

// Each pattern's first group is the port. Ordered from the most specific (a server call) to the loosest.
const LITERAL: RegExp[] = [
  /\b(?:app|application|server|api)\.run\([^)]*\bport\s*=\s*(\d{2,5})/, // Flask, Dash, aiohttp-style
  /\b(?:uvicorn|hypercorn|waitress)\.(?:run|serve)\([^)]*\bport\s*=\s*(\d{2,5})/,
  /\bweb\.run_app\([^)]*\bport\s*=\s*(\d{2,5})/,
  /\.listen\(\s*(\d{2,5})\s*[,)]/, // Express, Fastify (first argument), http.createServer
  /\.listen\(\s*\{\s*port:\s*(\d{2,5})/,
  /(?:ListenAndServe(?:TLS)?|\.Run|\.Start|net\.Listen)\([^)]*"(?:[\w.]*):(\d{2,5})"/, // Go net/http, gin, echo
  /^\s*server\.port\s*[=:]\s*(\d{2,5})\s*$/m, // Spring application.properties / .yml
  /^\s*(?:const|let|var)\s+port\s*=\s*(\d{2,5})\s*;?\s*$/im,
  /^\s*PORT\s*=\s*(\d{2,5})\s*$/m,
  /^\s*bind\s*=\s*\[?\s*["'][\w.]*:(\d{2,5})["']/m, // gunicorn.conf.py
];
const READS_PORT = [
  /process\.env\.PORT|process\.env\[['"]PORT['"]\]/,
  /os\.(?:environ(?:\.get)?\s*[[(]\s*|getenv\(\s*)['"]PORT['"]/,
  /os\.Getenv\(\s*"PORT"\s*\)|os\.LookupEnv\(\s*"PORT"/,
  /System\.getenv\(\s*"PORT"\s*\)|\$\{PORT(?::\d+)?\}/,
  /ENV\[['"]PORT['"]\]|ENV\.fetch\(['"]PORT['"]/,
];

export function sourceListen(dir: string): SourceListen {
  const files = [...sourceFiles(dir), ...["src/main/resources/application.properties", "src/main/resources/application.yml", "application.properties"].filter((f) => fs.existsSync(path.join(dir, f)))];
  let found: { port: number; where: string } | null = null;
  let readsPort = false;
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(dir, file), "utf8");
    } catch {
      continue;
    }
    if (READS_PORT.some((re) => re.test(text))) readsPort = true;
    if (found) continue;
    for (const re of LITERAL) {
      const m = re.exec(text);
      if (!m) continue;
      // A pattern's leading \s* may start on blank lines above the one it matches: count from its first word.
      const line = text.slice(0, m.index + m[0].search(/\S/)).split("\n").length;
      found = { port: Number(m[1]), where: `${file}:${line}` };
      break;
    }
  }
  return { port: found?.port ?? null, where: found?.where ?? null, readsPort };
}

/** The port a start command's program listens on when it is given none: the server's own default. */
export function defaultPortOf(command: string): number | null {
  let w = command.trim().split(/\s+/);
  // `python -m flask run` is `flask run`.
  if (/^python[\d.]*$/.test((w[0] ?? "").split("/").pop()!) && w[1] === "-m" && w[2] && w[2] !== "http.server") w = w.slice(2);
  const exe = (w[0] ?? "").split("/").pop() ?? "";
  const args = w.slice(1).join(" ");
  if (/\$\{?PORT\b/.test(command)) return null;
  if (exe === "flask" && w[1] === "run") return 5000;
  if (/^python[\d.]*$/.test(exe) && /manage\.py runserver/.test(args)) {
    const given = /runserver\s+(?:[\d.]+:)?(\d+)/.exec(args);
    return given ? Number(given[1]) : 8000;
  }
  if (exe === "uvicorn" || exe === "hypercorn") return 8000;
  if (exe === "streamlit") return 8501;
  // gunicorn binds to $PORT when it is set (its `bind` default), so without -b it follows Cloud Run.
  return null;
}
