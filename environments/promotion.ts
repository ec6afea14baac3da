import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { displayPath } from "../catalog/display-path";
import { loadPlatform, stackFile } from "../catalog/platform";
import type { Problem } from "../catalog/problems";
import type { PlatformConfig } from "../catalog/schema/platform";
import { locate, parseYaml } from "../catalog/yaml-source";
import { ownsRegistry, registryProject, registryUrl } from "../components/registry/address";
import { latestPromotable, parseReleases } from "./releases";

export { ownsRegistry, registryProject, registryUrl };

/*
 * Build once, promote by digest. A stack with gantry:promoteFrom builds nothing: each service deploys the
 * image its source stack deployed, read from that stack's `services` output.
 *
 * Registries: a Service only deploys images from its stack's own registry path (imageRefProblem), the one its
 * runtimes are granted to pull from. A promoting stack therefore pulls from the registry its source pushes to,
 * named by gantry:registry.project (and repository); it owns no repository and grants its runtimes read
 * access there. When the two paths differ the promotion is refused with a message saying which setting makes
 * them equal. Copying images between registries was the alternative; it would need credentials for both
 * registries at every promotion and leave a second copy of each image to clean up, while a shared registry
 * keeps one copy and prod pulls the very manifest staging ran.
 */

export interface StackRef {
  org: string;
  project: string;
  stack: string;
}

export function parseStackRef(ref: string): StackRef {
  const [org, project, stack, ...rest] = ref.split("/");
  if (!org || !project || !stack || rest.length > 0) throw new Error(`"${ref}" is not <org>/<project>/<stack>`);
  return { org, project, stack };
}

/** What a promoting stack takes from its source for one service. */
export interface PromotedImage {
  image: string;
  digest: string;
  fingerprint?: string;
  runImage?: string;
  /**
   * The source runs a pinned rollback of this service, which the promotion passed over (gantry:promotePins is
   * off): the pinned image it did not take.
   */
  passedOverPin?: string;
  /** The source's pin was promoted as asked (gantry:promotePins: true). */
  promotedPin?: boolean;
}

export interface PromotionContext {
  /** The promoting stack. */
  stack: string;
  /** gantry:promoteFrom. */
  source: string;
  /** The promoting stack's registry path. */
  registryUrl: string;
  /** gantry:promotePins. */
  promotePins?: boolean;
}

/**
 * The image one service gets from the source stack's `services` output, or a RunError naming the service and
 * the source stack: a user's missing deployment, not a Gantry bug, so no stack trace.
 */
export function promotedImage(sourceServices: unknown, name: string, ctx: PromotionContext, sourceReleases?: unknown): PromotedImage {
  const { stack, source } = ctx;
  if (!isRecord(sourceServices)) {
    throw new pulumi.RunError(`stack ${stack} promotes from ${source}, which has no "services" output: deploy ${source} first (it builds the images ${stack} deploys)`);
  }
  const entry = sourceServices[name];
  if (!isRecord(entry) || typeof entry.image !== "string") {
    const has = Object.keys(sourceServices).sort();
    throw new pulumi.RunError(
      `service ${name} is not in the outputs of ${source}, which stack ${stack} promotes from (it has ${has.length > 0 ? has.join(", ") : "no services"}); deploy ${name} to ${source} first`,
    );
  }
  if (entry.pinned === true && !ctx.promotePins) return unpinnedRelease(entry.image, name, ctx, sourceReleases);
  const image = entry.image;
  if (!image.startsWith(`${ctx.registryUrl}/`)) {
    throw new pulumi.RunError(registryMismatch(stack, source, name, image, ctx.registryUrl));
  }
  return {
    image,
    digest: typeof entry.digest === "string" ? entry.digest : image.slice(image.indexOf("@") + 1),
    ...(typeof entry.fingerprint === "string" ? { fingerprint: entry.fingerprint } : {}),
    ...(typeof entry.runImage === "string" ? { runImage: entry.runImage } : {}),
    ...(entry.pinned === true ? { promotedPin: true } : {}),
  };
}

/**
 * A pin is the source stack's own emergency, not a release to promote: unless gantry:promotePins says so, the
 * promotion takes the source's newest release that is neither a pin nor an aborted canary.
 */
