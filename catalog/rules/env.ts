import { ENV_NAME as C_IDENTIFIER } from "../schema/fields";
import { literalSecret, secretShape } from "./secret-values";
import { shownKey } from "../problems";
import type { Rule, RuleIssue } from "./types";

// Injected by the Cloud Run container contract (run/docs/container-contract#env-vars).
const RESERVED_SERVICE = ["PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"];
const RESERVED_JOB = ["CLOUD_RUN_JOB", "CLOUD_RUN_EXECUTION", "CLOUD_RUN_TASK_INDEX", "CLOUD_RUN_TASK_ATTEMPT", "CLOUD_RUN_TASK_COUNT"];
const RESERVED_ANY_CLOUD_RUN = ["CLOUD_RUN_WORKER_POOL", "CLOUD_RUN_REVISION"];
const ID = "[A-Za-z0-9_-]{1,255}";
/** A Secret Manager secret id or its full path, and a version, as pattern sources: the JSON schema uses them too. */
export const SECRET_ID_SOURCE = `(?:${ID}|projects/[a-z0-9-]+/secrets/${ID})`;
export const SECRET_VERSION_SOURCE = "(?:latest|[1-9][0-9]*)";
const SECRET_ID = new RegExp(`^${SECRET_ID_SOURCE}$`);
const SECRET_VERSION = new RegExp(`^${SECRET_VERSION_SOURCE}$`);
export const MAX_VARS = 1000;
const MAX_VALUE = 32768;

function reservedFor(kind: string): string[] {
  if (kind === "service") return [...RESERVED_SERVICE, ...RESERVED_ANY_CLOUD_RUN];
  if (kind === "job") return [...RESERVED_JOB, ...RESERVED_ANY_CLOUD_RUN];
  return [];
}

function checkName(section: "env" | "secrets", name: string, kind: string): RuleIssue[] {
  return nameIssues(section, name, kind).map((i) => ({ ...i, atKey: true }));
}

function nameIssues(section: "env" | "secrets", name: string, kind: string): RuleIssue[] {
  const path = [section, name];
  if (!C_IDENTIFIER.test(name)) {
    return [{ path, message: `"${shownKey(name)}" is not a valid environment variable name: letters, digits and _, not starting with a digit` }];
  }
  if (reservedFor(kind).includes(name)) {
    return [{ path, message: `${name} is reserved: Cloud Run sets it for every ${kind === "job" ? "job task" : "instance"}` }];
  }
  if (kind !== "gke" && name.startsWith("X_GOOGLE_")) {
    return [{ path, message: `${name} uses the X_GOOGLE_ prefix, which Cloud Run reserves` }];
  }
  return [];
}

export const envRule: Rule = (spec) => {
  const issues: RuleIssue[] = [];
  const env = spec.env ?? {};
  const secrets = spec.secrets ?? {};
  for (const [name, value] of Object.entries(env)) {
    issues.push(...checkName("env", name, spec.kind));
    if (value.length > MAX_VALUE) issues.push({ path: ["env", name], message: `value is ${value.length} characters; at most ${MAX_VALUE}` });
    const secret = literalSecret(name, value);
    if (secret) {
      issues.push({
        path: ["env", name],
        message: `${secret} in plain text, which Pulumi state and the console keep: store it in Secret Manager and reference it under secrets: instead (secrets: {${name}: <secret-id>})`,
      });
    }
  }
  for (const [name, ref] of Object.entries(secrets)) {
    issues.push(...checkName("secrets", name, spec.kind));
    if (name in env) {
      issues.push({ path: ["secrets", name], message: `${name} is given both as a plain value (env) and as a secret; keep one` });
    }
    // Not an id, so possibly the secret itself: never echoed, as this line ends up in CI logs.
    const shape = secretShape(ref.secret);
    if (shape) {
      issues.push({ path: ["secrets", name], message: `the value (not shown) looks like ${shape}, not a secret id: the value belongs in Secret Manager, and here its id` });
    } else if (!SECRET_ID.test(ref.secret)) {
      issues.push({ path: ["secrets", name], message: "the value (not shown) is not a Secret Manager secret id (letters, digits, _ and -, up to 255, or projects/<project>/secrets/<id>)" });
    }
    if (!SECRET_VERSION.test(ref.version)) {
      // What follows the colon may be part of the secret itself ("admin:password" typed in): never echoed either.
      issues.push({ path: ["secrets", name], message: 'the version after ":" (not shown) must be "latest" or a version number, as in db-password:3' });
    }
  }
  const count = Object.keys(env).length + Object.keys(secrets).length;
  if (count > MAX_VARS) issues.push({ path: ["env"], message: `${count} environment variables; a container allows at most ${MAX_VARS}` });
  return issues;
};

export const buildEnvRule: Rule = (spec) => {
  const issues: RuleIssue[] = [];
  const secretEnv = spec.build?.secretEnv ?? [];
  for (const [name, value] of Object.entries(spec.build?.env ?? {})) {
    if (!C_IDENTIFIER.test(name)) issues.push({ path: ["build", "env", name], atKey: true, message: `"${shownKey(name)}" is not a valid build environment variable name` });
    if (secretEnv.includes(name)) issues.push({ path: ["build", "env", name], atKey: true, message: `${name} is also in build.secretEnv; keep it in one place (secretEnv, if it is a secret)` });
    const secret = literalSecret(name, value);
    if (secret) {
      issues.push({
        path: ["build", "env", name],
        message: `${secret} in plain text, which project.toml and Pulumi state keep: list it by name under build.secretEnv: [${name}] and export ${name} where pulumi up runs (pack reads it as --env ${name})`,
      });
    }
  }
  for (const [name, value] of Object.entries(spec.build?.args ?? {})) {
    const secret = literalSecret(name, value);
    if (secret) issues.push({ path: ["build", "args", name], message: `${secret} in plain text; build args stay in Pulumi state and in the image's history, so a secret cannot be one` });
  }
  return issues;
};

export const buildFilterRule: Rule = (spec) =>
  spec.build?.include !== undefined && spec.build.exclude !== undefined
    ? [{ path: ["build", "exclude"], message: "give include or exclude, not both: pack rejects a project.toml with both" }]
    : [];
