import type { LoadedService } from "../catalog/load";
import type { PlatformConfig } from "../catalog/schema/platform";
import { nextStep } from "../components/service/rollout";
import { findRelease, previousRelease, type Release, type ReleaseHistory } from "./releases";

/*
 * What `gantry rollback`, `gantry unpin` and `gantry rollout advance|abort` decide, from the stack's config and
 * release history: each is a change to Pulumi.<stack>.yaml (written by the CLI) that `pulumi up` applies, so a
 * rollback is reviewed and recorded like any other change. Nothing here touches the cloud.
 */

export type Decision<T> = { ok: T } | { error: string };

export interface RollbackTarget {
  release: Release;
  /** Where the release was found: this stack, or the stack it promotes from. */
  from: "stack" | "source";
}

export interface RollbackArgs {
  service: string;
  stack: string;
  own: ReleaseHistory;
  /** The promotion source's history, for a promoting stack. */
  source?: ReleaseHistory;
  sourceName?: string;
  /** --to <digest>, or undefined for --previous. */
  to?: string;
}

/** The release to pin: --previous, or --to a digest this stack or its promotion source deployed. */
export function rollbackTarget(a: RollbackArgs): Decision<RollbackTarget> {
  const own = a.own[a.service] ?? [];
  const current = own[own.length - 1];
  let target: RollbackTarget;
  if (a.to === undefined) {
    const previous = previousRelease(own);
    if (!previous) {
      return { error: own.length === 0 ? `${a.service} has no release history in stack ${a.stack} yet: nothing to go back to` : `${a.service} has no earlier release in stack ${a.stack} that served all traffic; \`gantry history ${a.service} --stack ${a.stack}\` lists what there is` };
    }
    target = { release: previous, from: "stack" };
  } else {
    const mine = findRelease(own, a.to);
    if ("release" in mine) target = { release: mine.release, from: "stack" };
    else {
      const theirs = a.source ? findRelease(a.source[a.service] ?? [], a.to) : undefined;
      if (theirs && "release" in theirs) target = { release: theirs.release, from: "source" };
      else {
        const why = theirs && !/never deployed/.test(theirs.error) ? theirs.error : mine.error;
        const where = a.sourceName ? `stack ${a.stack} or ${a.sourceName}` : `stack ${a.stack}`;
        return { error: /never deployed/.test(why) ? `${a.to} was never deployed as ${a.service} in ${where}; \`gantry history ${a.service} --stack ${a.stack}\` lists the releases there are` : why };
      }
    }
  }
  if (current && current.digest === target.release.digest) return { error: `${a.service} already runs ${current.digest} in stack ${a.stack}` };
  return { ok: target };
}

/** The pin `gantry rollback` writes under gantry:pins.<service>. */
export function pinFor(target: RollbackTarget, reason: string | undefined): { image: string; reason: string } {
  const r = target.release;
  const made = `rollback to the release of ${r.deployedAt}${r.commit ? ` (commit ${r.commit.slice(0, 12)})` : ""}`;
  return { image: r.image, reason: reason ? `${made}: ${reason}` : made };
}

export interface RolloutArgs {
  service: LoadedService;
  platform: PlatformConfig;
  stack: string;
  own: ReleaseHistory;
}

/** The canary in progress: the newest release, while it has less than all traffic and was not aborted. */
function canaryInProgress(a: RolloutArgs): Decision<{ release: Release; percent: number }> {
  const { spec } = a.service;
  if (spec.kind !== "service") return { error: `${spec.name} is a ${spec.kind === "job" ? "Cloud Run job" : "GKE workload"}: only a Cloud Run service (kind: service) takes canary traffic` };
  if (spec.rollout?.strategy !== "canary") return { error: `${spec.name} has no canary in stack ${a.stack}: set rollout: {strategy: canary} in ${a.service.file}` };
  const history = a.own[spec.name] ?? [];
  const latest = history[history.length - 1];
  const state = a.platform.rollouts[spec.name];
  const stated = latest && state?.digest === latest.digest ? state : undefined;
  if (!latest || latest.aborted || stated?.aborted) return { error: `${spec.name} has no canary in progress in stack ${a.stack}${latest?.aborted || stated?.aborted ? ` (the canary of ${latest!.digest.slice(0, 19)} was aborted)` : ""}` };
  const percent = stated ? stated.percent : (latest.traffic ?? 100);
  if (percent >= 100) return { error: `${spec.name} has no canary in progress in stack ${a.stack}: ${latest.digest.slice(0, 19)} takes all traffic` };
  return { ok: { release: latest, percent } };
}

/** gantry:rollouts.<service> after `gantry rollout advance`: the next step of the ladder. */
export function advance(a: RolloutArgs): Decision<{ digest: string; percent: number; from: number }> {
  const c = canaryInProgress(a);
  if ("error" in c) return c;
  const spec = a.service.spec;
  const next = nextStep(spec.kind === "service" ? spec.rollout : undefined, c.ok.percent) ?? 100;
  return { ok: { digest: c.ok.release.digest, percent: next, from: c.ok.percent } };
}

/** gantry:rollouts.<service> after `gantry rollout abort`: all traffic back on the previous revision. */
export function abort(a: RolloutArgs): Decision<{ digest: string; percent: number; aborted: true }> {
  const c = canaryInProgress(a);
  if ("error" in c) return c;
  return { ok: { digest: c.ok.release.digest, percent: c.ok.percent, aborted: true } };
}
