import { fromProps, type PackImageState } from "../components/pack/provider";
import { DOCKER_IMAGE_TYPE, PACK_IMAGE_TYPE, type DeployedResource } from "./last-deployment";
import type { PlannedRegistration } from "./mocks";
import { forcingChanges } from "./replace";
import { differs, flatten, shown, type Leaf } from "./values";

/*
 * Each resource the program declares now against the same URN in the last deployment: what a deploy would
 * create, update (input by input), replace (and which input forces it), delete, or leave alone.
 */

export type ResourceAction = "create" | "update" | "replace" | "delete" | "same" | "read";

export interface InputChange {
  path: string;
  old: string;
  new: string;
  /** This input cannot change in place (plan/replace.ts). */
  forcesReplace?: boolean;
}

export interface ResourceChange {
  urn: string;
  type: string;
  name: string;
  /** The declared service it belongs to; none for stack-wide resources (registry, cluster, agent caches). */
  service?: string;
  action: ResourceAction;
  /** For an update or a replacement, each changed input, old -> new (secrets as [secret]). */
  changes: InputChange[];
}

/** A change with both sides' inputs, flattened, for the risk rules to read. */
export interface DiffedResource {
  change: ResourceChange;
  olds?: Map<string, Leaf>;
  news?: Map<string, Leaf>;
}

export const SERVICE_COMPONENT = "gantry:service:Service";

/**
 * Not the resource's configuration: a dynamic provider's serialized code, which changes with every Gantry
 * release and is no change to the resource (the engine's `__defaults` are left out by flatten).
 */
const BOOKKEEPING = new Set(["__provider"]);

/**
 * Resources whose provider decides from a few inputs only: a PackImage rebuilds on its build triggers and
 * rebases on its run image (components/pack/provider.ts planChange), never on the checkout path, log folder or
 * the commit tag; a Dockerfile build's content tag stands for everything that goes into it.
 */
const COMPARED: Record<string, string[]> = {
  [PACK_IMAGE_TYPE]: ["repository", "source", "builder", "env", "secretEnv", "projectToml", "defaultProcess", "runImage"],
  [DOCKER_IMAGE_TYPE]: ["tags"],
};

export function diffResources(planned: PlannedRegistration[], last: DeployedResource[]): DiffedResource[] {
  const serviceOf = ownerLookup([...planned, ...last]);
  const before = new Map(last.map((r) => [r.urn, r]));
  const out: DiffedResource[] = [];
  for (const r of planned) {
    if (!r.custom) continue;
    const base = { urn: r.urn, type: r.type, name: r.name, ...optionalService(serviceOf(r.urn)) };
    if (r.read) {
      out.push({ change: { ...base, action: "read", changes: [] } });
      continue;
    }
    const news = flatten(compared(r.type, r.inputs));
    const old = before.get(r.urn);
    if (!old) {
      out.push({ change: { ...base, action: "create", changes: [] }, news });
      continue;
    }
    const olds = flatten(compared(r.type, old.inputs));
    const changes = changedInputs(olds, news);
    const forcing = new Set(forcingChanges(r.type, changes));
    const action = forcing.size > 0 ? "replace" : changes.length > 0 ? "update" : "same";
    out.push({ change: { ...base, action, changes: changes.map((c) => (forcing.has(c.path) ? { ...c, forcesReplace: true } : c)) }, olds, news });
  }
  const declared = new Set(planned.map((r) => r.urn));
  for (const r of last) {
    if (!r.custom || declared.has(r.urn)) continue;
    out.push({ change: { urn: r.urn, type: r.type, name: r.name, ...optionalService(serviceOf(r.urn)), action: "delete", changes: [] }, olds: flatten(compared(r.type, r.inputs)) });
  }
  return out.sort((a, b) => (a.change.service ?? "").localeCompare(b.change.service ?? "") || a.change.type.localeCompare(b.change.type) || a.change.name.localeCompare(b.change.name));
}

/** The inputs a diff looks at (`__defaults` kept: flatten reads it). */
function compared(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const keys = COMPARED[type];
  const out: Record<string, unknown> = {};
  // A PackImage's inputs by the names its provider decides on, whichever shape its stack stores them in.
  const named = type === PACK_IMAGE_TYPE ? (fromProps(inputs as Partial<PackImageState>) as Record<string, unknown>) : inputs;
  for (const [k, v] of Object.entries(named)) {
    if (k !== "__defaults" && (BOOKKEEPING.has(k) || (keys && !keys.includes(k)))) continue;
    out[k] = v;
  }
  return out;
}

function changedInputs(olds: Map<string, Leaf>, news: Map<string, Leaf>): InputChange[] {
  const changes: InputChange[] = [];
  for (const [path, next] of news) {
    const old = olds.get(path);
    if (old === undefined) {
      changes.push({ path, old: shown(undefined), new: shown(next) });
      continue;
    }
    // Only an image is known to change when a deploy computes it (a build); any other value the plan cannot
    // know offline (a project number, a cluster endpoint) is not a change it can show.
    if (next.unknown && !/(^|\.)image$/.test(path)) continue;
    if (differs(old, next)) changes.push({ path, old: shown(old), new: shown(next) });
  }
  // An input the provider filled in by default (at any depth) and the program does not set now is the provider's,
  // not a removal: against a real checkpoint, every resource would otherwise show its defaults as removed.
  for (const [path, old] of olds) if (!news.has(path) && !old.defaulted) changes.push({ path, old: shown(old), new: shown(undefined) });
  return changes;
}

/** urn -> the declared service whose component it sits under, by walking parents. */
function ownerLookup(resources: Array<{ urn: string; type: string; name: string; parent?: string }>): (urn: string) => string | undefined {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const memo = new Map<string, string | undefined>();
  const owner = (urn: string): string | undefined => {
    if (memo.has(urn)) return memo.get(urn);
    const r = byUrn.get(urn);
    const found = !r ? undefined : r.type === SERVICE_COMPONENT ? r.name : r.parent ? owner(r.parent) : undefined;
    memo.set(urn, found);
    return found;
  };
  return owner;
}

function optionalService(service: string | undefined): { service?: string } {
  return service === undefined ? {} : { service };
}

/** How many resources each action touches (reads are not counted). */
export function countActions(changes: ResourceChange[]): Record<Exclude<ResourceAction, "read">, number> {
  const counts: Record<Exclude<ResourceAction, "read">, number> = { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
  for (const c of changes) if (c.action !== "read") counts[c.action]++;
  return counts;
}
