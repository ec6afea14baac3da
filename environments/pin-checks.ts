import type { Catalog } from "../catalog/load";
import type { Problem } from "../catalog/problems";
import { registryUrl } from "../components/registry/address";
import { stackConfigLocation } from "./promotion";

/**
 * gantry:pins and gantry:rollouts entries that cannot apply, located in Pulumi.<stack>.yaml: a service the stack
 * does not declare (a typo would otherwise leave the real service unpinned), a pinned image outside the stack's
 * registry, and a rollout for a service with no canary. Whether a pin names a digest the stack deployed needs
 * the release history, so the program and `gantry rollback` check that.
 */
export function pinProblems(catalog: Catalog, stack: string, projectDir: string, cwd = process.cwd(), partial = false): Problem[] {
  const platform = catalog.platforms[stack];
  if (!platform) return [];
  const services = new Map((catalog.services[stack] ?? []).map((s) => [s.spec.name, s]));
  const names = [...services.keys()].sort().join(", ") || "none";
  // A service named wrong is pointed at by its name; a value, at the value.
  const at = (key: string, name: string, sub: string[] = []) => stackConfigLocation(projectDir, stack, [key, name, ...sub], cwd, sub.length === 0);
  const problems: Problem[] = [];
  for (const [name, pin] of Object.entries(platform.pins)) {
    if (!services.has(name)) {
      // Loaded for some services only (--service): the others are not known missing.
      if (!partial) problems.push({ ...at("gantry:pins", name), field: `gantry:pins.${name}`, severity: "error", message: `stack ${stack} declares no service ${name} (it has ${names}); a pin applies to a service by its name` });
      continue;
    }
    const url = registryUrl(platform);
    if (!pin.image.startsWith(`${url}/`)) {
      problems.push({ ...at("gantry:pins", name, ["image"]), field: `gantry:pins.${name}.image`, severity: "error", message: `${pin.image} is not in stack ${stack}'s registry ${url}: its runtimes may only pull from there` });
    }
  }
  for (const name of Object.keys(platform.rollouts)) {
    const service = services.get(name);
    const field = `gantry:rollouts.${name}`;
    if (!service) {
      if (!partial) problems.push({ ...at("gantry:rollouts", name), field, severity: "error", message: `stack ${stack} declares no service ${name} (it has ${names})` });
    } else if (service.spec.kind !== "service" || service.spec.rollout?.strategy !== "canary") {
      problems.push({ ...at("gantry:rollouts", name), field, severity: "warning", message: `${name} has no canary in stack ${stack} (rollout: {strategy: canary} in ${service.file}), so this entry does nothing; remove it` });
    }
  }
  return problems;
}
