// Go: which package the builder compiles and what it runs.
// Google rules: gcp-rules.md §5 item 50 (cmd/go/build/lib/lib.go goBuildable: GOOGLE_BUILDABLE,
// else the only `package main` found by `go list ./...`, else "."; the web process is the binary
// /layers/google.go.build/bin/main, pkg/golang OutBin).

import * as semver from "semver";
import { envLabel, envValue, listFiles, type Context, type LanguageResult } from "./context";
import { error, warning } from "./findings";
import type { SourceTree } from "./source";

/** *.go files the builder's detectors see (anywhere outside node_modules). */
export function goFiles(tree: SourceTree): string[] {
  return tree.withSuffix(".go");
}

function dirOf(file: string): string {
  const i = file.lastIndexOf("/");
  return i < 0 ? "." : file.slice(0, i);
}

/** Folders `go list ./...` would report as main packages. */
export function mainPackageDirs(tree: SourceTree): string[] {
  const dirs = new Set<string>();
  for (const f of goFiles(tree)) {
    if (f.endsWith("_test.go")) continue;
    // The go tool skips vendor and testdata folders, and files and folders whose name starts with "." or "_".
    const parts = f.split("/");
    if (parts.some((p) => p.startsWith(".") || p.startsWith("_")) || parts.slice(0, -1).some((p) => p === "vendor" || p === "testdata")) continue;
    const text = tree.read(f);
    if (text !== null && packageClause(text) === "main") dirs.add(dirOf(f));
  }
  return [...dirs].sort();
}

function packageClause(source: string): string | null {
  // One pass, left to right, as Go's scanner reads: a "/*" inside a line comment opens nothing. A comment counts as
  // a space, so `package/* c */main` still names main.
  const stripped = source.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, " ");
  const m = /^\s*package\s+([A-Za-z_][A-Za-z0-9_]*)/m.exec(stripped);
  return m ? (m[1] ?? null) : null;
}

function goModInfo(tree: SourceTree): { module: string | null; go: string | null } {
  const text = tree.read("go.mod");
  if (text === null) return { module: null, go: null };
  const mod = /^\s*module\s+("?)([^\s"]+)\1/m.exec(text);
  const go = /^\s*go\s+(\d+(?:\.\d+){1,2})\s*$/m.exec(text);
  return { module: mod?.[2] ?? null, go: go?.[1] ?? null };
}

