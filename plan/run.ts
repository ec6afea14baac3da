import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { hasErrors, loadCatalog, type Catalog, type LoadedService } from "../catalog/load";
import type { PlatformConfig } from "../catalog/schema/platform";
import { trafficFor, type TrafficPhase } from "../components/service/rollout";
import { parseReleases, stableRelease, type ReleaseHistory } from "../environments/releases";
import { sortProblems, type Problem } from "../catalog/problems";
import { deployedName } from "../environments/naming";
import { parseStackRef, projectName, promotedImage, registryUrl, stackConfigLocation } from "../environments/promotion";
import { stackChecks } from "../infra/checks";
import { launchCommands } from "../preflight/catalog";
import { runStack } from "../infra/program";
import { migrationSummary, type MigrationSummary } from "../migrate";
import type { BuildDecision } from "./decide";
import { keyInputs } from "./key-inputs";
import { backendUrl } from "../environments/backend";
import { lastDeployment, readDeploymentFile, type LastDeployment, type Lookup } from "./last-deployment";
import { installPlanMocks, settle } from "./mocks";
import { countActions, diffResources, type ResourceChange } from "./diff";
import { removedServices, type RemovedService } from "./removed";
import { findRisks, type Risk } from "./risk";

export interface PlanOptions {
  stack: string;
  /** Folder holding Pulumi.yaml; default the working directory. */
  projectDir?: string;
  /** Catalog folder, relative to the project; default "services". */
  servicesDir?: string;
  /** `pulumi stack output --json` or `pulumi stack export` of the stack's last deployment. */
  outputsFile?: string;
  /** The same for the stack a promoting stack promotes from. */
  sourceOutputsFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Paths in problems are shown relative to this folder. */
  cwd?: string;
  /** Told what the plan is doing, step by step, for a terminal to show. */
  progress?: (step: string) => void;
}

export interface ServicePlan {
  name: string;
  kind: string;
  /** The name it deploys under in this stack (suffixed in a preview). */
  deployedAs: string;
  action: BuildDecision["action"] | "promoted" | "pinned";
  reasons: string[];
  why: string;
  /** The image it will run, when already known (unchanged, promoted or pinned). */
  image?: string;
  /** The command a buildpacks image built now starts, as the preflight predicts it. */
  launch?: string;
  /** The same as recorded by the last deployment (its `services` output), when it recorded one. */
  lastLaunch?: string;
  /** A pinned rollback: the reason written with the pin. */
  pinned?: { image: string; reason?: string };
  /** A Cloud Run canary: how this deploy splits the traffic. */
  traffic?: { percent: number; phase: TrafficPhase; note: string };
}

export interface PlannedResource {
  type: string;
  name: string;
  /** Read from elsewhere (another stack's outputs or repository) rather than created. */
  read: boolean;
  custom: boolean;
  inputs: Record<string, string>;
}

export interface Plan {
  stack: string;
  /** The GCP project and region, when the stack config is valid. */
  gcpProject?: string;
  region?: string;
  promotedFrom?: string;
  /** Where the last deployment was looked for and whether one was found. */
  lastDeployment: { found: boolean; from: string };
  /** A promoting stack's source deployment, likewise. */
  source?: { found: boolean; from: string };
  services: ServicePlan[];
  summary: { builds: number; rebases: number; unchanged: number; promoted: number; pinned: number };
  resources: PlannedResource[];
  /** Build preflight findings (none for a promoting stack, which builds nothing). */
  preflight: Problem[];
  /** Catalog, stack config and promotion problems. */
  problems: Problem[];
  /** false when anything stops a deploy: then there are no services or resources. */
  ok: boolean;
  /** How many services build with buildpacks, how many still from a Dockerfile, and which of those can drop it. */
  migration?: MigrationSummary;
  /**
   * What the resource diff compares against: the last deployment's state, nothing (a first deployment: all
   * creates), or stack outputs alone, which hold no resources (then there is no resource diff). "not-read": the
   * state is in a backend the plan cannot read without credentials; no resource diff either, since calling every
   * resource new would hide every deletion.
   */
  diffBasis: "state" | "first-deployment" | "outputs-only" | "not-read";
  /** Every resource the program declares or the last deployment had, with what a deploy would do to it. */
  changes: ResourceChange[];
  counts: Record<Exclude<ResourceChange["action"], "read">, number>;
  /** What a reviewer must not miss, most serious first. */
  risks: Risk[];
  /** Services in the last deployment that the catalog no longer declares, and what deleting them takes along. */
  removedServices: RemovedService[];
}


