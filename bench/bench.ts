import { spawnSync } from "node:child_process";
import * as path from "node:path";

/**
 * Benchmark contract for `npm run bench` (bench/run.ts). Every bench/*.bench.ts module exports `benches: Bench[]`.
 * A bench measures a ratio against a baseline taken in the same run and states the target it must meet.
 * Progress and diagnostics go to stderr; the runner prints the one result line per bench on stdout.
 */
export interface BenchTarget {
  op: "<=" | ">=" | "=";
  value: number;
}

export interface BenchResult {
  measured: number;
  target: BenchTarget;
  /** Short human-readable context, printed in parentheses after the verdict, e.g. "ours 1.23s, sha256sum 1.73s". */
  detail?: string;
}

export interface Bench {
  id: string;
  run(): Promise<BenchResult>;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error("median of nothing");
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function meets(measured: number, target: BenchTarget): boolean {
  if (!Number.isFinite(measured)) return false;
  switch (target.op) {
    case "<=":
      return measured <= target.value;
    case ">=":
      return measured >= target.value;
    case "=":
      return Math.abs(measured - target.value) <= 1e-9 * Math.max(1, Math.abs(target.value));
  }
}

/** 2–3 significant digits: 0.71, 0.043, 1.23, 12.35. */
export function formatMeasured(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  return Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(2);
}

export function formatTarget(t: BenchTarget): string {
  return `${t.op}${Number.isInteger(t.value) ? t.value.toFixed(1) : String(t.value)}`;
}

export function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)}s` : `${ms.toFixed(ms >= 100 ? 0 : 1)}ms`;
}

/** Progress output (stderr, so stdout carries only the BENCH lines). */
export function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

/**
 * Runs a bench worker script (TypeScript, through tsx) in a process of its own, so its time and peak memory are
 * its own, and returns the JSON of its last stdout line.
 */
export function runWorker<T>(script: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): T {
  const r = spawnSync(process.execPath, ["--import", "tsx", script, ...args], { encoding: "utf8", maxBuffer: 1 << 26, ...opts });
  if (r.status !== 0) throw new Error(`${path.basename(script)} ${args[0] ?? ""} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as T;
}
