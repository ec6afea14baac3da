import { buildRecords, type RecordLookup } from "../components/pack/build-record";
import { imageTag, planChange, realize, slotPriority, type PackImageInputs, type SlotPriority } from "../components/pack/provider";
import type { StackImage } from "./need";
import { assignShards, type Shard } from "./shard";

/*
 * `gantry build`: what a stack needs that the registry does not hold yet, decided the way PackImage decides it, and
 * carried out through the provider's own path (realize), outside `pulumi up`. Each image published here has its build
 * record, so the `pulumi up` that follows adopts it and builds nothing.
 */

export type BuildAction = "build" | "rebase" | "adopt" | "unchanged";

export interface ImageDecision {
  name: string;
  action: BuildAction;
  why: string;
  /** 0: the day's changes, built first; 1: fleet-wide work (builder or run image only). */
  priority: SlotPriority;
  /** The shard that owns this image (1-based), when sharded. */
  shard?: number;
}

export interface Selection {
  shard?: Shard;
  /** Only these services (declared names); the shard split is still over the whole stack. */
  only?: string[];
}

type Lookup = (inputs: PackImageInputs, tag: string) => Promise<RecordLookup>;

const WORDS: Record<string, string> = {
  "first build": "first build (no deployment on record)",
  source: "source changed",
  builder: "builder changed",
  env: "build env changed",
  secretEnv: "secret build env names changed",
  projectToml: "build settings changed",
  defaultProcess: "default process changed",
  repository: "repository changed",
  runImage: "run image changed",
};

/** The images this shard (and --service selection) owns, each with what it needs and why. */
export async function decideImages(images: readonly StackImage[], selection: Selection, lookup: Lookup = buildRecords().lookup): Promise<{ decisions: ImageDecision[]; otherShards: number }> {
  const shards = selection.shard ? assignShards(images.map((i) => ({ name: i.name, key: i.inputs.repository })), selection.shard.count) : undefined;
  const mine = images.filter((i) => !shards || shards.get(i.name) === selection.shard!.index);
  const chosen = selection.only ? mine.filter((i) => selection.only!.includes(i.name)) : mine;
  const decisions = await mapLimit(chosen, LOOKUPS_AT_ONCE, (i) => decideOne(i, lookup, shards?.get(i.name)));
  return { decisions, otherShards: images.length - mine.length };
}

// Registry lookups in flight at once: a 500-service stack must not open a thousand connections to the registry.
const LOOKUPS_AT_ONCE = 16;

/** `work` over every item, at most `limit` at a time, results in the items' order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function decideOne(image: StackImage, lookup: Lookup, shard: number | undefined): Promise<ImageDecision> {
  const { inputs, last } = image;
  const change = last ? planChange(last, inputs) : { action: "build" as const, reasons: ["first build"] };
  const priority = slotPriority(change.reasons);
  const base = { name: image.name, priority, ...(shard !== undefined ? { shard } : {}) };
  if (change.action === "none") return { ...base, action: "unchanged", why: "unchanged since the last deployment" };
  const found = await lookup(inputs, imageTag(inputs.fingerprint, inputs.runImage));
  const changed = change.reasons.map((r) => WORDS[r] ?? `${r} changed`).join(", ");
  if (found.adopt) return { ...base, action: "adopt", why: `${changed}; already in the registry: ${found.from}, ${found.record.operation || "built"} on ${found.record.builtOn || "?"}` };
  if (change.action === "rebase" && last?.imageRef) return { ...base, action: "rebase", why: `${changed}: the last image is rebased, its app layers kept (${found.reason})` };
  return { ...base, action: "build", why: `${changed} (${found.reason})` };
}

/** Order of work: the day's changes first, then the fleet; by name within each, so logs read the same every run. */
export function workOrder(decisions: readonly ImageDecision[]): ImageDecision[] {
  return decisions.filter((d) => d.action === "build" || d.action === "rebase").sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));
}

export interface ImageResult {
  name: string;
  outcome: "built" | "rebased" | "adopted" | "failed";
  digest?: string;
  error?: string;
  seconds: number;
}

/**
 * Carries out every build and rebase through the provider's realize (its pools: builds at gantry:maxParallelBuilds,
 * rebases at gantry:maxParallelRebases, the day's changes first). One failure fails the run, never the others:
 * whatever finishes is published with its record for the retry to adopt.
 */
export async function runBuilds(decisions: readonly ImageDecision[], images: readonly StackImage[], onResult: (r: ImageResult, done: number, total: number) => void = () => {}): Promise<ImageResult[]> {
  const byName = new Map(images.map((i) => [i.name, i]));
  const work = workOrder(decisions);
  let done = 0;
  return Promise.all(
    work.map(async (d) => {
      const image = byName.get(d.name)!;
      const started = performance.now();
      let result: ImageResult;
      try {
        const outs = await realize(image.inputs, image.last);
        const outcome = outs.lastOperation === "adopt" ? "adopted" : outs.lastOperation === "rebase" ? "rebased" : "built";
        result = { name: d.name, outcome, digest: outs.digest, seconds: (performance.now() - started) / 1000 };
      } catch (err) {
        result = { name: d.name, outcome: "failed", error: err instanceof Error ? err.message : String(err), seconds: (performance.now() - started) / 1000 };
      }
      onResult(result, ++done, work.length);
      return result;
    }),
  );
}

/** One line for the end of the run: what was done, what failed. */
export function summaryLine(decisions: readonly ImageDecision[], results: readonly ImageResult[], otherShards: number): string {
  const count = (o: ImageResult["outcome"]) => results.filter((r) => r.outcome === o).length;
  const parts = [`${count("built")} built`, `${count("rebased")} rebased`, `${count("adopted") + decisions.filter((d) => d.action === "adopt").length} already in the registry`, `${decisions.filter((d) => d.action === "unchanged").length} unchanged`];
  if (otherShards > 0) parts.push(`${otherShards} left to other shards`);
  const failed = results.filter((r) => r.outcome === "failed");
  if (failed.length > 0) parts.push(`${failed.length} FAILED (${failed.map((f) => f.name).join(", ")})`);
  return parts.join(", ");
}
