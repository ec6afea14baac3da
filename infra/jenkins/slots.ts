import type { JenkinsConfig } from "../../catalog/schema/jenkins";

/**
 * The names of a stack's cache slots: `<namePrefix>-0` .. `<namePrefix>-<slots-1>`. One name per slot serves as
 * the disk or claim name and as the Lockable Resource the pipeline locks, so the lock and the storage cannot drift.
 */
export function slotNames(jenkins: Pick<JenkinsConfig, "namePrefix" | "slots">): string[] {
  return Array.from({ length: jenkins.slots }, (_, i) => `${jenkins.namePrefix}-${i}`);
}

/** The same for pull-request builds: `<namePrefix>-pr-0` ..; a disjoint set, locked under their own label. */
export function untrustedSlotNames(jenkins: Pick<JenkinsConfig, "namePrefix" | "untrusted">): string[] {
  return Array.from({ length: jenkins.untrusted.slots }, (_, i) => `${untrustedLabel(jenkins)}-${i}`);
}

/** The Lockable Resource label of the pull-request slots (the trusted ones are labelled namePrefix). */
export function untrustedLabel(jenkins: Pick<JenkinsConfig, "namePrefix">): string {
  return `${jenkins.namePrefix}-pr`;
}

/** The region a zone belongs to, where the snapshot schedule must live. */
export function regionOf(zone: string): string {
  return zone.replace(/-[a-z]$/, "");
}
