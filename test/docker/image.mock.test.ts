import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../../catalog/load";
import { contentTag } from "../../components/docker/image";
import { ArtifactRegistry } from "../../components/registry";
import { Service } from "../../components/service";
import { kubernetesProvider } from "../../components/service/kubernetes-provider";
import { ancestry, byType, installMocks, one, PROJECT_DIR, settle, v, type Captured } from "../service/harness";
import { answerDockerBuilds, DOCKER_IMAGE, mockDigest, secret, type DockerMocks } from "./mocks";
import { PACK } from "../support/resource-types";

/*
 * A service with build.dockerfile under Pulumi's mock runtime: built by docker-build's Image (no PackImage),
 * pushed to the service's own Artifact Registry path, deployed by digest like any other.
 */

const FIXTURES = path.join(PROJECT_DIR, "test", "fixtures", "migrate");
const REGISTRY = "europe-west1-docker.pkg.dev/acme-gantry-dev/services";
const TOKEN = "ya29.test-token-not-for-state";

let captured: Captured[];
let docker: DockerMocks;
let tokenCalls = 0;
const services: Record<string, Service> = {};
const statDir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-docker-stat-"));

function fixture(name: string) {
  const catalog = loadCatalog({ projectDir: PROJECT_DIR, servicesDir: FIXTURES, stacks: ["dev"] });
  const service = catalog.services.dev?.find((s) => s.spec.name === name);
  if (!service) throw new Error(`no fixture ${name}: ${JSON.stringify(catalog.problems)}`);
  return { service, platform: catalog.platforms.dev! };
}

beforeAll(async () => {
  captured = await installMocks("dev");
  docker = answerDockerBuilds();
  const { platform } = fixture("py-flask-ready");
  const registry = new ArtifactRegistry("registry", { platform });
  const k8s = kubernetesProvider({ platform, stack: "dev", repository: registry, name: "gke" });
  const build = {
    statCacheDir: statDir,
    registryToken: () => {
      tokenCalls++;
      return Promise.resolve(TOKEN);
    },
  };
  for (const name of ["py-flask-ready", "node-tini-gke"]) {
    const { service } = fixture(name);
    services[name] = new Service(name, { service, platform, stack: "dev", repository: registry, k8sProvider: k8s.provider, build });
  }
  await v(services["py-flask-ready"]!.imageRef);
  await v(services["node-tini-gke"]!.imageRef);
  await settle();
});

describe("a service with build.dockerfile", () => {
  it("is built by one docker-build Image with exactly these inputs, and no PackImage", async () => {
    const dir = path.join(FIXTURES, "py-flask-ready");
    const tag = await contentTag({ serviceName: "py-flask-ready", context: dir, dockerfile: path.join(dir, "Dockerfile"), statCacheDir: statDir });
    expect(tag).toMatch(/^d-[0-9a-f]{16}$/);
    expect(one(captured, DOCKER_IMAGE, "py-flask-ready").inputs).toEqual({
      tags: [`${REGISTRY}/py-flask-ready:${tag}`],
      push: true,
      platforms: ["linux/amd64"],
      context: { location: dir },
      dockerfile: { location: path.join(dir, "Dockerfile") },
      cacheFrom: [{ registry: { ref: `${REGISTRY}/py-flask-ready:buildcache` } }],
      cacheTo: [{ registry: { ref: `${REGISTRY}/py-flask-ready:buildcache`, mode: "max", ignoreError: true } }],
      // Marked secret on the wire, so the engine encrypts it in state.
      registries: secret([{ address: "europe-west1-docker.pkg.dev", username: "oauth2accesstoken", password: TOKEN }]),
      // docker-build's own defaults, sent by its SDK.
      buildOnPreview: true,
      network: "default",
    });
    expect(byType(captured, PACK)).toEqual([]);
    expect(services["py-flask-ready"]!.packImage).toBeUndefined();
    expect(byType(captured, DOCKER_IMAGE).map((c) => c.name).sort()).toEqual(["node-tini-gke", "py-flask-ready"]);
  });

  it("sends the registry password only as a secret, asks for the token once, and keeps pushed images on delete", () => {
    for (const name of ["py-flask-ready", "node-tini-gke"]) {
      expect(docker.secretPaths.get(name)).toEqual(["registries.0.password"]);
      expect(docker.retainOnDelete.get(name)).toBe(true);
    }
    expect(tokenCalls).toBe(1);
  });

  it("is a child of its Service", () => {
    expect(ancestry(captured, one(captured, DOCKER_IMAGE, "py-flask-ready"))).toEqual([DOCKER_IMAGE, "gantry:service:Service"]);
  });

  it("deploys to Cloud Run pinned to the pushed digest, not to the tag", async () => {
    const image = one(captured, DOCKER_IMAGE, "py-flask-ready");
    const digest = mockDigest(image.inputs.tags[0]);
    const ref = `${REGISTRY}/py-flask-ready@${digest}`;
    expect(await v(services["py-flask-ready"]!.imageRef)).toBe(ref);
    expect(await v(services["py-flask-ready"]!.dockerImage!.digest)).toBe(digest);
    const run = one(captured, "gcp:cloudrunv2/service:Service", "py-flask-ready");
    expect(run.inputs.template.containers[0].image).toBe(ref);
    // The image's own start command: no buildpacks process is named.
    expect(run.inputs.template.containers[0].commands).toBeUndefined();
  });

  it("deploys to GKE pinned to the pushed digest", async () => {
    const digest = mockDigest(one(captured, DOCKER_IMAGE, "node-tini-gke").inputs.tags[0]);
    const deployment = one(captured, "kubernetes:apps/v1:Deployment", "node-tini-gke");
    const container = deployment.inputs.spec.template.spec.containers[0];
    expect(container.image).toBe(`${REGISTRY}/node-tini-gke@${digest}`);
    expect(container.command).toBeUndefined();
    expect(container.ports).toEqual([{ name: "http", containerPort: 3000, protocol: "TCP" }]);
  });
});

describe("the pushed tag", () => {
  function context(): { dir: string; dockerfile: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-context-"));
    fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM python:3.12-slim\nCOPY . .\n");
    fs.writeFileSync(path.join(dir, "app.py"), "print('hi')\n");
    fs.writeFileSync(path.join(dir, ".dockerignore"), "service.yaml\nnotes/\n");
    fs.mkdirSync(path.join(dir, "notes"));
    fs.writeFileSync(path.join(dir, "notes", "todo.md"), "x\n");
    return { dir, dockerfile: path.join(dir, "Dockerfile") };
  }

  it("stays while nothing the build reads changes, and moves with the source, the Dockerfile, the target and the build args", async () => {
    const { dir, dockerfile } = context();
    const tag = (extra: Partial<Parameters<typeof contentTag>[0]> = {}) => contentTag({ serviceName: "t", context: dir, dockerfile, statCacheDir: path.join(dir, ".gantry"), ...extra });
    const first = await tag();
    expect(await tag()).toBe(first);
    fs.writeFileSync(path.join(dir, "service.yaml"), "name: t\n");
    fs.writeFileSync(path.join(dir, "notes", "todo.md"), "y\n");
    expect(await tag()).toBe(first);
    expect(await tag({ target: "prod" })).not.toBe(first);
    expect(await tag({ buildArgs: { VERSION: "2" } })).not.toBe(first);
    fs.writeFileSync(path.join(dir, "app.py"), "print('bye')\n");
    const second = await tag();
    expect(second).not.toBe(first);
    fs.appendFileSync(dockerfile, "CMD [\"python\", \"app.py\"]\n");
    expect(await tag()).not.toBe(second);
  });
});
