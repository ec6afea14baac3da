import { describe, expect, it } from "vitest";
import { findRelease, parseReleases, previousRelease, recordRelease, stableRelease, type Release } from "../../environments/releases";
import { nextStep, trafficFor } from "../../components/service/rollout";
import { promotedImage } from "../../environments/promotion";

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const rel = (c: string, extra: Partial<Release> = {}): Release => ({ digest: digest(c), image: `r/api@${digest(c)}`, deployedAt: `2026-12-0${"abcdef".indexOf(c) + 1}T00:00:00.000Z`, ...extra });

describe("recordRelease", () => {
  it("keeps exactly `limit` entries: one under adds, at the limit the oldest goes", () => {
    const two = [rel("a"), rel("b")];
    expect(recordRelease(two, { digest: digest("c"), image: "r/api@c" }, "t", 3).map((r) => r.digest)).toEqual([digest("a"), digest("b"), digest("c")]);
    expect(recordRelease(two, { digest: digest("c"), image: "r/api@c" }, "t", 2).map((r) => r.digest)).toEqual([digest("b"), digest("c")]);
  });

  it("the same digest again updates the newest entry: first deployment time and commit kept, traffic followed", () => {
    const h = [rel("a"), rel("b", { commit: "abc1234", traffic: 10, revision: "api-1" })];
    expect(recordRelease(h, { digest: digest("b"), image: "r/api@b", commit: "def5678", traffic: 50, revision: "api-2" }, "later", 5)).toEqual([
      rel("a"),
      { digest: digest("b"), image: "r/api@b", commit: "abc1234", traffic: 50, revision: "api-2", deployedAt: rel("b").deployedAt },
    ]);
    // Traffic back to all: the canary's share goes.
    expect(recordRelease(h, { digest: digest("b"), image: "r/api@b" }, "later", 5)[1]).not.toHaveProperty("traffic");
  });

  it("a digest seen before, but not last, is a new entry (a rollback is a release of its own)", () => {
    expect(recordRelease([rel("a"), rel("b")], { digest: digest("a"), image: "r/api@a", pinned: true }, "t", 5).map((r) => [r.digest, r.pinned])).toEqual([
      [digest("a"), undefined],
      [digest("b"), undefined],
      [digest("a"), true],
    ]);
  });
});

describe("which release", () => {
  const h = [rel("a"), rel("b"), rel("c", { traffic: 0, aborted: true }), rel("d", { traffic: 10 })];

  it("stable: the newest that served all traffic; previous: the newest other than the current one that did", () => {
    expect(stableRelease(h)?.digest).toBe(digest("b"));
    expect(previousRelease(h)?.digest).toBe(digest("b"));
    expect(previousRelease([rel("a"), rel("b"), rel("a", { pinned: true })])?.digest).toBe(digest("b"));
    expect(previousRelease([rel("a")])).toBeUndefined();
    expect(previousRelease([])).toBeUndefined();
  });

  it("findRelease takes 12 hex digits or more, with or without sha256:, and refuses 11, an ambiguous prefix and an unknown one", () => {
    const twins = [rel("a"), { ...rel("b"), digest: `sha256:${"a".repeat(12)}${"b".repeat(52)}` }];
    expect(findRelease(h, "b".repeat(12))).toEqual({ release: rel("b") });
    expect(findRelease(h, `sha256:${"b".repeat(64)}`)).toEqual({ release: rel("b") });
    expect(findRelease(h, "b".repeat(11))).toEqual({ error: `"${"b".repeat(11)}" is not a digest: give sha256:<hex>, at least 12 hex digits of it` });
    expect(findRelease(twins, "a".repeat(12))).toEqual({ error: `"${"a".repeat(12)}" matches 2 releases (sha256:aaaaaaaaaaaa, sha256:aaaaaaaaaaaa); give more of it` });
    expect(findRelease(twins, "a".repeat(13))).toEqual({ release: rel("a") });
    expect(findRelease(h, "e".repeat(12))).toEqual({ error: `${"e".repeat(12)} was never deployed here` });
  });

  it("parseReleases keeps what parses and leaves out what does not", () => {
    expect(parseReleases({ api: [rel("a"), { digest: "sha256:short" }, "x"], other: "not a list" })).toEqual({ api: [rel("a")] });
    expect(parseReleases(undefined)).toEqual({});
    expect(parseReleases([rel("a")])).toEqual({});
  });
});

