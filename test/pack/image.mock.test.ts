import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PackImage } from "../../components/pack/image";
import { fingerprintSource } from "../../components/pack/fingerprint";
import type { PackImageProps } from "../../components/pack/provider";
import { serializedProviderOf } from "../support/provider-host";

const BUILDER = "gcr.io/buildpacks/builder@sha256:" + "1".repeat(64);
const RUN = "gcr.io/buildpacks/google-22/run@sha256:" + "2".repeat(64);

function app(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-app-"));
  fs.writeFileSync(path.join(dir, "main.py"), "app = None\n");
  fs.writeFileSync(path.join(dir, "requirements.txt"), "flask\n");
  fs.writeFileSync(path.join(dir, "service.yaml"), "name: api\nkind: service\n");
  fs.mkdirSync(path.join(dir, "tests"));
  fs.writeFileSync(path.join(dir, "tests", "test_x.py"), "\n");
  return dir;
}

async function inputsOf(args: Partial<ConstructorParameters<typeof PackImage>[1]> & { sourceDir: string }) {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-statcache-"));
  const resources = await serializedProviderOf(() => {
    new PackImage("api", { serviceName: "api", repository: "europe-west1-docker.pkg.dev/acme/services/api", builder: BUILDER, runImage: RUN, statCacheDir: cacheDir, logDir: "/var/log/gantry", alwaysExclude: ["service.yaml"], ...args });
  });
  const r = resources.get("api")!;
  return { ...r, inputs: r.inputs as unknown as PackImageProps & { __provider: string } };
}

describe("PackImage under the mock runtime", () => {
  it("declares a dynamic resource with the exact inputs pack needs", async () => {
    const dir = app();
    const r = await inputsOf({ sourceDir: dir, buildEnv: { GOOGLE_PYTHON_VERSION: "3.12" }, exclude: ["tests/"], secretEnv: ["PIP_TOKEN"], tags: ["abc123"], trustedBuilders: ["gcr.io/buildpacks/builder"], cache: { format: "bind", source: "/var/cache/pack/api" }, maxParallelBuilds: 2, timeoutSeconds: 600 });
    expect(r.type).toBe("pulumi-nodejs:dynamic/gantry:PackImage");
    const { __provider, ...inputs } = r.inputs;
    expect(typeof __provider).toBe("string");
    const expectedSource = (await fingerprintSource(dir, { exclude: [".git/", "/service.yaml", "tests/"] })).digest;
    // What replaces, rebases and builds the image at the top level, where a preview's diff names it; how it is built
    // under settings.
    expect(inputs).toEqual({
      repository: "europe-west1-docker.pkg.dev/acme/services/api",
      runImage: RUN,
      fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      build: {
        source: expectedSource,
        builder: BUILDER,
        env: {},
        secretEnv: ["PIP_TOKEN"],
        projectToml: expect.stringContaining('exclude = [ ".git/", "/service.yaml", "tests/" ]'),
        defaultProcess: "",
      },
      settings: {
        serviceName: "api",
        path: dir,
        cache: { format: "bind", source: "/var/cache/pack/api" },
        tags: ["abc123"],
        trustBuilder: true,
        trustedBuilders: ["gcr.io/buildpacks/builder"],
        lifecycleImage: "",
        network: "",
        engine: "pack",
        lifecycleDir: "/cnb/lifecycle",
        // What project.toml says, for the lifecycle engine, which reads no project.toml.
        upload: { exclude: [".git/", "/service.yaml", "tests/"] },
        buildEnv: { GOOGLE_PYTHON_VERSION: "3.12" },
        uploadFilterModule: expect.stringMatching(/node_modules\/ignore\/index\.js$/),
        maxParallelBuilds: 2,
        // Not given: the defaults (rebases touch only the registry; a stack is trusted unless a preview says otherwise).
        maxParallelRebases: 16,
        trust: "trusted",
        adoptFrom: [],
        timeoutSeconds: 600,
        logDir: "/var/log/gantry",
        packCommand: "pack",
      },
      // The outputs a program reads; the rest of what an operation records is in the state only.
      digest: undefined,
      imageRef: undefined,
    });
    expect(inputs.build.projectToml).toContain('name = "GOOGLE_PYTHON_VERSION"');
  });

  it("fingerprints what pack uploads: service.yaml and excluded files do not count, app files do", async () => {
    const dir = app();
    const before = await inputsOf({ sourceDir: dir, exclude: ["tests/"] });
    fs.writeFileSync(path.join(dir, "service.yaml"), "name: api\nkind: service\nminInstances: 3\n");
    fs.writeFileSync(path.join(dir, "tests", "test_x.py"), "assert True\n");
    const same = await inputsOf({ sourceDir: dir, exclude: ["tests/"] });
    expect(same.inputs.build.source).toBe(before.inputs.build.source);
    expect(same.inputs.fingerprint).toBe(before.inputs.fingerprint);
    fs.writeFileSync(path.join(dir, "main.py"), "app = 1\n");
    const changed = await inputsOf({ sourceDir: dir, exclude: ["tests/"] });
    expect(changed.inputs.build.source).not.toBe(before.inputs.build.source);
  });

  it("changes the fingerprint, not the source digest, when the builder, env or default process change", async () => {
    const dir = app();
    const base = await inputsOf({ sourceDir: dir });
    for (const variant of [{ builder: BUILDER.replace(/1+$/, "3".repeat(64)) }, { env: { A: "1" } }, { defaultProcess: "worker" }, { buildEnv: { X: "y" } }]) {
      const other = await inputsOf({ sourceDir: dir, ...variant });
      expect(other.inputs.build.source, JSON.stringify(variant)).toBe(base.inputs.build.source);
      expect(other.inputs.fingerprint, JSON.stringify(variant)).not.toBe(base.inputs.fingerprint);
    }
    const rebased = await inputsOf({ sourceDir: dir, runImage: RUN.replace(/2+$/, "4".repeat(64)) });
    expect(rebased.inputs.fingerprint).toBe(base.inputs.fingerprint);
  });

  it("does not trust a builder that is not on the allow-list", async () => {
    const r = await inputsOf({ sourceDir: app(), trustedBuilders: ["paketobuildpacks/builder-jammy-base"] });
    expect(r.inputs.settings.trustBuilder).toBe(false);
  });
});
