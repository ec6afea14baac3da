// What the image inherits from its base beyond a language runtime, and which language the image really runs:
// both decide whether the builder's run image can stand in for the Dockerfile's.

import * as fs from "node:fs";
import * as path from "node:path";
import { baseFacts } from "../dockerfile/bases";
import { languageName } from "./language-name";
import { launchOf } from "./launch";
import { baseRuntime } from "./runtime";
import { shellWords } from "./shell";
import type { Check, CompareContext } from "./types";

const SOURCE_EXTENSIONS = /\.(py|js|mjs|cjs|ts|go|rb|sh|java|kt|php)$/;
const SKIP_DIRS = new Set(["node_modules", ".git", ".venv", "venv", "__pycache__", "dist", "build", "target", "vendor", ".next"]);

/** Source files of the app, two levels deep and at most 400, for the few patterns migrate looks for. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (out.length >= 400) return;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory() && depth < 2 && !SKIP_DIRS.has(e.name) && !e.name.startsWith(".")) walk(child, depth + 1);
      else if (e.isFile() && SOURCE_EXTENSIONS.test(e.name)) out.push(child);
    }
  };
  walk("", 0);
  return out;
}

/** Where the app calls one of these programs: the start command, a RUN of the image's stages, or a source file. */
function callsOf(ctx: CompareContext, commands: string[]): string | null {
  if (commands.length === 0) return null;
  const word = new RegExp(`(^|[\\s"'\`(\\[,;&|/])(${commands.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})(?=$|[\\s"'\`),\\];&|])`);
  const launch = launchOf(ctx.parsed.config);
  if (launch && word.test(launch.command)) return `the start command \`${launch.command}\``;
  for (const file of sourceFiles(ctx.service.sourceDir)) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(ctx.service.sourceDir, file), "utf8");
    } catch {
      continue;
    }
    const lines = text.split("\n");
    const i = lines.findIndex((l) => !/^\s*(#|\/\/)/.test(l) && word.test(l));
    if (i >= 0) return `${file}:${i + 1}`;
  }
  return null;
}

export function compareBase(ctx: CompareContext): Check[] {
  const base = ctx.parsed.rootBase;
  const facts = baseFacts(base);
  const root = rootStage(ctx);
  const at = { line: root.line };
  if (!facts || !base) return [];
  const image = base.ref;
  if (facts.kind === "cloud-sdk") {
    const where = callsOf(ctx, facts.commands);
    if (!where) return [{ aspect: "builder", kind: "note", ...at, text: `FROM ${image} brings ${facts.provides}, which nothing in the app calls; the buildpacks image will not have it` }];
    return [{ aspect: "builder", kind: "blocker", ...at, text: `FROM ${image} brings ${facts.provides}, and the app calls it (${where}); the builder's run image has no ${facts.commands[0]}, so this needs a custom run image (or call the Cloud APIs through a client library instead)` }];
  }
  const why: Record<string, string> = {
    browser: "the builder's run image has no browser and not its libraries, so this needs a custom run image",
    "system-libraries": "the builder's run image has none of it, so this needs a custom run image",
    "web-server": "Google's builder has no web-server buildpack (serve the files from the app itself, or keep the Dockerfile)",
    "app-server": "Google's Java buildpack runs an executable JAR (`java -jar`), not a WAR in a servlet container (package the app as an executable JAR, or keep the Dockerfile)",
    "other-runtime": "Google's builder cannot install it, so this needs a custom builder or the Dockerfile",
    service: "this is not an app the builder builds; run it as a managed service (Cloud SQL, Memorystore) or keep the image",
  };
  return [{ aspect: "builder", kind: "blocker", ...at, text: `FROM ${image} brings ${facts.provides}; ${why[facts.kind]}` }];
}

function rootStage(ctx: CompareContext) {
  let s = ctx.parsed.built;
  while (s.parent !== null) s = ctx.parsed.stages[s.parent]!;
  return s;
}

const INTERPRETERS: [RegExp, string][] = [
  [/^(python[\d.]*|gunicorn|uvicorn|hypercorn|daphne|waitress-serve|streamlit|flask|celery|uwsgi)$/, "python"],
  [/^(node|nodejs|npm|yarn|pnpm|npx|next)$/, "nodejs"],
  [/^(java)$/, "java"],
  [/^(ruby|bundle|rails|puma|rackup)$/, "ruby"],
  [/^(php|php-fpm|apache2-foreground)$/, "php"],
  [/^(dotnet)$/, "dotnet"],
];

/** The language the image runs: its start command's program, else its running stages' base image. */
export function runningLanguage(ctx: CompareContext): { language: string; because: string } | null {
  const launch = launchOf(ctx.parsed.config);
  if (launch) {
    const words = shellWords(launch.command).filter((w) => !/^[A-Za-z_]\w*=/.test(w) && w !== "exec");
    const exe = (words[0] ?? "").split("/").pop()!;
    const hit = INTERPRETERS.find(([re]) => re.test(exe));
    if (hit) return { language: hit[1], because: `its start command \`${launch.command}\`` };
  }
  for (let s: number | null = ctx.parsed.built.index; s !== null; s = ctx.parsed.stages[s]!.parent) {
    const stage = ctx.parsed.stages[s]!;
    const rt = baseRuntime(stage);
    // The Python framework bases (tiangolo/*, nikolaik/python-nodejs) are Python tool images to baseRuntime.
    if (rt && rt.language !== "go") return { language: rt.language, because: `FROM ${stage.base!.ref}` };
  }
  return null;
}

/**
 * One builder build is one language (Google's builder picks the first group that detects). An image that runs one
 * language while the source is detected as another, or that needs another language's build stage, cannot be had.
 */
export function compareLanguages(ctx: CompareContext): Check[] {
  const detected = ctx.detected.language;
  const running = runningLanguage(ctx);
  if (!detected || !running || running.language === detected) return [];
  return [
    {
      aspect: "builder",
      kind: "blocker",
      text: `the image runs ${languageName(running.language)} (${running.because}), but the builder detects ${languageName(detected)} in ${ctx.service.spec.source ?? "the source folder"} (${ctx.detected.detectedBy ?? "its files"}), so the ${languageName(running.language)} service would not be built at all; point source at the ${languageName(running.language)} app's own folder (and build the ${languageName(detected)} part as a service of its own, or commit its output), or keep the Dockerfile`,
    },
  ];
}