function asDir(p: string): string {
  const trimmed = p.replace(/^\.\//, "").replace(/\/+$/, "");
  return trimmed === "" ? "." : trimmed;
}

export function analyzeGo(ctx: Context): LanguageResult {
  const { tree } = ctx;
  const files = goFiles(tree);
  const gomod = goModInfo(tree);
  const google = ctx.builder.family === "google";

  let runtimeVersion: LanguageResult["runtimeVersion"] = { value: null, source: google ? "builder default (latest Go 1.x)" : "buildpack default" };
  for (const name of google ? ["GOOGLE_GO_VERSION", "GOOGLE_RUNTIME_VERSION"] : ["BP_GO_VERSION"]) {
    const v = envValue(ctx, name);
    if (v) {
      runtimeVersion = { value: v, source: envLabel(ctx, name) };
      break;
    }
  }
  if (!google && runtimeVersion.value === null && gomod.go) runtimeVersion = { value: gomod.go, source: "go.mod go directive" };
  // No pin or no go directive coerces to null, and a version taken from go.mod is never below itself.
  const pinned = semver.coerce(runtimeVersion.value);
  const needed = semver.coerce(gomod.go);
  if (pinned && needed && semver.lt(pinned, needed)) {
    ctx.issues.push(
      warning(
        "go-version-below-go-mod",
        `${runtimeVersion.source} pins Go ${runtimeVersion.value}, but go.mod says \`go ${gomod.go}\`; the build must download a newer toolchain or fail.`,
        `Raise the pinned version to ${gomod.go} or later, or drop the pin.`,
        { file: "go.mod" },
      ),
    );
  }

  const result: LanguageResult = {
    language: "go",
    packageManager: tree.has("go.mod") ? "go modules" : null,
    runtimeVersion,
    web: null,
    detectedBy: `*.go files (${listFiles(files)})${tree.has("go.mod") ? " and go.mod" : ""}`,
  };

  const target = google ? envValue(ctx, "GOOGLE_FUNCTION_TARGET") : undefined;
  if (target !== undefined) {
    // google.go.functions-framework (cmd/go/functions_framework/lib/lib.go) writes a main package of its own that
    // imports the function's package (GOOGLE_FUNCTION_SOURCE, else the root), so that package must not be main.
    const fnDir = asDir(envValue(ctx, "GOOGLE_FUNCTION_SOURCE") ?? ".");
    const fnFiles = files.filter((f) => dirOf(f) === fnDir && !f.endsWith("_test.go"));
    const clause = fnFiles.map((f) => packageClause(tree.read(f) ?? "")).find((c) => c !== null);
    if (clause === "main") {
      ctx.issues.push(
        error(
          "function-package-main",
          `GOOGLE_FUNCTION_TARGET is ${target}, so the Functions Framework buildpack imports the function's package, but ${fnDir === "." ? "the root package" : fnDir} is \`package main\`, which Go cannot import.`,
          "Give the function's files a package name of their own (e.g. `package function`), or drop GOOGLE_FUNCTION_TARGET and serve HTTP from main().",
          { file: fnFiles[0], breaksBuild: true },
        ),
      );
    } else if (clause === undefined) {
      ctx.issues.push(error("function-source-missing", `GOOGLE_FUNCTION_TARGET is ${target}, but ${fnDir === "." ? "the root folder" : fnDir} has no Go file to hold the function.`, "Put the function's package at the root, or set GOOGLE_FUNCTION_SOURCE to its folder.", { breaksBuild: true }));
    }
    result.detectedBy += ` — a function (${envLabel(ctx, "GOOGLE_FUNCTION_TARGET")} = ${target})`;
    result.web = "/layers/google.go.build/bin/main";
    return result;
  }

  const mains = mainPackageDirs(tree);
  const buildableEnv = envValue(ctx, google ? "GOOGLE_BUILDABLE" : "BP_GO_TARGETS");
  let buildable: string | null = null;
  if (buildableEnv !== undefined) {
    const first = buildableEnv.split(":")[0] ?? buildableEnv; // BP_GO_TARGETS is colon-separated
    buildable = checkBuildable(ctx, first, gomod.module, mains, google ? "GOOGLE_BUILDABLE" : "BP_GO_TARGETS");
  } else if (mains.length === 1) {
    buildable = mains[0] ?? ".";
  } else if (mains.length === 0) {
    ctx.issues.push(
      error(
        "go-no-main-package",
        "No Go file here declares `package main`, so `go build` produces no program for the builder to run.",
        "Add a main package (e.g. main.go or cmd/<app>/main.go), or point the service at the folder that holds it.",
        { breaksBuild: true },
      ),
    );
  } else if (mains.includes(".")) {
    buildable = ".";
  } else {
    ctx.issues.push(
      error(
        "go-multiple-mains",
        `There are ${mains.length} main packages (${mains.map((d) => `./${d}`).join(", ")}) and none at the root; the builder then builds "." and fails.`,
        `Set ${google ? "GOOGLE_BUILDABLE" : "BP_GO_TARGETS"} under build.env in service.yaml to the one to deploy, e.g. ${google ? "GOOGLE_BUILDABLE" : "BP_GO_TARGETS"}: ./${mains[0] ?? "cmd/app"}.`,
        { breaksBuild: true },
      ),
    );
  }

  if (!tree.has("go.mod")) {
    ctx.issues.push(
      warning(
        "go-no-go-mod",
        "There is no go.mod, so the builder falls back to its legacy GOPATH flow; modern modules and dependency pinning are not used.",
        "Run `go mod init <module path>` and `go mod tidy`, and commit go.mod and go.sum.",
      ),
    );
  }

  if (google) {
    result.web = "/layers/google.go.build/bin/main";
  } else {
    const name = buildable && buildable !== "." ? buildable.split("/").pop() : (gomod.module?.split("/").pop() ?? "app");
    result.web = `/layers/paketo-buildpacks_go-build/targets/bin/${name}`;
  }
  if (buildable) result.detectedBy += ` — builds ${buildable === "." ? "." : `./${buildable}`}`;
  return result;
}

function checkBuildable(ctx: Context, value: string, module: string | null, mains: string[], envName: string): string | null {
  let rel = value.trim();
  if (module && (rel === module || rel.startsWith(`${module}/`))) rel = rel.slice(module.length);
  else if (!rel.startsWith(".") && !rel.startsWith("/") && rel.split("/")[0]?.includes(".")) return rel; // another module's import path: nothing to check
  if (rel.startsWith("/")) rel = rel.slice(1);
  if (rel.endsWith(".go")) {
    if (ctx.tree.has(asDir(rel))) return asDir(rel);
    ctx.issues.push(error("go-buildable-missing", `${envLabel(ctx, envName)} names ${value}, which does not exist.`, `Set ${envName} to an existing main package, e.g. ./${mains[0] ?? "cmd/app"}.`, { breaksBuild: true }));
    return null;
  }
  const dir = asDir(rel);
  if (dir !== "." && !ctx.tree.isDir(dir)) {
    ctx.issues.push(
      error(
        "go-buildable-missing",
        `${envLabel(ctx, envName)} is ${value}, but there is no folder ${dir} here.`,
        mains.length ? `Use one of the main packages found: ${mains.map((d) => (d === "." ? "." : `./${d}`)).join(", ")}.` : `Create the package or fix ${envName}.`,
        { breaksBuild: true },
      ),
    );
    return null;
  }
  if (!mains.includes(dir)) {
    ctx.issues.push(
      error(
        "go-buildable-not-main",
        `${envLabel(ctx, envName)} is ${value}, but ${dir === "." ? "the root folder" : dir} has no \`package main\` file, so there is no program to run.`,
        mains.length ? `Use one of the main packages found: ${mains.map((d) => (d === "." ? "." : `./${d}`)).join(", ")}.` : "Add a main package and point the variable at it.",
        { breaksBuild: true },
      ),
    );
    return null;
  }
  return dir;
}

/**
 * `go run` at launch: Google's Go toolchain layer is build-only (cmd/go/runtime/lib/lib.go creates it with
 * LaunchLayerIfDevMode) and Paketo's go-dist is a build dependency, so the run image has no `go` command.
 */
export function goRunAtLaunch(ctx: Context, processes: Record<string, string>): void {
  for (const [name, command] of Object.entries(processes)) {
    if (!/(^|[\s;&|(])go\s+run(\s|$)/.test(command)) continue;
    const line = ctx.procfile?.processes.find((p) => p.name === name)?.line;
    // On Google's builder GOOGLE_ENTRYPOINT replaces the Procfile and is the only (web) process; Paketo ignores it.
    const viaEnv = ctx.builder.family === "google" && envValue(ctx, "GOOGLE_ENTRYPOINT") !== undefined;
    ctx.issues.push(
      error(
        "go-run-at-launch",
        `${viaEnv ? "GOOGLE_ENTRYPOINT" : `Procfile process "${name}"`} runs \`${command}\`, but the Go toolchain is only in the build image, not the run image: the process fails with "go: command not found".`,
        `Let the builder compile the program and run the binary: drop the ${viaEnv ? "GOOGLE_ENTRYPOINT" : "Procfile line"} (the default web process runs it), or pick the package with GOOGLE_BUILDABLE.`,
        !viaEnv && ctx.procfile ? { file: "Procfile", ...(line !== undefined ? { line } : {}) } : {},
      ),
    );
  }
}