/** Runs the stack's real program under Pulumi's mock runtime and says what a deploy would do. */
export async function makePlan(opts: PlanOptions): Promise<Plan> {
  const projectDir = path.resolve(opts.projectDir ?? process.cwd());
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  const { stack } = opts;
  const project = projectName(projectDir) ?? "gantry";
  const progress = opts.progress ?? (() => {});
  progress(`loading the catalog (${opts.servicesDir ?? "services"}) and Pulumi.${stack}.yaml`);
  const catalog = loadCatalog({ projectDir, servicesDir: opts.servicesDir, stacks: [stack], cwd });
  const platform = catalog.platforms[stack];
  progress(`checking ${catalog.services[stack]?.length ?? 0} services: cloud rules and build preflight`);
  const { problems, preflight } = stackChecks(catalog, projectDir, cwd);

  progress("reading the last deployment");
  const backend = backendUrl(projectDir, env);
  const last: Lookup = opts.outputsFile ? { found: readDeploymentFile(opts.outputsFile), looked: opts.outputsFile } : lastDeployment(backend, project, stack, cwd);
  const declaredNames = new Set((catalog.services[stack] ?? []).map((s) => s.spec.name));
  const base: Plan = {
    stack,
    ...(platform ? { gcpProject: platform.project, region: platform.region } : {}),
    ...(platform?.promoteFrom ? { promotedFrom: platform.promoteFrom } : {}),
    lastDeployment: { found: last.found !== undefined, from: last.found?.from ?? last.looked },
    services: [],
    summary: { builds: 0, rebases: 0, unchanged: 0, promoted: 0, pinned: 0 },
    resources: [],
    preflight,
    problems,
    ok: false,
    ...(platform ? { migration: migrationSummary(catalog, stack, cwd) } : {}),
    diffBasis: !last.found ? ("unreadable" in last && last.unreadable ? "not-read" : "first-deployment") : last.found.resources.length > 0 ? "state" : "outputs-only",
    changes: [],
    counts: { create: 0, update: 0, replace: 0, delete: 0, same: 0 },
    risks: [],
    // Known even when nothing can be planned: what the catalog as loaded no longer declares.
    removedServices: removedServices(last.found?.resources ?? [], declaredNames, [...problems, ...preflight]),
  };
  if (!platform || hasErrors(problems) || hasErrors(preflight)) return base;

  let source: Lookup | undefined;
  if (platform.promoteFrom) {
    source = sourceDeployment(platform.promoteFrom, project, backend, opts.sourceOutputsFile, cwd);
    base.source = { found: source.found !== undefined, from: source.found?.from ?? source.looked };
    const missing = missingPromotions(catalog.services[stack]!.map((s) => s.spec.name), source.found, { projectDir, stack, cwd, registryUrl: registryUrl(platform), source: platform.promoteFrom });
    if (missing.length > 0) return { ...base, problems: sortProblems([...problems, ...missing]) };
  }

  const recorder = await installPlanMocks({
    project,
    stack,
    onRegistration: (n) => progress(`evaluating the program under the mock runtime: ${n} resources`),
    ...(last.found ? { last: last.found } : {}),
    ...(base.diffBasis === "not-read" ? { unread: last.looked } : {}),
    ...(platform.promoteFrom ? { source: { name: platform.promoteFrom, ...(source?.found?.services ? { services: source.found.services } : {}), ...(source?.found?.releases ? { releases: source.found.releases } : {}) } } : {}),
  });
  // Most of the program's time at fleet size passes before its first registration (each service's fingerprint,
  // every resource declared), so this is said before it starts, not left to the registration count.
  progress(`evaluating the program: fingerprinting ${catalog.services[stack]!.length} services, declaring their resources`);
  await evaluateStack({ stack, projectDir, servicesDir: opts.servicesDir, catalog });

  const launches = launchCommands(catalog)[stack] ?? {};
  const recorded = (name: string): string | undefined => {
    const entry = last.found?.services?.[name];
    const launch = entry !== null && typeof entry === "object" ? (entry as Record<string, unknown>)["launch"] : undefined;
    return typeof launch === "string" ? launch : undefined;
  };
  const launchOf = (name: string) => {
    const now = launches[name] ?? undefined;
    const before = recorded(name);
    return { ...(now !== undefined ? { launch: now } : {}), ...(before !== undefined ? { lastLaunch: before } : {}) };
  };
  const history = parseReleases(last.found?.releases);
  const services: ServicePlan[] = catalog.services[stack]!.map((s) => {
    const { name, kind } = s.spec;
    const deployedAs = deployedName(name, platform.nameSuffix);
    const pin = platform.pins[name];
    const split = (image: string | undefined) => plannedTraffic(s, platform, history, image, pin !== undefined);
    if (pin) {
      const why = `pinned in Pulumi.${stack}.yaml (gantry:pins): deploys this earlier release without building${pin.reason ? ` (${pin.reason})` : ""}`;
      return { name, kind, deployedAs, action: "pinned", reasons: [], why, image: pin.image, pinned: pin, ...split(pin.image) };
    }
    if (platform.promoteFrom) {
      const promoted = source?.found?.services ? promotedImage(source.found.services, name, { stack, source: platform.promoteFrom, registryUrl: registryUrl(platform), promotePins: platform.promotePins }, source.found.releases) : undefined;
      const image = promoted?.image;
      const pinNote = promoted?.passedOverPin ? `; its pin ${promoted.passedOverPin} is passed over (gantry:promotePins is off)` : promoted?.promotedPin ? "; a pinned rollback there, promoted as gantry:promotePins asks" : "";
      const why = image ? `promoted from ${platform.promoteFrom}${pinNote}` : `promoted from ${platform.promoteFrom}: whatever it runs at deploy time (no deployment of it on record here)`;
      return { name, kind, deployedAs, action: "promoted", reasons: [], why, ...(image ? { image } : {}), ...split(image) };
    }
    // An image kind the plan cannot follow yet is a build it cannot rule out.
    const decision = recorder.builds.get(name) ?? { action: "build" as const, reasons: ["unknown"], why: "its image is built by a resource the plan does not follow" };
    return { name, kind, deployedAs, action: decision.action, reasons: decision.reasons, why: decision.why, ...(decision.image ? { image: decision.image } : {}), ...launchOf(name), ...split(decision.image) };
  });
  const count = (a: ServicePlan["action"]) => services.filter((s) => s.action === a).length;
  progress("comparing with the last deployment");
  const diffed = base.diffBasis === "outputs-only" || base.diffBasis === "not-read" ? [] : diffResources(recorder.resources, last.found?.resources ?? []);
  const changes = diffed.map((d) => d.change);
  const resources = recorder.resources
    .map((r) => ({ type: r.type, name: r.name, read: r.read, custom: r.custom, inputs: keyInputs(r.type, r.inputs) }))
    .sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
  return {
    ...base,
    services,
    summary: { builds: count("build"), rebases: count("rebase"), unchanged: count("unchanged"), promoted: count("promoted"), pinned: count("pinned") },
    resources,
    ok: true,
    changes,
    counts: countActions(changes),
    risks: findRisks(
      diffed,
      services.map((s) => ({ service: s.name, ...(s.launch !== undefined ? { now: s.launch } : {}), ...(s.lastLaunch !== undefined ? { last: s.lastLaunch } : {}) })),
    ),
  };
}


