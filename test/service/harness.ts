import { createHash } from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadCatalog, type LoadedService } from "../../catalog/load";
import type { PlatformConfig } from "../../catalog/schema/platform";
import { PACK } from "../support/resource-types";

/** Shared set-up for the deployment tests under Pulumi's mock runtime (one process per test file). */

export const PROJECT_DIR = path.resolve(__dirname, "../..");

export interface Captured {
  type: string;
  name: string;
  custom: boolean;
  /** Inputs as the engine receives them: outputs resolved, undefined keys dropped. */
  inputs: any;
  provider?: string;
  urn: string;
  parent: string;
  dependencies: string[];
}

export const DIGEST = "sha256:" + "ab12".repeat(16);
export const OTHER_DIGEST = "sha256:" + "cd34".repeat(16);

export function imageFor(platform: PlatformConfig, service: string, digest = DIGEST): string {
  return `${platform.region}-docker.pkg.dev/${platform.project}/${platform.registry.repository}/${service}@${digest}`;
}

/** Cloud-side outputs the real providers would compute, derived from the inputs. */
function computed(type: string, name: string, inputs: any): Record<string, unknown> {
  switch (type) {
    case "gcp:serviceaccount/account:Account": {
      const email = `${inputs.accountId}@${inputs.project}.iam.gserviceaccount.com`;
      return { email, name: `projects/${inputs.project}/serviceAccounts/${email}`, member: `serviceAccount:${email}` };
    }
    case "gcp:cloudrunv2/service:Service":
      return { uri: `https://${inputs.name}-h4sh-ew.a.run.app` };
    case "gcp:projects/iAMCustomRole:IAMCustomRole":
      return { name: `projects/${inputs.project}/roles/${inputs.roleId}` };
    case "gcp:artifactregistry/repository:Repository":
      return { registryUri: `${inputs.location}-docker.pkg.dev/${inputs.project}/${inputs.repositoryId}` };
    case PACK: {
      // What a build would publish: a digest that follows the fingerprint and the run image, like a real one.
      const digest = `sha256:${createHash("sha256").update(`${inputs.fingerprint}\n${inputs.runImage}`).digest("hex")}`;
      return { digest, imageRef: `${inputs.repository}@${digest}`, lastOperation: "build", tag: "g-test", logPath: "", buildpacks: [], sbomDir: "" };
    }
    case "gcp:container/cluster:Cluster":
      return { endpoint: "203.0.113.10", masterAuth: { clusterCaCertificate: "Q0EtQ0VSVA==" } };
    case "pulumi:pulumi:StackReference":
      // A stack with no outputs yet, as the engine answers for one never deployed (the program reads its own).
      return { outputs: {}, secretOutputNames: [] };
    default:
      return {};
  }
}

/**
 * Installs the mocks and records every registration, including its parent and explicit dependencies,
 * which the mock callbacks do not see, by wrapping the mock monitor's registerResource.
 */
export async function installMocks(stack = "test"): Promise<Captured[]> {
  const captured: Captured[] = [];
  const pending = new Map<string, { parent: string; dependencies: string[] }>();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const key = `${args.type}::${args.name}`;
        const meta = pending.get(key) ?? { parent: "", dependencies: [] };
        captured.push({
          type: args.type,
          name: args.name,
          custom: args.custom ?? false,
          inputs: args.inputs,
          ...(args.provider ? { provider: args.provider } : {}),
          urn: "",
          ...meta,
        });
        return { id: args.custom ? `${args.name}_id` : undefined, state: { ...args.inputs, ...computed(args.type, args.name, args.inputs) } };
      },
      call: (args) => args.inputs,
    },
    "gantry",
    stack,
    false,
  );
  const monitor = pulumi.runtime.getMonitor() as any;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: unknown, res: any) => void) => {
    pending.set(`${req.getType()}::${req.getName()}`, { parent: req.getParent(), dependencies: req.getDependenciesList() });
    return register(req, (err: unknown, res: any) => {
      const c = captured.find((x) => x.type === req.getType() && x.name === req.getName());
      if (c && res) c.urn = res.getUrn();
      callback(err, res);
    });
  };
  return captured;
}

export const v = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

/** A program's per-service outputs with every Output resolved, then the mock runtime settled. */
export async function resolveOutputs(outputs: Record<string, object>): Promise<Record<string, Record<string, unknown>>> {
  const resolved: Record<string, Record<string, unknown>> = {};
  for (const [name, o] of Object.entries(outputs)) {
    resolved[name] = {};
    for (const [k, value] of Object.entries(o)) resolved[name]![k] = typeof value === "string" ? value : await v(value as never);
  }
  await settle();
  return resolved;
}

/** Lets every queued registration reach the mocks. */
export async function settle(): Promise<void> {
  await (pulumi.runtime as any).waitForRPCs();
  await new Promise((r) => setTimeout(r, 10));
  await (pulumi.runtime as any).waitForRPCs();
}

export function catalog() {
  const c = loadCatalog({ projectDir: PROJECT_DIR, stacks: ["dev", "prod"] });
  const errors = c.problems.filter((p) => p.severity === "error");
  if (errors.length) throw new Error(`example catalog has errors: ${JSON.stringify(errors)}`);
  return c;
}

export function loaded(stack: string, name: string): { service: LoadedService; platform: PlatformConfig } {
  const c = catalog();
  const service = c.services[stack]?.find((s) => s.spec.name === name);
  const platform = c.platforms[stack];
  if (!service || !platform) throw new Error(`no ${name} in stack ${stack}`);
  return { service, platform };
}

export function byType(captured: Captured[], type: string, prefix?: string): Captured[] {
  return captured.filter((c) => c.type === type && (prefix === undefined || c.name.startsWith(prefix)));
}

export function one(captured: Captured[], type: string, name: string): Captured {
  const found = captured.filter((c) => c.type === type && c.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one ${type} named ${name}, found ${found.length}; have: ${captured.map((c) => `${c.type}::${c.name}`).join(", ")}`);
  }
  return found[0]!;
}

/** Every string anywhere inside a value, for scans such as "no primitive role anywhere". */
export function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

/** Every object anywhere inside a value that has the given key. */
export function objectsWithKey(value: unknown, key: string): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.flatMap((x) => objectsWithKey(x, key));
  if (value && typeof value === "object") {
    const here = key in (value as object) ? [value as Record<string, unknown>] : [];
    return [...here, ...Object.values(value).flatMap((x) => objectsWithKey(x, key))];
  }
  return [];
}

/** The types of a resource's ancestors, nearest first, then its own: ["gcp:...", "gantry:service:Service"]. */
export function ancestry(captured: Captured[], c: Captured): string[] {
  const chain = [c.type];
  let parent = c.parent;
  while (parent) {
    const p = captured.find((x) => x.urn === parent);
    if (!p) break;
    chain.push(p.type);
    parent = p.parent;
  }
  return chain;
}

/** A service from the example catalog with some fields replaced, for cases the examples do not cover. */
export function variant(service: LoadedService, changes: Record<string, unknown>): LoadedService {
  return { ...service, spec: { ...service.spec, ...changes } as LoadedService["spec"] };
}

/** The captured resources belonging to one component name (its own registration and every child named after it). */
export function ofComponent(captured: Captured[], name: string): Captured[] {
  return captured.filter((c) => c.name === name || c.name.startsWith(`${name}-`));
}

export function summary(list: Captured[]): string[] {
  return list.map((c) => `${c.type}::${c.name}`).sort();
}
