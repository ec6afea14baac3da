// What each command of the Dockerfile's RUN lines does, in the terms that matter for buildpacks: installing
// system packages or the app's dependencies (which buildpacks do themselves), compiling, or something custom.

import type { RunStep } from "../dockerfile/parse";
import { flagValue, shellCommands } from "./shell";

export type RunKind = "system-packages" | "dependencies" | "python-packages" | "node-packages" | "go-build" | "node-script" | "check" | "housekeeping" | "custom";

export interface RunCommand {
  kind: RunKind;
  stage: number;
  line: number;
  text: string;
  /** system-packages, python-packages, node-packages: what is installed. */
  packages?: string[];
  manager?: string;
  /** node-script: the package.json script run. */
  script?: string;
  go?: GoBuild;
}

export interface GoBuild {
  /** -o, as written. */
  output: string | null;
  /** Packages built, as written ("." when none is named). */
  packages: string[];
  ldflags: string | null;
}

const HOUSEKEEPING = new Set([
  "rm", "mkdir", "chown", "chmod", "chgrp", "useradd", "adduser", "addgroup", "groupadd", "usermod", "echo", "printf", "ln", "true", "false", ":",
  "cd", "export", "set", "cp", "mv", "touch", "ls", "cat", "test", "[", "find", "update-ca-certificates", "ldconfig", "locale-gen", "which", "command",
  "id", "whoami", "env", "sleep",
]);
const PIP_VALUE_FLAGS = ["-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url", "--prefix", "--target", "-t", "--root", "-f", "--find-links", "--trusted-host", "--cache-dir", "--platform", "--python-version", "--only-binary", "--no-binary", "--src"];
const PIP_TOOLING = new Set(["pip", "setuptools", "wheel", "uv", "poetry", "pipenv", "pdm", "pip-tools", "virtualenv"]);

/** Linters, formatters and test runners: they check the code and change nothing the image runs, so they belong in CI. */
export const CHECK_TOOLS = new Set([
  "flake8", "pylint", "black", "isort", "mypy", "ruff", "pytest", "tox", "nox", "bandit", "coverage", "pre-commit", "pyright", "pycodestyle", "pydocstyle", "autopep8", "yapf",
  "eslint", "prettier", "jest", "mocha", "vitest", "tsc-check", "golangci-lint", "staticcheck", "shellcheck", "hadolint", "rubocop", "rspec", "phpunit", "phpstan",
]);
const CHECK_SCRIPTS = /^(lint|lint:.*|test|test:.*|format|format:.*|check|typecheck|type-check|prettier|eslint)$/;
const GO_VALUE_FLAGS = ["-o", "-ldflags", "-gcflags", "-asmflags", "-tags", "-p", "-installsuffix", "-pkgdir", "-overlay", "-pgo", "-modfile", "-C"];

export function classifyRuns(runs: readonly RunStep[]): RunCommand[] {
  return runs.flatMap((run) => shellCommands(run.text).map((c) => classify(c.words, c.env, run)));
}

