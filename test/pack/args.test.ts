import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { cacheFor } from "../../components/pack/cache";
import { projectDescriptor } from "../../components/pack/descriptor";
import { builderIsTrusted, cacheArgs, packBuildArgs, packRebaseArgs, parseBuildpacks } from "../../components/pack/engines/pack";
import { imageTag, phaseOf, planChange, parseDigest } from "../../components/pack/provider";
import { packInputs } from "../support/pack-inputs";

interface Flag {
  long: string;
  short: string | null;
  type: string;
}
const contract = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "support", "pack-standin", "pack-cli-contract.json"), "utf8")) as {
  globalFlags: Flag[];
  commands: Record<string, { flags: Flag[] }>;
};

/** Every `--flag` in argv exists for the command in pack's contract, and takes a value exactly when it is not a bool. */
function assertContract(argv: string[]): void {
  const [command, , ...rest] = argv;
  const flags = [...contract.commands[command!]!.flags, ...contract.globalFlags];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    expect(arg.startsWith("--"), `expected a flag at ${i}: ${arg}`).toBe(true);
    const flag = flags.find((f) => f.long === arg);
    expect(flag, `${arg} is not a pack ${command} flag`).toBeDefined();
    if (flag!.type !== "bool") {
      expect(rest[i + 1], `${arg} needs a value`).toBeDefined();
      i++;
    }
  }
}

const inputs = packInputs();

describe("pack build arguments", () => {
  const argv = packBuildArgs(inputs, { tag: "g-1", descriptorFile: "/w/project.toml", reportDir: "/w/report", sbomDir: "/l/sbom" });

  it("is an argument array pack's contract accepts", () => {
    assertContract(argv);
  });

  it("publishes a tagged image with the pinned builder and run image", () => {
    expect(argv.slice(0, 8)).toEqual(["build", `${inputs.repository}:g-1`, "--builder", inputs.builder, "--run-image", inputs.runImage, "--publish", "--path"]);
    expect(argv).toContain("--report-output-dir");
    expect(argv).toContain("--sbom-output-dir");
    expect(argv.join(" ")).toContain("--descriptor /w/project.toml");
    expect(argv.join(" ")).toContain("--default-process web");
  });

  it("passes plain env with values and secret env by name only", () => {
    const envs = argv.flatMap((a, i) => (a === "--env" ? [argv[i + 1]] : []));
    expect(envs).toEqual(["BP_LOG_LEVEL=DEBUG", "GOOGLE_LABEL_TEAM=shop", "PIP_INDEX_TOKEN"]);
  });

  it("pushes extra tags to the same repository and trusts only allow-listed builders", () => {
    expect(argv.join(" ")).toContain(`--tag ${inputs.repository}:3f2a9c1`);
    expect(argv).toContain("--trust-builder");
    const untrusted = packBuildArgs({ ...inputs, builder: "example.com/other/builder@sha256:" + "3".repeat(64) }, { tag: "t", descriptorFile: "d", reportDir: "r", sbomDir: "s" });
    expect(untrusted).not.toContain("--trust-builder");
  });

  it("names the pinned lifecycle image only for an untrusted builder, where pack would otherwise pull Docker Hub's", () => {
    const lifecycleImage = "europe-docker.pkg.dev/acme/mirror/lifecycle@sha256:" + "6".repeat(64);
    const ctx = { tag: "t", descriptorFile: "d", reportDir: "r", sbomDir: "s" };
    const untrusted = packBuildArgs({ ...inputs, trustBuilder: false, lifecycleImage }, ctx);
    assertContract(untrusted);
    expect(untrusted.join(" ")).toContain(`--lifecycle-image ${lifecycleImage}`);
    expect(untrusted).not.toContain("--trust-builder");
    const trusted = packBuildArgs({ ...inputs, lifecycleImage }, ctx);
    expect(trusted).toContain("--trust-builder");
    expect(trusted).not.toContain("--lifecycle-image");
    expect(packBuildArgs({ ...inputs, trustBuilder: false }, ctx)).not.toContain("--lifecycle-image");
  });

  it("sets the build containers' network only when asked", () => {
    const ctx = { tag: "t", descriptorFile: "d", reportDir: "r", sbomDir: "s" };
    const host = packBuildArgs({ ...inputs, network: "host" }, ctx);
    assertContract(host);
    expect(host.join(" ")).toContain("--network host");
    expect(argv).not.toContain("--network");
  });

  it("leaves --default-process out when the builder decides", () => {
    expect(packBuildArgs({ ...inputs, defaultProcess: "" }, { tag: "t", descriptorFile: "d", reportDir: "r", sbomDir: "s" })).not.toContain("--default-process");
  });
});

