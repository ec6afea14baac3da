import type { ResourceChange } from "./diff";
import type { Plan, ServicePlan } from "./run";

/*
 * The plan as a reviewer reads it: per service, what happens to its image and to each of its resources; a
 * service with nothing to do is counted, not listed.
 */

export interface ServiceChanges {
  /** The declared service, or undefined for the stack-wide resources (registry, cluster, agent caches). */
  name?: string;
  service?: ServicePlan;
  /** Its resources a deploy touches (created, updated, replaced, deleted). */
  changes: ResourceChange[];
}

const TOUCHED = new Set<ResourceChange["action"]>(["create", "update", "replace", "delete"]);
const ORDER: Record<ResourceChange["action"], number> = { delete: 0, replace: 1, update: 2, create: 3, same: 4, read: 5 };

/** Services (and the stack-wide group) with a build or a resource change, and how many have none. */
export function changesByService(plan: Plan): { changed: ServiceChanges[]; unchanged: number } {
  const groups = new Map<string | undefined, ServiceChanges>();
  for (const s of plan.services) groups.set(s.name, { name: s.name, service: s, changes: [] });
  for (const c of plan.changes) {
    if (!TOUCHED.has(c.action)) continue;
    // A service deleted whole is listed as such (plan.removedServices), not under the services that remain.
    if (c.service !== undefined && !groups.has(c.service)) continue;
    if (!groups.has(c.service)) groups.set(c.service, { changes: [] });
    groups.get(c.service)!.changes.push(c);
  }
  const changed: ServiceChanges[] = [];
  let unchanged = 0;
  for (const g of groups.values()) {
    g.changes.sort((a, b) => ORDER[a.action] - ORDER[b.action]);
    if (g.changes.length > 0 || (g.service && g.service.action !== "unchanged" && g.service.action !== "promoted")) changed.push(g);
    else if (g.service) unchanged++;
  }
  // The stack-wide group first: a registry or cluster change concerns every service.
  changed.sort((a, b) => (a.name === undefined ? -1 : b.name === undefined ? 1 : a.name.localeCompare(b.name)));
  return { changed, unchanged };
}

/** "1 update, 2 creates" for a service's line. */
export function actionCounts(changes: ResourceChange[]): string {
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(c.action, (counts.get(c.action) ?? 0) + 1);
  return [...counts].map(([a, n]) => `${n} ${a === "delete" ? "deletion" : a === "replace" ? "replacement" : a === "create" ? "creation" : "update"}${n === 1 ? "" : "s"}`).join(", ");
}
