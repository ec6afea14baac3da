import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import type { Captured } from "./harness";
import { byType, installMocks, loaded, ofComponent, one, settle, summary, ancestry, v, variant } from "./harness";
import { ACCOUNT_ID, accountId, createServiceIdentity, type ServiceIdentity } from "../../components/service/identity";

// Cloud Run service/job names (catalog rule) and Kubernetes DNS-1035 labels (kind: gke).
const CLOUD_RUN_NAME = /^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$/;
const DNS1035 = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const nameChars = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-".split(""));
const serviceName = (max: number) =>
  fc
    .tuple(fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz".split("")), fc.array(nameChars, { maxLength: max - 2 }), fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789".split("")))
    .chain(([first, middle, last]) => fc.constantFrom(first, `${first}${middle.join("")}${last}`));

describe("accountId", () => {
  test("a name that already is a valid account id is used as is", () => {
    expect(accountId("storefront")).toBe("storefront");
    expect(accountId("nightly-report")).toBe("nightly-report");
    expect(accountId("catalog-api")).toBe("catalog-api");
    expect(accountId("nightly-report", "invoker")).toBe("nightly-report-invoker");
    expect(accountId("abcdefghijklmnopqrstuvwxyz-abc")).toBe("abcdefghijklmnopqrstuvwxyz-abc"); // 30
  });

  test("short names are padded with a hash to reach 6 characters", () => {
    expect(accountId("api")).toBe("api-14c252");
    expect(accountId("x")).toBe("x-2d7116");
  });

  test("long names are cut and get a hash of the whole name, keeping the role suffix readable", () => {
    expect(accountId("a-very-long-service-name-for-the-checkout-flow")).toBe("a-very-long-service-nam-4f68a5");
    expect(accountId("a-very-long-service-name-for-the-checkout-page")).toBe("a-very-long-service-nam-d239f3");
    expect(accountId("a-very-long-service-name-for-the-checkout-flow", "invoker")).toBe("a-very-long-ser-invoker-9b7b92");
    expect(accountId("abcdefghijklmnopqrstuvwxyz-abcd")).toBe("abcdefghijklmnopqrstuvw-a0c27c"); // 31 → 30
  });

  test("a cut never leaves a hyphen before the hash separator", () => {
    // 23 characters of the name would end in "-".
    const id = accountId("abcdefghijklmnopqrstuv-wxyz-more");
    expect(id).toMatch(ACCOUNT_ID);
    expect(id).not.toContain("--");
  });

  test("every valid Cloud Run or GKE name gives a valid, stable id; distinct names give distinct ids", () => {
    fc.assert(
      fc.property(fc.oneof(serviceName(49), serviceName(63)), fc.constantFrom(undefined, "invoker", "nodes"), (name, suffix) => {
        expect(CLOUD_RUN_NAME.test(name) || DNS1035.test(name)).toBe(true);
        const id = accountId(name, suffix);
        expect(id).toMatch(ACCOUNT_ID);
        expect(id.length).toBeGreaterThanOrEqual(6);
        expect(id.length).toBeLessThanOrEqual(30);
        expect(accountId(name, suffix)).toBe(id);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(serviceName(63), serviceName(63), (a, b) => {
        fc.pre(a !== b);
        expect(accountId(a)).not.toBe(accountId(b));
      }),
      { numRuns: 2000 },
    );
  });
});

let captured: Captured[];
const identities: Record<string, ServiceIdentity> = {};

beforeAll(async () => {
  captured = await installMocks("dev");
  const dev = loaded("dev", "storefront");
  const parent = new pulumi.ComponentResource("gantry:service:Service", "storefront-dev-owner");
  identities.storefront = createServiceIdentity("storefront-dev", { service: dev.service, platform: dev.platform, stack: "dev" }, { parent });
  // Two variables reading one secret, a pinned version, and a secret in another project.
  identities.multi = createServiceIdentity("multi-dev", {
    service: variant(dev.service, {
      name: "multi",
      secrets: {
        A: { secret: "shared", version: "latest" },
        B: { secret: "shared", version: "3" },
        C: { secret: "projects/acme-shared/secrets/partner-key", version: "latest" },
      },
    }),
    platform: dev.platform,
    stack: "dev",
  });
  identities.none = createServiceIdentity("none-dev", { service: variant(dev.service, { name: "none", secrets: undefined }), platform: dev.platform, stack: "dev" });
  await settle();
});

describe("ServiceIdentity", () => {
  test("one service account per service, named after it, in the stack's project", () => {
    expect(one(captured, "gcp:serviceaccount/account:Account", "storefront-dev").inputs).toEqual({
      project: "acme-gantry-dev",
      accountId: "storefront",
      displayName: "storefront (Gantry dev)",
      description: "Runtime identity of the service storefront, managed by Gantry (services/storefront/service.yaml).",
    });
  });

  test("secretAccessor on each of its own secrets, bound on the secret", () => {
    expect(one(captured, "gcp:secretmanager/secretIamMember:SecretIamMember", "storefront-dev-storefront-session-key").inputs).toEqual({
      project: "acme-gantry-dev",
      secretId: "storefront-session-key",
      role: "roles/secretmanager.secretAccessor",
      member: "serviceAccount:storefront@acme-gantry-dev.iam.gserviceaccount.com",
    });
  });

  // "multi" is shorter than 6 characters, so its account id carries a hash.
  test("one binding per distinct secret; a projects/<p>/secrets/<id> reference is bound in that project", () => {
    const bindings = byType(captured, "gcp:secretmanager/secretIamMember:SecretIamMember", "multi-dev");
    expect(bindings.map((b) => [b.name, b.inputs])).toEqual([
      [
        "multi-dev-shared",
        { project: "acme-gantry-dev", secretId: "shared", role: "roles/secretmanager.secretAccessor", member: "serviceAccount:multi-4bd77c@acme-gantry-dev.iam.gserviceaccount.com" },
      ],
      [
        "multi-dev-acme-shared-partner-key",
        { project: "acme-shared", secretId: "partner-key", role: "roles/secretmanager.secretAccessor", member: "serviceAccount:multi-4bd77c@acme-gantry-dev.iam.gserviceaccount.com" },
      ],
    ]);
  });

  test("a service without secrets gets an account and nothing else", () => {
    expect(summary(ofComponent(captured, "none-dev"))).toEqual(["gcp:serviceaccount/account:Account::none-dev"]);
    expect(identities.none!.secretAccess).toEqual([]);
  });

  test("the account and bindings are children of the service that owns them", () => {
    const children = ofComponent(captured, "storefront-dev").filter((x) => x.custom);
    expect(children.length).toBeGreaterThan(1);
    for (const c of children) expect(ancestry(captured, c)).toEqual([c.type, "gantry:service:Service"]);
  });

  test("email and member outputs", async () => {
    expect(await v(identities.storefront!.email)).toBe("storefront@acme-gantry-dev.iam.gserviceaccount.com");
    expect(await v(identities.storefront!.member)).toBe("serviceAccount:storefront@acme-gantry-dev.iam.gserviceaccount.com");
  });

  test("no Artifact Registry role for the runtime account: neither Cloud Run nor GKE pulls as it", () => {
    expect(byType(captured, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember")).toEqual([]);
  });
});
