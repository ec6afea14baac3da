// Which runtime versions each Google Cloud builder offers, and what it picks when none is asked for.
//
// Sources (kept here, in one place, so a builder update is a one-file change):
// - Offered versions: the "builder:google-24 / builder:google-22 / builder:v1 supported runtimes"
//   tables at https://cloud.google.com/docs/buildpacks/builders (read in 2026; the google-22 Java
//   row lists 8, 11, 17, 21; older revisions of the page also listed 18, which is end-of-life).
//   Go is listed as "1.x" on every stack: any Go 1 release the toolchain index has.
// - Python default when nothing is pinned: GoogleCloudPlatform/buildpacks pkg/python/python.go
//   (latestPythonVersionPerStack), per shared/reference/gcp-rules.md §5 item 44.
// - Java default: GoogleCloudPlatform/buildpacks cmd/java/runtime/lib/lib.go defaultFeatureVersion.
// - Node.js default: the builders page says "the latest available version", but the buildpack itself
//   pins the active LTS: GoogleCloudPlatform/buildpacks pkg/nodejs/nodejs.go defaultVersionConstraint
//   = "20.*.*" ("pins them to the active LTS version, instead of the latest available version"),
//   returned by RequestedNodejsVersion when neither GOOGLE_NODEJS_VERSION, GOOGLE_RUNTIME_VERSION nor
//   engines.node is set. google-24 does not offer 20, so there the newest offered major stands.
// Paketo builders resolve versions from their buildpacks' dependency metadata, which changes
// with every release; Gantry does not keep a copy, so no "unavailable version" check runs there.

export type GoogleStack = "google-18" | "google-22" | "google-24";

export type VersionedLanguage = "python" | "nodejs" | "go" | "java" | "ruby" | "php" | "dotnet";

/** Offered versions per stack: minor lines for Python, Ruby and PHP, majors for the rest. */
export const GOOGLE_OFFERED: Record<GoogleStack, Record<VersionedLanguage, string[]>> = {
  "google-24": {
    python: ["3.13", "3.14"],
    nodejs: ["22", "24"],
    go: ["1"],
    java: ["17", "21", "25"],
    ruby: ["3.2", "3.3", "3.4"],
    php: ["8.2", "8.3", "8.4", "8.5"],
    dotnet: ["8", "10"],
  },
  "google-22": {
    python: ["3.10", "3.11", "3.12", "3.13"],
    nodejs: ["12", "14", "16", "18", "20", "22", "24"],
    go: ["1"],
    java: ["8", "11", "17", "21"],
    ruby: ["3.1", "3.2", "3.3", "3.4"],
    php: ["8.1", "8.2", "8.3", "8.4"],
    dotnet: ["6", "7", "8"],
  },
  "google-18": {
    python: ["3.7", "3.8", "3.9", "3.10", "3.11"],
    nodejs: ["8", "12", "14", "16", "18", "20"],
    go: ["1"],
    java: ["8", "11", "17", "18"],
    ruby: ["2.5", "2.6", "2.7", "3.0", "3.1", "3.2", "3.3"],
    php: ["7.4", "8.0", "8.1", "8.2"],
    dotnet: ["3.1", "6", "7", "8"],
  },
};

/** What the builder installs when the app pins nothing. */
export const GOOGLE_DEFAULT: Record<GoogleStack, { python: string; nodejs: string; java: string }> = {
  "google-24": { python: "3.14", nodejs: "24", java: "25" },
  "google-22": { python: "3.13", nodejs: "20", java: "21" },
  "google-18": { python: "3.9", nodejs: "20", java: "11" },
};

/** Python from this version on gets the "smart default" entrypoint (gcp-rules.md §5 item 46). */
export const PYTHON_SMART_DEFAULT_FROM = "3.13";
