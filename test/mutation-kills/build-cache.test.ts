import { describe, expect, it } from "vitest";
import { assignShards, parseShard } from "../../build/shard";
import { parseChallenge, recordAnnotations, recordFromAnnotations, type BuildRecord } from "../../components/pack/build-record";

/* Written to kill the mutants the build-cache group's own tests let survive (npm run mutation -- build-cache). */

const record: BuildRecord = { fingerprint: "sha256:f", builder: "b@sha256:1", runImage: "r@sha256:2", image: "sha256:d", trust: "trusted", operation: "build", builtOn: "agent", builtAt: "t" };

describe("parseShard edges", () => {
  it("takes surrounding blanks, nothing before or after K/N", () => {
    expect(parseShard(" 2/4 ")).toEqual({ index: 2, count: 4 });
    expect("error" in parseShard("x2/4")).toBe(true);
    expect("error" in parseShard("2/4x")).toBe(true);
  });
});

describe("assignShards order", () => {
  it("deals by the sha256 of the key (a: ca978112, b: 3e23e816, c: 2e7d2c03, d: 18ac3e73), then by name for one key", () => {
    const shards = assignShards(["a", "b", "c", "d"].map((k) => ({ name: `svc-${k}`, key: k })), 2);
    expect(Object.fromEntries(shards)).toEqual({ "svc-d": 1, "svc-c": 2, "svc-b": 1, "svc-a": 2 });
    const tied = assignShards([{ name: "y", key: "k" }, { name: "x", key: "k" }, { name: "z", key: "k" }], 3);
    expect(Object.fromEntries(tied)).toEqual({ x: 1, y: 2, z: 3 });
  });
});

describe("recordFromAnnotations edges", () => {
  it("is no record when any one required field is missing or not a string", () => {
    for (const field of ["fingerprint", "builder", "runImage", "image", "trust"]) {
      const a: Record<string, unknown> = recordAnnotations(record);
      delete a[`dev.gantry.build.${field}`];
      expect(recordFromAnnotations(a), field).toBeUndefined();
      expect(recordFromAnnotations({ ...recordAnnotations(record), [`dev.gantry.build.${field}`]: 7 }), `${field} as a number`).toBeUndefined();
    }
  });

  it("leaves the descriptive fields empty when absent", () => {
    const a: Record<string, unknown> = recordAnnotations(record);
    for (const f of ["operation", "builtOn", "builtAt"]) delete a[`dev.gantry.build.${f}`];
    expect(recordFromAnnotations(a)).toEqual({ ...record, operation: "", builtOn: "", builtAt: "" });
  });
});

describe("parseChallenge edges", () => {
  it("reads only a challenge that starts with Bearer (any case), never one that merely contains it", () => {
    expect(parseChallenge('bearer realm="https://r/token"')).toEqual({ realm: "https://r/token", params: {} });
    expect(parseChallenge('Basic Bearer realm="https://r/token"')).toBeUndefined();
    expect(parseChallenge("")).toBeUndefined();
  });
});
