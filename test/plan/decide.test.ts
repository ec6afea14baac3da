import { describe, expect, it } from "vitest";
import type { PackImageInputs } from "../../components/pack/provider";
import { decideBuild, decideDockerBuild, shortDigest, unreadBuild } from "../../plan/decide";
import type { LastDeployment } from "../../plan/last-deployment";

const RUN = (c: string) => `gcr.io/buildpacks/google-22/run@sha256:${c.repeat(64)}`;
const news = { repository: "r/web", source: "sha256:s1", builder: "b", env: {}, secretEnv: [], projectToml: "t", defaultProcess: "", runImage: RUN("a"), fingerprint: "sha256:f1" } as unknown as PackImageInputs;
const last = (over: Partial<LastDeployment>): LastDeployment => ({ from: "test", packImages: {}, dockerImages: {}, resources: [], ...over });

describe("build decisions", () => {
  it("from state, are the provider's planChange", () => {
    const state = last({ packImages: { web: { ...news, imageRef: "r/web@sha256:1" } } });
    expect(decideBuild("web", news, state)).toEqual({ action: "unchanged", reasons: [], why: "unchanged since the last deployment", image: "r/web@sha256:1" });
    expect(decideBuild("web", { ...news, runImage: RUN("b") }, state)).toMatchObject({ action: "rebase", reasons: ["runImage"] });
    expect(decideBuild("web", { ...news, source: "sha256:s2", runImage: RUN("b") }, state)).toMatchObject({ action: "build", reasons: ["source"], why: "source changed" });
    expect(decideBuild("web", { ...news, repository: "r2/web" }, state)).toMatchObject({ action: "build", reasons: ["repository"] });
  });

  it("from stack outputs, compare the fingerprint (a digest of the build triggers) and the run image", () => {
    const outputs = last({ services: { web: { image: "r/web@sha256:1", fingerprint: "sha256:f1", runImage: RUN("a") } } });
    expect(decideBuild("web", news, outputs)).toMatchObject({ action: "unchanged", image: "r/web@sha256:1" });
    expect(decideBuild("web", { ...news, runImage: RUN("b") }, outputs)).toMatchObject({ action: "rebase", why: `run image changed (${shortDigest(RUN("a"))} -> ${shortDigest(RUN("b"))}): the app layers are kept` });
    expect(decideBuild("web", { ...news, fingerprint: "sha256:f2" }, outputs)).toMatchObject({ action: "build", reasons: ["fingerprint"], why: "source or build settings changed" });
    expect(decideBuild("api", news, outputs)).toMatchObject({ action: "build", reasons: ["first build"] });
    expect(decideBuild("web", news, undefined)).toMatchObject({ action: "build", why: "first build: no previous deployment on record" });
  });

  it("for a Dockerfile build, compare its content tag", () => {
    const state = last({ dockerImages: { legacy: { tags: ["r/legacy:d-1"], image: "r/legacy@sha256:9" } } });
    expect(decideDockerBuild("legacy", ["r/legacy:d-1"], state)).toMatchObject({ action: "unchanged", image: "r/legacy@sha256:9" });
    expect(decideDockerBuild("legacy", ["r/legacy:d-2"], state)).toMatchObject({ action: "build", why: "Dockerfile build inputs changed (d-1 -> d-2)" });
    expect(decideDockerBuild("legacy", ["r/legacy:d-2"], last({ services: { legacy: { image: "x" } } }))).toMatchObject({ action: "build", reasons: ["unknown"] });
    expect(decideDockerBuild("legacy", ["r/legacy:d-2"], undefined)).toMatchObject({ action: "build", reasons: ["first build"] });
  });

  it("with a last deployment that could not be read, are builds the plan cannot rule out, never first builds", () => {
    expect(unreadBuild("gs://state needs credentials")).toEqual({ action: "build", reasons: ["unknown"], why: "not known: the last deployment was not read (gs://state needs credentials)" });
  });
});
