import type { Problem } from "../catalog/problems";
import { SERVICE_COMPONENT } from "./diff";
import type { DeployedResource } from "./last-deployment";

/*
 * Services the last deployment has and the catalog no longer declares (a folder deleted, a service.yaml
 * misnamed): a deploy deletes each with every resource under it, so the plan lists them as a whole.
 */

export interface RemovedService {
  name: string;
  resources: Array<{ type: string; name: string }>;
  /** A file in a folder of this name has problems: maybe the service is still there, just not valid. */
  hasProblems?: boolean;
}

/** The last deployment's services (their components) that are not declared now, each with the resources under it. */
export function removedServices(last: DeployedResource[], declared: Set<string>, problems: Problem[]): RemovedService[] {
  const gone = new Map(last.filter((r) => r.type === SERVICE_COMPONENT && !declared.has(r.name)).map((r) => [r.urn, { name: r.name, resources: [] } as RemovedService]));
  if (gone.size === 0) return [];
  const parentOf = new Map(last.map((r) => [r.urn, r.parent]));
  for (const r of last.filter((x) => x.custom)) {
    let p = r.parent;
    while (p && !gone.has(p)) p = parentOf.get(p);
    if (p) gone.get(p)!.resources.push({ type: r.type, name: r.name });
  }
  for (const s of gone.values()) {
    s.resources.sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
    if (problems.some((p) => p.severity === "error" && p.file.split(/[\\/]/).includes(s.name))) s.hasProblems = true;
  }
  return [...gone.values()].sort((a, b) => a.name.localeCompare(b.name));
}
