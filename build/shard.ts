import { createHash } from "node:crypto";

/*
 * `gantry build --shard K/N`: which shard builds which image. Every shard computes the same split on its own, from
 * the same commit and stack config, with no coordinator: so the split is over every image the stack declares (not
 * over what is still missing, which changes as other shards push), ordered by a hash of each image's key, then dealt
 * round-robin. Each image lands on exactly one shard and the shards differ by at most one image.
 *
 * The key is the image's repository (one per service), not its content: an image then keeps its shard across source
 * edits and builder bumps, and with the pipeline's fixed shard-to-slot mapping (Jenkinsfile) its build finds its own
 * last cache on that slot's disk. Keyed by content, a fleet rebuild would move nearly every service to another slot.
 */

export interface Shard {
  /** 1-based, as people count shards. */
  index: number;
  count: number;
}

/** Most shards a run may ask for: more than any agent pool, and a typo (4/400) shows as an error. */
export const MAX_SHARDS = 64;

/** `K/N` as typed on the command line, or the error that says what is wrong with it. */
export function parseShard(text: string): Shard | { error: string } {
  const m = /^(\d{1,3})\/(\d{1,3})$/.exec(text.trim());
  if (!m) return { error: `--shard "${text}": expected K/N, for example 2/4 (the second of four shards)` };
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) return { error: `--shard "${text}": the shard count must be 1 to ${MAX_SHARDS}` };
  if (index < 1 || index > count) return { error: `--shard "${text}": K must be 1 to ${count}` };
  return { index, count };
}

/** The shard (1-based) of every image, by service name; `key` is the image's repository. */
export function assignShards(images: ReadonlyArray<{ name: string; key: string }>, count: number): Map<string, number> {
  const order = images
    .map((i) => ({ name: i.name, h: createHash("sha256").update(i.key).digest("hex") }))
    .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return new Map(order.map((o, i) => [o.name, (i % count) + 1]));
}
