import { planChange, type PackImageInputs } from "../components/pack/provider";
import type { LastDeployment } from "./last-deployment";

/** What one image would go through, in the words a PR comment uses. */
export interface BuildDecision {
  action: "build" | "rebase" | "unchanged";
  /** The PackImage properties that decide it (planChange's reasons), or "first build" / "fingerprint". */
  reasons: string[];
  why: string;
  /** The image that keeps running when nothing is built. */
  image?: string;
}

const WORDS: Record<string, string> = {
  source: "source changed",
  builder: "builder changed",
  env: "build env changed",
  secretEnv: "secret build env names changed",
  projectToml: "build settings in service.yaml changed",
  defaultProcess: "default process changed",
  fingerprint: "source or build settings changed",
  repository: "image repository changed",
  runImage: "run image changed",
};

/**
 * The provider's own decision (planChange, as its diff makes it) against the last deployment: from state, the
 * PackImage's last inputs; from stack outputs only, the fingerprint (a digest of exactly the build triggers)
 * and the run image.
 */
export function decideBuild(name: string, news: PackImageInputs, last: LastDeployment | undefined): BuildDecision {
  const olds = last?.packImages[name];
  if (olds) return fromChange(planChange(olds, news), olds.imageRef, olds.runImage, news);

  const out = last?.services?.[name];
  const deployed = isRecord(out) && typeof out.image === "string" ? out : undefined;
  if (!deployed) return { action: "build", reasons: ["first build"], why: "first build: no previous deployment on record" };
  const image = deployed.image as string;
  if (image.slice(0, image.indexOf("@")) !== news.repository) return fromChange({ action: "replace", reasons: ["repository"] }, image, undefined, news);
  if (deployed.fingerprint !== news.fingerprint) return fromChange({ action: "build", reasons: ["fingerprint"] }, image, undefined, news);
  // Same build triggers: only the run image can still differ, which planChange turns into a rebase.
  const oldRunImage = typeof deployed.runImage === "string" ? deployed.runImage : news.runImage;
  return fromChange(planChange({ ...news, runImage: oldRunImage }, news), image, oldRunImage, news);
}

/**
 * A build the plan cannot rule out, for a stack whose last deployment is in a backend it cannot read: not a
 * first build, since that deployment may well exist.
 */
export function unreadBuild(looked: string): BuildDecision {
  return { action: "build", reasons: ["unknown"], why: `not known: the last deployment was not read (${looked})` };
}

/**
 * A Dockerfile build (docker-build's Image): its tag is derived from everything that makes up the build
 * (components/docker/image.ts), so the same tags as last time means docker-build has nothing to do.
 */
export function decideDockerBuild(name: string, tags: unknown, last: LastDeployment | undefined): BuildDecision {
  const olds = last?.dockerImages[name];
  if (olds) {
    if (JSON.stringify(olds.tags) === JSON.stringify(tags)) return { action: "unchanged", reasons: [], why: "unchanged since the last deployment (same content tag)", ...(olds.image ? { image: olds.image } : {}) };
    return { action: "build", reasons: ["tags"], why: `Dockerfile build inputs changed (${tagsText(olds.tags)} -> ${tagsText(tags)})` };
  }
  if (isRecord(last?.services?.[name])) return { action: "build", reasons: ["unknown"], why: "built from its Dockerfile; whether it changed needs the stack's state (`pulumi stack export`, or a file backend)" };
  return { action: "build", reasons: ["first build"], why: "first build: no previous deployment on record" };
}

function tagsText(tags: unknown): string {
  return Array.isArray(tags) ? tags.map((t) => String(t).slice(String(t).lastIndexOf(":") + 1)).join(", ") : "?";
}

function fromChange(change: ReturnType<typeof planChange>, image: string | undefined, oldRunImage: string | undefined, news: PackImageInputs): BuildDecision {
  switch (change.action) {
    case "none":
      return { action: "unchanged", reasons: [], why: "unchanged since the last deployment", ...(image ? { image } : {}) };
    case "rebase":
      return { action: "rebase", reasons: change.reasons, why: `run image changed (${shortDigest(oldRunImage)} -> ${shortDigest(news.runImage)}): the app layers are kept` };
    case "replace":
    case "build":
      return { action: "build", reasons: change.reasons, why: change.reasons.map((r) => WORDS[r] ?? `${r} changed`).join(", ") };
  }
}

/** An image reference with its digest cut to 12 hex characters, for reading. */
export function shortDigest(ref: string | undefined): string {
  if (!ref) return "?";
  return ref.replace(/(sha256:[0-9a-f]{12})[0-9a-f]{52}/, "$1");
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
