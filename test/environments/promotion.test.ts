import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { loadPlatform } from "../../catalog/platform";
import { formatProblem } from "../../catalog/problems";
import { ownsRegistry, parseStackRef, promotedImage, promotionProblems, registryUrl } from "../../environments/promotion";
import { PROJECT_DIR } from "../service/harness";

const STAGING = "europe-west1-docker.pkg.dev/acme-gantry-staging/services";
const DIGEST = `sha256:${"ab".repeat(32)}`;
const ctx = { stack: "prod", source: "organization/gantry/staging", registryUrl: STAGING };

describe("the image a promoting stack takes", () => {
  const services = {
    storefront: { kind: "service", image: `${STAGING}/storefront@${DIGEST}`, digest: DIGEST, fingerprint: "sha256:f1", runImage: "gcr.io/run@sha256:r" },
    "catalog-api": { kind: "gke", image: `${STAGING}/catalog-api@${DIGEST}`, digest: DIGEST },
  };

  it("is the source stack's, by digest, with what it was built from", () => {
    expect(promotedImage(services, "storefront", ctx)).toEqual({ image: `${STAGING}/storefront@${DIGEST}`, digest: DIGEST, fingerprint: "sha256:f1", runImage: "gcr.io/run@sha256:r" });
  });

  it("names the missing service and the source stack, as a RunError (no stack trace)", () => {
    const missing = () => promotedImage(services, "nightly-report", ctx);
    expect(missing).toThrow(pulumi.RunError);
    expect(missing).toThrow("service nightly-report is not in the outputs of organization/gantry/staging, which stack prod promotes from (it has catalog-api, storefront); deploy nightly-report to organization/gantry/staging first");
    expect(() => promotedImage(undefined, "storefront", ctx)).toThrow('stack prod promotes from organization/gantry/staging, which has no "services" output: deploy organization/gantry/staging first');
  });

  it("refuses an image outside the stack's registry, saying which settings make them one", () => {
    const elsewhere = { storefront: { image: `europe-west1-docker.pkg.dev/acme-gantry-staging/images/storefront@${DIGEST}` } };
    expect(() => promotedImage(elsewhere, "storefront", ctx)).toThrow(
      `organization/gantry/staging deployed storefront as europe-west1-docker.pkg.dev/acme-gantry-staging/images/storefront@${DIGEST}, outside prod's registry ${STAGING}; promotion moves digests, not images, so prod must pull from the registry organization/gantry/staging pushes to: set gantry:registry.project: acme-gantry-staging and gantry:registry.repository: images in Pulumi.prod.yaml`,
    );
  });

  it("parses <org>/<project>/<stack>", () => {
    expect(parseStackRef("organization/gantry/staging")).toEqual({ org: "organization", project: "gantry", stack: "staging" });
    expect(() => parseStackRef("staging")).toThrow("not <org>/<project>/<stack>");
  });
});

function project(edit: (file: string, text: string) => string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-promotion-"));
  for (const f of fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\.(?:[a-z]+\.)?yaml$/.test(f))) {
    fs.writeFileSync(path.join(dir, f), edit(f, fs.readFileSync(path.join(PROJECT_DIR, f), "utf8")));
  }
  return dir;
}

const problemsOf = (dir: string, stack: string) => promotionProblems(dir, stack, loadPlatform(dir, stack, dir).config!, dir).map(formatProblem);

describe("promotion settings checked before anything runs", () => {
  it("the example prod pulls from staging's registry, which it does not own", () => {
    const prod = loadPlatform(PROJECT_DIR, "prod").config!;
    expect(prod.promoteFrom).toBe("organization/gantry/staging");
    expect(registryUrl(prod)).toBe(STAGING);
    expect(ownsRegistry(prod)).toBe(false);
    expect(ownsRegistry(loadPlatform(PROJECT_DIR, "staging").config!)).toBe(true);
    expect(problemsOf(PROJECT_DIR, "prod")).toEqual([]);
    expect(problemsOf(PROJECT_DIR, "staging")).toEqual([]);
  });

  it("a promoting stack with a registry of its own is refused where promoteFrom is set", () => {
    const dir = project((f, t) => (f === "Pulumi.prod.yaml" ? t.replace("    project: acme-gantry-staging\n", "") : t));
    expect(problemsOf(dir, "prod")).toEqual([
      "Pulumi.prod.yaml:8:23 gantry:promoteFrom: stack prod promotes from organization/gantry/staging, whose images are in europe-west1-docker.pkg.dev/acme-gantry-staging/services, but prod pulls from europe-west1-docker.pkg.dev/acme-gantry-prod/services; set gantry:registry.project: acme-gantry-staging",
    ]);
  });

  it("another project's registry without promotion, and promoting from itself, are refused", () => {
    const dir = project((f, t) =>
      f === "Pulumi.staging.yaml" ? t.replace("    repository: services\n", "    repository: services\n    project: acme-gantry-prod\n") : f === "Pulumi.prod.yaml" ? t.replace("organization/gantry/staging", "organization/gantry/prod") : t,
    );
    expect(problemsOf(dir, "staging")).toEqual([
      "Pulumi.staging.yaml:7:14 gantry:registry.project: only a stack that promotes (gantry:promoteFrom) may use another project's registry; stack staging builds, and pushes to a repository it owns in acme-gantry-staging",
    ]);
    expect(problemsOf(dir, "prod")).toEqual(["Pulumi.prod.yaml:8:23 gantry:promoteFrom: stack prod cannot promote from itself"]);
  });
});