/**
 * How a canary service's traffic is split by this deploy, decided as the program decides it (trafficFor): a
 * build's digest is not known yet, but it is a new release, so it differs from the one serving.
 */
function plannedTraffic(s: LoadedService, platform: PlatformConfig, history: ReleaseHistory, image: string | undefined, pinned: boolean): { traffic: NonNullable<ServicePlan["traffic"]> } | Record<string, never> {
  if (s.spec.kind !== "service" || s.spec.rollout?.strategy !== "canary") return {};
  const stable = stableRelease(history[s.spec.name] ?? []);
  const state = platform.rollouts[s.spec.name];
  const t = trafficFor({
    rollout: s.spec.rollout,
    digest: image ? image.slice(image.indexOf("@") + 1) : "sha256:(new build)",
    ...(stable ? { stable: { digest: stable.digest, ...(stable.revision ? { revision: stable.revision } : {}) } } : {}),
    ...(state ? { state } : {}),
    pinned,
  });
  return { traffic: { percent: t.percent, phase: t.phase, note: t.note } };
}

/** The source stack's last deployment: a file given, or the same file backend when the stack is this project's. */
function sourceDeployment(ref: string, project: string, backend: string, file: string | undefined, cwd: string): Lookup {
  if (file) return { found: readDeploymentFile(file), looked: file };
  const { project: sourceProject, stack } = parseStackRef(ref);
  if (sourceProject !== project) return { found: undefined, looked: `${ref} is another project's stack; pass --source-outputs` };
  return lastDeployment(backend, sourceProject, stack, cwd);
}

