import type { JenkinsConfig } from "../../catalog/schema/jenkins";

/**
 * The names of a stack's cache slots: `<namePrefix>-0` .. `<namePrefix>-<slots-1>`. One name per slot serves as
 * the disk or claim name and as the Lockable Resource the pipeline locks, so the lock and the storage cannot drift.
 */
export function slotNames(jenkins: Pick<JenkinsConfig, "namePrefix" | "slots">): string[] {
  return Array.from({ length: jenkins.slots }, (_, i) => `${jenkins.namePrefix}-${i}`);
}

/** The region a zone belongs to, where the snapshot schedule must live. */
export function regionOf(zone: string): string {
  return zone.replace(/-[a-z]$/, "");
}
