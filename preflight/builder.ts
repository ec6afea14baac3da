// Which builder's rules apply, read from the builder image reference alone (no registry call).

import type { BuilderFamily } from "./findings";
import type { GoogleStack } from "./versions";

export const DEFAULT_BUILDER = "gcr.io/buildpacks/builder";

export interface BuilderInfo {
  image: string;
  family: BuilderFamily;
  /** heroku/* is read with Paketo's Procfile rules; "unknown" images with Google's. */
  vendor: "google" | "paketo" | "heroku" | "unknown";
  /** Google stack the tag points at; null for non-Google builders. */
  stack: GoogleStack | null;
}

interface ImageRef {
  repository: string; // lower-cased, registry included, docker.io/library prefixes removed
  tag: string | null;
}

function parseImage(image: string): ImageRef {
  let ref = image.trim();
  const at = ref.indexOf("@");
  if (at >= 0) ref = ref.slice(0, at);
  let tag: string | null = null;
  const lastSlash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  // A colon before the last slash belongs to a registry port, not a tag.
  if (colon > lastSlash) {
    tag = ref.slice(colon + 1);
    ref = ref.slice(0, colon);
  }
  let repository = ref.toLowerCase();
  for (const prefix of ["index.docker.io/", "registry-1.docker.io/", "docker.io/"]) {
    if (repository.startsWith(prefix)) repository = repository.slice(prefix.length);
  }
  if (repository.startsWith("library/")) repository = repository.slice("library/".length);
  return { repository, tag };
}

export function describeBuilder(image: string): BuilderInfo {
  const { repository, tag } = parseImage(image);
  if (repository.startsWith("gcr.io/buildpacks/") || repository.endsWith("/buildpacks/builder") || repository === "buildpacks/builder") {
    return { image, family: "google", vendor: "google", stack: googleStack(tag) };
  }
  if (repository.startsWith("paketobuildpacks/") || repository.startsWith("gcr.io/paketo-buildpacks/") || repository.includes("/paketobuildpacks/")) {
    return { image, family: "paketo", vendor: "paketo", stack: null };
  }
  if (repository.startsWith("heroku/") || repository.includes("/heroku/")) {
    return { image, family: "paketo", vendor: "heroku", stack: null };
  }
  // Gantry's default builder is Google's, so an unrecognised (for example mirrored) image is
  // read with Google's rules; detect() says so in a warning.
  return { image, family: "google", vendor: "unknown", stack: googleStack(tag) };
}

function googleStack(tag: string | null): GoogleStack {
  switch (tag) {
    case "google-24":
      return "google-24";
    case "v1":
    case "google-18":
      return "google-18";
    default:
      // "latest" and an untagged reference both resolve to google-22 (cloud.google.com/docs/buildpacks/builders).
      return "google-22";
  }
}

export function builderFamily(builderImage: string): BuilderFamily {
  return describeBuilder(builderImage).family;
}
