import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { hasErrors, loadCatalog } from "../../catalog/load";
import { formatProblem } from "../../catalog/problems";

/*
 * Points Docker's config (which pack reads for registry credentials) at jenkins/docker-credential-gantry for
 * every stack's Artifact Registry host, keeping whatever else the config holds:
 *
 *   npx tsx infra/jenkins/registry-auth.ts          writes ~/.docker/config.json (or $DOCKER_CONFIG/config.json)
 */

export const HELPER = "gantry";

export function registryHosts(regions: string[]): string[] {
  return [...new Set(regions.map((r) => `${r}-docker.pkg.dev`))].sort();
}

/** The config with a credHelpers entry per host; existing auths and helpers for other hosts stay. */
export function withCredHelpers(config: Record<string, unknown>, hosts: string[]): Record<string, unknown> {
  const helpers = { ...((config.credHelpers as Record<string, string> | undefined) ?? {}) };
  for (const host of hosts) helpers[host] = HELPER;
  return { ...config, credHelpers: helpers };
}

export function main(projectDir = process.cwd(), env: NodeJS.ProcessEnv = process.env, out: (line: string) => void = console.log): number {
  const catalog = loadCatalog({ projectDir });
  const platformErrors = catalog.problems.filter((p) => p.severity === "error" && /Pulumi\./.test(p.file));
  if (hasErrors(platformErrors)) {
    for (const p of platformErrors) out(formatProblem(p));
    return 1;
  }
  const hosts = registryHosts(Object.values(catalog.platforms).map((p) => p.region));
  const dir = env.DOCKER_CONFIG ?? path.join(env.HOME ?? os.homedir(), ".docker");
  const file = path.join(dir, "config.json");
  const current = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>) : {};
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(withCredHelpers(current, hosts), null, 2)}\n`, { mode: 0o600 });
  for (const host of hosts) out(`${host}: docker-credential-${HELPER}`);
  return 0;
}

if (require.main === module) process.exit(main());
