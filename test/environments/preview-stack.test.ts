import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { loadCatalog } from "../../catalog/load";
import { accountId } from "../../components/service/identity";
import { previewConfig } from "../../environments/preview-config";
import { deployStack } from "../../infra/program";
import { byType, installMocks, one, PROJECT_DIR, settle, strings, type Captured } from "../service/harness";
import { PACK } from "../support/resource-types";

/*
 * A PR preview stack (Pulumi.pr-7.yaml as `gantry preview up --pr 7` writes it) through the whole program under
 * the mock runtime: every name derived from a service carries the suffix, nothing collides with dev.
 */

const LONG = "checkout-recommendations-personalisation-engine-x";
let captured: Captured[];
let dev: Captured[];

function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-preview-stack-"));
  for (const f of fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\.(?:[a-z]+\.)?yaml$/.test(f))) fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(dir, f));
  fs.cpSync(path.join(PROJECT_DIR, "services"), path.join(dir, "services"), { recursive: true });
  // A service whose suffixed name must be shortened.
  fs.cpSync(path.join(dir, "services", "storefront"), path.join(dir, "services", "long"), { recursive: true });
  const file = path.join(dir, "services", "long", "service.yaml");
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("name: storefront", `name: ${LONG}`).replace("storefront-session-key", `${LONG}-session-key`).replace(/^environments:[\s\S]*$/m, ""));
  const base = (parse(fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> }).config;
  fs.writeFileSync(path.join(dir, "Pulumi.pr-7.yaml"), stringify({ config: previewConfig(base, { stack: "pr-7", base: "dev" }).config }));
  return dir;
}

async function run(stack: string, dir: string): Promise<Captured[]> {
  const c = await installMocks(stack);
  const work = path.join(dir, ".gantry");
  deployStack({ stack, projectDir: dir, servicesDir: path.join(dir, "services"), build: { logDir: path.join(work, "logs"), statCacheDir: path.join(work, "stat") } });
  await settle();
  return c;
}

beforeAll(async () => {
  const dir = project();
  dev = await run("dev", dir);
  captured = await run("pr-7", dir);
});

const names = (list: Captured[], type: string, pick: (c: Captured) => unknown) => byType(list, type).map(pick).sort();

describe("a preview stack beside dev", () => {
  it("is loaded with dev's service.yaml overrides", () => {
    const dir = project();
    const c = loadCatalog({ projectDir: dir, stacks: ["pr-7"] });
    expect(c.problems.filter((p) => p.severity === "error")).toEqual([]);
    const job = c.services["pr-7"]!.find((s) => s.spec.name === "nightly-report")!;
    expect(job.spec).toMatchObject({ tasks: 1, parallelism: 1 });
    expect(job.spec.kind === "job" && job.spec.schedule).toBeFalsy();
  });

  it("suffixes every Cloud Run, service account, Kubernetes and registry name, shortening with a hash when needed", () => {
    const services = names(captured, "gcp:cloudrunv2/service:Service", (c) => c.inputs.name) as string[];
    expect(services).toHaveLength(2);
    expect(services).toContain("storefront-pr-7");
    const long = services.find((s) => s !== "storefront-pr-7")!;
    expect(long).toMatch(/^checkout-recommendations-[a-z-]*-[0-9a-f]{6}-pr-7$/);
    expect(long.length).toBeLessThanOrEqual(46 - "pr-7".length);

    expect(names(captured, "gcp:cloudrunv2/job:Job", (c) => c.inputs.name)).toEqual(["nightly-report-pr-7"]);
    // dev's override turns the schedule off, and the preview is a copy of dev.
    expect(byType(captured, "gcp:cloudscheduler/job:Job")).toEqual([]);
    expect(names(captured, "gcp:serviceaccount/account:Account", (c) => c.inputs.accountId)).toEqual(["catalog-api-pr-7", accountId(long), "nightly-report-pr-7", "storefront-pr-7"].sort());
    for (const a of byType(captured, "gcp:serviceaccount/account:Account")) expect(a.inputs.accountId).toMatch(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/);

    const deployment = one(captured, "kubernetes:apps/v1:Deployment", "catalog-api");
    expect(deployment.inputs.metadata).toMatchObject({ name: "catalog-api-pr-7", namespace: "shop-pr-7" });
    expect(deployment.inputs.spec.replicas).toBeUndefined();
    expect(names(captured, "kubernetes:core/v1:Namespace", (c) => c.inputs.metadata.name)).toEqual(["shop-pr-7"]);
    expect(one(captured, "gcp:serviceaccount/iAMMember:IAMMember", "catalog-api-workload-identity").inputs.member).toBe("serviceAccount:acme-gantry-dev.svc.id.goog[shop-pr-7/catalog-api-pr-7]");

    const repo = one(captured, "gcp:artifactregistry/repository:Repository", "registry");
    expect(repo.inputs).toMatchObject({ project: "acme-gantry-dev", repositoryId: "services-pr-7" });
    expect(names(captured, PACK, (c) => c.inputs.repository)).toEqual(
      [`${long}`, "catalog-api-pr-7", "nightly-report-pr-7", "storefront-pr-7"].map((n) => `europe-west1-docker.pkg.dev/acme-gantry-dev/services-pr-7/${n}`).sort(),
    );
  });

  it("builds an unchanged service from exactly dev's inputs, so it adopts dev's image instead of building it again", () => {
    for (const name of ["storefront", "nightly-report", "catalog-api"]) {
      const mine = one(captured, PACK, name).inputs;
      const devs = one(dev, PACK, name).inputs;
      // The same fingerprint and project.toml (the declared name, not the suffixed one): the same content tag.
      expect(mine.fingerprint).toBe(devs.fingerprint);
      expect(mine.build.projectToml).toMatch(/id = /);
      expect(mine.build.projectToml).toBe(devs.build.projectToml);
      expect(mine.settings).toMatchObject({ trust: "untrusted", adoptFrom: [`europe-west1-docker.pkg.dev/acme-gantry-dev/services/${name}`] });
      // Dev adopts only from its own repository, and is trusted.
      expect(devs.settings).toMatchObject({ trust: "trusted", adoptFrom: [] });
    }
  });

  it("keeps nothing warm and protects nothing", () => {
    for (const s of byType(captured, "gcp:cloudrunv2/service:Service")) {
      expect(s.inputs.deletionProtection).toBe(false);
      expect(s.inputs.template.scaling.minInstanceCount).toBe(0);
      expect(s.inputs.labels["gantry-preview"]).toBe("pr-7");
    }
  });

  it("claims no cloud name that dev claims", () => {
    const cloudNames = (list: Captured[]) =>
      new Set(
        list
          .filter((c) => c.custom && !c.type.startsWith("pulumi"))
          .flatMap((c) => [c.inputs.name, c.inputs.accountId, c.inputs.repositoryId, c.inputs.metadata?.name])
          .filter((n): n is string => typeof n === "string"),
      );
    const ours = cloudNames(captured);
    const theirs = cloudNames(dev);
    expect([...ours].filter((n) => theirs.has(n))).toEqual([]);
    expect(strings(one(captured, "gcp:cloudrunv2/service:Service", "storefront").inputs)).not.toContain("services/storefront@");
  });
});
