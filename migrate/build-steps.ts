// What the Dockerfile's build does beyond what buildpacks do on their own: OS packages, packages installed by
// name, package scripts, custom commands, and files placed outside the app folder or fetched from elsewhere.

import * as path from "node:path";
import { alternativeFor, classifyPackage } from "./packages";
import { stageByRef } from "../dockerfile/parse";
import { CHECK_TOOLS, type RunCommand } from "./run-steps";
import { requirementName } from "./source-facts";
import { languageName } from "./language-name";
import type { Check, CompareContext } from "./types";

export interface BuildStepsResult {
  checks: Check[];
  /** Normalized names of the Python packages the Dockerfile installed by name. */
  explicitPython: Set<string>;
}

export function compareBuildSteps(ctx: CompareContext): BuildStepsResult {
  const checks: Check[] = [...systemPackages(ctx), ...namedPackages(ctx), ...packageScripts(ctx), ...copies(ctx)];
  checks.push(...customCommands(ctx));
  const explicitPython = new Set(ctx.runs.filter((r) => r.kind === "python-packages").flatMap((r) => r.packages ?? []).map(requirementName).filter((n): n is string => n !== null));
  return { checks, explicitPython };
}

function systemPackages(ctx: CompareContext): Check[] {
  const checks: Check[] = [];
  const fine: string[] = [];
  const runtimes: string[] = [];
  for (const run of ctx.runs.filter((r) => r.kind === "system-packages")) {
    const inImage = ctx.imageStages.has(run.stage);
    for (const pkg of run.packages ?? []) {
      const cls = classifyPackage(pkg, inImage);
      if (cls === "language-runtime") {
        if (!runtimes.includes(pkg)) runtimes.push(pkg);
        continue;
      }
      if (cls !== "needs-image") {
        if (!fine.includes(pkg)) fine.push(pkg);
        continue;
      }
      const way = alternativeFor(pkg);
      checks.push({
        aspect: "packages",
        kind: "blocker",
        line: run.line,
        text: `${pkg} (${run.manager} install): buildpacks install no OS packages and the builder's ${inImage ? "run" : "build"} image does not have it, so this needs a custom ${inImage ? "run" : "build"} image${way ? `; or drop it: ${way}` : ""}`,
      });
    }
  }
  if (runtimes.length > 0) {
    checks.push({ aspect: "packages", kind: "note", text: `${runtimes.join(", ")}: a language runtime or its package manager, which the builder installs itself (its runtime buildpacks), at the version the app pins` });
  }
  if (fine.length > 0) {
    checks.push({ aspect: "packages", kind: "note", text: `${fine.join(", ")}: nothing to carry over (the builder's images have compilers, certificates and time zones, and its launcher stands in for an init)` });
  }
  return checks;
}

function namedPackages(ctx: CompareContext): Check[] {
  const checks: Check[] = [];
  const { facts } = ctx;
  for (const run of ctx.runs) {
    if (run.kind === "python-packages") {
      const file = facts.pythonDeps.file ?? "requirements.txt";
      for (const spec of run.packages ?? []) {
        const name = requirementName(spec);
        // A linter or test runner is no run-time dependency: it stays out of requirements (see the check note).
        if (name && CHECK_TOOLS.has(name)) continue;
        if (name && !facts.pythonDeps.names.has(name)) checks.push({ aspect: "build", kind: "step", line: run.line, text: `add \`${spec}\` to ${file}: the Dockerfile installs it by name, and the builder installs only what ${file} lists` });
      }
    }
    if (run.kind === "node-packages") {
      for (const spec of run.packages ?? []) {
        const name = spec.replace(/(?<=.)@[^/]*$/, "");
        // Package managers the builder brings itself for their lock file (GoogleCloudPlatform/buildpacks cmd/nodejs/yarn, pnpm).
        if (NODE_TOOLING.has(name)) continue;
        if (!facts.packageJson?.dependencies.has(name)) checks.push({ aspect: "build", kind: "step", line: run.line, text: `add \`${name}\` to dependencies in package.json: the Dockerfile installs it by name, and the builder installs only what package.json lists` });
      }
    }
  }
  return checks;
}

