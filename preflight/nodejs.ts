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
  dependencies?: Record<string, unknown>;
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

/**
 * The builder tries the yarn group, then pnpm, then bun, then npm (builders/gcp/base/builder.toml); each opts in on
 * its lockfile, and pnpm and bun also on GOOGLE_PACKAGE_MANAGER with no lockfile (cmd/nodejs/pnpm/lib/lib.go,
 * cmd/nodejs/bun/lib/lib.go DetectFn). yarn opts in on yarn.lock only (cmd/nodejs/yarn/lib/lib.go DetectFn).
 */
export function googlePackageManager(ctx: Context, pkg: PackageJson | null): string | null {
  if (!ctx.tree.has("package.json")) return null;
  const present = LOCKFILES.filter(([f]) => ctx.tree.has(f));
  const managers = [...new Set(present.map(([, m]) => m))];
  const asked = envValue(ctx, "GOOGLE_PACKAGE_MANAGER")?.toLowerCase();
  const byEnv = !managers.includes("yarn") && (asked === "pnpm" || asked === "bun") ? asked : undefined;
  const chosen = managers.includes("yarn") ? "yarn" : (byEnv ?? managers.find((m) => m !== "npm") ?? "npm");
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

/**
 * Yarn 2+ ("berry") writes a `__metadata:` block into yarn.lock; classic yarn.lock has none (pkg/nodejs/yarn.go
 * IsYarn2 reads __metadata.version).
 */
export function isYarnBerry(tree: SourceTree): boolean {
  const lock = tree.read("yarn.lock");
  return lock !== null && /^__metadata:\s*$/m.test(lock);
}

/** Berry resolves modules with Plug'n'Play unless .yarnrc.yml sets another nodeLinker (yarnpkg.com/configuration/yarnrc#nodeLinker). */
function usesPlugNPlay(tree: SourceTree): boolean {
  if (!isYarnBerry(tree)) return false;
  const linker = /^nodeLinker:\s*["']?([\w-]+)/m.exec(tree.read(".yarnrc.yml") ?? "")?.[1];
  return linker === undefined || linker === "pnp";
}

/**
 * The scripts the builder runs before it sets the start command (pkg/nodejs/npm.go DetermineBuildCommands):
 * GOOGLE_NODE_RUN_SCRIPTS, else gcp-build, else build. The yarn buildpack runs gcp-build only
 * (cmd/nodejs/yarn/lib/lib.go yarn1InstallModules, yarn2InstallModules).
 */
export function buildScripts(ctx: Context, pkg: PackageJson | null, pm: string | null): string[] {
  const listed = ctx.env["GOOGLE_NODE_RUN_SCRIPTS"];
  if (pm !== "yarn" && listed !== undefined) return listed.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (hasScript(pkg, "gcp-build")) return str(pkg?.scripts?.["gcp-build"]) ? ["gcp-build"] : [];
  if (pm !== "yarn" && str(pkg?.scripts?.["build"])) return ["build"];
  return [];
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

  const builds = buildScripts(ctx, pkg, pm).length > 0;
  if (pm === "yarn") result.detectedBy += isYarnBerry(tree) ? " and yarn.lock (Yarn 2+)" : " and yarn.lock (Yarn classic)";
  else if (pm !== "npm" && pm !== null) result.detectedBy += ` and ${LOCKFILES.find(([f, m]) => m === pm && tree.has(f))?.[0] ?? `GOOGLE_PACKAGE_MANAGER=${pm}`}`;

  const target = envValue(ctx, "GOOGLE_FUNCTION_TARGET");
  if (target !== undefined) {
    result.web = functionsFrameworkNode(ctx, pkg, pm, target);
    result.detectedBy += ` — a function (${envLabel(ctx, "GOOGLE_FUNCTION_TARGET")} = ${target})`;
    return result;
  }
  if (pm === "yarn" || pm === "pnpm" || pm === "bun") {
    // yarn and pnpm register `<pm> run start` whatever package.json holds (pkg/nodejs/nodejs.go Entrypoint);
    // bun registers `npm run start` (cmd/nodejs/bun/lib/lib.go BuildFn).
    result.web = pm === "bun" ? "npm run start" : `${pm} run start`;
    // npm and pnpm fall back to `node server.js` when there is no start script; yarn has no such fallback.
    const starts = hasScript(pkg, "start") || (pm !== "yarn" && tree.has("server.js"));
    if (!starts && !hasEntrypointConfig) {
      ctx.issues.push(
        error(
          "node-start-script-missing",
          `The ${pm} buildpack starts the app with \`${result.web}\`, but package.json has no "start" script${pm === "yarn" ? "" : " and there is no server.js"}; the container would exit at once.`,
          `Add \`"scripts": {"start": "node <your entry file>"}\` to package.json, or a Procfile with the web command.`,
          { file: "package.json" },
        ),
      );
    }
    return result;
  }
  const main = str(pkg.main);
  if (hasScript(pkg, "start") || tree.has("server.js")) {
    // pkg/nodejs/npm.go DefaultStartCommand: a start script, or server.js (npm runs `node server.js` itself).
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

const FUNCTIONS_FRAMEWORK_NODE = "@google-cloud/functions-framework";

/**
 * google.nodejs.functions-framework (cmd/nodejs/functions_framework/lib/lib.go BuildFn): the function file is
 * package.json "main", else index.js, else function.js; the framework comes from the app's node_modules when it is a
 * dependency, else the buildpack installs its own, which pnpm, bun and Yarn Plug'n'Play projects refuse.
 */
function functionsFrameworkNode(ctx: Context, pkg: PackageJson, pm: string | null, target: string): string {
  const { tree } = ctx;
  const main = str(pkg.main);
  const fnFile = main ?? (tree.has("index.js") ? "index.js" : "function.js");
  // The npm buildpack runs the build scripts first, so a compiled function (TypeScript) may appear only then.
  if (!tree.has(fnFile) && buildScripts(ctx, pkg, pm).length === 0) {
    ctx.issues.push(
      error(
        "function-source-missing",
        `GOOGLE_FUNCTION_TARGET is ${target}, and the Functions Framework buildpack loads the function from ${fnFile}${main ? ' (package.json "main")' : ""}, which is not here; it stops with "${fnFile} does not exist".`,
        main ? `Fix "main" in package.json, or add a gcp-build script that compiles ${fnFile}.` : 'Put the function in index.js, or point package.json "main" at its file.',
        { file: "package.json", breaksBuild: true },
      ),
    );
  }
  const deps = pkg.dependencies !== null && typeof pkg.dependencies === "object" ? pkg.dependencies : {};
  const hasFramework = FUNCTIONS_FRAMEWORK_NODE in deps;
  const pnp = pm === "yarn" && usesPlugNPlay(tree);
  if (!hasFramework && (pnp || pm === "pnpm" || pm === "bun")) {
    const how = pnp ? "Yarn Plug'n'Play" : pm;
    ctx.issues.push(
      error(
        "function-framework-missing",
        `This project uses ${how}, and the Functions Framework buildpack only injects the framework for npm and node_modules installs; it stops with "you have not included the Functions Framework in your dependencies".`,
        `Add it: \`${pnp ? "yarn" : pm} add ${FUNCTIONS_FRAMEWORK_NODE}\`.`,
        { file: "package.json", breaksBuild: true },
      ),
    );
  }
  if (pnp) return "yarn functions-framework";
  return hasFramework ? "node_modules/.bin/functions-framework" : "/layers/google.nodejs.functions-framework/functions-framework/node_modules/.bin/functions-framework";
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
