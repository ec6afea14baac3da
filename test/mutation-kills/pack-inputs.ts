import type { PackImageInputs } from "../../components/pack/provider";

export const REPO = "europe-west1-docker.pkg.dev/acme/services/api";
export const BUILDER = `gcr.io/buildpacks/builder@sha256:${"1".repeat(64)}`;
export const RUN_IMAGE = `gcr.io/buildpacks/google-22/run@sha256:${"2".repeat(64)}`;

/** Inputs a test changes one field of; every optional behaviour (tags, secrets, process) is off unless set. */
export function packInputs(over: Partial<PackImageInputs> = {}): PackImageInputs {
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
    timeoutSeconds: 60,
    logDir: "/tmp/logs",
    packCommand: "pack",
    ...over,
  };
}
