import type { Plan } from "../plan/run";
import { didYouMean } from "../catalog/suggest";

/**
 * `gantry plan --service`: the whole stack is still planned (a deploy is always the whole stack), and the view
 * keeps the named services and the resources each of them declares. Stack-wide resources and every problem stay.
 */
export function selectServices(plan: Plan, names: readonly string[]): { plan: Plan } | { error: string } {
  const all = plan.services.map((s) => s.name);
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0 && plan.ok) {
    return { error: unknown.map((n) => `no service named "${n}"${didYouMean(n, all)} in stack ${plan.stack}; services are ${all.join(", ")}`).join("\n") };
  }
  const services = plan.services.filter((s) => names.includes(s.name));
  const prefixes = services.map((s) => s.deployedAs);
  const ours = (name: string) => prefixes.some((p) => name === p || name.startsWith(`${p}-`));
  const count = (action: string) => services.filter((s) => s.action === action).length;
  return {
    plan: {
      ...plan,
      services,
      resources: plan.resources.filter((r) => ours(r.name)),
      summary: { builds: count("build"), rebases: count("rebase"), unchanged: count("unchanged"), promoted: count("promoted") },
    },
  };
}
