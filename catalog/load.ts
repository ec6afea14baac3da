import * as fs from "node:fs";
import * as path from "node:path";
import { discoverServiceFiles } from "./discover";
import { isInside, realOrSelf } from "./repository-path";
import { displayPath as shownPath } from "./display-path";
import { otherKindField } from "./kind-fields";
import { mergeOverrides } from "./merge";
import { namespaceLevelConflicts } from "./namespaces";
import { discoverStacks, loadPlatform, stackFile } from "./platform";
import { fieldPath, mergeAcrossStacks, sortProblems, type Problem } from "./problems";
import { checkRules } from "./rules";
import type { PlatformConfig } from "./schema/platform";
import { knownKeys, serviceFile, type ServiceFile } from "./schema/service";
import { didYouMean } from "./suggest";
import { explainIssues, type FieldIssue } from "./zod-issues";
import { keysAtPath } from "./zod-shape";
import { hasPath, locate, readYamlFile, type PathKey, type YamlSource } from "./yaml-source";

/** One service as it will be deployed in one stack: validated, defaults applied, paths resolved. */
export interface LoadedService {
  stack: string;
  /** service.yaml as shown to the user. */
  file: string;
  /** Absolute folder holding service.yaml. */
  dir: string;
  /** Absolute source folder handed to the build. */
  sourceDir: string;
  spec: ServiceFile;
}

export interface Catalog {
  stacks: string[];
  platforms: Record<string, PlatformConfig>;
  services: Record<string, LoadedService[]>;
  /** Errors and warnings from every file and every stack, merged and sorted. */
  problems: Problem[];
}

export interface LoadOptions {
  /** Folder holding Pulumi.yaml and the Pulumi.<stack>.yaml files. */
  projectDir?: string;
  /** Catalog folder; default <projectDir>/services. */
  servicesDir?: string;
  /** Validate only these stacks; default every stack found. */
  stacks?: string[];
  /** Paths in problems are shown relative to this folder (default: the working directory). */
  cwd?: string;
  /** Only these services, by name or by folder; default every service. A name matching none is an error. */
  only?: string[];
  /** Told what is being read, for progress on a terminal. */
  onProgress?: (what: string) => void;
}

const NOT_PER_STACK = ["name", "kind", "environments"];

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === "error");
}

export function loadCatalog(opts: LoadOptions = {}): Catalog {
  const projectDir = path.resolve(opts.projectDir ?? process.cwd());
  const cwd = opts.cwd ?? process.cwd();
  const displayPath = (file: string) => shownPath(file, cwd);
  const servicesDir = path.resolve(projectDir, opts.servicesDir ?? "services");
  const allStacks = discoverStacks(projectDir);
  const problems: Problem[] = [];

  const stacks = opts.stacks ?? allStacks;
  for (const s of stacks) {
    if (!allStacks.includes(s)) {
      const file = displayPath(stackFile(projectDir, s));
      problems.push({ file, line: 1, column: 1, field: "", severity: "error", message: `unknown stack "${s}"${didYouMean(s, allStacks)}; stacks are ${allStacks.join(", ") || "(none)"}` });
    }
  }

  const progress = opts.onProgress ?? (() => {});
  const platforms: Record<string, PlatformConfig> = {};
  for (const stack of stacks.filter((s) => allStacks.includes(s))) {
    progress(`reading ${displayPath(stackFile(projectDir, stack))}`);
    const loaded = loadPlatform(projectDir, stack, cwd);
    problems.push(...loaded.problems);
    if (loaded.config) platforms[stack] = loaded.config;
  }

  const services: Record<string, LoadedService[]> = Object.fromEntries(stacks.map((s) => [s, []]));
  const discovered = discoverServiceFiles(servicesDir, displayPath, projectDir);
  const only = opts.only ? new Set(opts.only) : undefined;
  const matched = new Set<string>();
  const known: string[] = [];
  // With --service, a folder that is not asked for is not read, and its problems are not ours to report.
  const picked = (...names: unknown[]): boolean => {
    const strings = names.filter((n): n is string => typeof n === "string");
    known.push(...strings);
    const hits = only ? strings.filter((n) => only.has(n)) : strings;
    for (const h of hits) matched.add(h);
    return !only || hits.length > 0;
  };
  problems.push(...discovered.problems.filter((p) => !only || [...only].some((n) => p.file.split("/").includes(n))));
  const sources = new Map<string, YamlSource>();
  // Every file is read before any is checked: which secrets a service owns depends on the other services' names,
  // including ones --service leaves out.
  const parsedFiles = discovered.files.map((file) => ({ file, shown: displayPath(file), parsed: readYamlFile(file, displayPath(file)) }));
  const serviceNames = parsedFiles.flatMap(({ parsed }) => (parsed.ok && isMapping(parsed.source.value) && typeof parsed.source.value.name === "string" ? [parsed.source.value.name] : []));
  parsedFiles.forEach(({ file, shown, parsed }, i) => {
    const folder = path.basename(path.dirname(file));
    progress(`checking ${shown} (${i + 1}/${discovered.files.length})`);
    if (!parsed.ok) {
      if (picked(folder)) problems.push(...parsed.problems);
      return;
    }
    if (!picked(folder, isMapping(parsed.source.value) ? parsed.source.value.name : undefined)) return;
    sources.set(shown, parsed.source);
    const fileProblems = checkEnvironmentKeys(parsed.source, allStacks);
    problems.push(...fileProblems);
    for (const stack of Object.keys(platforms)) {
      const result = loadForStack(parsed.source, file, stack, platforms[stack]!, projectDir, serviceNames);
      problems.push(...result.problems);
      if (result.service && !hasErrors(fileProblems)) services[stack]!.push(result.service);
    }
  });
  for (const name of only ?? []) {
    if (!matched.has(name)) {
      const names = [...new Set(known)].sort();
      problems.push({ file: displayPath(servicesDir), line: 1, column: 1, field: "", severity: "error", message: `no service named "${name}"${didYouMean(name, names)}; services are ${names.join(", ") || "(none)"}` });
    }
  }

  for (const [stack, list] of Object.entries(services)) problems.push(...duplicateNames(list, stack, sources), ...namespaceLevelConflicts(list, stack, sources));

  return { stacks, platforms, services, problems: sortProblems(mergeAcrossStacks(problems, stacks)) };
}

