import { describe, expect, it } from "vitest";
import { judgeRecord, parseChallenge, recordAnnotations, recordFromAnnotations, recordReference, type BuildRecord } from "../../components/pack/build-record";
import { packProvider, slotPriority, toProps, type PackImageInputs } from "../../components/pack/provider";
import { BUILDER, plainPackInputs, RUN_IMAGE } from "../support/pack-inputs";

const DIGEST = "sha256:" + "d".repeat(64);
const OTHER = "sha256:" + "0".repeat(64);
const record = (over: Partial<BuildRecord> = {}): BuildRecord => ({ fingerprint: "sha256:fff", builder: BUILDER, runImage: RUN_IMAGE, image: DIGEST, trust: "trusted", operation: "build", builtOn: "agent-1", builtAt: "2026-12-03T12:00:00.000Z", ...over });
const inputs = (over: Partial<{ fingerprint: string; builder: string; runImage: string; trust: "trusted" | "untrusted" }> = {}) => ({ fingerprint: "sha256:fff", builder: BUILDER, runImage: RUN_IMAGE, trust: "trusted" as const, ...over });

describe("judgeRecord: when an image in the registry may be adopted", () => {
  it("adopts when every input agrees and the tag still points at the recorded digest", () => {
    expect(judgeRecord(inputs(), record(), DIGEST)).toEqual({ ok: true });
  });

  it("never trusts a record that disagrees, naming each field", () => {
    expect(judgeRecord(inputs({ fingerprint: "sha256:eee" }), record(), DIGEST)).toEqual({ ok: false, reason: "the build record disagrees (fingerprint); not trusted" });
    expect(judgeRecord(inputs(), record({ builder: "x/y@sha256:" + "1".repeat(64), runImage: "x/run@sha256:" + "2".repeat(64) }), DIGEST)).toEqual({ ok: false, reason: "the build record disagrees (builder, run image); not trusted" });
  });

  it("refuses a moved tag, and a tag that is gone", () => {
    expect(judgeRecord(inputs(), record(), OTHER)).toEqual({ ok: false, reason: `the tag points at ${OTHER.slice(0, 19)}, not the recorded ${DIGEST.slice(0, 19)}; not trusted` });
    expect(judgeRecord(inputs(), record(), undefined)).toEqual({ ok: false, reason: "the record's image tag is gone" });
    expect(judgeRecord(inputs(), undefined, DIGEST)).toEqual({ ok: false, reason: "no build record" });
  });

  it("a trusted stack refuses an untrusted pipeline's image; an untrusted stack takes either", () => {
    expect(judgeRecord(inputs(), record({ trust: "untrusted" }), DIGEST)).toEqual({ ok: false, reason: "pushed by an untrusted pipeline; a trusted stack builds its own" });
    expect(judgeRecord(inputs({ trust: "untrusted" }), record({ trust: "untrusted" }), DIGEST)).toEqual({ ok: true });
    expect(judgeRecord(inputs({ trust: "untrusted" }), record({ trust: "trusted" }), DIGEST)).toEqual({ ok: true });
  });
});

describe("the record as annotations", () => {
  it("round-trips through string annotations", () => {
    const r = record();
    const a = recordAnnotations(r);
    expect(a["dev.gantry.build.fingerprint"]).toBe("sha256:fff");
    expect(Object.values(a).every((v) => typeof v === "string")).toBe(true);
    expect(recordFromAnnotations(a)).toEqual(r);
  });

  it("is no record when a field is missing or the trust level is not one Gantry writes", () => {
    const a = recordAnnotations(record());
    delete a["dev.gantry.build.image"];
    expect(recordFromAnnotations(a)).toBeUndefined();
    expect(recordFromAnnotations({ ...recordAnnotations(record()), "dev.gantry.build.trust": "root" })).toBeUndefined();
    expect(recordFromAnnotations(undefined)).toBeUndefined();
  });

  it("lives in a package of its own beside the image, under the image's tag", () => {
    expect(recordReference("europe-west1-docker.pkg.dev/p/services/api", "g-0123456789abcdef")).toBe("europe-west1-docker.pkg.dev/p/services/api-build-records:g-0123456789abcdef");
  });
});

describe("parseChallenge", () => {
  it("reads a registry's Bearer challenge", () => {
    expect(parseChallenge('Bearer realm="https://europe-west1-docker.pkg.dev/v2/token",service="europe-west1-docker.pkg.dev",scope="repository:p/services/api:pull"')).toEqual({
      realm: "https://europe-west1-docker.pkg.dev/v2/token",
      params: { service: "europe-west1-docker.pkg.dev", scope: "repository:p/services/api:pull" },
    });
  });
  it("is nothing for Basic, a missing realm or no header", () => {
    expect(parseChallenge('Basic realm="x"')).toBeUndefined();
    expect(parseChallenge('Bearer service="x"')).toBeUndefined();
    expect(parseChallenge(null)).toBeUndefined();
  });
});

describe("slotPriority: the day's changes before fleet-wide work", () => {
  it("is fleet-wide only when nothing but the builder or run image changed", () => {
    expect(slotPriority(["builder"])).toBe(1);
    expect(slotPriority(["runImage"])).toBe(1);
    expect(slotPriority(["builder", "runImage"])).toBe(1);
    expect(slotPriority(["source", "builder"])).toBe(0);
    expect(slotPriority(["first build"])).toBe(0);
    expect(slotPriority([])).toBe(0);
  });
});

describe("check: the trust level", () => {
  it("takes trusted and untrusted, and names anything else", async () => {
    for (const trust of ["trusted", "untrusted"] as const) expect((await packProvider.check!(toProps(plainPackInputs()), toProps(plainPackInputs({ trust })))).failures).toEqual([]);
    const bad = await packProvider.check!(toProps(plainPackInputs()), toProps({ ...plainPackInputs(), trust: "root" } as unknown as PackImageInputs));
    expect(bad.failures).toEqual([{ property: "trust", reason: 'trust must be "trusted" or "untrusted", not "root"' }]);
  });
});
