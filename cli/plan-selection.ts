import { didYouMean } from "../catalog/suggest";
import { countActions } from "../plan/diff";
import type { Plan } from "../plan/run";

/**
 * `gantry plan --service`: the whole stack is still planned (a deploy is always the whole stack), and the view
 * keeps the named services: their images, the resources each declares, their changes and risks, and any of them
 * the catalog no longer declares. Stack-wide resources and every problem stay.
 */
export function selectServices(plan: Plan, names: readonly string[]): { plan: Plan } | { error: string } {
  const all = plan.services.map((s) => s.name);
  const removed = plan.removedServices.map((s) => s.name);
  const unknown = names.filter((n) => !all.includes(n) && !removed.includes(n));
  if (unknown.length > 0 && plan.ok) {
    return { error: unknown.map((n) => `no service named "${n}"${didYouMean(n, all)} in stack ${plan.stack}; services are ${all.join(", ")}`).join("\n") };
  }
  const services = plan.services.filter((s) => names.includes(s.name));
  const prefixes = services.map((s) => s.deployedAs);
  const ours = (name: string) => prefixes.some((p) => name === p || name.startsWith(`${p}-`));
  const count = (action: string) => services.filter((s) => s.action === action).length;
  const changes = plan.changes.filter((c) => (c.service ? names.includes(c.service) : false));
  return {
    plan: {
      ...plan,
      services,
      resources: plan.resources.filter((r) => ours(r.name)),
      summary: { builds: count("build"), rebases: count("rebase"), unchanged: count("unchanged"), promoted: count("promoted"), pinned: count("pinned") },
      changes,
      counts: countActions(changes),
      risks: plan.risks.filter((r) => r.service !== undefined && names.includes(r.service)),
      removedServices: plan.removedServices.filter((s) => names.includes(s.name)),
    },
  };
}
