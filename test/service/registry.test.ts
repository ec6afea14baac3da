import { beforeAll, describe, expect, test } from "vitest";
import type { Captured } from "./harness";
import { catalog, installMocks, one, settle, ancestry, v } from "./harness";
import { ArtifactRegistry, asRepository } from "../../components/registry";

let captured: Captured[];
const registries: Record<string, ArtifactRegistry> = {};

beforeAll(async () => {
  captured = await installMocks("dev");
  const c = catalog();
  for (const stack of ["dev", "prod"]) registries[stack] = new ArtifactRegistry(`registry-${stack}`, { platform: c.platforms[stack]! });
  await settle();
});

describe("ArtifactRegistry", () => {
  test.each([
    ["dev", "acme-gantry-dev", false, { environment: "dev", "managed-by": "gantry" }],
    ["prod", "acme-gantry-prod", true, { environment: "prod", "managed-by": "gantry" }],
  ])("%s: the repository's exact inputs", (stack, project, immutableTags, labels) => {
    const repo = one(captured, "gcp:artifactregistry/repository:Repository", `registry-${stack}`);
    expect(repo.inputs).toEqual({
      project,
      location: "europe-west1",
      repositoryId: "services",
      format: "DOCKER",
      description: "Service images built by Gantry with Cloud Native Buildpacks.",
      labels,
      cleanupPolicyDryRun: false,
      cleanupPolicies: [
        { id: "keep-recent", action: "KEEP", mostRecentVersions: { keepCount: 10 } },
        { id: "delete-untagged", action: "DELETE", condition: { tagState: "UNTAGGED", olderThan: "14d" } },
      ],
      dockerConfig: { immutableTags },
    });
    expect(ancestry(captured, repo)).toEqual(["gcp:artifactregistry/repository:Repository", "gantry:registry:ArtifactRegistry"]);
  });

  test("a KEEP policy never carries a condition and a DELETE policy never carries mostRecentVersions", () => {
    for (const stack of ["dev", "prod"]) {
      const repo = one(captured, "gcp:artifactregistry/repository:Repository", `registry-${stack}`);
      for (const p of repo.inputs.cleanupPolicies) {
        expect(p.action === "KEEP" ? p.condition : p.mostRecentVersions).toBeUndefined();
      }
    }
  });

  test("repositoryUrl is <region>-docker.pkg.dev/<project>/<repository>", async () => {
    expect(await v(registries.dev!.repositoryUrl)).toBe("europe-west1-docker.pkg.dev/acme-gantry-dev/services");
    expect(await v(registries.prod!.repositoryUrl)).toBe("europe-west1-docker.pkg.dev/acme-gantry-prod/services");
  });

  test("asRepository accepts the component or a bare repository", () => {
    expect(asRepository(registries.dev!)).toBe(registries.dev!.repository);
    expect(asRepository(registries.dev!.repository)).toBe(registries.dev!.repository);
  });

  test("the component registers under its own token and creates nothing else", () => {
    expect(captured.map((c) => `${c.type}::${c.name}`).sort()).toEqual([
      "gantry:registry:ArtifactRegistry::registry-dev",
      "gantry:registry:ArtifactRegistry::registry-prod",
      "gcp:artifactregistry/repository:Repository::registry-dev",
      "gcp:artifactregistry/repository:Repository::registry-prod",
    ]);
  });
});