function classify(rawWords: string[], env: Record<string, string>, run: RunStep): RunCommand {
  const words = rawWords[0] === "sudo" || rawWords[0] === "exec" ? rawWords.slice(1) : rawWords;
  const base: Omit<RunCommand, "kind"> = { stage: run.stage, line: run.line, text: words.join(" ") };
  const [cmd = "", sub = ""] = words;
  const exe = cmd.split("/").pop()!;
  if (words.length === 0) return { ...base, kind: "housekeeping" };

  const manager = PACKAGE_MANAGERS[exe];
  if (manager) {
    // Options come before or after the verb in any order (`apt-get -y install`, `apk --no-cache add`).
    const rest = words.slice(1);
    const verbAt = firstOperand(rest, manager.valueFlags);
    const verb = verbAt >= 0 ? rest[verbAt]! : "";
    return manager.install.includes(verb) ? systemPackages(base, rest.filter((_, i) => i !== verbAt), exe === "apt" || exe === "aptitude" ? "apt-get" : exe, manager.valueFlags) : { ...base, kind: "housekeeping" };
  }

  if (CHECK_TOOLS.has(exe)) return { ...base, kind: "check" };
  if (/^python3?(\.\d+)?$/.test(exe) && sub === "-m" && CHECK_TOOLS.has(words[2] ?? "")) return { ...base, kind: "check" };
  // `yarn jest`, `pnpm eslint .`: yarn and pnpm run a binary of node_modules/.bin the way npx does.
  const runsBinary = exe === "npx" || exe === "yarn" || exe === "pnpm";
  if (runsBinary && CHECK_TOOLS.has(sub)) return { ...base, kind: "check" };
  if (runsBinary && sub === "tsc" && words.includes("--noEmit")) return { ...base, kind: "check" };
  const pip = pipArgs(words);
  if (pip) return pipCommand(base, pip);
  if (["poetry", "pipenv", "pdm"].includes(exe)) return ["install", "sync"].includes(sub) ? { ...base, kind: "dependencies" } : { ...base, kind: "housekeeping" };
  if (exe === "uv") return sub === "sync" || (sub === "pip" && ["sync", "install"].includes(words[2] ?? "")) ? { ...base, kind: "dependencies" } : { ...base, kind: "housekeeping" };

  if (exe === "npm" || exe === "yarn" || exe === "pnpm") return nodeCommand(base, exe, words.slice(1));
  // `corepack enable` / `corepack prepare pnpm@9 --activate` set up the package manager the builder installs itself.
  if (exe === "corepack") return { ...base, kind: "housekeeping" };

  if (exe === "go") {
    if (sub === "mod") return { ...base, kind: "dependencies" };
    if (sub === "build" || sub === "install") return { ...base, kind: "go-build", go: goBuild(words.slice(2), sub, env) };
    if (sub === "test" || sub === "vet") return { ...base, kind: "check" };
    if (sub === "env" || sub === "version") return { ...base, kind: "housekeeping" };
    return { ...base, kind: "custom" };
  }
  if (exe === "bundle" && sub === "install") return { ...base, kind: "dependencies" };
  // conda environments are what a conda base brings; that base is the blocker (dockerfile/bases.ts), not this step.
  if (["conda", "mamba", "micromamba"].includes(exe)) return { ...base, kind: ["install", "create", "env", "update"].includes(sub) ? "dependencies" : "housekeeping" };
  if (exe === "composer" && sub === "install") return { ...base, kind: "dependencies" };
  if (["mvn", "mvnw", "gradle", "gradlew", "sbt"].includes(exe)) {
    // The Java buildpack runs the build itself and fetches what it needs (`dependency:go-offline` only warms a cache);
    // a run of only test or check goals is a check.
    const goals = words.slice(1).filter((w) => !w.startsWith("-"));
    return goals.length > 0 && goals.every((g) => /^(test|verify|check|spotless:check|checkstyle:check)$/.test(g)) ? { ...base, kind: "check" } : { ...base, kind: "dependencies" };
  }
  // Bytecode and a virtualenv of its own are what the Python buildpack does anyway.
  if (/^python3?(\.\d+)?$/.test(exe) && sub === "-m" && ["compileall", "venv"].includes(words[2] ?? "")) return { ...base, kind: "housekeeping" };
  if (exe === "virtualenv") return { ...base, kind: "housekeeping" };
  if (HOUSEKEEPING.has(exe)) return { ...base, kind: "housekeeping" };
  return { ...base, kind: "custom" };
}

/** Each OS package manager's install verbs and the options that take a separate value (`-o Dpkg::...`, `--virtual .deps`). */
const PACKAGE_MANAGERS: Record<string, { install: string[]; valueFlags: string[] }> = {
  "apt-get": { install: ["install"], valueFlags: ["-o", "--option", "-t", "--target-release", "-c", "--config-file"] },
  apt: { install: ["install"], valueFlags: ["-o", "--option", "-t", "--target-release", "-c", "--config-file"] },
  aptitude: { install: ["install"], valueFlags: ["-o", "-t", "--target-release"] },
  apk: { install: ["add"], valueFlags: ["--virtual", "-t", "--repository", "-X", "--root", "-p", "--arch", "--cache-dir", "--keys-dir", "--repositories-file"] },
  yum: { install: ["install"], valueFlags: ["--setopt", "--enablerepo", "--disablerepo", "--installroot", "--releasever", "-c", "--config", "--exclude", "-x"] },
  dnf: { install: ["install"], valueFlags: ["--setopt", "--enablerepo", "--disablerepo", "--installroot", "--releasever", "-c", "--config", "--exclude", "-x"] },
  microdnf: { install: ["install"], valueFlags: ["--setopt", "--enablerepo", "--disablerepo", "--installroot", "--releasever", "--config"] },
  zypper: { install: ["install", "in"], valueFlags: ["--root", "-R", "--repo", "-r"] },
};

/** Index of the first word that is neither an option nor an option's separate value; -1 when there is none. */
function firstOperand(words: readonly string[], valueFlags: readonly string[]): number {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (valueFlags.includes(w)) {
      i++;
      continue;
    }
    if (!w.startsWith("-")) return i;
  }
  return -1;
}

