import { beforeAll, describe, expect, test } from "vitest";
import type { Captured } from "./harness";
import { ancestry, catalog, DIGEST, imageFor, installMocks, objectsWithKey, settle, strings, v } from "./harness";
import type { PlatformConfig } from "../../catalog/schema/platform";
import { ArtifactRegistry } from "../../components/registry";
import { imageRefProblem, kubernetesProvider, Service } from "../../components/service";

/** The whole example catalog deployed to dev (an existing cluster) and prod (a cluster Gantry creates), then scanned. */

let captured: Captured[];
const platforms: Record<string, PlatformConfig> = {};
const deployed: Record<string, Service> = {};
const STACKS = ["dev", "prod"] as const;

const stackOf = (c: Captured) => (/-(dev|prod)(?:-|$)/.exec(c.name)?.[1] ?? (c.name.startsWith("apps") ? "prod" : undefined)) as "dev" | "prod" | undefined;
const gcpResources = () => captured.filter((c) => c.custom && c.type.startsWith("gcp:"));

beforeAll(async () => {
  captured = await installMocks("dev");
  const c = catalog();
  for (const stack of STACKS) {
    const platform: PlatformConfig = stack === "prod" ? { ...c.platforms.prod!, gke: { cluster: { name: "apps" } } } : c.platforms.dev!;
    platforms[stack] = platform;
    const registry = new ArtifactRegistry(`registry-${stack}`, { platform });
    const k8s = kubernetesProvider({ platform, stack, repository: registry, name: `gke-${stack}` });
    for (const service of c.services[stack]!) {
      const name = `${service.spec.name}-${stack}`;
      deployed[name] = new Service(name, { service, platform, stack, image: imageFor(platform, service.spec.name), repository: registry, k8sProvider: k8s.provider });
    }
  }
  await settle();
});