/** Google's Node.js buildpack runs `gcp-build`, else `build`; Paketo's runs nothing unless BP_NODE_RUN_SCRIPTS says so. */
function packageScripts(ctx: CompareContext): Check[] {
  if (ctx.detected.language !== "nodejs") return [];
  const runs = ctx.runs.filter((r) => r.kind === "node-script" && r.script && r.script !== "start" && r.script !== "test");
  const scripts = [...new Set(runs.map((r) => r.script!))];
  if (scripts.length === 0) return [];
  const google = ctx.builder.family === "google";
  const builderDefault = ctx.facts.packageJson?.scripts["gcp-build"] !== undefined ? "gcp-build" : "build";
  if (google && scripts.length === 1 && scripts[0] === builderDefault) return [];
  const name = google ? "GOOGLE_NODE_RUN_SCRIPTS" : "BP_NODE_RUN_SCRIPTS";
  return [{ aspect: "build", kind: "step", line: runs[0]!.line, text: `set \`${name}: "${scripts.join(",")}"\` under build.env in service.yaml (the Dockerfile runs ${scripts.map((s) => `\`npm run ${s}\``).join(", ")})` }];
}

function customCommands(ctx: CompareContext): Check[] {
  const checks: Check[] = [];
  const lint = ctx.runs.filter((r) => r.kind === "check");
  if (lint.length > 0) {
    checks.push({ aspect: "build", kind: "note", line: lint[0]!.line, text: `${[...new Set(lint.map((r) => `\`${r.text}\``))].join(", ")}: checks of the code, not part of the image; run them in CI before the build (a buildpacks build runs no tests or linters)` });
  }
  const custom = ctx.runs.filter((r) => r.kind === "custom");
  if (custom.length === 0) return checks;
  const language = ctx.detected.language;
  if (language === "nodejs") {
    const builds = ctx.runs.some((r) => r.kind === "node-script" && r.script === "build") && ctx.facts.packageJson?.scripts.build !== undefined;
    const script = [...(builds ? ["npm run build"] : []), ...custom.map((r) => r.text)].join(" && ");
    const google = ctx.builder.family === "google";
    checks.push({
      aspect: "build",
      kind: "step",
      line: custom[0]!.line,
      text: google
        ? `add \`"gcp-build": "${script}"\` to the scripts in package.json: Google's builder runs gcp-build instead of build, and nothing else of the Dockerfile's RUN lines`
        : `add \`"gantry-build": "${script}"\` to the scripts in package.json and set \`BP_NODE_RUN_SCRIPTS: "gantry-build"\` under build.env in service.yaml`,
    });
    return checks;
  }
  // A build-time step stays build-time: never moved into the start command, where it would run on every instance start.
  for (const r of custom) {
    const generate = /^go generate\b/.test(r.text);
    checks.push({
      aspect: "build",
      kind: "step",
      line: r.line,
      text: generate
        ? `commit the files \`${r.text}\` writes: the Go buildpack compiles the source as it is and runs no go generate`
        : `run \`${r.text}\` in CI before the build, so what it writes is in the source folder the builder gets: the ${languageName(language)} buildpack runs no build commands of the app's`,
    });
  }
  return checks;
}

const NODE_TOOLING = new Set(["npm", "yarn", "pnpm", "corepack"]);

/** Images the Dockerfile copies a tool from that the builder brings itself, and where the builder says so. */
const BUILDER_TOOLS: [RegExp, string][] = [
  [/^(ghcr\.io\/)?astral-sh\/uv(:|@|$)/, "uv: Google's builder installs uv itself when the source has uv.lock (its python/uv buildpack, GoogleCloudPlatform/buildpacks cmd/python/uv)"],
  [/^(docker\.io\/)?(library\/)?composer(:|@|$)/, "composer: Google's builder installs Composer itself for a composer.json (its php/composer buildpacks)"],
];

function copies(ctx: CompareContext): Check[] {
  const checks: Check[] = [];
  const { parsed, imageStages } = ctx;
  const workdir = parsed.config.workdir;
  const launchText = [parsed.config.entrypoint?.text ?? "", parsed.config.cmd?.text ?? ""].join(" ");
  for (const c of parsed.copies) {
    if (c.from !== null) {
      const tool = BUILDER_TOOLS.find(([re]) => re.test(c.from!));
      if (tool) {
        checks.push({ aspect: "files", kind: "note", line: c.line, text: `${c.keyword} --from=${c.from}: ${tool[1]}` });
        continue;
      }
      if (!stageByRef(parsed.stages, c.from)) {
        checks.push({ aspect: "files", kind: "blocker", line: c.line, text: `${c.keyword} --from=${c.from} takes ${c.sources.join(", ")} from another image; buildpacks cannot add files from an image, so this needs a custom run image` });
      }
      continue;
    }
    for (const src of c.sources) {
      if (/^https?:\/\//.test(src)) {
        checks.push({ aspect: "files", kind: "step", line: c.line, text: `commit the file ADD downloads from ${src} to the source folder: buildpacks fetch nothing at build time` });
        continue;
      }
      const abs = path.resolve(ctx.docker.context, src);
      const rel = path.relative(ctx.service.sourceDir, abs);
      if (rel.startsWith("..") || path.isAbsolute(rel)) {
        checks.push({ aspect: "files", kind: "step", line: c.line, text: `move ${src} into the service's source folder (or point source at a folder that holds both): the Dockerfile copies it from outside, and buildpacks see only ${ctx.service.spec.source}` });
      }
    }
    if (!imageStages.has(c.stage) || !c.dest.startsWith("/")) continue;
    const dest = c.dest.replace(/\/+$/, "") || "/";
    const underWorkdir = dest === workdir || dest.startsWith(`${workdir}/`) || workdir === "/";
    if (underWorkdir || dest === "/tmp" || dest.startsWith("/tmp/")) continue;
    // A script started from where it was copied is rewritten to run from the source folder instead (launch.ts).
    if (c.sources.some((s) => launchText.includes(path.posix.basename(s))) || launchText.includes(dest)) continue;
    checks.push({
      aspect: "files",
      kind: "step",
      line: c.line,
      text: `make the app read ${c.sources.join(", ")} from the app folder (/workspace) instead of ${c.dest}: buildpacks put the source folder in /workspace and nothing elsewhere in the image`,
    });
  }
  return checks;
}