function unpinnedRelease(pinnedImage: string, name: string, ctx: PromotionContext, sourceReleases: unknown): PromotedImage {
  const found = latestPromotable(parseReleases(sourceReleases)[name] ?? []);
  if (!found) {
    throw new pulumi.RunError(
      `${ctx.source} runs ${name} pinned to ${pinnedImage} (a rollback), and its release history has no unpinned release of ${name} to promote instead; set gantry:promotePins: true in Pulumi.${ctx.stack}.yaml to promote the pin, or unpin ${name} in ${ctx.source} and deploy it`,
    );
  }
  if (!found.image.startsWith(`${ctx.registryUrl}/`)) throw new pulumi.RunError(registryMismatch(ctx.stack, ctx.source, name, found.image, ctx.registryUrl));
  return { image: found.image, digest: found.digest, ...(found.fingerprint ? { fingerprint: found.fingerprint } : {}), passedOverPin: pinnedImage };
}

function registryMismatch(stack: string, source: string, name: string, image: string, url: string): string {
  const m = /^[a-z0-9-]+-docker\.pkg\.dev\/([^/]+)\/([^/]+)\//.exec(image);
  const fix = m ? `set gantry:registry.project: ${m[1]} and gantry:registry.repository: ${m[2]} in Pulumi.${stack}.yaml` : `make gantry:registry in Pulumi.${stack}.yaml name the registry ${source} pushes to`;
  return `${source} deployed ${name} as ${image}, outside ${stack}'s registry ${url}; promotion moves digests, not images, so ${stack} must pull from the registry ${source} pushes to: ${fix}`;
}

/**
 * Promotion settings that cannot work, found before anything runs: another project's registry without
 * promotion (a build would push where the stack owns nothing), a stack promoting from itself, and a source
 * stack of this project whose registry differs (read from its Pulumi.<stack>.yaml).
 */
export function promotionProblems(projectDir: string, stack: string, platform: PlatformConfig, cwd = process.cwd()): Problem[] {
  const at = (...p: string[]) => stackConfigLocation(projectDir, stack, p, cwd);
  const problem = (field: string, where: { file: string; line: number; column: number }, message: string): Problem => ({ ...where, field, severity: "error", message });

  if (!platform.promoteFrom) {
    return ownsRegistry(platform)
      ? []
      : [problem("gantry:registry.project", at("gantry:registry", "project"), `only a stack that promotes (gantry:promoteFrom) may use another project's registry; stack ${stack} builds, and pushes to a repository it owns in ${platform.project}`)];
  }
  const ref = parseStackRef(platform.promoteFrom);
  const where = at("gantry:promoteFrom");
  const project = projectName(projectDir);
  if (project !== undefined && ref.project === project && ref.stack === stack) {
    return [problem("gantry:promoteFrom", where, `stack ${stack} cannot promote from itself`)];
  }
  if (project === undefined || ref.project !== project || !fs.existsSync(stackFile(projectDir, ref.stack))) return [];
  const source = loadPlatform(projectDir, ref.stack, cwd).config;
  if (!source || registryUrl(source) === registryUrl(platform)) return [];
  return [
    problem(
      "gantry:promoteFrom",
      where,
      `stack ${stack} promotes from ${platform.promoteFrom}, whose images are in ${registryUrl(source)}, but ${stack} pulls from ${registryUrl(platform)}; set gantry:registry.project: ${registryProject(source)}${source.registry.repository !== platform.registry.repository ? ` and gantry:registry.repository: ${source.registry.repository}` : ""}${source.region !== platform.region ? ` (the registry's region ${source.region} differs too)` : ""}`,
    ),
  ];
}

/** Where a key of Pulumi.<stack>.yaml's config is written (or its nearest ancestor), for a located problem. */
export function stackConfigLocation(projectDir: string, stack: string, keyPath: string[], cwd = process.cwd(), atKey = false): { file: string; line: number; column: number } {
  const file = stackFile(projectDir, stack);
  const shown = displayPath(file, cwd);
  const parsed = fs.existsSync(file) ? parseYaml(shown, fs.readFileSync(file, "utf8")) : undefined;
  return { file: shown, ...(parsed?.ok ? locate(parsed.source, ["config", ...keyPath], atKey) : { line: 1, column: 1 }) };
}

/** name: in Pulumi.yaml, the project a fully qualified stack name must carry to be one of ours. */
export function projectName(projectDir: string): string | undefined {
  for (const f of ["Pulumi.yaml", "Pulumi.yml"]) {
    const file = path.join(projectDir, f);
    if (!fs.existsSync(file)) continue;
    return /^name:\s*["']?([^"'\s#]+)/m.exec(fs.readFileSync(file, "utf8"))?.[1];
  }
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
