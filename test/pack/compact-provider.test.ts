import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { compactProvider } from "../../components/pack/compact-provider";
import { packProvider, type PackImageInputs, type PackImageOutputs } from "../../components/pack/provider";
import { plainPackInputs } from "../support/pack-inputs";

// What the dynamic-provider host does with a resource's __provider (@pulumi/pulumi/cmd/dynamic-provider): the same
// serialization dynamic.Resource applies, then require-from-string and handler().
const requireFromString = createRequire(require.resolve("@pulumi/pulumi"))("require-from-string") as (code: string) => { handler: () => pulumi.dynamic.ResourceProvider };

async function asTheHostSeesIt<I, O>(provider: pulumi.dynamic.ResourceProvider<I, O>): Promise<{ text: string; loaded: pulumi.dynamic.ResourceProvider<I, O> }> {
  const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return { text, loaded: requireFromString(text).handler() as pulumi.dynamic.ResourceProvider<I, O> };
}

describe("the compact dynamic provider", () => {
  it("carries PackImage's provider in under a third of its serialized size", async () => {
    const full = await asTheHostSeesIt(packProvider);
    const compact = await asTheHostSeesIt(compactProvider(packProvider));
    expect(compact.text.length).toBeLessThan(full.text.length / 3);
    expect(compact.text).not.toContain("pack rebase");
  });

  it("answers as the provider it wraps, once loaded as the dynamic-provider host loads it", async () => {
    const { loaded } = await asTheHostSeesIt(compactProvider<PackImageInputs, PackImageOutputs>(packProvider));
    const bad = { ...plainPackInputs(), repository: "europe-docker.pkg.dev/p/r/svc:latest", trust: "root" } as unknown as PackImageInputs;
    const [theirs, ours] = await Promise.all([packProvider.check!(plainPackInputs(), bad), loaded.check!(plainPackInputs(), bad)]);
    expect(ours.failures).toEqual(theirs.failures);
    expect(ours.failures?.map((f) => f.property)).toEqual(expect.arrayContaining(["repository", "trust"]));
    const olds = { ...plainPackInputs(), digest: "sha256:" + "a".repeat(64) } as PackImageInputs & PackImageOutputs;
    const news = { ...plainPackInputs(), runImage: plainPackInputs().runImage.replace(/@sha256:.*/, "@sha256:" + "b".repeat(64)) };
    expect(await loaded.diff!("id", olds, news)).toEqual(await packProvider.diff!("id", olds, news));
  });

  it("has exactly the methods of the provider it wraps, and keeps state between calls", async () => {
    const counter = { calls: 0 };
    const small: pulumi.dynamic.ResourceProvider = {
      async create(inputs) {
        counter.calls++;
        return { id: `n-${counter.calls}`, outs: inputs };
      },
    };
    const { loaded } = await asTheHostSeesIt(compactProvider(small));
    expect(Object.keys(loaded)).toEqual(["create"]);
    expect((await loaded.create({ a: 1 })).id).toBe("n-1");
    expect((await loaded.create({ a: 2 })).id).toBe("n-2");
  });

  it("refuses a provider that captures a secret, which compressed text would carry into state unmarked", async () => {
    const token = pulumi.secret("s3cr3t-token");
    const leaky: pulumi.dynamic.ResourceProvider = {
      async create(inputs) {
        return { id: String(token.get()), outs: inputs };
      },
    };
    await expect(asTheHostSeesIt(compactProvider(leaky))).rejects.toThrow(/must not capture a secret/);
  });
});
