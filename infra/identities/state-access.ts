import type { IdentitiesConfig } from "../../catalog/schema/identities";

/*
 * Which objects of the shared state bucket each identity may write. A self-managed Pulumi backend keeps a
 * stack's checkpoint, lock, history and backups under .pulumi/<kind>/<project>/<stack>...; an IAM condition on
 * the object name confines a binding to the stacks of one trust level. Prefixes end in "." or "/" (exact stacks)
 * or in "pr-" (every preview), so `staging` never matches a stack `staging-2`.
 */

const KINDS = ["stacks", "locks", "history", "backups"] as const;

/** What an identity's stacks are: exactly one name, or every name with a prefix. */
export type StackSelector = { exact: string } | { prefix: string };

/** Object name prefixes (within the bucket) that hold the state of the selected stacks. */
export function stateObjectPrefixes(pulumiProject: string, stacks: StackSelector): string[] {
  return KINDS.map((kind) => {
    const base = `.pulumi/${kind}/${pulumiProject}/`;
    if ("prefix" in stacks) return `${base}${stacks.prefix}`;
    return kind === "stacks" ? `${base}${stacks.exact}.` : `${base}${stacks.exact}/`;
  });
}

/** The IAM condition expression granting access to those objects only (CEL, startsWith on resource.name). */
export function stateObjectCondition(identities: Pick<IdentitiesConfig, "stateBucket" | "pulumiProject">, stacks: StackSelector): string {
  return stateObjectPrefixes(identities.pulumiProject, stacks)
    .map((p) => `resource.name.startsWith(${JSON.stringify(`projects/_/buckets/${identities.stateBucket}/objects/${p}`)})`)
    .join(" || ");
}

/** The one object every client reads to learn the backend's layout version; read-only for all. */
export function metaObjectCondition(identities: Pick<IdentitiesConfig, "stateBucket">): string {
  return `resource.name == ${JSON.stringify(`projects/_/buckets/${identities.stateBucket}/objects/.pulumi/meta.yaml`)}`;
}
