import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { isInside } from "../../catalog/repository-path";

type Provider<I, O> = pulumi.dynamic.ResourceProvider<I, O>;
type Method = "check" | "diff" | "create" | "update" | "read" | "delete";
const METHODS: readonly Method[] = ["check", "diff", "create", "update", "read", "delete"];

/** The Gantry checkout this file is in: a provider module is found relative to it. */
const CHECKOUT = path.resolve(__dirname, "..", "..");
/** Loads the module in the provider process (JavaScript: it runs before any TypeScript loader exists there). */
const LOADER = path.join(__dirname, "load-module-provider.cjs");

/**
 * A dynamic provider that travels as a reference to its module in the Gantry checkout, not as its code.
 *
 * The engine keeps a dynamic provider's serialized code in every one of its resources (`__provider`), sends it with
 * every check and diff, and writes it into every checkpoint. PackImage's is about 57 KB of JavaScript (17 KB
 * compressed), so a fleet of 500 carried megabytes through every preview, and each one was encoded and decoded by
 * the SDK's JavaScript protobuf: a third of a fleet preview's time (bench/engine.bench.ts). Gantry runs from its own
 * checkout (Pulumi.yaml sits at its root), so what travels is a loader of a few kilobytes that names the module; the
 * provider process loads it once, with tsx, as the program itself is TypeScript (./load-module-provider.cjs).
 *
 * Where the module is looked for, in order: the same path under the folder the provider process runs in (the engine
 * starts it in the project's root, so a Jenkins workspace at another path finds its own checkout), then the path it
 * had when the resource was declared. So a `pulumi refresh` or `destroy` of an old checkpoint runs today's code, as an
 * `up` does: PackImage's read only asks the registry and it has no delete, and both are fixed in one place.
 */
export function moduleProvider<I, O>(modulePath: string, exportName: string, declared: Provider<I, O>): Provider<I, O> {
  const file = path.resolve(modulePath);
  if (!isInside(CHECKOUT, file)) throw new Error(`a module provider must live in the Gantry checkout (${CHECKOUT}), not at ${file}`);
  const relative = path.relative(CHECKOUT, file);
  const loader = `./${path.relative(path.dirname(file), LOADER).split(path.sep).join("/")}`;
  // What travels is the text of the function below, as ts-node compiled it, with every value it captures; the engine
  // and the SDK encode and decode it a few times per resource and operation, so it stays short and holds no comment,
  // and the rest of the loading is in LOADER. Nothing here captures an imported module (the serializer would copy it
  // into the text): Node's own are taken inside the function. The cache is an object, not a variable: a serialized
  // closure re-creates its captured variables on every call, but shares objects.
  const target: { relative: string; file: string; name: string; loader: string; invoke?: (method: Method, args: unknown[]) => unknown } = { relative, file, name: exportName, loader };
  const call = (method: Method, args: unknown[]): unknown => {
    const t = target;
    if (!t.invoke) {
      const fs = process.getBuiltinModule("node:fs") as typeof import("node:fs");
      const candidates = [(process.getBuiltinModule("node:path") as typeof import("node:path")).resolve(process.cwd(), t.relative), t.file];
      const found = candidates.find((c) => fs.existsSync(c));
      if (!found) throw new Error(`Gantry's ${t.name} is at neither ${candidates.join(" nor ")}: run pulumi from the root of the platform repository, where Pulumi.yaml is`);
      t.invoke = (process.getBuiltinModule("node:module") as typeof import("node:module")).createRequire(found)(t.loader)(found, t.name, t.relative);
    }
    return t.invoke!(method, args);
  };
  const reference: Record<string, unknown> = {};
  for (const method of METHODS) {
    if (declared[method]) reference[method] = async (...args: unknown[]) => call(method, args);
  }
  return reference as unknown as Provider<I, O>;
}