describe("pack rebase arguments", () => {
  it("rebases the previous image by digest onto the new run image, in the registry", () => {
    const argv = packRebaseArgs(inputs, { tag: "g-2", previousImage: `${inputs.repository}@sha256:${"9".repeat(64)}`, reportDir: "/w/r" });
    assertContract(argv);
    expect(argv.slice(0, 8)).toEqual(["rebase", `${inputs.repository}:g-2`, "--previous-image", `${inputs.repository}@sha256:${"9".repeat(64)}`, "--run-image", inputs.runImage, "--publish", "--report-output-dir"]);
  });
});

describe("cache arguments", () => {
  it("maps each cache kind to pack's --cache grammar", () => {
    expect(cacheArgs({ format: "bind", source: "/mnt/cache/api" })).toEqual(["--cache", "type=build;format=bind;source=/mnt/cache/api"]);
    expect(cacheArgs({ format: "volume", name: "gantry-cache-api" })).toEqual(["--cache", "type=build;format=volume;name=gantry-cache-api"]);
    expect(cacheArgs({ format: "volume" })).toEqual([]);
    expect(cacheArgs({ format: "image", name: "r/api-cache" })).toEqual(["--cache-image", "r/api-cache"]);
    for (const [, value] of [cacheArgs({ format: "bind", source: "/x" }), cacheArgs({ format: "volume", name: "v" })].map((a) => a)) {
      expect(value).not.toMatch(/;$/);
    }
  });

  it("derives a per-service cache from platform config", () => {
    expect(cacheFor({ mode: "bind", mountPath: "/var/cache/pack/" }, "api", "r")).toEqual({ format: "bind", source: "/var/cache/pack/api" });
    expect(cacheFor({ mode: "image" }, "api", "europe-west1-docker.pkg.dev/p/r")).toEqual({ format: "image", name: "europe-west1-docker.pkg.dev/p/r/api-cache" });
    expect(cacheFor({ mode: "volume" }, "api", "r")).toEqual({ format: "volume", name: "gantry-cache-api" });
  });
});

describe("change planning", () => {
  const olds = { ...inputs };
  it("does nothing when nothing that shapes the image changed", () => {
    expect(planChange(olds, { ...inputs, tags: ["other"], path: "/elsewhere", cache: { format: "volume" }, timeoutSeconds: 1 })).toEqual({ action: "none", reasons: [] });
  });
  it("rebuilds on source, builder, env, descriptor or default process, naming the reason", () => {
    expect(planChange(olds, { ...inputs, source: "sha256:bbb" })).toEqual({ action: "build", reasons: ["source"] });
    expect(planChange(olds, { ...inputs, builder: "b@sha256:" + "4".repeat(64) })).toEqual({ action: "build", reasons: ["builder"] });
    expect(planChange(olds, { ...inputs, env: { ...inputs.env, X: "1" } })).toEqual({ action: "build", reasons: ["env"] });
    expect(planChange(olds, { ...inputs, projectToml: "x" })).toEqual({ action: "build", reasons: ["projectToml"] });
    expect(planChange(olds, { ...inputs, defaultProcess: "worker" })).toEqual({ action: "build", reasons: ["defaultProcess"] });
    expect(planChange(olds, { ...inputs, source: "s2", runImage: "r2" })).toEqual({ action: "build", reasons: ["source"] });
  });
  it("rebases when only the run image changed", () => {
    expect(planChange(olds, { ...inputs, runImage: "gcr.io/buildpacks/google-22/run@sha256:" + "5".repeat(64) })).toEqual({ action: "rebase", reasons: ["runImage"] });
  });
  it("replaces when the repository changed", () => {
    expect(planChange(olds, { ...inputs, repository: "elsewhere/api", source: "x" })).toEqual({ action: "replace", reasons: ["repository"] });
  });
  it("treats env key order as no change", () => {
    expect(planChange(olds, { ...inputs, env: { BP_LOG_LEVEL: "DEBUG", GOOGLE_LABEL_TEAM: "shop" } }).action).toBe("none");
  });
});

