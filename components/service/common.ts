import * as pulumi from "@pulumi/pulumi";
import type { LoadedService } from "../../catalog/load";
import { durationSeconds } from "../../catalog/rules/quantities";
import type { ProbeSpec, SecretRef } from "../../catalog/schema/fields";
import type { PlatformConfig } from "../../catalog/schema/platform";

/** Inputs every deployment target receives from the Service component. */
export interface TargetArgs {
  service: LoadedService;
  platform: PlatformConfig;
  stack: string;
  /** <repository>/<image>@sha256:<digest>, already checked by the Service component. */
  image: pulumi.Input<string>;
  serviceAccountEmail: pulumi.Input<string>;
  /**
   * The service account's secretAccessor bindings. The workload waits for them: Cloud Run checks secret
   * access when it creates a revision, and GKE pods mount their secrets at start.
   */
  secretAccess: readonly pulumi.Resource[];
}

export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

export const DIGEST_REF = /^[^\s@]+@sha256:[a-f0-9]{64}$/;

/** platform.labels, then the service's own, then gantry-service, which neither may override. */
export function gcpLabels(service: LoadedService, platform: PlatformConfig): Record<string, string> {
  return { ...platform.labels, ...(service.spec.labels ?? {}), "gantry-service": service.spec.name };
}

/** Cloud Run takes durations as seconds only ("1800s"), while service.yaml also allows "30m". */
export function seconds(duration: string): string {
  return `${durationSeconds(duration)}s`;
}

/**
 * Cloud Run's limits are Kubernetes quantities, whose canonical form for a fraction is millicores ("500m");
 * sending the canonical form keeps what is read back equal to what was sent.
 */
export function cloudRunCpu(cpu: number): string {
  return cpu < 1 ? `${Math.round(cpu * 1000)}m` : String(cpu);
}

export interface SecretLocation {
  project: string;
  secretId: string;
}

/** A secret reference is "<id>" (this stack's project) or "projects/<p>/secrets/<id>". */
export function secretLocation(ref: Pick<SecretRef, "secret">, platform: PlatformConfig): SecretLocation {
  const m = /^projects\/([^/]+)\/secrets\/([^/]+)$/.exec(ref.secret);
  return m ? { project: m[1]!, secretId: m[2]! } : { project: platform.project, secretId: ref.secret };
}

/** Secret Manager resource name of one version, as the GKE Secret Manager add-on wants it. */
export function secretVersionName(ref: SecretRef, platform: PlatformConfig): string {
  const { project, secretId } = secretLocation(ref, platform);
  return `projects/${project}/secrets/${secretId}/versions/${ref.version}`;
}

/** The env entry shape shared by Cloud Run services and jobs. */
export type CloudRunEnv = { name: string; value: string } | { name: string; valueSource: { secretKeyRef: { secret: string; version: string } } };

/**
 * Plain values first, then secrets. Secrets are deployed as references only, so their values never reach
 * Pulumi state or the Cloud Run revision.
 */
export function cloudRunEnv(service: LoadedService): CloudRunEnv[] {
  const plain = Object.entries(service.spec.env ?? {}).map(([name, value]) => ({ name, value }));
  const secret = Object.entries(service.spec.secrets ?? {}).map(([name, ref]) => ({
    name,
    valueSource: { secretKeyRef: { secret: ref.secret, version: ref.version } },
  }));
  return [...plain, ...secret];
}

export interface ProbeAction {
  httpGet?: { path: string; port: number };
  tcpSocket?: { port: number };
  grpc?: { port: number };
}

export function probeAction(probe: ProbeSpec, containerPort: number): ProbeAction {
  const port = probe.port ?? containerPort;
  switch (probe.type) {
    case "http":
      // The catalog rejects an http probe without a path; "/" keeps the type total.
      return { httpGet: { path: probe.path ?? "/", port } };
    case "tcp":
      return { tcpSocket: { port } };
    case "grpc":
      return { grpc: { port } };
  }
}

/** Only the timings the service file sets, so the platform's own defaults stay in force. */
export function probeTimings(probe: ProbeSpec): Partial<Record<"initialDelaySeconds" | "periodSeconds" | "timeoutSeconds" | "failureThreshold", number>> {
  const out: Partial<Record<"initialDelaySeconds" | "periodSeconds" | "timeoutSeconds" | "failureThreshold", number>> = {};
  if (probe.initialDelaySeconds !== undefined) out.initialDelaySeconds = probe.initialDelaySeconds;
  if (probe.periodSeconds !== undefined) out.periodSeconds = probe.periodSeconds;
  if (probe.timeoutSeconds !== undefined) out.timeoutSeconds = probe.timeoutSeconds;
  if (probe.failureThreshold !== undefined) out.failureThreshold = probe.failureThreshold;
  return out;
}

export function probe(p: ProbeSpec | undefined, containerPort: number): (ProbeAction & ReturnType<typeof probeTimings>) | undefined {
  return p ? { ...probeTimings(p), ...probeAction(p, containerPort) } : undefined;
}

/** Spreads `{ [key]: value }` only when value is defined, so captured inputs carry no undefined keys. */
export function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