describe("trafficFor", () => {
  const canary = { strategy: "canary" as const, steps: [5, 100] };
  const stable = { digest: digest("a"), revision: "api-a" };

  it("all at once without a canary, on a first release, with no recorded revision, and for the stable digest itself", () => {
    const all = [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }];
    expect(trafficFor({ digest: digest("b"), stable }).traffics).toEqual(all);
    expect(trafficFor({ rollout: { strategy: "all" }, digest: digest("b"), stable }).traffics).toEqual(all);
    expect(trafficFor({ rollout: canary, digest: digest("b") }).phase).toBe("first");
    expect(trafficFor({ rollout: canary, digest: digest("b"), stable: { digest: digest("a") } }).phase).toBe("first");
    expect(trafficFor({ rollout: canary, digest: digest("a"), stable }).phase).toBe("all");
  });

  it("a rollout state for another digest is stale: the new release starts at its first step", () => {
    expect(trafficFor({ rollout: canary, digest: digest("b"), stable, state: { digest: digest("c"), percent: 100 } }).traffics).toEqual([
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "api-a", percent: 95 },
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 5, tag: "canary" },
    ]);
  });

  it("percent 99 still splits, 100 completes", () => {
    expect(trafficFor({ rollout: canary, digest: digest("b"), stable, state: { digest: digest("b"), percent: 99 } }).traffics[0]).toEqual({ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "api-a", percent: 1 });
    expect(trafficFor({ rollout: canary, digest: digest("b"), stable, state: { digest: digest("b"), percent: 100 } }).phase).toBe("complete");
  });

  it("nextStep climbs the ladder and stops at 100", () => {
    expect(nextStep(canary, 5)).toBe(100);
    expect(nextStep(undefined, 10)).toBe(50);
    expect(nextStep(undefined, 49)).toBe(50);
    expect(nextStep(undefined, 100)).toBeUndefined();
  });
});

describe("promotion and pins", () => {
  const registry = "europe-west1-docker.pkg.dev/acme-staging/services";
  const image = (c: string) => `${registry}/api@${digest(c)}`;
  const ctx = { stack: "prod", source: "organization/gantry/staging", registryUrl: registry };
  const services = { api: { image: image("b"), digest: digest("b"), pinned: true } };
  const releases = { api: [rel("a", { image: image("a") }), rel("c", { image: image("c"), traffic: 0, aborted: true }), rel("b", { image: image("b"), pinned: true })] };

  it("passes over the source's pin to its newest release that is neither a pin nor aborted, unless gantry:promotePins", () => {
    expect(promotedImage(services, "api", ctx, releases)).toEqual({ image: image("a"), digest: digest("a"), passedOverPin: image("b") });
    expect(promotedImage(services, "api", { ...ctx, promotePins: true }, releases)).toEqual({ image: image("b"), digest: digest("b"), promotedPin: true });
  });

  it("with no unpinned release to promote, says which setting decides", () => {
    expect(() => promotedImage(services, "api", ctx, { api: [rel("b", { image: image("b"), pinned: true })] })).toThrow(
      `organization/gantry/staging runs api pinned to ${image("b")} (a rollback), and its release history has no unpinned release of api to promote instead; set gantry:promotePins: true in Pulumi.prod.yaml to promote the pin, or unpin api in organization/gantry/staging and deploy it`,
    );
  });
});
