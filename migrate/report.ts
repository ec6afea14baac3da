// The fleet's migration state: every service that still builds from a Dockerfile, compared per stack builder.

import { displayPath } from "../catalog/display-path";
import { dockerBuildOf } from "../catalog/docker-build";
import type { Catalog, LoadedService } from "../catalog/load";
import { compareService, type Comparison } from "./compare";
import { languageName } from "./language-name";
import type { Check } from "./types";
import { reasonOf, verdictOf, type Verdict } from "./verdict";

export interface ServiceMigration extends Omit<Comparison, "checks"> {
  name: string;
  /** service.yaml, as shown to the user. */
  file: string;
  dockerfile: string;
  /** Stacks this result holds for (builders and overrides can differ per stack). */
  stacks: string[];
  verdict: Verdict;
  /** The verdict's reason, one line. */
  reason: string;
  steps: string[];
  blockers: string[];
  notes: string[];
  checks: Check[];
}

export interface MigrationSummary {
  /** Services in the stack, by how they are built. */
  buildpacks: number;
  dockerfile: number;
  ready: string[];
  needs: string[];
  blocked: string[];
}

export interface MigrationReport {
  stacks: string[];
  services: ServiceMigration[];
  /** The fleet's state in the first stack reported (what `gantry plan` shows for that stack). */
  summaryStack: string | null;
  summary: MigrationSummary;
}

export function migrateService(service: LoadedService, builder: string, cwd = process.cwd()): ServiceMigration | undefined {
  const docker = dockerBuildOf(service);
  if (!docker) return undefined;
  const base = { name: service.spec.name, file: service.file, dockerfile: displayPath(docker.dockerfile, cwd), stacks: [service.stack] };
  let comparison: Comparison;
  try {
    comparison = compareService(service, docker, builder);
  } catch (err) {
    // A Dockerfile that is missing or has no FROM is a catalog problem `gantry validate` reports with its location.
    const message = err instanceof Error ? err.message : String(err);
    const check: Check = { aspect: "builder", kind: "blocker", text: `cannot read the Dockerfile: ${message}` };
    return { ...base, builder, language: null, launch: { dockerfile: null, buildpacks: null, same: false, after: null }, port: { expose: [], service: null, builderDefault: 8080, listens: null }, runtime: null, verdict: "blocked", reason: check.text, steps: [], blockers: [check.text], notes: [], checks: [check] };
  }
  const { checks, ...rest } = comparison;
  const texts = (kind: Check["kind"]) => checks.filter((c) => c.kind === kind).map((c) => c.text);
  const ready = `the builder's \`${rest.launch.buildpacks ?? "default process"}\` runs what the Dockerfile ran${rest.runtime?.dockerfile ? `, on the same ${languageName(rest.runtime.language)} line (${rest.runtime.dockerfile})` : ""}, and nothing else of the image is missing`;
  return { ...base, ...rest, verdict: verdictOf(checks), reason: reasonOf(checks, ready), steps: texts("step"), blockers: texts("blocker"), notes: texts("note"), checks };
}

/** Every Dockerfile service of the given stacks (default: all loaded), identical results of several stacks merged. */
export function migrationReport(catalog: Catalog, stacks: readonly string[] = catalog.stacks, cwd = process.cwd()): MigrationReport {
  const merged = new Map<string, ServiceMigration>();
  for (const stack of stacks) {
    const platform = catalog.platforms[stack];
    if (!platform) continue;
    for (const service of catalog.services[stack] ?? []) {
      const result = migrateService(service, platform.builder, cwd);
      if (!result) continue;
      const key = JSON.stringify({ ...result, stacks: [] });
      const seen = merged.get(key);
      if (seen) seen.stacks.push(stack);
      else merged.set(key, result);
    }
  }
  const services = [...merged.values()].sort((a, b) => a.name.localeCompare(b.name) || a.stacks.join().localeCompare(b.stacks.join()));
  const first = stacks.find((s) => catalog.platforms[s]);
  return { stacks: [...stacks], services, summaryStack: first ?? null, summary: first ? migrationSummary(catalog, first, cwd) : { buildpacks: 0, dockerfile: 0, ready: [], needs: [], blocked: [] } };
}

/** How far one stack's fleet is from building everything with buildpacks; what `gantry plan` shows. */
export function migrationSummary(catalog: Catalog, stack: string, cwd = process.cwd()): MigrationSummary {
  const summary: MigrationSummary = { buildpacks: 0, dockerfile: 0, ready: [], needs: [], blocked: [] };
  const platform = catalog.platforms[stack];
  if (!platform) return summary;
  for (const service of catalog.services[stack] ?? []) {
    const result = migrateService(service, platform.builder, cwd);
    if (!result) {
      summary.buildpacks++;
      continue;
    }
    summary.dockerfile++;
    summary[result.verdict].push(result.name);
  }
  return summary;
}

/** One line for a plan: "Build: 12 with buildpacks, 3 from a Dockerfile (1 ready to drop it: orders; 1 needs changes; 1 blocked)". */
export function formatMigrationSummary(s: MigrationSummary): string {
  const head = `${s.buildpacks} service${s.buildpacks === 1 ? "" : "s"} built with buildpacks, ${s.dockerfile} from a Dockerfile`;
  if (s.dockerfile === 0) return `${head}.`;
  const parts = [
    s.ready.length > 0 ? `${s.ready.length} ready to drop it: ${s.ready.join(", ")}` : "none ready to drop it yet",
    `${s.needs.length} need${s.needs.length === 1 ? "s" : ""} changes${s.needs.length > 0 ? `: ${s.needs.join(", ")}` : ""}`,
    `${s.blocked.length} blocked${s.blocked.length > 0 ? `: ${s.blocked.join(", ")}` : ""}`,
  ];
  return `${head} (${parts.join("; ")}). Details: \`npx gantry migrate\`.`;
}