function checkEnvironmentKeys(source: YamlSource, allStacks: string[]): Problem[] {
  const raw = source.value;
  if (!isMapping(raw) || !isMapping(raw.environments)) return [];
  const problems: Problem[] = [];
  for (const [stack, override] of Object.entries(raw.environments)) {
    if (!allStacks.includes(stack)) {
      problems.push({
        file: source.file,
        ...locate(source, ["environments", stack], true),
        field: `environments.${stack}`,
        severity: "error",
        message: `no stack named "${stack}"${didYouMean(stack, allStacks)}; stacks are ${allStacks.join(", ")}`,
      });
    }
    if (isMapping(override)) {
      for (const key of NOT_PER_STACK.filter((k) => k in override)) {
        problems.push({
          file: source.file,
          ...locate(source, ["environments", stack, key], true),
          field: `environments.${stack}.${key}`,
          severity: "error",
          message: `${key} is the same in every stack and cannot be overridden`,
        });
      }
    }
  }
  return problems;
}

function loadForStack(source: YamlSource, file: string, stack: string, platform: PlatformConfig, projectDir: string, serviceNames: readonly string[]): { service?: LoadedService; problems: Problem[] } {
  const raw = source.value;
  if (!isMapping(raw)) {
    return { problems: [{ file: source.file, ...locate(source, []), field: "", severity: "error", message: "a service file must be a mapping of fields (name, kind, ...)" }] };
  }
  const { environments, ...base } = raw;
  // A PR preview is a copy of its base stack, so it deploys what the base's overrides say.
  const overrideStack = platform.baseStack ?? stack;
  const override = isMapping(environments) && isMapping(environments[overrideStack]) ? environments[overrideStack] : {};
  const cleanOverride = Object.fromEntries(Object.entries(override).filter(([k]) => !NOT_PER_STACK.includes(k)));
  const effective = { ...mergeOverrides(base, cleanOverride), ...(environments !== undefined ? { environments } : {}) };

  // A field set by this stack's override is reported where the override sets it.
  const where = (p: PathKey[], atKey = false): { line: number; column: number; field: string } => {
    for (let n = p.length; n > 0; n--) {
      if (hasPath(cleanOverride, p.slice(0, n))) {
        return { ...locate(source, ["environments", overrideStack, ...p], atKey), field: fieldPath(["environments", overrideStack, ...p]) };
      }
    }
    return { ...locate(source, p, atKey), field: fieldPath(p) };
  };
  const problem = (p: PathKey[], message: string, severity: "error" | "warning" = "error", atKey = false): Problem => ({
    file: source.file,
    ...where(p, atKey),
    severity,
    message,
    stacks: [stack],
  });

  const keysAt = (p: PathKey[]) => (p.length === 0 ? knownKeys((effective as Record<string, unknown>).kind) : keysAtPath(serviceFile, p));
  const { spec, issues, dropped } = parseLeniently(effective, keysAt);
  const kind = (effective as Record<string, unknown>).kind;
  const problems = issues.map((i) => problem(i.path, (i.atKey && i.path.length === 1 && otherKindField(kind, String(i.path[0]))) || i.message, "error", i.atKey));
  if (!spec) return { problems };
  // Rules still run when some fields were invalid, so one pass reports everything; findings about a dropped
  // field would describe its default rather than what the user wrote, so they are left out.
  const touchesDropped = (p: PathKey[]) => dropped.some((d) => related(d, p));
  problems.push(
    ...checkRules(spec, { stack, platform, serviceNames })
      .filter((i) => !touchesDropped(i.path))
      .map((i) => problem(i.path, i.message, i.severity, i.atKey)),
  );

  const dir = path.dirname(file);
  const sourceDir = path.resolve(dir, spec.source);
  const outside = outsideRepository(sourceDir, projectDir);
  if (outside) problems.push(problem(["source"], `source "${spec.source}" ${outside}`));
  else if (!fs.existsSync(sourceDir) || !fs.statSync(sourceDir).isDirectory()) {
    problems.push(problem(["source"], `source folder "${spec.source}" does not exist`));
  }
  const context = spec.build?.context;
  const contextOutside = context !== undefined && !path.isAbsolute(context) ? outsideRepository(path.resolve(dir, context), projectDir) : undefined;
  if (contextOutside) problems.push(problem(["build", "context"], `build.context "${context}" ${contextOutside}`));
  if (problems.some((p) => p.severity === "error")) return { problems };
  return { service: { stack, file: source.file, dir, sourceDir, spec }, problems };
}

