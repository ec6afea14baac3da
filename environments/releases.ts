import { z } from "zod";

/*
 * The release history of a stack: per service, what each `pulumi up` deployed, newest last, bounded by
 * gantry:releaseHistory. It is the stack's `releases` output, so it lives in the state the stack already has
 * and needs no store of its own (the program reads its previous value back through a StackReference to its
 * own stack). Rollback, `gantry history` and the canary's "previous revision" all read it.
 *
 * An up that deploys the digest the newest entry already holds updates that entry (its revision and traffic
 * share) rather than adding one, so a config-only change or an unchanged up does not push real releases out.
 */

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export const release = z.object({
  digest: z.string().regex(DIGEST),
  image: z.string(),
  fingerprint: z.string().optional(),
  /** The commit CI deployed from (GIT_COMMIT or GITHUB_SHA), when known. */
  commit: z.string().optional(),
  /** ISO 8601, when this digest was first deployed in this run of entries. */
  deployedAt: z.string(),
  /** Deployed from gantry:pins (a rollback), not built or promoted. */
  pinned: z.boolean().optional(),
  /** The Cloud Run revision serving it (short name), for a later canary to split traffic with. */
  revision: z.string().optional(),
  /** The new revision's share of the traffic after that up, for a canary; absent means all of it. */
  traffic: z.number().int().min(0).max(100).optional(),
  /** A canary aborted with `gantry rollout abort`: it never served all traffic. */
  aborted: z.boolean().optional(),
});

export type Release = z.output<typeof release>;
export type ReleaseHistory = Record<string, Release[]>;

/**
 * The `releases` output as read back from state. Entries that do not parse are left out: the output is
 * Gantry's own, and an entry an older Gantry wrote differently must not stop a deploy or a rollback.
 */
export function parseReleases(value: unknown): ReleaseHistory {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
  const out: ReleaseHistory = {};
  for (const [name, entries] of Object.entries(value)) {
    if (!Array.isArray(entries)) continue;
    out[name] = entries.flatMap((e) => {
      const r = release.safeParse(e);
      return r.success ? [r.data] : [];
    });
  }
  return out;
}

/** What this up deploys for one service. */
export type CurrentRelease = Omit<Release, "deployedAt">;

/** The history with this up's release recorded, the oldest entries dropped beyond `limit`. */
export function recordRelease(history: readonly Release[], current: CurrentRelease, deployedAt: string, limit: number): Release[] {
  const last = history[history.length - 1];
  const entry: Release = dropUndefined({ ...current, deployedAt });
  const next =
    last && last.digest === current.digest
      ? // The same release, seen again: keep when it first went out and what it was built from, follow its traffic.
        [...history.slice(0, -1), dropUndefined({ ...entry, deployedAt: last.deployedAt, fingerprint: last.fingerprint ?? current.fingerprint, commit: last.commit ?? current.commit })]
      : [...history, entry];
  return next.slice(Math.max(0, next.length - limit));
}

/** A release that took all of the traffic: not a canary still in progress, not an aborted one. */
export function servedAll(r: Release): boolean {
  return !r.aborted && (r.traffic === undefined || r.traffic === 100);
}

/** The newest release that served all traffic: what a canary splits with, and what an abort returns to. */
export function stableRelease(history: readonly Release[]): Release | undefined {
  return [...history].reverse().find(servedAll);
}

/**
 * `gantry rollback --previous`: the newest release that served all traffic with a digest other than the one
 * deployed now. Undefined when there is none.
 */
export function previousRelease(history: readonly Release[]): Release | undefined {
  const current = history[history.length - 1];
  if (!current) return undefined;
  return [...history].reverse().find((r) => r.digest !== current.digest && servedAll(r));
}

/**
 * The release a digest names: the full sha256:<64 hex>, or a unique prefix of at least 12 hex digits (as
 * `gantry history` prints them), with or without "sha256:". Newest first, so a digest deployed twice resolves
 * to its latest entry.
 */
export function findRelease(history: readonly Release[], digest: string): { release: Release } | { error: string } {
  const hex = digest.replace(/^sha256:/, "");
  if (!/^[a-f0-9]{12,64}$/.test(hex)) return { error: `"${digest}" is not a digest: give sha256:<hex>, at least 12 hex digits of it` };
  const matches = [...history].reverse().filter((r) => r.digest.slice("sha256:".length).startsWith(hex));
  const distinct = new Set(matches.map((r) => r.digest));
  if (distinct.size > 1) return { error: `"${digest}" matches ${distinct.size} releases (${[...distinct].map((d) => d.slice(0, 19)).join(", ")}); give more of it` };
  const found = matches[0];
  return found ? { release: found } : { error: `${digest} was never deployed here` };
}

/** The newest release of a source stack that is neither a pin nor an aborted canary: what a promotion deploys unless gantry:promotePins. */
export function latestPromotable(history: readonly Release[]): Release | undefined {
  return [...history].reverse().find((r) => !r.pinned && !r.aborted);
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
