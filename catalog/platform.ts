import * as fs from "node:fs";
import * as path from "node:path";
import { displayPath } from "./display-path";
import { KNOWN_CLOUD_RUN_REGIONS } from "./regions";
import { fieldPath, type Problem } from "./problems";
import { platformConfig, platformKeys, type PlatformConfig } from "./schema/platform";
import { explainIssues } from "./zod-issues";
import { keysAtPath } from "./zod-shape";
import { locate, readYamlFile, type PathKey } from "./yaml-source";

const NAMESPACE = "gantry";
const CONVENTIONAL_ORDER = ["dev", "staging", "prod"];

/** Stacks are the Pulumi.<stack>.yaml files beside Pulumi.yaml; dev, staging, prod first. */
export function discoverStacks(projectDir: string): string[] {
  const stacks = fs
    .readdirSync(projectDir)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined);
  const rank = (s: string) => (CONVENTIONAL_ORDER.includes(s) ? CONVENTIONAL_ORDER.indexOf(s) : CONVENTIONAL_ORDER.length);
  return stacks.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

export function stackFile(projectDir: string, stack: string): string {
  const yml = path.join(projectDir, `Pulumi.${stack}.yml`);
  return fs.existsSync(yml) ? yml : path.join(projectDir, `Pulumi.${stack}.yaml`);
}

export type PlatformLoad = { config: PlatformConfig; problems: Problem[] } | { config: undefined; problems: Problem[] };

/** Reads and validates the `gantry:` settings of one stack. Warnings come back with a config; errors without. */
export function loadPlatform(projectDir: string, stack: string, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): PlatformLoad {
  const file = stackFile(projectDir, stack);
  const shown = displayPath(file, cwd);
  if (!fs.existsSync(file)) {
    return { config: undefined, problems: [{ file: shown, line: 1, column: 1, field: "", severity: "error", message: `no stack config for "${stack}" (expected ${path.basename(file)})` }] };
  }
  const parsed = readYamlFile(file, shown);
  if (!parsed.ok) return { config: undefined, problems: parsed.problems };
  const { source } = parsed;
  const root = source.value as { config?: Record<string, unknown> } | null;
  const config = root && typeof root === "object" && root.config && typeof root.config === "object" ? root.config : {};

  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key.startsWith(`${NAMESPACE}:`)) settings[key.slice(NAMESPACE.length + 1)] = unwrapPulumiValue(value);
  }

  const at = (p: PathKey[], atKey = false) => {
    const [head, ...rest] = p;
    const yamlPath: PathKey[] = head === undefined ? ["config"] : ["config", `${NAMESPACE}:${head}`, ...rest];
    const pos = locate(source, yamlPath, atKey);
    return { file: shown, ...pos, field: p.length ? `${NAMESPACE}:${fieldPath(p)}` : "config" };
  };

  const problems: Problem[] = [];
  // The engine is the agent's as much as the stack's: a VM agent with a Docker engine runs pack for a stack whose
  // pods run the lifecycle (the Jenkinsfile sets GANTRY_BUILD_ENGINE=pack there). Switching never rebuilds an image.
  const agentEngine = env.GANTRY_BUILD_ENGINE;
  if (agentEngine) {
    if (agentEngine !== "pack" && agentEngine !== "lifecycle") {
      return { config: undefined, problems: [{ ...at(["buildEngine"]), severity: "error", message: `GANTRY_BUILD_ENGINE is "${agentEngine}" in the environment; the agent's build engine, over this setting, must be pack or lifecycle` }] };
    }
    settings.buildEngine = agentEngine;
  }
  const result = platformConfig.safeParse(settings, { reportInput: true });
  if (!result.success) {
    // A stack setting is written with its namespace (gantry:buildTimeout), so a suggested one is too.
    const issues = explainIssues(
      result.error.issues,
      (p) => (p.length === 0 ? platformKeys : keysAtPath(platformConfig, p)),
      undefined,
      (p, key) => (p.length === 0 ? `${NAMESPACE}:${key}` : key),
    );
    for (const issue of issues) problems.push({ ...at(issue.path, issue.atKey), severity: "error", message: issue.message });
    return { config: undefined, problems };
  }
  if (!KNOWN_CLOUD_RUN_REGIONS.includes(result.data.region)) {
    problems.push({ ...at(["region"]), severity: "warning", message: `"${result.data.region}" is not a Cloud Run region Gantry knows of; check it is one` });
  }
  return { config: result.data, problems };
}

/** `pulumi config set --path` stores structured values as-is; `pulumi config set` stores JSON in a string. */
function unwrapPulumiValue(value: unknown): unknown {
  if (typeof value === "string" && /^[[{]/.test(value.trim())) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}
