import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { accountId, ACCOUNT_ID } from "../../components/service/identity";
import { CLOUD_RUN_NAME_MAX, deployedName, serviceForStack, servicesForStack, suffixedName, TAG_PLUS_NAME_MAX } from "../../environments/naming";
import { previewConfig, previewNumber, previewStackName } from "../../environments/preview-config";
import { loaded, PROJECT_DIR } from "../service/harness";

const CLOUD_RUN_NAME = /^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$/;
const cloudRunName = fc
  .tuple(fc.stringMatching(/^[a-z]$/), fc.stringMatching(/^[-a-z0-9]{0,47}$/), fc.stringMatching(/^[a-z0-9]$/))
  .map(([a, b, c]) => `${a}${b}${c}`.slice(0, 49).replace(/-+$/, "x"));
const suffix = fc.integer({ min: 1, max: 999_999_999 }).map((n) => previewStackName(n));

describe("suffixed names", () => {
  it("leave names alone without a suffix, and append it when it fits", () => {
    expect(deployedName("storefront", undefined)).toBe("storefront");
    expect(deployedName("storefront", "pr-7")).toBe("storefront-pr-7");
    expect(suffixedName("services", "pr-7", 63)).toBe("services-pr-7");
  });

  it("shorten with a hash of the whole name when it does not fit, keeping the suffix readable", () => {
    const long = "checkout-recommendations-personalisation-engine-x"; // 49 characters, the Cloud Run maximum
    expect(long).toHaveLength(49);
    const name = deployedName(long, "pr-123");
    expect(name).toMatchInlineSnapshot(`"checkout-recommendations-p-831b0a-pr-123"`);
    expect(name.length).toBeLessThanOrEqual(TAG_PLUS_NAME_MAX - "pr-123".length);
    expect(deployedName(`${long.slice(0, -1)}y`, "pr-123")).not.toBe(name);
    expect(deployedName(long, "pr-123")).toBe(name);
  });

  it("always fit Cloud Run (49 characters; tag plus name 46), stay valid, end with the suffix, and never collide", () => {
    fc.assert(
      fc.property(cloudRunName, cloudRunName, suffix, (a, b, s) => {
        const na = deployedName(a, s);
        expect(na.length).toBeLessThanOrEqual(CLOUD_RUN_NAME_MAX);
        expect(s.length + na.length).toBeLessThanOrEqual(TAG_PLUS_NAME_MAX);
        expect(na).toMatch(CLOUD_RUN_NAME);
        expect(na.endsWith(`-${s}`)).toBe(true);
        expect(deployedName(a, s)).toBe(na);
        if (a !== b) expect(deployedName(b, s)).not.toBe(na);
        // The service accounts derived from it are valid ids too.
        expect(accountId(na)).toMatch(ACCOUNT_ID);
        expect(accountId(na, "invoker")).toMatch(ACCOUNT_ID);
      }),
      { numRuns: 500 },
    );
  });

  it("preview stacks are pr-<n>", () => {
    expect(previewStackName(42)).toBe("pr-42");
    expect(previewNumber("pr-42")).toBe(42);
    for (const s of ["dev", "pr-0", "pr-", "pr-4x", "xpr-4"]) expect(previewNumber(s)).toBeUndefined();
  });
});

describe("a service as a suffixed stack deploys it", () => {
  it("carries the suffix in its name and its namespace, and keeps minInstances under the cap", () => {
    const { service, platform } = loaded("prod", "storefront");
    const pr = { ...platform, nameSuffix: "pr-9", scaling: { ...platform.scaling, minInstancesCap: 0 } };
    const deployed = serviceForStack(service, pr);
    expect(deployed.spec).toMatchObject({ name: "storefront-pr-9", minInstances: 0 });
    expect(service.spec).toMatchObject({ name: "storefront", minInstances: 2 });

    const api = loaded("prod", "catalog-api");
    expect(serviceForStack(api.service, pr).spec).toMatchObject({ name: "catalog-api-pr-9", namespace: "shop-pr-9" });
    expect(serviceForStack(api.service, api.platform).spec).toMatchObject({ name: "catalog-api", namespace: "shop" });
  });

  it("refuses a suffixed name that is another service's own", () => {
    const { service, platform } = loaded("dev", "storefront");
    const impostor = { ...service, file: "services/other/service.yaml", spec: { ...service.spec, name: "storefront-pr-9" } };
    expect(() => servicesForStack([service, impostor], { ...platform, nameSuffix: "pr-9" })).toThrow(
      'services/storefront/service.yaml: with nameSuffix "pr-9", storefront would deploy as "storefront-pr-9", which is the name of the service in services/other/service.yaml; rename one of them',
    );
  });
});

