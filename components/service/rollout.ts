import { DEFAULT_CANARY_STEPS, DEFAULT_CANARY_TAG, type CloudRunRollout } from "../../catalog/schema/fields";

/*
 * How a Cloud Run service's traffic is split, decided from service.yaml's rollout, the stack's release history
 * and gantry:rollouts (where each canary stands, as `gantry rollout advance|abort` wrote it).
 *
 * The new revision is always addressed as LATEST, never by a name Gantry makes up: Cloud Run sends LATEST's
 * share to the service's latest *ready* revision (TrafficTargetAllocationType LATEST, "the Service's latest
 * ready Revision"), so a revision that fails its startup probe never becomes ready and never takes traffic,
 * whatever share a step gives it; the deploy fails and the previous revision keeps its share. The previous
 * revision is named, as the release history recorded it when it served all traffic. A tag on the LATEST
 * target gives the new revision its own URL (Knative's traffic tags, which Cloud Run implements:
 * https://<tag>---<service>-<hash>.<region>.run.app), for smoke tests before it takes more traffic.
 */

export const LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST";
export const REVISION = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION";

export interface TrafficTarget {
  type: typeof LATEST | typeof REVISION;
  percent: number;
  revision?: string;
  tag?: string;
}

/** The release that last served all traffic, as far as the split needs it. */
export interface StableRelease {
  digest: string;
  /** Its Cloud Run revision (short name); without one there is nothing to split with. */
  revision?: string;
}

/** gantry:rollouts.<service>: where the canary of `digest` stands. */
export interface RolloutState {
  digest: string;
  percent: number;
  aborted?: boolean;
}

export interface TrafficInputs {
  rollout?: CloudRunRollout;
  /** sha256:<hex> of the image this deploy runs. */
  digest: string;
  stable?: StableRelease;
  state?: RolloutState;
  /** Deployed from gantry:pins: a rollback, which takes all traffic at once. */
  pinned?: boolean;
}

export type TrafficPhase = "all" | "first" | "rollback" | "canary" | "complete" | "aborted";

export interface TrafficDecision {
  traffics: TrafficTarget[];
  /** The new revision's share. */
  percent: number;
  phase: TrafficPhase;
  /** One line for the plan and the logs. */
  note: string;
}

const ALL: TrafficTarget[] = [{ type: LATEST, percent: 100 }];

export function canarySteps(rollout: CloudRunRollout | undefined): readonly number[] {
  return rollout?.steps ?? DEFAULT_CANARY_STEPS;
}

export function trafficFor(i: TrafficInputs): TrafficDecision {
  if (i.rollout?.strategy !== "canary") return { traffics: ALL, percent: 100, phase: "all", note: "the new revision takes all traffic" };
  if (i.pinned) return { traffics: ALL, percent: 100, phase: "rollback", note: "a pinned rollback takes all traffic at once, with no canary" };
  const stable = i.stable;
  if (!stable?.revision) return { traffics: ALL, percent: 100, phase: "first", note: "no earlier revision on record to split with: this release takes all traffic; canaries start with the next" };
  if (stable.digest === i.digest) return { traffics: ALL, percent: 100, phase: "all", note: "no new release: the serving one keeps all traffic" };

  const tag = i.rollout.tag ?? DEFAULT_CANARY_TAG;
  const mine = i.state?.digest === i.digest ? i.state : undefined;
  if (mine?.aborted) {
    return {
      traffics: [
        { type: REVISION, revision: stable.revision, percent: 100 },
        { type: LATEST, percent: 0, tag },
      ],
      percent: 0,
      phase: "aborted",
      note: `canary aborted: all traffic back on ${stable.revision}; the new revision keeps its tag URL (${tag}) and no traffic`,
    };
  }
  const percent = mine ? mine.percent : canarySteps(i.rollout)[0]!;
  if (percent >= 100) return { traffics: ALL, percent: 100, phase: "complete", note: "canary complete: the new revision takes all traffic" };
  return {
    traffics: [
      { type: REVISION, revision: stable.revision, percent: 100 - percent },
      { type: LATEST, percent, tag },
    ],
    percent,
    phase: "canary",
    note: `canary at ${percent} %: ${100 - percent} % stays on ${stable.revision}; the new revision's URL has tag ${tag}`,
  };
}

/** The step after `percent` on the ladder, or undefined when the canary is already at 100. */
export function nextStep(rollout: CloudRunRollout | undefined, percent: number): number | undefined {
  return canarySteps(rollout).find((s) => s > percent);
}

/** A revision's short name from the v2 API's resource name (projects/.../services/<s>/revisions/<name>). */
export function revisionName(resourceName: string | undefined): string | undefined {
  if (!resourceName) return undefined;
  return resourceName.slice(resourceName.lastIndexOf("/") + 1) || undefined;
}