describe("reading pack's output", () => {
  const digest = "sha256:" + "ab".repeat(32);
  it("takes the digest from report.toml, else from the exporter line", () => {
    expect(parseDigest(`[image]\ntags = ["r/api:g-1"]\ndigest = "${digest}"\nmanifest-size = 417\n`, "")).toBe(digest);
    expect(parseDigest(undefined, `Saving r/api:g-1...\n[exporter] *** Images (${digest}):\n[exporter]       r/api:g-1\n`)).toBe(digest);
    expect(parseDigest("[image]\n", "*** Images (0123456789ab):\n")).toBeUndefined();
  });
  it("lists the buildpacks that passed detection", () => {
    const out = ["===> ANALYZING", "[detector] 3 of 5 buildpacks participating", "===> DETECTING", "[detector] 3 of 5 buildpacks participating", "[detector] google.python.runtime          0.9.1", "[detector] google.python.pip              0.9.2", "google.config.entrypoint 0.9.0", "===> RESTORING", "[restorer] some.thing 1.0.0"].join("\n");
    expect(parseBuildpacks(out)).toEqual([
      { id: "google.python.runtime", version: "0.9.1" },
      { id: "google.python.pip", version: "0.9.2" },
      { id: "google.config.entrypoint", version: "0.9.0" },
    ]);
  });
  it("recognises phase headers with and without a container prefix", () => {
    expect(phaseOf("===> BUILDING")).toBe("BUILDING");
    expect(phaseOf("[exporter] ===> EXPORTING")).toBe("EXPORTING");
    expect(phaseOf("building ===> x")).toBeUndefined();
  });
  it("tags each distinct image once", () => {
    expect(imageTag("sha256:f", "r1")).toMatch(/^g-[0-9a-f]{16}$/);
    expect(imageTag("sha256:f", "r1")).toBe(imageTag("sha256:f", "r1"));
    expect(imageTag("sha256:f", "r1")).not.toBe(imageTag("sha256:f", "r2"));
  });
  it("matches trusted builders by repository, ignoring tag and digest", () => {
    expect(builderIsTrusted("gcr.io/buildpacks/builder@sha256:" + "1".repeat(64), ["gcr.io/buildpacks/builder"])).toBe(true);
    expect(builderIsTrusted("gcr.io/buildpacks/builder:google-22", ["gcr.io/buildpacks/builder"])).toBe(true);
    expect(builderIsTrusted("localhost:5000/builder:v1", ["localhost:5000/builder"])).toBe(true);
    expect(builderIsTrusted("gcr.io/buildpacks/builder-evil@sha256:1", ["gcr.io/buildpacks/builder"])).toBe(false);
  });
});

describe("project.toml", () => {
  it("keeps .git and service.yaml out of the upload and carries build env", () => {
    const d = projectDescriptor({ serviceName: "api", exclude: ["tests/"], buildEnv: { GOOGLE_PYTHON_VERSION: "3.12" }, alwaysExclude: ["service.yaml"] });
    expect(d.exclude).toEqual([".git/", "/service.yaml", "tests/"]);
    expect(d.toml).toContain('schema-version = "0.2"');
    expect(d.toml).toContain('exclude = [ ".git/", "/service.yaml", "tests/" ]');
    expect(d.toml).toContain('[[io.buildpacks.build.env]]\nname = "GOOGLE_PYTHON_VERSION"\nvalue = "3.12"');
    expect(d.toml).not.toContain("include");
  });
  it("uses include alone when given, never both", () => {
    const d = projectDescriptor({ serviceName: "api", include: ["src/", "requirements.txt"], alwaysExclude: ["service.yaml"] });
    expect(d.exclude).toBeUndefined();
    expect(d.toml).toContain('include = [ "src/", "requirements.txt" ]');
    expect(d.toml).not.toContain("exclude");
  });
});
