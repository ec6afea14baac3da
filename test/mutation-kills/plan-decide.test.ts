// plan/decide.ts's decisions with every expected text written out: shortDigest's output is never built with
// shortDigest, and the stack-outputs path (no state) is covered branch by branch.
import { describe, expect, it } from "vitest";
import type { PackImageInputs } from "../../components/pack/provider";
import { decideBuild, decideDockerBuild, shortDigest } from "../../plan/decide";
import type { LastDeployment } from "../../plan/last-deployment";
import { plainPackInputs } from "../support/pack-inputs";

const A = "a".repeat(64);
const B = "b".repeat(64);
const RUN_A = `gcr.io/buildpacks/google-22/run@sha256:${A}`;
const RUN_B = `gcr.io/buildpacks/google-22/run@sha256:${B}`;
const news: PackImageInputs = plainPackInputs({ repository: "r/web", runImage: RUN_A, fingerprint: "sha256:f1" });
const last = (over: Partial<LastDeployment>): LastDeployment => ({ from: "test", packImages: {}, dockerImages: {}, resources: [], ...over });
const outputs = (web: unknown) => last({ services: { web } });

describe("shortDigest", () => {
  it("cuts a digest to 12 hex characters, wherever it is in the reference", () => {
    expect(shortDigest(`r/run@sha256:${"0123456789abcdef".repeat(4)}`)).toBe("r/run@sha256:0123456789ab");
    expect(shortDigest(`sha256:${A}`)).toBe("sha256:aaaaaaaaaaaa");
  });

  it("leaves a reference without a full digest as it is, and shows ? for none", () => {
    expect(shortDigest("r/run:latest")).toBe("r/run:latest");
    expect(shortDigest(`r/run@sha256:${A.slice(1)}`)).toBe(`r/run@sha256:${A.slice(1)}`);
    expect(shortDigest(undefined)).toBe("?");
    expect(shortDigest("")).toBe("?");
  });
});

describe("decisions from state", () => {
  const state = last({ packImages: { web: { ...news, imageRef: "r/web@sha256:1" } } });

  it("says why a rebase happens with both run images shortened", () => {
    expect(decideBuild("web", { ...news, runImage: RUN_B }, state)).toEqual({
      action: "rebase",
      reasons: ["runImage"],
      why: "run image changed (gcr.io/buildpacks/google-22/run@sha256:aaaaaaaaaaaa -> gcr.io/buildpacks/google-22/run@sha256:bbbbbbbbbbbb): the app layers are kept",
    });
  });

  it("words every build trigger, joined in the provider's order", () => {
    const all = { ...news, source: "s2", builder: "b2", env: { A: "1" }, secretEnv: ["T"], projectToml: "x", defaultProcess: "web" };
    expect(decideBuild("web", all, state)).toEqual({
      action: "build",
      reasons: ["source", "builder", "env", "secretEnv", "projectToml", "defaultProcess"],
      why: "source changed, builder changed, build env changed, secret build env names changed, build settings in service.yaml changed, default process changed",
    });
  });

  it("builds on a new repository, in those words", () => {
    expect(decideBuild("web", { ...news, repository: "r2/web" }, state)).toEqual({ action: "build", reasons: ["repository"], why: "image repository changed" });
  });

  it("leaves the image out of an unchanged decision when state has none", () => {
    expect(decideBuild("web", news, last({ packImages: { web: { ...news } } }))).toEqual({ action: "unchanged", reasons: [], why: "unchanged since the last deployment" });
  });
});

