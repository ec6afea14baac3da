/*
 * A file backend's checkpoint, shaped as the Pulumi engine writes one (<backend>/.pulumi/stacks/<project>/<stack>.json):
 * {version: 3, checkpoint: {stack, latest: {manifest, resources: [...]}}}, each resource with its engine URN (the
 * parent's whole type chain), parent, custom, id, inputs (with the provider's `__defaults`) and outputs; the
 * root stack and the default providers the engine adds itself; secrets as ciphertext only.
 */

export interface Registered {
  type: string;
  name: string;
  custom: boolean;
  inputs: Record<string, unknown>;
  /** The mock monitor's URN and parent URN, which name a parent by its last type only. */
  urn: string;
  parent: string;
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function checkpointOf(stack: string, project: string, registered: Registered[], opts: { rootOutputs?: Record<string, unknown>; outputsOf?: (r: Registered) => Record<string, unknown> } = {}): unknown {
  // A read (StackReference) has no URN from the harness, which follows registrations only.
  const byMockUrn = new Map(registered.filter((r) => r.urn).map((r) => [r.urn, r]));
  const parentOf = (r: Registered) => (r.parent ? byMockUrn.get(r.parent) : undefined);
  const urnOf = (r: Registered): string => {
    const parent = parentOf(r);
    const chain = parent ? `${urnOf(parent).split("::")[2]}$${r.type}` : r.type;
    return `urn:pulumi:${stack}::${project}::${chain}::${r.name}`;
  };
  const stackUrn = `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
  const defaultProvider = (pkg: string) => ({ urn: `urn:pulumi:${stack}::${project}::pulumi:providers:${pkg}::default_1_0_0`, custom: true, id: "00000000-provider", type: `pulumi:providers:${pkg}`, inputs: {}, outputs: {} });
  const resources = registered.map((r) => {
    const parent = parentOf(r);
    const inputs = encrypted({ ...r.inputs, ...(r.custom ? { __defaults: [] } : {}) }) as Record<string, unknown>;
    return {
      urn: urnOf(r),
      custom: r.custom,
      ...(r.custom ? { id: `${r.name}-id` } : {}),
      ...(r.urn ? {} : { external: true }),
      type: r.type,
      inputs: r.custom ? inputs : {},
      outputs: encrypted({ ...r.inputs, ...(opts.outputsOf?.(r) ?? {}) }),
      parent: parent ? urnOf(parent) : stackUrn,
    };
  });
  const root = { urn: stackUrn, custom: false, type: "pulumi:pulumi:Stack", outputs: opts.rootOutputs ?? {} };
  return {
    version: 3,
    checkpoint: { stack: `organization/${project}/${stack}`, latest: { manifest: { time: "2026-01-01T00:00:00Z", magic: "", version: "v3.248.0" }, resources: [root, defaultProvider("gcp"), defaultProvider("pulumi-nodejs"), ...resources] } },
  };
}

/** What the engine stores for a secret: ciphertext only, which nothing offline can read back. */
function encrypted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(encrypted);
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  if (record[SIG_KEY] === SECRET_SIG) return { [SIG_KEY]: SECRET_SIG, ciphertext: "v1:c2VjcmV0:bm90LXJlYWRhYmxlLW9mZmxpbmU=" };
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, encrypted(v)]));
}
