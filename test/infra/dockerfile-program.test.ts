import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { deployStack } from "../../infra/program";
import { answerDockerBuilds, DOCKER_IMAGE, mockDigest } from "../docker/mocks";
import { byType, installMocks, PROJECT_DIR, settle, strings, v, type Captured } from "../service/harness";
import { answerStackReferences } from "../support/stack-references";
import { PACK } from "../support/resource-types";

/*
 * The whole program over a catalog that mixes buildpacks services (the examples) with services that still
 * build from a Dockerfile (two of the migrate fixtures), under Pulumi's mock runtime.
 */

const DOCKERFILE_SERVICES = ["node-tini-gke", "py-flask-ready"];
const BUILDPACKS_SERVICES = ["catalog-api", "nightly-report", "storefront"];
const WORKLOADS = ["gcp:cloudrunv2/service:Service", "gcp:cloudrunv2/job:Job", "kubernetes:apps/v1:Deployment"];

function mixedProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-mixed-"));
  for (const f of fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(dir, f));
  fs.cpSync(path.join(PROJECT_DIR, "services"), path.join(dir, "services"), { recursive: true });
  for (const name of DOCKERFILE_SERVICES) fs.cpSync(path.join(PROJECT_DIR, "test", "fixtures", "migrate", name), path.join(dir, "services", name), { recursive: true });
  return dir;
}

async function run(stack: string, dir: string, stackOutputs: Record<string, Record<string, unknown>> = {}) {
  const captured = await installMocks(stack);
  answerStackReferences(stackOutputs);
  const docker = answerDockerBuilds();
  const outputs = deployStack({
    stack,
    projectDir: dir,
    servicesDir: path.join(dir, "services"),
    build: { logDir: path.join(dir, ".gantry", "logs"), statCacheDir: path.join(dir, ".gantry", "stat"), registryToken: () => Promise.resolve("ya29.mixed") },
  });
  const resolved: Record<string, Record<string, unknown>> = {};
  for (const [name, o] of Object.entries(outputs)) {
    resolved[name] = {};
    for (const [k, value] of Object.entries(o)) resolved[name]![k] = typeof value === "string" ? value : await v(value as never);
  }
  await settle();
  return { captured, outputs: resolved, docker };
}

/** The one image reference each workload runs. */
function workloadImages(captured: Captured[]): Record<string, string[]> {
  return Object.fromEntries(
    captured
      .filter((c) => WORKLOADS.includes(c.type))
      .map((c) => [c.name, strings(c.inputs).filter((s) => /-docker\.pkg\.dev\//.test(s) && !s.startsWith("projects/"))]),
  );
}

describe.each(["dev", "staging"])("a mixed catalog on stack %s", (stack) => {
  it("builds buildpacks services with pack and Dockerfile services with docker-build, and deploys every image by digest", async () => {
    const dir = mixedProject();
    const { captured, outputs, docker } = await run(stack, dir);
    const registry = `europe-west1-docker.pkg.dev/acme-gantry-${stack}/services`;

    expect(byType(captured, PACK).map((c) => c.name).sort()).toEqual(BUILDPACKS_SERVICES);
    expect(byType(captured, DOCKER_IMAGE).map((c) => c.name).sort()).toEqual(DOCKERFILE_SERVICES);
    for (const image of byType(captured, DOCKER_IMAGE)) {
      expect(image.inputs.tags).toEqual([expect.stringMatching(new RegExp(`^${registry}/${image.name}:d-[0-9a-f]{16}$`))]);
      expect(image.inputs.cacheTo).toEqual([{ registry: { ref: `${registry}/${image.name}:buildcache`, mode: "max", ignoreError: true } }]);
      expect(docker.secretPaths.get(image.name)).toEqual(["registries.0.password"]);
      expect(outputs[image.name]!.digest).toBe(mockDigest(image.inputs.tags[0]));
    }

    // Every workload runs exactly its own image, pinned by digest, from the stack's registry.
    const images = workloadImages(captured);
    expect(Object.keys(images).sort()).toEqual([...BUILDPACKS_SERVICES, ...DOCKERFILE_SERVICES].sort());
    for (const [name, refs] of Object.entries(images)) {
      expect(refs).toEqual([`${registry}/${name}@${outputs[name]!.digest}`]);
      expect(refs[0]).toMatch(/@sha256:[0-9a-f]{64}$/);
      expect(outputs[name]!.image).toBe(refs[0]);
    }
    // Nothing anywhere deploys a tag.
    expect(captured.filter((c) => WORKLOADS.includes(c.type)).flatMap((c) => strings(c.inputs)).filter((s) => /-docker\.pkg\.dev\//.test(s) && !s.includes("@"))).toEqual([]);

    // A Dockerfile service gets the same deployment as any other: its own identity, env, port and probes.
    expect(outputs["py-flask-ready"]).toMatchObject({ kind: "service", url: "https://py-flask-ready-h4sh-ew.a.run.app", serviceAccount: `py-flask-ready@acme-gantry-${stack}.iam.gserviceaccount.com` });
    expect(outputs["py-flask-ready"]!.fingerprint).toBeUndefined();
    expect(outputs["node-tini-gke"]).toMatchObject({ kind: "gke", url: "http://node-tini-gke.node-tini-gke.svc.cluster.local" });
  });
});

describe("a mixed catalog on stack prod", () => {
  it("builds nothing and deploys the Dockerfile services' images that staging deployed, by digest", async () => {
    const dir = mixedProject();
    const staging = await run("staging", dir);
    const { captured, outputs } = await run("prod", dir, { "organization/gantry/staging": { services: staging.outputs } });
    expect(byType(captured, PACK)).toEqual([]);
    expect(byType(captured, DOCKER_IMAGE)).toEqual([]);
    const images = workloadImages(captured);
    for (const name of [...BUILDPACKS_SERVICES, ...DOCKERFILE_SERVICES]) {
      expect(images[name]).toEqual([staging.outputs[name]!.image]);
      expect(outputs[name]!.image).toBe(staging.outputs[name]!.image);
    }
  });
});

describe("a GKE workload built from a Dockerfile, with secrets", () => {
  it("reads the mounted secrets with sh, then runs the Dockerfile's own ENTRYPOINT and CMD", async () => {
    const dir = mixedProject();
    fs.appendFileSync(path.join(dir, "services", "node-tini-gke", "service.yaml"), "secrets:\n  DATABASE_URL: node-tini-gke-database-url\n");
    const { captured } = await run("dev", dir);
    const deployment = byType(captured, "kubernetes:apps/v1:Deployment").find((d) => d.name === "node-tini-gke")!;
    const container = deployment.inputs.spec.template.spec.containers[0];
    expect(container.command).toEqual([
      "/bin/sh",
      "-c",
      'DATABASE_URL="$(cat \'/var/run/secrets/gantry/DATABASE_URL\'; printf x)"; DATABASE_URL="${DATABASE_URL%x}"; export DATABASE_URL\nexec "$@"',
      "gantry-secrets",
      "/usr/bin/tini",
      "--",
      "npm",
      "start",
    ]);
    expect(byType(captured, "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass").map((c) => c.name)).toContain("node-tini-gke");
  });
});
