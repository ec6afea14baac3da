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
  // What travels is the text of the functions below, as ts-node compiled them, with every value they capture; it is
  // encoded and decoded a few times per resource and preview, so they stay short and hold no comment. Nothing captures
  // an imported module (the serializer would copy it into the text): Node's own are taken inside the function. The
  // cache is an object, not a variable: a serialized closure re-creates its captured variables on every call, but
  // shares objects.
  //
  // tsx is the checkout's own, scoped: it compiles the module and its imports without hooking other requires. Its
  // compile cache is off while it loads: it would live in the agent's shared temp folder, written by a pull request's
  // provider and read by a trusted one's.
  const target: { relative: string; file: string; name: string; provider?: Provider<I, O> } = { relative, file, name: exportName };
  const call = (method: Method, args: unknown[]): unknown => {
    const t = target;
    if (!t.provider) {
      const fs = process.getBuiltinModule("node:fs") as typeof import("node:fs");
      const candidates = [(process.getBuiltinModule("node:path") as typeof import("node:path")).resolve(process.cwd(), t.relative), t.file];
      const found = candidates.find((c) => fs.existsSync(c));
      if (!found) throw new Error(`Gantry's ${t.name} is loaded from the Gantry checkout, and neither ${candidates.join(" nor ")} exists: run pulumi from the root of the platform repository (where Pulumi.yaml and ${t.relative} are)`);
      const env = process.env;
      const setting = env.TSX_DISABLE_CACHE;
      env.TSX_DISABLE_CACHE = "1";
      let tsx: { require: (id: string, from: string) => Record<string, unknown> };
      try {
        tsx = (process.getBuiltinModule("node:module") as typeof import("node:module")).createRequire(found)("tsx/cjs/api") as typeof tsx;
      } finally {
        if (setting === undefined) delete env.TSX_DISABLE_CACHE;
        else env.TSX_DISABLE_CACHE = setting;
      }
      const provider = tsx.require(found, found)[t.name] as Provider<I, O> | undefined;
      if (!provider || typeof provider !== "object") throw new Error(`${found} exports no provider named ${t.name}`);
      t.provider = provider;
    }
    const fn = t.provider[method] as ((...a: unknown[]) => unknown) | undefined;
    if (!fn) throw new Error(`${t.name} in ${t.relative} has no ${method}() any more`);
    return fn.apply(t.provider, args);
  };
  const reference: Record<string, unknown> = {};
  for (const method of METHODS) {
    if (declared[method]) reference[method] = async (...args: unknown[]) => call(method, args);
  }
  return reference as unknown as Provider<I, O>;
}
