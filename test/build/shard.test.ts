import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assignShards, MAX_SHARDS, parseShard } from "../../build/shard";
import { decideImages, mapLimit, summaryLine, workOrder, type ImageDecision } from "../../build/run";
import type { RecordLookup } from "../../components/pack/build-record";
import type { PackImageOutputs } from "../../components/pack/provider";
import { plainPackInputs, RUN_IMAGE } from "../support/pack-inputs";

describe("parseShard", () => {
  it("reads K/N, 1-based", () => {
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    expect(parseShard("1/1")).toEqual({ index: 1, count: 1 });
    expect(parseShard(`${MAX_SHARDS}/${MAX_SHARDS}`)).toEqual({ index: MAX_SHARDS, count: MAX_SHARDS });
  });

  it("refuses what is not a shard, saying what was expected", () => {
    expect(parseShard("2-4")).toEqual({ error: '--shard "2-4": expected K/N, for example 2/4 (the second of four shards)' });
    expect(parseShard("0/4")).toEqual({ error: '--shard "0/4": K must be 1 to 4' });
    expect(parseShard("5/4")).toEqual({ error: '--shard "5/4": K must be 1 to 4' });
    expect(parseShard("1/0")).toEqual({ error: '--shard "1/0": the shard count must be 1 to 64' });
    expect(parseShard(`1/${MAX_SHARDS + 1}`)).toEqual({ error: `--shard "1/${MAX_SHARDS + 1}": the shard count must be 1 to 64` });
  });
});

const fleet = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `svc-${i}`, key: `g-${i.toString(16).padStart(16, "0")}` }));

describe("assignShards", () => {
  it("puts every image on exactly one shard, the shards differing by at most one image", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1, max: 16 }), (n, count) => {
        const images = fleet(n);
        const shards = assignShards(images, count);
        expect([...shards.keys()].sort()).toEqual(images.map((i) => i.name).sort());
        const sizes = Array.from({ length: count }, (_, k) => [...shards.values()].filter((s) => s === k + 1).length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
      }),
    );
  });

  it("is the same on every shard, whatever order each one lists the images in", () => {
    const images = fleet(40);
    const reversed = [...images].reverse();
    expect([...assignShards(reversed, 4).entries()].sort()).toEqual([...assignShards(images, 4).entries()].sort());
  });

  it("40 images on 4 shards: 10 each", () => {
    const sizes = [1, 2, 3, 4].map((k) => [...assignShards(fleet(40), 4).values()].filter((s) => s === k).length);
    expect(sizes).toEqual([10, 10, 10, 10]);
  });
});

const miss: RecordLookup = { adopt: false, reason: "no build record" };
const lookupNone = async () => miss;

function image(name: string, over: Parameters<typeof plainPackInputs>[0] = {}, last?: Partial<PackImageOutputs>) {
  const inputs = plainPackInputs({ serviceName: name, repository: `127.0.0.1:1/gantry/${name}`, fingerprint: `sha256:${name}`, ...over });
  return { name, inputs, ...(last ? { last: { ...inputs, digest: "sha256:" + "0".repeat(64), imageRef: `127.0.0.1:1/gantry/${name}@sha256:${"0".repeat(64)}`, tag: "g-x", lastOperation: "build" as const, adoptedFrom: "", logPath: "", buildpacks: [], sbomDir: "", ...last } } : {}) };
}

describe("decideImages", () => {
  it("decides each image as PackImage would: unchanged, adopt, rebase or build, with why", async () => {
    const images = [
      image("same", {}, {}),
      image("held", {}, undefined),
      image("bumped", { runImage: "gcr.io/buildpacks/google-22/run@sha256:" + "9".repeat(64) }, { runImage: RUN_IMAGE }),
      image("edited", { source: "sha256:new" }, { source: "sha256:aaa" }),
    ];
    const lookup = async (inputs: { serviceName: string }): Promise<RecordLookup> =>
      inputs.serviceName === "held" ? { adopt: true, digest: "sha256:" + "1".repeat(64), repository: "127.0.0.1:1/gantry/held", from: "127.0.0.1:1/gantry/held:g-1", record: { fingerprint: "f", builder: "b", runImage: "r", image: "d", trust: "trusted", operation: "build", builtOn: "agent-3", builtAt: "t" } } : miss;
    const { decisions } = await decideImages(images, {}, lookup as never);
    const by = Object.fromEntries(decisions.map((d) => [d.name, d]));
    expect(by.same).toMatchObject({ action: "unchanged", why: "unchanged since the last deployment" });
    expect(by.held).toMatchObject({ action: "adopt", why: "first build (no deployment on record); already in the registry: 127.0.0.1:1/gantry/held:g-1, build on agent-3", priority: 0 });
    expect(by.bumped).toMatchObject({ action: "rebase", why: "run image changed: the last image is rebased, its app layers kept (no build record)", priority: 1 });
    expect(by.edited).toMatchObject({ action: "build", why: "source changed (no build record)", priority: 0 });
  });

  it("a shard decides only its own images; --service narrows within the shard, never moves the split", async () => {
    const images = Array.from({ length: 12 }, (_, i) => image(`s${i}`));
    const all = new Set<string>();
    for (const index of [1, 2, 3]) {
      const { decisions, otherShards } = await decideImages(images, { shard: { index, count: 3 } }, lookupNone);
      expect(decisions).toHaveLength(4);
      expect(otherShards).toBe(8);
      for (const d of decisions) {
        expect(all.has(d.name)).toBe(false);
        all.add(d.name);
        expect(d.shard).toBe(index);
      }
    }
    expect(all.size).toBe(12);
    const mine = (await decideImages(images, { shard: { index: 1, count: 3 } }, lookupNone)).decisions.map((d) => d.name);
    const narrowed = await decideImages(images, { shard: { index: 1, count: 3 }, only: [mine[0]!, "s-not-mine"] }, lookupNone);
    expect(narrowed.decisions.map((d) => d.name)).toEqual([mine[0]]);
  });
});

describe("workOrder and the summary", () => {
  const d = (name: string, action: ImageDecision["action"], priority: 0 | 1): ImageDecision => ({ name, action, priority, why: "" });

  it("runs the day's changes first, then fleet-wide work, by name within each; nothing for adopted or unchanged images", () => {
    expect(workOrder([d("b-fleet", "build", 1), d("a-fleet", "rebase", 1), d("z-change", "build", 0), d("held", "adopt", 0), d("same", "unchanged", 0)]).map((x) => x.name)).toEqual(["z-change", "a-fleet", "b-fleet"]);
  });

  it("counts what was done and names what failed", () => {
    const line = summaryLine([d("a", "build", 0), d("b", "adopt", 0), d("c", "unchanged", 0), d("e", "build", 0)], [
      { name: "a", outcome: "built", seconds: 1 },
      { name: "e", outcome: "failed", seconds: 1, error: "x" },
    ], 7);
    expect(line).toBe("1 built, 0 rebased, 1 already in the registry, 1 unchanged, 7 left to other shards, 1 FAILED (e)");
  });
});

describe("mapLimit", () => {
  it("keeps the items' order and never runs more than the limit at once, at the limit and just over it", async () => {
    for (const n of [4, 5]) {
      let running = 0;
      let peak = 0;
      const out = await mapLimit(Array.from({ length: n }, (_, i) => i), 4, async (i) => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setTimeout(r, (n - i) * 5));
        running--;
        return i * 10;
      });
      expect(out).toEqual(Array.from({ length: n }, (_, i) => i * 10));
      expect(peak).toBe(4);
    }
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });
});