function systemPackages(base: Omit<RunCommand, "kind">, args: string[], manager: string, valueFlags: readonly string[]): RunCommand {
  const packages: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    // A value of an option (apk's --virtual names a throwaway group, apt's -o a setting), not a package.
    if (valueFlags.includes(a)) {
      i++;
      continue;
    }
    if (a.startsWith("-") || a.startsWith("$")) continue;
    // apt's `pkg=1.2`, apk's `pkg=1.2-r0` / `pkg>1`, yum's `pkg-1.2`: the name is what the image needs.
    packages.push(a.replace(/[=<>~].*$/, ""));
  }
  return { ...base, kind: "system-packages", packages, manager };
}

/** Arguments after `install` of pip, pip3, python -m pip, python3 -m pip; null when it is not a pip install. */
function pipArgs(words: string[]): string[] | null {
  const exe = words[0]?.split("/").pop() ?? "";
  let rest: string[];
  if (/^pip3?(\.\d+)?$/.test(exe)) rest = words.slice(1);
  else if (/^python3?(\.\d+)?$/.test(exe) && words[1] === "-m" && /^pip3?$/.test(words[2] ?? "")) rest = words.slice(3);
  else return null;
  return rest;
}

function pipCommand(base: Omit<RunCommand, "kind">, rest: string[]): RunCommand {
  const [sub, ...args] = rest;
  if (sub === "wheel" || sub === "download") return { ...base, kind: "dependencies" };
  if (sub !== "install") return { ...base, kind: "housekeeping" };
  const names: string[] = [];
  let dependencyFile = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (PIP_VALUE_FLAGS.includes(a)) {
      if (a === "-r" || a === "--requirement") dependencyFile = true;
      i++;
      continue;
    }
    if (a.startsWith("-")) {
      if (/^--requirement=/.test(a)) dependencyFile = true;
      continue;
    }
    // The project itself (".", "-e .", a path or a built wheel) is what buildpacks install from the manifest.
    if (a.startsWith(".") || a.startsWith("/") || /\.(whl|tar\.gz|zip)$/.test(a)) {
      dependencyFile = true;
      continue;
    }
    if (!PIP_TOOLING.has(a.toLowerCase().replace(/[=<>~!].*$/, ""))) names.push(a);
  }
  if (names.length > 0) return { ...base, kind: "python-packages", packages: names };
  return { ...base, kind: dependencyFile ? "dependencies" : "housekeeping" };
}

function nodeCommand(base: Omit<RunCommand, "kind">, exe: string, args: string[]): RunCommand {
  const [sub = "", ...rest] = args;
  const names = rest.filter((a) => !a.startsWith("-"));
  if (exe === "npm") {
    if (sub === "ci") return { ...base, kind: "dependencies" };
    if (["install", "i", "add"].includes(sub)) return names.length > 0 ? { ...base, kind: "node-packages", packages: names } : { ...base, kind: "dependencies" };
    if (sub === "run" || sub === "run-script") return CHECK_SCRIPTS.test(names[0] ?? "") ? { ...base, kind: "check" } : { ...base, kind: "node-script", script: names[0] ?? "" };
    if (sub === "start") return { ...base, kind: "node-script", script: "start" };
    if (sub === "test" || sub === "t") return { ...base, kind: "check" };
    return { ...base, kind: "housekeeping" };
  }
  if (sub === "" || sub === "install" || sub === "i" || sub === "fetch" || sub.startsWith("-")) return { ...base, kind: "dependencies" };
  if (sub === "add" || (sub === "global" && rest[0] === "add")) {
    const pkgs = sub === "global" ? rest.slice(1).filter((a) => !a.startsWith("-")) : names;
    return { ...base, kind: "node-packages", packages: pkgs };
  }
  if (sub === "run") return CHECK_SCRIPTS.test(names[0] ?? "") ? { ...base, kind: "check" } : { ...base, kind: "node-script", script: names[0] ?? "" };
  if (sub === "test" || CHECK_SCRIPTS.test(sub)) return { ...base, kind: "check" };
  if (["cache", "config", "set", "prune"].includes(sub)) return { ...base, kind: "housekeeping" };
  // `yarn build` and `pnpm build` run the script of that name.
  return { ...base, kind: "node-script", script: sub };
}

function goBuild(args: string[], sub: string, env: Record<string, string>): GoBuild {
  const packages: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (GO_VALUE_FLAGS.includes(a)) {
      i++;
      continue;
    }
    if (!a.startsWith("-")) packages.push(a);
  }
  const output = flagValue(args, ["-o"]);
  const pkgs = packages.length > 0 ? packages : ["."];
  // `go install` puts the binary in $GOBIN (or $GOPATH/bin) under the package's last path element.
  const installed = sub === "install" ? `${env.GOBIN ?? "/go/bin"}/${pkgs[0]!.replace(/\/\.\.\.$/, "").split("/").pop()}` : null;
  return { output: output ?? installed, packages: pkgs, ldflags: flagValue(args, ["-ldflags"]) };
}