describe("decisions from stack outputs only", () => {
  it("builds when the repository of the deployed image is another one", () => {
    expect(decideBuild("web", news, outputs({ image: "r/other@sha256:1", fingerprint: "sha256:f1", runImage: RUN_A }))).toEqual({
      action: "build",
      reasons: ["repository"],
      why: "image repository changed",
    });
    // The repository is what comes before the digest, not a prefix of it.
    expect(decideBuild("web", news, outputs({ image: "r/web-old@sha256:1", fingerprint: "sha256:f1", runImage: RUN_A })).reasons).toEqual(["repository"]);
  });

  it("builds on another fingerprint, and is unchanged (keeping the deployed image) on the same one", () => {
    expect(decideBuild("web", news, outputs({ image: "r/web@sha256:1", fingerprint: "sha256:f0", runImage: RUN_A }))).toEqual({
      action: "build",
      reasons: ["fingerprint"],
      why: "source or build settings changed",
    });
    expect(decideBuild("web", news, outputs({ image: "r/web@sha256:1", fingerprint: "sha256:f1", runImage: RUN_A }))).toEqual({
      action: "unchanged",
      reasons: [],
      why: "unchanged since the last deployment",
      image: "r/web@sha256:1",
    });
  });

  it("rebases from the recorded run image, and assumes the same one when none is recorded", () => {
    expect(decideBuild("web", news, outputs({ image: "r/web@sha256:1", fingerprint: "sha256:f1", runImage: RUN_B }))).toEqual({
      action: "rebase",
      reasons: ["runImage"],
      why: "run image changed (gcr.io/buildpacks/google-22/run@sha256:bbbbbbbbbbbb -> gcr.io/buildpacks/google-22/run@sha256:aaaaaaaaaaaa): the app layers are kept",
    });
    expect(decideBuild("web", news, outputs({ image: "r/web@sha256:1", fingerprint: "sha256:f1", runImage: 7 })).action).toBe("unchanged");
    expect(decideBuild("web", news, outputs({ image: "r/web@sha256:1", fingerprint: "sha256:f1" })).action).toBe("unchanged");
  });

  it("is a first build when the output is not a record with an image", () => {
    const first = { action: "build", reasons: ["first build"], why: "first build: no previous deployment on record" };
    for (const web of [null, "r/web@sha256:1", ["r/web@sha256:1"], { image: 1 }, {}]) expect(decideBuild("web", news, outputs(web))).toEqual(first);
    expect(decideBuild("web", news, last({}))).toEqual(first);
  });
});

describe("Dockerfile builds", () => {
  it("is unchanged on the same tags, keeping the image only when there is one", () => {
    expect(decideDockerBuild("l", ["r/l:d-1"], last({ dockerImages: { l: { tags: ["r/l:d-1"] } } }))).toEqual({
      action: "unchanged",
      reasons: [],
      why: "unchanged since the last deployment (same content tag)",
    });
  });

  it("compares every tag in order, and shows only what follows the last colon", () => {
    const state = last({ dockerImages: { l: { tags: ["host:5000/r/l:d-1", "host:5000/r/l:c-9"], image: "r/l@sha256:9" } } });
    expect(decideDockerBuild("l", ["host:5000/r/l:c-9", "host:5000/r/l:d-1"], state)).toEqual({ action: "build", reasons: ["tags"], why: "Dockerfile build inputs changed (d-1, c-9 -> c-9, d-1)" });
    expect(decideDockerBuild("l", undefined, state)).toEqual({ action: "build", reasons: ["tags"], why: "Dockerfile build inputs changed (d-1, c-9 -> ?)" });
    expect(decideDockerBuild("l", ["plain"], state).why).toBe("Dockerfile build inputs changed (d-1, c-9 -> plain)");
  });

  it("cannot tell from outputs alone whether a deployed Dockerfile build changed", () => {
    expect(decideDockerBuild("l", ["t"], last({ services: { l: { image: "x" } } }))).toEqual({
      action: "build",
      reasons: ["unknown"],
      why: "built from its Dockerfile; whether it changed needs the stack's state (`pulumi stack export`, or a file backend)",
    });
    const first = { action: "build", reasons: ["first build"], why: "first build: no previous deployment on record" };
    expect(decideDockerBuild("l", ["t"], last({ services: { l: "x" } }))).toEqual(first);
    expect(decideDockerBuild("l", ["t"], last({}))).toEqual(first);
    expect(decideDockerBuild("l", ["t"], undefined)).toEqual(first);
  });
});
