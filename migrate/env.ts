// The image's run-time settings that are not the command: ENV, USER and HEALTHCHECK.

import type { Check, CompareContext } from "./types";

/** Settings for the build or for a hand-made image, which buildpacks images set (or need) themselves. */
const PLUMBING = new Set([
  "PATH", "HOME", "LANG", "LC_ALL", "LANGUAGE", "DEBIAN_FRONTEND", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "PYTHONHASHSEED",
  "VIRTUAL_ENV", "PIPENV_VENV_IN_PROJECT", "GOPATH", "GOBIN", "GOFLAGS", "GO111MODULE", "CGO_ENABLED", "GOOS", "GOARCH", "JAVA_HOME", "GEM_HOME",
  "BUNDLE_PATH", "BUNDLE_WITHOUT", "PORT", "APP_HOME",
  // Next.js: telemetry off and the standalone server's bind address; `next start` on the builder binds all interfaces.
  "NEXT_TELEMETRY_DISABLED", "HOSTNAME",
]);
const PLUMBING_PREFIXES = ["PIP_", "POETRY_", "UV_", "NPM_CONFIG_", "YARN_", "PNPM_", "NODE_OPTIONS_"];

function plumbing(name: string, value: string): boolean {
  // Both builders launch Node.js with NODE_ENV=production already (Google: pkg/nodejs/nodejs.go NodeEnv, "the value
  // of NODE_ENV or production"); a value only a --build-arg could give is that default too.
  if (name === "NODE_ENV") return value === "production" || /^\$\{?NODE_ENV\}?$/.test(value);
  return PLUMBING.has(name) || PLUMBING_PREFIXES.some((p) => name.startsWith(p));
}

export function compareEnv(ctx: CompareContext): Check[] {
  const checks: Check[] = [];
  const env = ctx.service.spec.env ?? {};
  const secrets = ctx.service.spec.secrets ?? {};
  for (const e of ctx.parsed.config.env) {
    if (plumbing(e.name, e.value)) continue;
    if (e.name in secrets) continue;
    if (env[e.name] === e.value) continue;
    if (e.name in env) {
      checks.push({ aspect: "env", kind: "note", line: e.line, text: `ENV ${e.name}=${e.value} is overridden by service.yaml's env (${JSON.stringify(env[e.name])}) already` });
      continue;
    }
    if (/\$\{?\w+/.test(e.value)) {
      // ENV X=$VERSION takes its value from a build arg, which only the build knew.
      checks.push({ aspect: "env", kind: "step", line: e.line, text: `add \`${e.name}\` under env in service.yaml with the value the build gave it (ENV ${e.name}=${e.value})` });
      continue;
    }
    const fromArg = e.source !== undefined && e.source !== e.value ? ` (ENV ${e.name}=${e.source}, with the build arg's value)` : " (ENV)";
    checks.push({ aspect: "env", kind: "step", line: e.line, text: `add \`${e.name}: ${JSON.stringify(e.value)}\` under env in service.yaml: the Dockerfile sets it${fromArg} and the app may read it at run time` });
  }
  return checks;
}

export function compareUser(ctx: CompareContext): Check[] {
  const checks: Check[] = [];
  const { user, healthcheck } = ctx.parsed.config;
  if (user && /^(root|0)(:(root|0))?$/.test(user.value)) {
    checks.push({
      aspect: "user",
      kind: "step",
      line: user.line,
      text: "make the app run without root (the Dockerfile says USER root): buildpacks images run as the non-root cnb user, which can write only to /tmp and the app folder and cannot bind ports below 1024",
    });
  }
  if (healthcheck !== null) {
    checks.push({ aspect: "launch", kind: "note", line: healthcheck, text: "HEALTHCHECK is ignored by Cloud Run and GKE with or without the Dockerfile; use startupProbe / livenessProbe in service.yaml" });
  }
  return checks;
}
