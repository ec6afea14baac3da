import type { LoadedService } from "./load";
import type { Problem } from "./problems";
import { locate, type YamlSource } from "./yaml-source";

/**
 * kind: gke services that share a namespace share its Pod Security Admission level, so they must ask for the
 * same one: the namespace is created once, and a level one of them did not ask for would either refuse its pods
 * or loosen the others'. Each disagreeing service is reported at its podSecurity (or namespace) line.
 */
export function namespaceLevelConflicts(list: readonly LoadedService[], stack: string, sources: ReadonlyMap<string, YamlSource>): Problem[] {
  const byNamespace = new Map<string, LoadedService[]>();
  for (const s of list) {
    if (s.spec.kind !== "gke") continue;
    const ns = s.spec.namespace ?? s.spec.name;
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), s]);
  }
  const problems: Problem[] = [];
  for (const [ns, services] of byNamespace) {
    const levels = new Set(services.map((s) => (s.spec.kind === "gke" ? s.spec.podSecurity : "")));
    if (levels.size < 2) continue;
    const asked = services.map((s) => `${s.spec.name}: ${s.spec.kind === "gke" ? s.spec.podSecurity : ""}`).join(", ");
    for (const s of services) {
      const source = sources.get(s.file);
      const raw = source?.value as Record<string, unknown> | undefined;
      const field = raw && "podSecurity" in raw ? "podSecurity" : "namespace";
      const at = source ? locate(source, [field]) : { line: 1, column: 1 };
      problems.push({ file: s.file, ...at, field, severity: "error", stacks: [stack], message: `namespace "${ns}" is shared by services asking for different pod security levels (${asked}); they must agree` });
    }
  }
  return problems;
}
