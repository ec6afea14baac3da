import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { fromProps, type PackImageInputs, type PackImageState } from "../components/pack/provider";
import { fileBackendDir } from "../environments/backend";

/*
 * What a stack deployed last, read without credentials or the Pulumi CLI, from one of:
 * - a file the user hands over: `pulumi stack output --json` (the `services` output: image, fingerprint and
 *   run image per service) or `pulumi stack export` (the whole state, with every PackImage's inputs);
 * - the checkpoint of a local file backend (PULUMI_BACKEND_URL=file://..., by default Gantry's
 *   file://<project>/.gantry/state), which is that same state.
 * Any other backend (Pulumi Cloud, s3://, gs://...) needs credentials, so it is not read: the plan says so.
 */

export const PACK_IMAGE_TYPE = "pulumi-nodejs:dynamic/gantry:PackImage";
export const DOCKER_IMAGE_TYPE = "docker-build:index:Image";

export interface LastDeployment {
  /** Where it was read, for the plan to say. */
  from: string;
  /** The stack's `services` output. */
  services?: Record<string, unknown>;
  /** The stack's `releases` output: the release history (environments/releases.ts), as stored. */
  releases?: Record<string, unknown>;
  /** Each PackImage's last inputs and outputs, by logical (service) name; only from state. */
  packImages: Record<string, Partial<PackImageInputs> & { digest?: string; imageRef?: string }>;
  /** Each Dockerfile build's last tags and image, by logical (service) name; only from state. */
  dockerImages: Record<string, { tags?: unknown; image?: string }>;
  /** Every resource the program declared last time, with its inputs; only from state (empty from outputs alone). */
  resources: DeployedResource[];
}

/** One resource of the last deployment, as the plan diffs it. */
export interface DeployedResource {
  urn: string;
  type: string;
  /** The URN's name part (the logical name). */
  name: string;
  custom: boolean;
  parent?: string;
  inputs: Record<string, unknown>;
}

export type Lookup =
  | { found: LastDeployment; looked: string }
  /** `unreadable`: the stack's state may well exist, but in a backend the plan cannot read without credentials. */
  | { found: undefined; looked: string; unreadable?: true };

/** A file given with --outputs: stack outputs, an export, or a checkpoint. */
export function readDeploymentFile(file: string): LastDeployment {
  const json = parseJson(fs.readFileSync(file, "utf8"), file);
  return fromJson(json, file);
}

/** The last deployment of <project>/<stack> in a file backend, if that backend has one. */
export function lastDeployment(backend: string, project: string, stack: string, cwd = process.cwd()): Lookup {
  const dir = fileBackendDir(backend, cwd);
  if (!dir) return { found: undefined, looked: `${backend} is not a file:// backend and needs credentials to read`, unreadable: true };
  const candidates = [path.join(dir, ".pulumi", "stacks", project, `${stack}.json`), path.join(dir, ".pulumi", "stacks", `${stack}.json`)];
  for (const file of candidates.flatMap((f) => [f, `${f}.gz`])) {
    if (!fs.existsSync(file)) continue;
    const raw = fs.readFileSync(file);
    const text = file.endsWith(".gz") ? zlib.gunzipSync(raw).toString("utf8") : raw.toString("utf8");
    const found = fromJson(parseJson(text, file), `${backend} (${project}/${stack})`);
    // A stack that was created but never deployed has a checkpoint with nothing in it.
    if (!found.services && found.resources.length === 0) break;
    return { found, looked: backend };
  }
  return { found: undefined, looked: `${backend} has no deployment of ${project}/${stack}` };
}

interface StateResource {
  urn?: string;
  type?: string;
  custom?: boolean;
  parent?: string;
  /** A read resource (`get`, StackReference): not the program's to delete. */
  external?: boolean;
  /** Left over from a replacement, waiting for deletion: not part of what was deployed. */
  delete?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

function fromJson(json: unknown, from: string): LastDeployment {
  const resources = stateResources(json);
  if (!resources) {
    if (!isRecord(json)) throw new Error(`${from}: expected the JSON of \`pulumi stack output --json\` or \`pulumi stack export\``);
    return { from, services: isRecord(json.services) ? json.services : undefined, ...(isRecord(json.releases) ? { releases: json.releases } : {}), packImages: {}, dockerImages: {}, resources: [] };
  }
  const root = resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const packImages: LastDeployment["packImages"] = {};
  for (const r of resources.filter((x) => x.type === PACK_IMAGE_TYPE && x.urn)) {
    // Outputs are what the provider's diff compares against (they carry every input too).
    packImages[r.urn!.slice(r.urn!.lastIndexOf("::") + 2)] = fromProps({ ...(r.inputs ?? {}), ...(r.outputs ?? {}) } as Partial<PackImageState>);
  }
  const dockerImages: LastDeployment["dockerImages"] = {};
  for (const r of resources.filter((x) => x.type === DOCKER_IMAGE_TYPE && x.urn)) {
    const tags = r.outputs?.tags ?? r.inputs?.tags;
    const digest = r.outputs?.digest;
    const first = Array.isArray(tags) && typeof tags[0] === "string" ? tags[0] : undefined;
    const image = first && typeof digest === "string" ? `${first.slice(0, first.lastIndexOf(":"))}@${digest}` : undefined;
    dockerImages[r.urn!.slice(r.urn!.lastIndexOf("::") + 2)] = { tags, ...(image ? { image } : {}) };
  }
  const services = root?.outputs?.services;
  const releases = root?.outputs?.releases;
  return { from, services: isRecord(services) ? services : undefined, ...(isRecord(releases) ? { releases } : {}), packImages, dockerImages, resources: declaredResources(resources) };
}

/**
 * What the program itself declared: not the stack, not the default providers the engine adds on its own, not
 * reads, not replaced resources still waiting for deletion.
 */
function declaredResources(resources: StateResource[]): DeployedResource[] {
  const out: DeployedResource[] = [];
  for (const r of resources) {
    if (!r.urn || !r.type || r.type === "pulumi:pulumi:Stack" || r.external || r.delete) continue;
    const name = r.urn.slice(r.urn.lastIndexOf("::") + 2);
    if (r.type.startsWith("pulumi:providers:") && name.startsWith("default")) continue;
    out.push({ urn: r.urn, type: r.type, name, custom: r.custom ?? false, ...(r.parent ? { parent: r.parent } : {}), inputs: r.inputs ?? {} });
  }
  return out;
}

/** resources[] of an export ({deployment}) or a checkpoint ({checkpoint: {latest}}); undefined for plain outputs. */
function stateResources(json: unknown): StateResource[] | undefined {
  if (!isRecord(json)) return undefined;
  const deployment = isRecord(json.deployment) ? json.deployment : isRecord(json.checkpoint) && isRecord(json.checkpoint.latest) ? json.checkpoint.latest : undefined;
  if (!deployment) return undefined;
  return Array.isArray(deployment.resources) ? (deployment.resources as StateResource[]) : [];
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
