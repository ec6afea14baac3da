import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { isInside } from "../../catalog/repository-path";

type Provider<I, O> = pulumi.dynamic.ResourceProvider<I, O>;
type Method = "check" | "diff" | "create" | "update" | "read" | "delete";
const METHODS: readonly Method[] = ["check", "diff", "create", "update", "read", "delete"];

/** The Gantry checkout this file is in: a provider module is found relative to it. */
const CHECKOUT = path.resolve(__dirname, "..", "..");

/**
 * A dynamic provider that travels as a reference to its module in the Gantry checkout, not as its code.
 *
 * The engine keeps a dynamic provider's serialized code in every one of its resources (`__provider`), sends it with
 * every check and diff, and writes it into every checkpoint. PackImage's is about 57 KB of JavaScript (17 KB
 * compressed), so a fleet of 500 carried megabytes through every preview, and each one was encoded and decoded by
 * the SDK's JavaScript protobuf: a third of a fleet preview's time (bench/engine.bench.ts). Gantry runs from its own
 * checkout (Pulumi.yaml sits at its root), so what travels is a loader of about a kilobyte that names the module; the
 * provider process loads it once, with tsx, as the program itself is TypeScript.
 *
 * Where the module is looked for, in order: the same path under the folder the provider process runs in (the engine
 * starts it in the project's root, so a Jenkins workspace at another path finds its own checkout), then the path it
 * had when the resource was declared. So a `pulumi refresh` or `destroy` of an old checkpoint runs today's code, as an
 * `up` does: PackImage's read only asks the registry and its delete does nothing, and both are fixed in one place.
 */
export function moduleProvider<I, O>(modulePath: string, exportName: string, declared: Provider<I, O>): Provider<I, O> {
  const file = path.resolve(modulePath);
  if (!isInside(CHECKOUT, file)) throw new Error(`a module provider must live in the Gantry checkout (${CHECKOUT}), not at ${file}`);
  const relative = path.relative(CHECKOUT, file);
  // Nothing below captures an imported module: the serializer would copy it into the text. Node's own modules are
  // taken inside the function. The cache is an object, not a variable: a serialized closure re-creates its captured
  // variables on every call, but shares objects.
  const loaded: { provider?: Provider<I, O> } = {};
  const load = (): Provider<I, O> => {
    if (loaded.provider) return loaded.provider;
    const fs = process.getBuiltinModule("node:fs") as typeof import("node:fs");
    const nodePath = process.getBuiltinModule("node:path") as typeof import("node:path");
    const nodeModule = process.getBuiltinModule("node:module") as typeof import("node:module");
    const candidates = [nodePath.resolve(process.cwd(), relative), file];
    const found = candidates.find((c) => fs.existsSync(c));
    if (!found) {
      throw new Error(
        `Gantry's ${exportName} is loaded from the Gantry checkout, and neither ${candidates.join(" nor ")} exists: run pulumi from the root of the platform repository (where Pulumi.yaml and ${relative} are)`,
      );
    }
    // The checkout's own tsx, scoped: it compiles this module and its imports without hooking other requires. Its
    // compile cache is off: it would live in the agent's shared temp folder, written by a pull request's provider and
    // read by a trusted one's, for the ~10 files it saves compiling once per provider process.
    const cacheSetting = process.env.TSX_DISABLE_CACHE;
    process.env.TSX_DISABLE_CACHE = "1";
    let tsx: { require: (id: string, from: string) => Record<string, unknown> };
    try {
      tsx = nodeModule.createRequire(found)("tsx/cjs/api") as typeof tsx;
    } finally {
      if (cacheSetting === undefined) delete process.env.TSX_DISABLE_CACHE;
      else process.env.TSX_DISABLE_CACHE = cacheSetting;
    }
    const provider = tsx.require(found, found)[exportName] as Provider<I, O> | undefined;
    if (!provider || typeof provider !== "object") throw new Error(`${found} exports no provider named ${exportName}`);
    return (loaded.provider = provider);
  };
  const reference: Record<string, unknown> = {};
  for (const method of METHODS) {
    if (!declared[method]) continue;
    reference[method] = async (...args: unknown[]) => {
      const provider = load();
      const fn = provider[method] as ((...a: unknown[]) => unknown) | undefined;
      if (!fn) throw new Error(`${exportName} in ${relative} has no ${method}() any more`);
      return fn.apply(provider, args);
    };
  }
  return reference as unknown as Provider<I, O>;
}
