import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { LoadedService } from "../catalog/load";
import type { PlatformConfig } from "../catalog/schema/platform";

/*
 * Names in a stack that shares a project (and a cluster) with another: a PR preview beside dev. Every name
 * Gantry derives from a service gets the stack's nameSuffix, so the two stacks never claim the same Cloud Run
 * service, job, scheduler job, service account or Kubernetes object.
 */

// Cloud Run serviceId: fewer than 50 characters (same rule as catalog/rules/names.ts).
export const CLOUD_RUN_NAME_MAX = 49;
// A tagged revision is served at https://<tag>---<service>-<hash>-<region>.a.run.app, one 63-character DNS
// label: Cloud Run caps tag plus service name at 46. A preview's suffix is its natural tag, so suffixed
// names leave it room.
export const TAG_PLUS_NAME_MAX = 46;
export const KUBERNETES_NAME_MAX = 63;
const HASH_CHARS = 6;

/**
 * `<name>-<suffix>` when it fits `max`; otherwise the name cut short, then "-" and 6 hex characters of sha256
 * over the whole `<name>-<suffix>`, then "-<suffix>". The same inputs always give the same name (a changed
 * name would replace the resource), two long names sharing a prefix still differ, and the suffix stays
 * readable at the end.
 */
export function suffixedName(name: string, suffix: string | undefined, max: number): string {
  if (!suffix) return name;
  const full = `${name}-${suffix}`;
  if (full.length <= max) return full;
  const tail = `-${createHash("sha256").update(full).digest("hex").slice(0, HASH_CHARS)}-${suffix}`;
  const head = name.slice(0, Math.max(1, max - tail.length)).replace(/-+$/, "");
  return `${head}${tail}`;
}

/** The name a service deploys under: its own, or suffixed to fit Cloud Run's limits (the strictest of its targets). */
export function deployedName(name: string, suffix: string | undefined): string {
  return suffixedName(name, suffix, Math.min(CLOUD_RUN_NAME_MAX, TAG_PLUS_NAME_MAX - (suffix?.length ?? 0)));
}

/**
 * One service as this stack deploys it: named with the stack's suffix (its namespace too, so a preview's
 * Kubernetes objects come and go with it), and with minInstances held under the stack's cap.
 */
export function serviceForStack(service: LoadedService, platform: PlatformConfig): LoadedService {
  const suffix = platform.nameSuffix;
  const cap = platform.scaling.minInstancesCap;
  const spec = { ...service.spec, name: deployedName(service.spec.name, suffix) } as LoadedService["spec"];
  if (spec.kind === "gke" && spec.namespace !== undefined) spec.namespace = suffixedName(spec.namespace, suffix, KUBERNETES_NAME_MAX);
  if (spec.kind === "service" && cap !== undefined) spec.minInstances = Math.min(spec.minInstances ?? platform.scaling.minInstances, cap);
  return { ...service, spec };
}

/**
 * Every service as deployed, refusing a suffixed name that is another service's own name: the preview would
 * take over that service in the shared project.
 */
export function servicesForStack(services: readonly LoadedService[], platform: PlatformConfig): LoadedService[] {
  const deployed = services.map((s) => serviceForStack(s, platform));
  if (platform.nameSuffix) {
    const own = new Map(services.map((s) => [s.spec.name, s]));
    for (const [i, d] of deployed.entries()) {
      const clash = own.get(d.spec.name);
      if (clash) {
        throw new pulumi.RunError(
          `${services[i]!.file}: with nameSuffix "${platform.nameSuffix}", ${services[i]!.spec.name} would deploy as "${d.spec.name}", which is the name of the service in ${clash.file}; rename one of them`,
        );
      }
    }
  }
  return deployed;
}