/** Services the source stack's outputs do not have (or has outside this stack's registry), as located problems. */
function missingPromotions(names: string[], source: LastDeployment | undefined, ctx: { projectDir: string; stack: string; cwd: string; registryUrl: string; source: string }): Problem[] {
  if (!source?.services) return [];
  const where = stackConfigLocation(ctx.projectDir, ctx.stack, ["gantry:promoteFrom"], ctx.cwd);
  const problems: Problem[] = [];
  for (const name of names) {
    try {
      promotedImage(source.services, name, { stack: ctx.stack, source: ctx.source, registryUrl: ctx.registryUrl });
    } catch (err) {
      problems.push({ ...where, field: "gantry:promoteFrom", severity: "error", message: err instanceof Error ? err.message : String(err) });
    }
  }
  return problems;
}

/**
 * Runs the program and waits for every registration. An error the program raises on the way (a RunError is a
 * user's mistake) fails the plan with its message, never a stack trace.
 */
const STALL_SECONDS = 120;

/**
 * The stack's program as `pulumi up` runs it (deploy or build stage), under the mock runtime already installed:
 * what it declares is recorded, nothing is built or pushed. `tags` are the ones infra/index.ts would add.
 */
export async function evaluateStack(opts: { stack: string; projectDir: string; servicesDir?: string; catalog: Catalog; tags?: string[] }): Promise<void> {
  const gantryDir = path.join(opts.projectDir, ".gantry");
  await runProgram(() => {
    runStack({
      stack: opts.stack,
      projectDir: opts.projectDir,
      servicesDir: opts.servicesDir,
      catalog: opts.catalog,
      // Nothing is pushed under the mock runtime, so a Dockerfile build needs no registry token either.
      build: { ...(opts.tags ? { tags: opts.tags } : {}), logDir: path.join(gantryDir, "logs"), statCacheDir: path.join(gantryDir, "cache", "fingerprints"), registryToken: () => Promise.resolve("gantry-mock-runtime-pushes-nothing") },
    });
  });
}

export async function runProgram(program: () => void): Promise<void> {
  const failures: unknown[] = [];
  let failed: () => void = () => {};
  // A registration whose inputs fail never completes, so the first failure ends the wait, as it ends an up.
  const firstFailure = new Promise<void>((resolve) => (failed = resolve));
  const onRejection = (reason: unknown) => {
    failures.push(reason);
    failed();
  };
  process.on("unhandledRejection", onRejection);
  let timer: NodeJS.Timeout | undefined;
  try {
    program();
    // A registration that never completes would otherwise let the process exit silently, plan unprinted.
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the program did not finish under the mock runtime within ${STALL_SECONDS}s`)), STALL_SECONDS * 1000);
    });
    await Promise.race([settle(), stalled, firstFailure]);
  } finally {
    clearTimeout(timer);
    process.off("unhandledRejection", onRejection);
  }
  if (failures.length > 0) {
    const err = failures[0];
    throw pulumi.RunError.isInstance(err as Error) ? err : new Error(`the program failed under the mock runtime: ${err instanceof Error ? err.message : String(err)}`);
  }
}
