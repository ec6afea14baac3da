import { describe, expect, it } from "vitest";
import { fromProps, packProvider, toProps, toState, type PackImageOutputs } from "../../components/pack/provider";
import { plainPackInputs } from "../support/pack-inputs";

const outputs = (over: Partial<PackImageOutputs> = {}): PackImageOutputs => ({
  ...plainPackInputs({ tags: ["c0ffee1"], network: "host" }),
  digest: `sha256:${"d".repeat(64)}`,
  imageRef: `${plainPackInputs().repository}@sha256:${"d".repeat(64)}`,
  tag: "g-1",
  lastOperation: "build",
  adoptedFrom: "",
  logPath: "/tmp/logs/api/1-build.log",
  buildpacks: [{ id: "google.python.runtime", version: "1.0.0" }],
  sbomDir: "/tmp/logs/api/1-build-sbom",
  ...over,
});

describe("a PackImage's properties: what decides the image at the top, what it is built from and how, as one each", () => {
  it("keeps what replaces, rebases and sums up the image, and every output, at the top level, and nothing else", () => {
    const state = toState(outputs());
    expect(Object.keys(state).sort()).toEqual(
      ["adoptedFrom", "build", "buildpacks", "digest", "fingerprint", "imageRef", "lastOperation", "logPath", "repository", "runImage", "sbomDir", "settings", "tag"].sort(),
    );
    expect(Object.keys(state.build).sort()).toEqual(["builder", "defaultProcess", "env", "projectToml", "secretEnv", "source"]);
    expect(state.settings).toMatchObject({ serviceName: "api", tags: ["c0ffee1"], network: "host", cache: { format: "volume" } });
  });

  it("reads back exactly what it wrote, as props and as state", () => {
    expect(fromProps(toProps(plainPackInputs({ network: "host" })))).toEqual(plainPackInputs({ network: "host" }));
    expect(fromProps(toState(outputs()))).toEqual(outputs());
  });

  it("reads the flat properties of a stack created before, as they are", () => {
    expect(fromProps(outputs())).toEqual(outputs());
  });

  it("sees no change between a flat state of an older stack and the same inputs in the new shape", async () => {
    const diff = await packProvider.diff!("id", outputs(), toProps(plainPackInputs({ tags: ["c0ffee1"], network: "host" })));
    expect(diff).toMatchObject({ changes: false, replaces: [] });
    const moved = await packProvider.diff!("id", outputs(), toProps(plainPackInputs({ tags: ["c0ffee1"], network: "host", runImage: `${plainPackInputs().runImage.split("@")[0]}@sha256:${"9".repeat(64)}` })));
    expect(moved).toMatchObject({ changes: true, replaces: [] });
  });

  it("a changed setting alone changes nothing, a changed deciding input does", async () => {
    const state = toState(outputs());
    expect(await packProvider.diff!("id", state, toProps(plainPackInputs({ tags: ["beef"], network: "" })))).toMatchObject({ changes: false });
    expect(await packProvider.diff!("id", state, toProps(plainPackInputs({ tags: ["c0ffee1"], network: "host", source: "sha256:bbb" })))).toMatchObject({ changes: true });
  });
});
