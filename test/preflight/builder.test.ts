import { describe, expect, it } from "vitest";
import { builderFamily, describeBuilder } from "../../preflight";

describe("builderFamily", () => {
  it.each([
    ["gcr.io/buildpacks/builder", "google"],
    ["gcr.io/buildpacks/builder:google-22", "google"],
    ["gcr.io/buildpacks/builder:v1", "google"],
    ["gcr.io/buildpacks/builder@sha256:" + "a".repeat(64), "google"],
    ["us-docker.pkg.dev/acme/mirror/buildpacks/builder:latest", "google"],
    ["paketobuildpacks/builder-jammy-base", "paketo"],
    ["docker.io/paketobuildpacks/builder-jammy-full:0.3.1", "paketo"],
    ["index.docker.io/paketobuildpacks/ubuntu-noble-builder", "paketo"],
    ["heroku/builder:24", "paketo"],
  ] as const)("%s → %s", (image, family) => {
    expect(builderFamily(image)).toBe(family);
  });

  it("reads the Google stack from the tag; latest and untagged mean google-22", () => {
    expect(describeBuilder("gcr.io/buildpacks/builder").stack).toBe("google-22");
    expect(describeBuilder("gcr.io/buildpacks/builder:latest").stack).toBe("google-22");
    expect(describeBuilder("gcr.io/buildpacks/builder:google-24").stack).toBe("google-24");
    expect(describeBuilder("gcr.io/buildpacks/builder:v1").stack).toBe("google-18");
  });

  it("marks heroku images as read with Paketo rules, and unknown images as Google", () => {
    expect(describeBuilder("heroku/builder:24").vendor).toBe("heroku");
    const unknown = describeBuilder("registry.example.com:5000/team/custom-builder:1");
    expect(unknown).toMatchObject({ family: "google", vendor: "unknown", stack: "google-22" });
  });
});