/**
 * Why a folder a build uploads may not be used, or undefined when it may: it must lie inside the repository (the
 * project folder), and must not hold the project's own .gantry folder (state, logs, caches). Symbolic links are
 * followed where the folder exists, so a link out of the checkout counts as out.
 */
function outsideRepository(folder: string, projectDir: string): string | undefined {
  const root = realOrSelf(projectDir);
  const target = realOrSelf(folder);
  if (!isInside(root, target)) return "is outside the repository; a build may upload only folders of this checkout";
  const rel = path.relative(root, target);
  if (rel === "" || rel.split(path.sep)[0] === ".gantry") return "holds the project's .gantry folder (Pulumi state, build logs, caches), which a build would upload; point it at the service's own folder";
  return undefined;
}

/**
 * Parses a service; when fields are invalid, reports them and parses again without them so the remaining
 * fields can still be checked by the rules. The spec is undefined only when nothing sensible is left (no kind).
 */
function parseLeniently(input: Record<string, unknown>, keysAt: (p: PathKey[]) => string[]): { spec?: ServiceFile; issues: FieldIssue[]; dropped: PathKey[][] } {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  const dropped: PathKey[][] = [];
  let current = structuredClone(input);
  for (let attempt = 0; attempt < 5; attempt++) {
    const parsed = serviceFile.safeParse(current, { reportInput: true });
    if (parsed.success) return { spec: parsed.data, issues, dropped };
    // A secret reference may be the secret itself, typed in by mistake: never quoted back (its version may be).
    const found = explainIssues(parsed.error.issues, keysAt, (p) => p[0] === "secrets" && p[p.length - 1] !== "version");
    for (const f of found) {
      const key = `${f.path.join("\u0000")}\u0001${f.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      issues.push(f);
    }
    const removable = found.filter((f) => f.path.length > 0 && f.path[0] !== "kind" && f.path[0] !== "name");
    if (removable.length !== found.length) return { issues, dropped };
    for (const f of removable) {
      deletePath(current, f.path);
      dropped.push(f.path);
    }
  }
  return { issues, dropped };
}

// Which findings speak of a field's value when it is dropped (they would describe its default instead).
const READ_BY: Readonly<Record<string, readonly string[]>> = {
  cpu: ["memory", "executionEnvironment", "concurrency", "cpuIdle"],
  memory: ["cpu", "executionEnvironment"],
  executionEnvironment: ["memory", "cpu", "concurrency"],
  minInstances: ["maxInstances"],
  maxInstances: ["minInstances"],
  tasks: ["parallelism"],
  replicas: ["autoscaling"],
  autoscaling: ["replicas"],
};

function related(dropped: PathKey[], issue: PathKey[]): boolean {
  const prefix = (a: PathKey[], b: PathKey[]) => a.every((k, i) => String(b[i]) === String(k));
  if (prefix(dropped, issue) || prefix(issue, dropped)) return true;
  return (READ_BY[String(dropped[0])] ?? []).includes(String(issue[0]));
}

function deletePath(target: Record<string, unknown>, p: PathKey[]): void {
  let cur: unknown = target;
  for (const key of p.slice(0, -1)) {
    if (!isMapping(cur)) return;
    cur = cur[String(key)];
  }
  if (isMapping(cur)) delete cur[String(p[p.length - 1])];
  else if (Array.isArray(cur)) cur.splice(Number(p[p.length - 1]), 1);
}

function duplicateNames(list: LoadedService[], stack: string, sources: Map<string, YamlSource>): Problem[] {
  const first = new Map<string, LoadedService>();
  const problems: Problem[] = [];
  for (const s of list) {
    const seen = first.get(s.spec.name);
    if (!seen) {
      first.set(s.spec.name, s);
      continue;
    }
    const source = sources.get(s.file);
    const at = source ? locate(source, ["name"]) : { line: 1, column: 1 };
    problems.push({ file: s.file, ...at, field: "name", severity: "error", stacks: [stack], message: `service "${s.spec.name}" is already declared in ${seen.file}` });
  }
  return problems;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
