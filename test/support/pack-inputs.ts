import type { PackImageInputs } from "../../components/pack/provider";

/** A PackImage's inputs as the provider receives them, for tests of the pure functions that read them. */
export function packInputs(overrides: Partial<PackImageInputs> = {}): PackImageInputs {
  return {
    serviceName: "api",
    repository: "europe-west1-docker.pkg.dev/acme/services/api",
    path: "/src/api",
    source: "sha256:aaa",
    builder: "gcr.io/buildpacks/builder@sha256:" + "1".repeat(64),
    runImage: "gcr.io/buildpacks/google-22/run@sha256:" + "2".repeat(64),
    env: { GOOGLE_LABEL_TEAM: "shop", BP_LOG_LEVEL: "DEBUG" },
    secretEnv: ["PIP_INDEX_TOKEN"],
    projectToml: "",
    defaultProcess: "web",
    cache: { format: "bind", source: "/var/cache/pack/api" },
    tags: ["3f2a9c1"],
    trustBuilder: true,
    trustedBuilders: ["gcr.io/buildpacks/builder"],
    lifecycleImage: "",
    network: "",
    engine: "pack",
    lifecycleDir: "/cnb/lifecycle",
    upload: { exclude: [".git/"] },
    buildEnv: {},
    uploadFilterModule: "/node_modules/ignore/index.js",
    fingerprint: "sha256:fff",
    maxParallelBuilds: 4,
    maxParallelRebases: 16,
    trust: "trusted",
    adoptFrom: [],
    timeoutSeconds: 1800,
    logDir: "/tmp/logs",
    packCommand: "pack",
    ...overrides,
  };
}

export const REPO = "europe-west1-docker.pkg.dev/acme/services/api";
export const BUILDER = `gcr.io/buildpacks/builder@sha256:${"1".repeat(64)}`;
export const RUN_IMAGE = `gcr.io/buildpacks/google-22/run@sha256:${"2".repeat(64)}`;

/** Inputs a test changes one field of; every optional behaviour (tags, secrets, process) is off unless set. */
export function plainPackInputs(over: Partial<PackImageInputs> = {}): PackImageInputs {
  return {
    serviceName: "api",
    repository: REPO,
    path: "/src/api",
    source: "sha256:aaa",
    builder: BUILDER,
    runImage: RUN_IMAGE,
    env: {},
    secretEnv: [],
    projectToml: "",
    defaultProcess: "",
    cache: { format: "volume" },
    tags: [],
    trustBuilder: false,
    trustedBuilders: [],
    lifecycleImage: "",
    network: "",
    engine: "pack",
    lifecycleDir: "/cnb/lifecycle",
    upload: {},
    buildEnv: {},
    uploadFilterModule: "",
    fingerprint: "sha256:fff",
    maxParallelBuilds: 1,
    maxParallelRebases: 16,
    trust: "trusted",
    adoptFrom: [],
    timeoutSeconds: 60,
    logDir: "/tmp/logs",
    packCommand: "pack",
    ...over,
  };
}
