// Node.js: package manager, version and default start command.
// Google rules: gcp-rules.md §5 item 49 (pkg/nodejs/npm.go DefaultStartCommand, nodejs.go
// RequestedNodejsVersion; the yarn/pnpm/npm groups of builders/gcp/base/builder.toml).

import { envLabel, envValue, listFiles, type Context, type LanguageResult } from "./context";
import { error, warning } from "./findings";
import type { SourceTree } from "./source";
import { GOOGLE_DEFAULT } from "./versions";

export interface PackageJson {
  name?: unknown;
  main?: unknown;
  scripts?: Record<string, unknown>;
  engines?: Record<string, unknown>;
  packageManager?: unknown;
}

/** Node's runtime buildpack opts in on package.json or any *.js file in the root folder. */
export function nodeMarkers(tree: SourceTree): { packageJson: boolean; rootJs: string[] } {
  return { packageJson: tree.has("package.json"), rootJs: tree.rootFiles().filter((f) => f.endsWith(".js")) };
}

export function readPackageJson(ctx: Context): PackageJson | null {
  const text = ctx.tree.read("package.json");
  if (text === null) return null;
  try {
    const v: unknown = JSON.parse(text);
    if (v !== null && typeof v === "object" && !Array.isArray(v)) return v as PackageJson;
    throw new Error("top level is not an object");
  } catch (e) {
    ctx.issues.push(
      error(
        "package-json-invalid",
        `package.json is not valid JSON (${e instanceof Error ? e.message : String(e)}); the builder fails with "unmarshalling package.json".`,
        "Fix the JSON syntax in package.json.",
        { file: "package.json", breaksBuild: true },
      ),
    );
    return {};
  }
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v : undefined;
}

function hasScript(pkg: PackageJson | null, name: string): boolean {
  return pkg?.scripts !== undefined && typeof pkg.scripts === "object" && pkg.scripts !== null && name in pkg.scripts;
}

const LOCKFILES: [string, string][] = [
  ["yarn.lock", "yarn"],
  ["pnpm-lock.yaml", "pnpm"],
  ["bun.lockb", "bun"],
  ["bun.lock", "bun"],
  ["package-lock.json", "npm"],
  ["npm-shrinkwrap.json", "npm"],
];

/** The builder tries the yarn group, then pnpm, then bun, then npm; each opts in on its lockfile. */
function googlePackageManager(ctx: Context, pkg: PackageJson | null): string | null {
  if (!ctx.tree.has("package.json")) return null;
  const present = LOCKFILES.filter(([f]) => ctx.tree.has(f));
  const managers = [...new Set(present.map(([, m]) => m))];
  const chosen = managers.find((m) => m !== "npm") ?? "npm";
  if (managers.length > 1) {
    ctx.issues.push(
      warning(
        "node-multiple-lockfiles",
        `Lockfiles for ${managers.join(" and ")} are both here (${present.map(([f]) => f).join(", ")}); the builder installs with ${chosen} and ignores the rest.`,
        `Delete the lockfiles of the package managers you don't use, keeping only ${chosen}'s.`,
        { file: present.find(([, m]) => m !== chosen)?.[0] ?? "package.json" },
      ),
    );
  }
  const declared = str(pkg?.packageManager)?.split("@")[0];
  if (declared && declared !== chosen) {
    // pkg/nodejs/yarn.go detectYarnVersion turns this mismatch into a user error for yarn.
    const fatal = chosen === "yarn" && !str(pkg?.engines?.["yarn"]);
    const msg = `package.json says "packageManager": "${String(pkg?.packageManager)}", but the lockfiles make the builder use ${chosen}.`;
    const fix = `Commit ${declared}'s lockfile and remove ${chosen}'s, or change the packageManager field to ${chosen}.`;
    ctx.issues.push(
      fatal
        ? error("node-package-manager-conflict", `${msg} The yarn buildpack stops with "yarn was detected but ${declared} is set in the packageManager package.json field."`, fix, { file: "package.json", breaksBuild: true })
        : warning("node-package-manager-conflict", msg, fix, { file: "package.json" }),
    );
  }
  return chosen;
}