describe("preview stack config", () => {
  it("moves a build stage's own registry address to a path of the preview's, never the base's", () => {
    const url = (u: string) => (previewConfig({ "gantry:registry": { url: u } }, { stack: "pr-7", base: "build" }).config["gantry:registry"] as { url: string }).url;
    expect(url("127.0.0.1:5000/engine")).toBe("127.0.0.1:5000/engine-pr-7");
    expect(url("mirror.example.com/team/images")).toBe("mirror.example.com/team/images-pr-7");
    expect(url("mirror.example.com:443")).toBe("mirror.example.com:443/pr-7");
    expect(previewConfig({}, { stack: "pr-7", base: "dev" }).config["gantry:registry"]).not.toHaveProperty("url");
    // And it adopts what the base pushed there.
    expect(previewConfig({ "gantry:registry": { url: "127.0.0.1:5000/engine" } }, { stack: "pr-7", base: "build" }).config["gantry:adoptFrom"]).toEqual(["127.0.0.1:5000/engine"]);
  });

  const devConfig = () => (parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> }).config;

  it("is the base's config, cheap, unprotected and suffixed", () => {
    const derived = previewConfig(devConfig(), { stack: "pr-7", base: "dev" });
    expect(derived.secureKeys).toEqual([]);
    expect(derived.dropped).toEqual([]);
    expect(derived.config).toEqual({
      "gantry:project": "acme-gantry-dev",
      "gantry:region": "europe-west1",
      "gantry:registry": { repository: "services-pr-7", keepRecentVersions: 10, deleteUntaggedAfterDays: 14, immutableTags: false },
      "gantry:builder": devConfig()["gantry:builder"],
      "gantry:runImage": devConfig()["gantry:runImage"],
      "gantry:deletionProtection": false,
      "gantry:scaling": { minInstances: 0, maxInstances: 5, minInstancesCap: 0 },
      "gantry:maxParallelBuilds": 4,
      "gantry:buildTimeout": "30m",
      // The preview builds as dev does: the lifecycle engine, the cache a folder on the (pull-request) slot's claim.
      "gantry:buildEngine": "lifecycle",
      "gantry:buildCache": { mode: "bind", mountPath: "/var/cache/pack" },
      "gantry:secrets": { shared: { "catalog-database-url": ["catalog-api"], "warehouse-password": ["nightly-report"] } },
      "gantry:labels": { environment: "dev", "managed-by": "gantry", "gantry-preview": "pr-7" },
      "gantry:nameSuffix": "pr-7",
      "gantry:baseStack": "dev",
      // Where an unchanged service's image already is: the preview adopts it rather than build it again.
      "gantry:adoptFrom": ["europe-west1-docker.pkg.dev/acme-gantry-dev/services"],
    });
  });

  it("builds rather than promotes, in a repository and cluster of its own, and leaves the base's secrets to be copied decrypted", () => {
    const base = {
      "gantry:project": "acme-gantry-prod",
      "gantry:region": "europe-west1",
      "gantry:promoteFrom": "organization/gantry/staging",
      // `pulumi config set` without --path stores JSON text.
      "gantry:registry": '{"project":"acme-gantry-staging","repository":"services"}',
      "gantry:gke": { cluster: { name: "apps-cluster-with-a-very-long-name-0123" } },
      "gantry:jenkins": { agents: 2 },
      "gcp:project": "acme-gantry-prod",
      "gantry:scaling": { minInstances: "2", maxInstances: "50" },
      "app:token": { secure: "v1:abc" },
    };
    const derived = previewConfig(base, { stack: "pr-12", base: "prod" });
    expect(derived.secureKeys).toEqual(["app:token"]);
    expect(derived.dropped.map((d) => d.key)).toEqual(["gantry:promoteFrom", "gantry:jenkins", "gantry:registry.project"]);
    expect(derived.config["gantry:registry"]).toEqual({ repository: "services-pr-12" });
    // The base's images are in the registry it pulls from (staging's, here), wherever its own config points.
    expect(derived.config["gantry:adoptFrom"]).toEqual(["europe-west1-docker.pkg.dev/acme-gantry-staging/services"]);
    expect(derived.config["gantry:gke"]).toEqual({ cluster: { name: "apps-cluster-with-a-very-lo-6dc22c-pr-12" } });
    expect((derived.config["gantry:gke"] as { cluster: { name: string } }).cluster.name.length).toBeLessThanOrEqual(40);
    expect(derived.config["gcp:project"]).toBe("acme-gantry-prod");
    expect(derived.config["gantry:scaling"]).toEqual({ minInstances: 0, maxInstances: "50", minInstancesCap: 0 });
    expect("app:token" in derived.config).toBe(false);
  });
});
