/**
 * What a fingerprint remembers for the file-system monitor (./monitor.ts): the digest of an app directory together
 * with the monitor clock taken before the tree was read. If the monitor reports no change under the directory since
 * that clock, the digest is still exact, whatever the stat cache holds: the record is self-contained, so it needs no
 * invalidation when a run without a monitor rewrites the stat cache.
 */
import * as fs from "node:fs";
import { z } from "zod";
import { writeFileAtomic } from "./stat-cache";

export const MONITOR_RECORD_VERSION = 1;

const recordSchema = z.object({
  version: z.literal(MONITOR_RECORD_VERSION),
  monitor: z.string(),
  root: z.string(),
  /** The digest header (include/exclude filter) the digest was computed with. */
  filter: z.string(),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  files: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  watchRoot: z.string(),
  clock: z.string().min(1),
});

export type MonitorRecord = z.infer<typeof recordSchema>;

/** Kept beside the stat cache file. */
export function monitorRecordPath(statCachePath: string): string {
  return statCachePath.replace(/\.json$/, "") + ".monitor.json";
}

/** The record for this root, monitor and filter, or undefined (missing, corrupt, or recorded for something else). */
export function readMonitorRecord(file: string, want: { root: string; monitor: string; filter: string }): MonitorRecord | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  const parsed = recordSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const r = parsed.data;
  return r.root === want.root && r.monitor === want.monitor && r.filter === want.filter ? r : undefined;
}

export function writeMonitorRecord(file: string, record: Omit<MonitorRecord, "version">): void {
  writeFileAtomic(file, JSON.stringify({ version: MONITOR_RECORD_VERSION, ...record }));
}