describe("least privilege", () => {
  test("the catalog was deployed in full", () => {
    expect(Object.keys(deployed).sort()).toEqual(["catalog-api-dev", "catalog-api-prod", "nightly-report-dev", "nightly-report-prod", "storefront-dev", "storefront-prod"]);
    expect(captured.filter((c) => c.custom).length).toBeGreaterThan(40);
  });

  test("no primitive role anywhere, in any input of any resource", () => {
    const roles = captured.flatMap((c) => strings(c.inputs)).filter((s) => /^roles\/(owner|editor|viewer)$/.test(s));
    expect(roles).toEqual([]);
  });

  test("no project-, folder- or organisation-level IAM and no authoritative bindings or policies", () => {
    const iam = gcpResources().filter((c) => /iam/i.test(c.type));
    expect(iam.filter((c) => /^gcp:(projects|organizations|folder)\//.test(c.type))).toEqual([]);
    expect(iam.filter((c) => /(IamBinding|IamPolicy|IAMBinding|IAMPolicy):/.test(c.type))).toEqual([]);
    expect([...new Set(iam.map((c) => c.type))].sort()).toEqual(
      [
        "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
        "gcp:cloudrunv2/jobIamMember:JobIamMember",
        "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
        "gcp:secretmanager/secretIamMember:SecretIamMember",
        "gcp:serviceaccount/iAMMember:IAMMember",
      ].sort(),
    );
  });

  test("each IAM binding grants one of the four roles Gantry needs, on the resource it is for", () => {
    const allowed: Record<string, string> = {
      "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": "roles/artifactregistry.reader",
      "gcp:cloudrunv2/jobIamMember:JobIamMember": "roles/run.invoker",
      "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": "roles/run.invoker",
      "gcp:secretmanager/secretIamMember:SecretIamMember": "roles/secretmanager.secretAccessor",
      "gcp:serviceaccount/iAMMember:IAMMember": "roles/iam.workloadIdentityUser",
    };
    for (const c of gcpResources().filter((x) => /iam/i.test(x.type))) expect([c.name, c.inputs.role]).toEqual([c.name, allowed[c.type]]);
  });

  test("allUsers only on a service that says public: true, and allAuthenticatedUsers never", () => {
    const publicMembers = captured.filter((c) => strings(c.inputs).some((s) => s === "allUsers" || s === "allAuthenticatedUsers"));
    expect(publicMembers.map((c) => [c.type, c.name, c.inputs.member, c.inputs.name])).toEqual([
      ["gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "storefront-dev-public", "allUsers", "storefront"],
      ["gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "storefront-prod-public", "allUsers", "storefront"],
    ]);
    const c = catalog();
    for (const stack of STACKS) {
      const publicNames = c.services[stack]!.filter((s) => s.spec.kind === "service" && s.spec.public).map((s) => s.spec.name);
      expect(publicNames).toEqual(["storefront"]);
    }
  });

  test("secret access is granted only to the service that references the secret", () => {
    const c = catalog();
    for (const binding of gcpResources().filter((x) => x.type === "gcp:secretmanager/secretIamMember:SecretIamMember")) {
      const stack = stackOf(binding)!;
      const owner = c.services[stack]!.find((s) => binding.inputs.member === `serviceAccount:${s.spec.name}@${platforms[stack]!.project}.iam.gserviceaccount.com`);
      expect(owner, binding.name).toBeDefined();
      expect(Object.values(owner!.spec.secrets ?? {}).map((r) => r.secret)).toContain(binding.inputs.secretId);
    }
  });
});

describe("images and secrets", () => {
  test("every image anywhere is a digest reference in the stack's repository", () => {
    const images = captured.flatMap((c) => objectsWithKey(c.inputs, "image").map((o) => [c, o.image] as const));
    expect(images.length).toBe(6);
    for (const [c, image] of images) {
      const platform = platforms[stackOf(c)!]!;
      expect(imageRefProblem(String(image), `europe-west1-docker.pkg.dev/${platform.project}/services`)).toBeUndefined();
      expect(image).toMatch(/@sha256:[a-f0-9]{64}$/);
    }
  });

  test("secret env vars are references with no value field, and no Kubernetes Secret exists", () => {
    const secretNames = new Set(Object.values(catalog().services).flatMap((list) => list.flatMap((s) => Object.keys(s.spec.secrets ?? {}))));
    expect([...secretNames].sort()).toEqual(["DATABASE_URL", "SESSION_KEY", "WAREHOUSE_PASSWORD"]);
    const envEntries = captured.flatMap((c) => [...objectsWithKey(c.inputs, "envs"), ...objectsWithKey(c.inputs, "env")].flatMap((o) => o.envs ?? o.env) as Record<string, unknown>[]);
    for (const e of envEntries) {
      if (secretNames.has(String(e.name))) {
        expect(e).not.toHaveProperty("value");
        if ("valueSource" in e) expect(Object.keys(e.valueSource as object)).toEqual(["secretKeyRef"]);
      }
      if ("valueSource" in e) expect(e).not.toHaveProperty("value");
    }
    expect(envEntries.filter((e) => "valueSource" in e).length).toBe(4); // storefront and nightly-report, in two stacks
    expect(captured.filter((c) => c.type === "kubernetes:core/v1:Secret")).toEqual([]);
    expect(objectsWithKey(captured.map((c) => c.inputs), "secretKeyRef").filter((o) => "value" in (o.secretKeyRef as object))).toEqual([]);
  });
});

describe("conventions", () => {
  test("every GCP resource names its project explicitly, and its location where it has one", () => {
    const regional = /^gcp:(cloudrunv2|artifactregistry|container)\//;
    for (const c of gcpResources()) {
      const stack = stackOf(c)!;
      if (c.type === "gcp:serviceaccount/iAMMember:IAMMember") {
        // Addressed by the account's full name, projects/<p>/serviceAccounts/<email>.
        expect(c.inputs.serviceAccountId).toMatch(new RegExp(`^projects/${platforms[stack]!.project}/serviceAccounts/`));
        continue;
      }
      expect([c.name, c.inputs.project]).toEqual([c.name, platforms[stack]!.project]);
      if (regional.test(c.type)) expect([c.name, c.inputs.location]).toEqual([c.name, "europe-west1"]);
      if (c.type === "gcp:cloudscheduler/job:Job") expect(c.inputs.region).toBe("europe-west1");
    }
  });

  test("labels: platform + service + gantry-service on Cloud Run; platform labels on the shared repository and cluster", () => {
    for (const c of gcpResources()) {
      const platform = platforms[stackOf(c)!]!;
      if (c.type === "gcp:cloudrunv2/service:Service" || c.type === "gcp:cloudrunv2/job:Job") {
        expect(c.inputs.labels).toEqual({ ...platform.labels, "gantry-service": c.inputs.name });
      }
      if (c.type === "gcp:artifactregistry/repository:Repository") expect(c.inputs.labels).toEqual(platform.labels);
      if (c.type === "gcp:container/cluster:Cluster") expect(c.inputs.resourceLabels).toEqual(platform.labels);
    }
  });

  test("Cloud Run names are explicit and fit 49 characters; deletion protection follows the platform", () => {
    for (const c of gcpResources().filter((x) => x.type === "gcp:cloudrunv2/service:Service" || x.type === "gcp:cloudrunv2/job:Job")) {
      expect(c.inputs.name).toMatch(/^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$/);
      expect(c.inputs.deletionProtection).toBe(stackOf(c) === "prod");
    }
  });

  test("every resource has a Gantry component above it, except the stack-wide providers and namespaces", () => {
    for (const c of captured.filter((x) => x.custom)) {
      const chain = ancestry(captured, c);
      if (c.type === "pulumi:providers:kubernetes" && c.name === "gke-dev") expect(chain).toEqual([c.type]);
      else if (c.type === "kubernetes:core/v1:Namespace") expect(chain).toEqual([c.type]);
      else expect(chain.slice(1).some((t) => t.startsWith("gantry:")), `${c.type}::${c.name}`).toBe(true);
    }
  });

  test("every Gantry component uses a gantry:<module>:<Type> token", () => {
    for (const c of captured.filter((x) => !x.custom)) expect(c.type).toMatch(/^gantry:[a-z]+:[A-Z][A-Za-z]+$/);
  });
});

describe("image references", () => {
  const repo = "europe-west1-docker.pkg.dev/acme-gantry-dev/services";
  test.each([
    [`${repo}/storefront@${DIGEST}`, undefined],
    [`${repo}/storefront:v1@${DIGEST}`, undefined],
    [`${repo}/storefront:latest`, "not pinned by digest"],
    [`${repo}/storefront@sha256:ABC`, "not pinned by digest"],
    [`${repo}/storefront@sha256:${"a".repeat(63)}`, "not pinned by digest"],
    [`europe-west1-docker.pkg.dev/acme-gantry-prod/services/storefront@${DIGEST}`, "not in the stack's repository"],
    [`${repo}-other/storefront@${DIGEST}`, "not in the stack's repository"],
    [`docker.io/library/python@${DIGEST}`, "not in the stack's repository"],
  ])("%s", (image, problem) => {
    const found = imageRefProblem(image, repo);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  test("a preview may run an image of its adoptFrom repositories, and of no other", () => {
    const preview = `${repo}-pr-7`;
    expect(imageRefProblem(`${repo}/storefront@${DIGEST}`, preview, [repo])).toBeUndefined();
    expect(imageRefProblem(`${preview}/storefront-pr-7@${DIGEST}`, preview, [repo])).toBeUndefined();
    expect(imageRefProblem(`${repo}/storefront@${DIGEST}`, preview)).toContain("not in the stack's repository");
    expect(imageRefProblem(`europe-west1-docker.pkg.dev/acme-gantry-prod/services/storefront@${DIGEST}`, preview, [repo])).toContain("not in the stack's repository");
  });

  test("a service loaded for another stack is refused", () => {
    const c = catalog();
    const service = c.services.prod!.find((s) => s.spec.name === "storefront")!;
    expect(
      () => new Service("wrong-stack", { service, platform: platforms.dev!, stack: "dev", image: imageFor(platforms.dev!, "storefront"), repository: new ArtifactRegistry("registry-x", { platform: platforms.dev! }) }),
    ).toThrow(/loaded for stack "prod", not "dev"/);
  });

  test("imageRef is the image as given once it passes", async () => {
    expect(await v(deployed["storefront-prod"]!.imageRef)).toBe(imageFor(platforms.prod!, "storefront"));
  });
});