export function analyzeNodeGoogle(ctx: Context, hasEntrypointConfig: boolean): LanguageResult {
  const { tree } = ctx;
  const pkg = readPackageJson(ctx);
  const stack = ctx.builder.stack ?? "google-22";
  const pm = googlePackageManager(ctx, pkg);

  let runtimeVersion: LanguageResult["runtimeVersion"] = { value: GOOGLE_DEFAULT[stack].nodejs, source: `builder default (${stack})` };
  for (const name of ["GOOGLE_NODEJS_VERSION", "GOOGLE_RUNTIME_VERSION"]) {
    const v = envValue(ctx, name);
    if (v) {
      runtimeVersion = { value: v, source: envLabel(ctx, name) };
      break;
    }
  }
  if (runtimeVersion.source.startsWith("builder default")) {
    const engines = str(pkg?.engines?.["node"]);
    if (engines) runtimeVersion = { value: engines, source: "package.json engines.node" };
  }

  const { rootJs } = nodeMarkers(tree);
  const result: LanguageResult = {
    language: "nodejs",
    packageManager: pm,
    runtimeVersion,
    web: null,
    detectedBy: pkg ? "package.json" : `*.js files (${listFiles(rootJs)}) with ${hasEntrypointConfig ? "an explicit entrypoint" : "no package.json"}`,
  };
  if (!pkg) return result; // the "no package.json" group takes its command from Procfile / GOOGLE_ENTRYPOINT only
  if (ctx.issues.some((i) => i.code === "package-json-invalid")) return result; // the build stops before choosing a command

  const builds = hasScript(pkg, "gcp-build") || hasScript(pkg, "build") || envValue(ctx, "GOOGLE_NODE_RUN_SCRIPTS") !== undefined;
  const main = str(pkg.main);
  if (hasScript(pkg, "start") || tree.has("server.js")) {
    // npm runs `node server.js` itself when there is no start script.
    result.web = "npm run start";
  } else if (main) {
    result.web = `node ${main}`;
    if (!hasEntrypointConfig && !builds && !tree.has(main) && !tree.has(`${main}.js`) && !tree.has(`${main.replace(/\/$/, "")}/index.js`)) {
      ctx.issues.push(
        error(
          "node-entrypoint-missing",
          `The builder would start \`node ${main}\` (package.json "main"), but ${main} is not in the folder and no build script creates it; the container would crash on start.`,
          `Add a "start" script to package.json, fix "main", or add a Procfile with the web command.`,
          { file: "package.json" },
        ),
      );
    }
  } else {
    result.web = "node index.js";
    if (!hasEntrypointConfig && !builds && !tree.has("index.js")) {
      ctx.issues.push(
        error(
          "node-entrypoint-missing",
          "package.json has no \"start\" script, no \"main\" and there is no server.js, so the builder falls back to `node index.js` — and index.js does not exist; the container would crash on start.",
          'Add `"scripts": {"start": "node <your entry file>"}` to package.json, or add a Procfile with the web command.',
          { file: "package.json" },
        ),
      );
    }
  }
  return result;
}

/** Paketo: npm-start / yarn-start run the start script; node-start looks for these files. */
const PAKETO_START_FILES = ["server.js", "app.js", "main.js", "index.js"];

export function paketoDetectsNode(tree: SourceTree): string | null {
  if (tree.has("package.json")) return "package.json";
  const f = PAKETO_START_FILES.find((name) => tree.has(name));
  return f ?? null;
}

export function analyzeNodePaketo(ctx: Context, detectedBy: string): LanguageResult {
  const pkg = readPackageJson(ctx);
  const pm = ctx.tree.has("yarn.lock") ? "yarn" : pkg ? "npm" : null;
  let runtimeVersion: LanguageResult["runtimeVersion"] = { value: null, source: "buildpack default" };
  const bp = envValue(ctx, "BP_NODE_VERSION");
  const engines = str(pkg?.engines?.["node"]);
  if (bp) runtimeVersion = { value: bp, source: envLabel(ctx, "BP_NODE_VERSION") };
  else if (engines) runtimeVersion = { value: engines, source: "package.json engines.node" };
  else {
    for (const f of [".nvmrc", ".node-version"]) {
      const v = ctx.tree.read(f)?.trim();
      if (v) {
        runtimeVersion = { value: v, source: f };
        break;
      }
    }
  }
  let web: string | null = null;
  const start = pkg?.scripts?.["start"];
  if (typeof start === "string" && start.trim()) {
    const pre = pkg?.scripts?.["prestart"];
    const post = pkg?.scripts?.["poststart"];
    web = [pre, start, post].filter((s): s is string => typeof s === "string" && s.trim() !== "").join(" && ");
  } else {
    const f = PAKETO_START_FILES.find((name) => ctx.tree.has(name));
    if (f) web = `node ${f}`;
  }
  return { language: "nodejs", packageManager: pm, runtimeVersion, web, detectedBy };
}
