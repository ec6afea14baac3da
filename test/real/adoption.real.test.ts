import * as fs from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { decideImages, runBuilds } from "../../build/run";
import type { StackImage } from "../../build/need";
import { recordReference } from "../../components/pack/build-record";
import { fromProps, type PackImageProps } from "../../components/pack/provider";
import { declare, up, type ResourceState } from "../support/pack-up";
import { crane, httpFromImage, makeApp, packRuns, realArgs, startRealPackHost, type RealPackHost } from "../support/real/real-pack";
import { describeReal } from "../support/real/tier";
import { headManifest } from "../support/registry";

/*
 * The registry as the build cache with the real tools: two stacks (two provider processes with no state in common)
 * share one real registry; the first builds with the real pack, lifecycle and builder, the second adopts its digest
 * and runs no pack. A tag forged with crane to point at another image is rebuilt by the real pack, not adopted.
 */

type Outputs = Record<string, unknown> & { digest: string; imageRef: string; tag: string; lastOperation: string; adoptedFrom: string };
const out = (s: ResourceState) => s.outputs as Outputs;

describeReal("adoption with the real pack, lifecycle, builder and registry", (world) => {
  let dev: RealPackHost;
  let other: RealPackHost;
  let app: string;
  let built: ResourceState;

  beforeAll(async () => {
    dev = await startRealPackHost(world());
    other = await startRealPackHost(world());
    app = makeApp({ html: "built once\n" });
  });
  afterAll(async () => {
    await dev?.close();
    await other?.close();
    if (app) fs.rmSync(app, { recursive: true, force: true });
  });

  it("two stacks sharing a registry build the same source once: the second adopts the real image's digest", async () => {
    built = await up(dev.host, "shared", realArgs(world(), dev, "shared", app));
    expect(out(built).lastOperation).toBe("build");
    expect(packRuns(dev, "shared")).toHaveLength(1);
    // The record sits beside the image, read here with crane, a client that knows nothing of Gantry.
    const record = JSON.parse(crane(world(), ["manifest", recordReference(`${world().registry.host}/gantry/shared`, out(built).tag)])) as { annotations: Record<string, string> };
    expect(record.annotations["dev.gantry.build.image"]).toBe(out(built).digest);

    const adopted = await up(other.host, "shared", realArgs(world(), other, "shared", app));
    expect(out(adopted)).toMatchObject({ lastOperation: "adopt", digest: out(built).digest });
    expect(packRuns(other, "shared")).toHaveLength(0);
    expect(await httpFromImage(world(), out(adopted).imageRef)).toBe("built once\n");
  });

  it("a forged tag (crane copies another image over it) is rebuilt by the real pack, not adopted", async () => {
    const w = world();
    const impostor = makeApp({ html: "impostor\n" });
    try {
      const evil = await up(dev.host, "impostor", realArgs(w, dev, "impostor", impostor));
      const tagRef = `${w.registry.host}/gantry/shared:${out(built).tag}`;
      crane(w, ["copy", out(evil).imageRef, tagRef]);
      expect((await headManifest(w.registry.host, "gantry/shared", out(built).tag)).digest).toBe(out(evil).digest);

      const third = await startRealPackHost(w);
      try {
        const rebuilt = await up(third.host, "shared", realArgs(w, third, "shared", app));
        expect(out(rebuilt).lastOperation).toBe("build");
        expect(packRuns(third, "shared")).toHaveLength(1);
        expect(out(rebuilt).digest).not.toBe(out(evil).digest);
        expect(await httpFromImage(w, out(rebuilt).imageRef)).toBe("built once\n");
      } finally {
        await third.close();
      }
    } finally {
      fs.rmSync(impostor, { recursive: true, force: true });
    }
  });

  it("gantry build shards with the real pack build each image once, and the up after them runs no pack", async () => {
    const w = world();
    const names = ["s1", "s2", "s3", "s4"];
    const apps = names.map((n) => makeApp({ html: `${n}\n` }));
    const saved = Object.fromEntries(Object.keys(w.env).map((k) => [k, process.env[k]]));
    // The shards run the provider's code in this process, as `gantry build` does: with the real world's Docker engine.
    Object.assign(process.env, w.env);
    const shardHost = await startRealPackHost(w);
    const upHost = await startRealPackHost(w);
    try {
      const images: StackImage[] = [];
      for (const [i, n] of names.entries()) {
        const { __provider: _p, ...inputs } = (await declare(n, realArgs(w, shardHost, n, apps[i]!))).inputs as Record<string, unknown>;
        images.push({ name: n, inputs: fromProps(inputs as unknown as PackImageProps) });
      }
      const builtBy: string[][] = [];
      for (const index of [1, 2]) {
        const { decisions } = await decideImages(images, { shard: { index, count: 2 } });
        const results = await runBuilds(decisions, images);
        expect(results.every((r) => r.outcome === "built")).toBe(true);
        builtBy.push(results.map((r) => r.name));
      }
      expect(builtBy.flat().sort()).toEqual(names);
      expect(builtBy[0]!.filter((n) => builtBy[1]!.includes(n))).toEqual([]);
      for (const n of names) expect(packRuns(shardHost, n)).toHaveLength(1);

      for (const [i, n] of names.entries()) {
        const deployed = await up(upHost.host, n, realArgs(w, upHost, n, apps[i]!));
        expect(out(deployed).lastOperation).toBe("adopt");
        expect(packRuns(upHost, n)).toHaveLength(0);
      }
      expect(await httpFromImage(w, out(await up(upHost.host, "s3", realArgs(w, upHost, "s3", apps[2]!))).imageRef)).toBe("s3\n");
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await shardHost.close();
      await upHost.close();
      for (const d of apps) fs.rmSync(d, { recursive: true, force: true });
    }
  });
});
