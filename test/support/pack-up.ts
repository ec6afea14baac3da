import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PackImage, type PackImageArgs } from "../../components/pack/image";
import { serializedProviderOf, startProviderHost, type PropertyMap, type ProviderHost } from "./provider-host";

/**
 * Drives PackImage the way `pulumi up` does: the program declares the resource (the SDK serializes the provider
 * under the mock runtime), then the engine's Check/Diff/Create/Update calls go to Pulumi's own dynamic-provider
 * host over gRPC, with the `pack` stand-in first on PATH.
 */

export const STANDIN_DIR = path.join(__dirname, "pack-standin");

export interface ResourceState {
  id: string;
  urn: string;
  inputs: PropertyMap;
  outputs: PropertyMap;
}

export type UpResult = ResourceState & { step: "create" | "same" | "update" | "replace" };

export interface PackWorld {
  host: ProviderHost;
  /** JSON lines the stand-in writes, one per pack invocation. */
  packLog: string;
  logDir: string;
  calls(): Array<{ argv: string[]; pid: number; envNamesPresent: string[] }>;
  close(): Promise<void>;
}

export async function startPackWorld(env: Record<string, string> = {}): Promise<PackWorld> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-packworld-"));
  const packLog = path.join(dir, "pack-calls.jsonl");
  const host = await startProviderHost({
    project: "gantry",
    stack: "dev",
    env: { PATH: `${STANDIN_DIR}${path.delimiter}${process.env.PATH ?? ""}`, PACK_STANDIN_LOG: packLog, ...env },
  });
  return {
    host,
    packLog,
    logDir: path.join(dir, "logs"),
    calls: () =>
      fs.existsSync(packLog)
        ? fs
            .readFileSync(packLog, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l))
        : [],
    close: () => host.close().then(() => undefined),
  };
}

/** What the program declares for one resource in one run. */
export async function declare(name: string, args: PackImageArgs): Promise<{ urn: string; inputs: PropertyMap }> {
  const resources = await serializedProviderOf(() => {
    new PackImage(name, args);
  });
  const r = resources.get(name);
  if (!r) throw new Error(`PackImage ${name} was not declared`);
  return { urn: r.urn, inputs: r.inputs };
}

/** One `pulumi up` of one PackImage: check, then create, or diff and update when the provider says so. */
export async function up(host: ProviderHost, name: string, args: PackImageArgs, state?: ResourceState): Promise<UpResult> {
  const declared = await declare(name, args);
  const { inputs, failures } = await host.check(declared.urn, state?.inputs ?? {}, declared.inputs);
  if (failures.length > 0) throw new Error(`check failed: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
  if (!state) {
    const created = await host.create(declared.urn, inputs);
    return { id: created.id, urn: declared.urn, inputs, outputs: created.properties, step: "create" };
  }
  const diff = await host.diff(state.id, declared.urn, state.outputs, inputs);
  if (diff.changes !== "some") return { ...state, inputs, step: "same" };
  if (diff.replaces.length > 0) {
    const created = await host.create(declared.urn, inputs);
    return { id: created.id, urn: declared.urn, inputs, outputs: created.properties, step: "replace" };
  }
  const updated = await host.update(state.id, declared.urn, state.outputs, inputs);
  return { id: state.id, urn: declared.urn, inputs, outputs: updated.properties, step: "update" };
}

/** A small Python app like the ones teams deploy. */
export function sampleApp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-app-"));
  fs.writeFileSync(path.join(dir, "main.py"), "from flask import Flask\napp = Flask(__name__)\n");
  fs.writeFileSync(path.join(dir, "requirements.txt"), "flask==3.1.2\n");
  fs.writeFileSync(path.join(dir, "service.yaml"), "name: api\nkind: service\n");
  return dir;
}

export const BUILDER = "gcr.io/buildpacks/builder@sha256:5977b4bd47d3e9ff729eefe9eb99d321d4bba7aa3b14986323133f40b622aef1";
export const RUN_IMAGE = "gcr.io/buildpacks/google-22/run@sha256:a8ccb6641b4d98b0adf6397f954e7194611d1ae61310f0561f1c00fdf7f9ba96";
/** PackImage arguments for a world of the pack stand-in: the pinned Google builder and run image, its log folder. */
export function standinArgs(world: PackWorld, repository: string, serviceName: string, sourceDir: string, maxParallelBuilds: number): PackImageArgs {
  return {
    serviceName,
    repository,
    sourceDir,
    builder: BUILDER,
    runImage: RUN_IMAGE,
    trustedBuilders: ["gcr.io/buildpacks/builder"],
    logDir: world.logDir,
    statCacheDir: path.join(world.logDir, "..", "statcache"),
    maxParallelBuilds,
    timeoutSeconds: 600,
  };
}

export const NEXT_RUN_IMAGE = "gcr.io/buildpacks/google-22/run@sha256:" + "b".repeat(64);
