import * as zlib from "node:zlib";
import * as pulumi from "@pulumi/pulumi";

type Provider<I, O> = pulumi.dynamic.ResourceProvider<I, O>;
type Method = "check" | "diff" | "create" | "update" | "read" | "delete";
const METHODS: readonly Method[] = ["check", "diff", "create", "update", "read", "delete"];

/**
 * The engine keeps a dynamic provider's serialized code in every one of its resources (`__provider`), sends it with
 * every check and diff, and writes it into every checkpoint. PackImage's is about 57 KB of JavaScript, so a fleet of
 * 500 carried 28 MB through each preview and each checkpoint write (bench/engine.bench.ts). What travels instead is
 * a loader of under 2 KB and the provider's own serialized text, brotli-compressed (17 KB in all for PackImage); the
 * provider process inflates it once, on its first call.
 */
export function compactProvider<I, O>(full: Provider<I, O>): Provider<I, O> {
  const packed: Promise<string> = pulumi.runtime
    .serializeFunction(() => full, { allowSecrets: true })
    .then((sf) => {
      // Compressed, a captured secret would pass into state unmarked: refuse, as Gantry's providers capture none.
      if (sf.containsSecrets) throw new Error("a compact dynamic provider must not capture a secret");
      return zlib.brotliCompressSync(sf.text).toString("base64");
    });
  // Its failure reaches whoever serializes this provider (the first resource); until then it is not "unhandled".
  packed.catch(() => undefined);
  // Nothing below captures an imported module (see provider.ts): zlib is taken inside the function. The cache is an
  // object, not a variable: a serialized closure re-creates its captured variables on every call, but shares objects.
  const loaded: { provider?: Promise<Provider<I, O>> } = {};
  const load = (): Promise<Provider<I, O>> =>
    // The serializer captures a promise as the value it resolved to: a string, in the provider process.
    (loaded.provider ??= Promise.resolve(packed).then((text) => {
      const module = { exports: {} as { handler?: () => Provider<I, O> } };
      // The serialized text is a CommonJS module whose require() resolves as this loader's does.
      const inflate = process.getBuiltinModule("node:zlib") as typeof import("node:zlib");
      new Function("exports", "require", "module", inflate.brotliDecompressSync(Buffer.from(text, "base64")).toString("utf8"))(module.exports, require, module);
      return module.exports.handler!();
    }));
  const compact: Record<string, unknown> = {};
  for (const method of METHODS) {
    if (!full[method]) continue;
    compact[method] = (...args: unknown[]) => load().then((p) => (p[method] as (...a: unknown[]) => unknown)(...args));
  }
  return compact as unknown as Provider<I, O>;
}
