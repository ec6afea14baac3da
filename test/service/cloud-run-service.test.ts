import { beforeAll, describe, expect, test } from "vitest";
import type { Captured } from "./harness";
import { DIGEST, imageFor, installMocks, loaded, ofComponent, one, settle, summary, ancestry, v, variant } from "./harness";
import { ArtifactRegistry } from "../../components/registry";
import { Service } from "../../components/service";
import { INVOKER, SERVICE } from "../support/resource-types";

let captured: Captured[];
const services: Record<string, Service> = {};

beforeAll(async () => {
  captured = await installMocks("dev");
  for (const stack of ["dev", "prod"]) {
    const { service, platform } = loaded(stack, "storefront");
    const registry = new ArtifactRegistry(`registry-${stack}`, { platform });
    services[`storefront-${stack}`] = new Service(`storefront-${stack}`, { service, platform, stack, image: imageFor(platform, "storefront"), repository: registry });
    if (stack === "dev") {
      services["sf-private-dev"] = new Service(
        "sf-private-dev",
        { service: variant(service, { name: "sf-private", public: false, ingress: "internal" }), platform, stack, image: imageFor(platform, "sf-private"), repository: registry.repository },
      );
      services["sf-small-dev"] = new Service("sf-small-dev", {
        service: variant(service, {
          name: "sf-small",
          cpu: 0.5,
          memory: "512Mi",
          concurrency: undefined,
          executionEnvironment: "gen1",
          ingress: "internal-and-cloud-load-balancing",
          public: false,
          timeout: "1h",
          port: 9000,
          env: undefined,
          secrets: undefined,
          // gantry-service is Gantry's to set; a service's own value for it is overridden.
          labels: { team: "web", "gantry-service": "other" },
          description: undefined,
          startupProbe: { type: "tcp", initialDelaySeconds: 3, timeoutSeconds: 2, failureThreshold: 5 },
          livenessProbe: { type: "grpc", port: 9001, periodSeconds: 15 },
        }),
        platform,
        stack,
        image: imageFor(platform, "sf-small"),
        repository: registry,
      });
    }
  }
  await settle();
});

const expectedStorefront = (stack: "dev" | "prod") => {
  const prod = stack === "prod";
  const project = `acme-gantry-${stack}`;
  return {
    name: "storefront",
    project,
    location: "europe-west1",
    description: "Public storefront pages.",
    deletionProtection: prod,
    ingress: "INGRESS_TRAFFIC_ALL",
    labels: { environment: stack, "managed-by": "gantry", "gantry-service": "storefront" },
    template: {
      serviceAccount: `storefront@${project}.iam.gserviceaccount.com`,
      timeout: "60s",
      maxInstanceRequestConcurrency: 80,
      scaling: prod ? { minInstanceCount: 2, maxInstanceCount: 20 } : { minInstanceCount: 0, maxInstanceCount: 5 },
      containers: [
        {
          image: `europe-west1-docker.pkg.dev/${project}/services/storefront@${DIGEST}`,
          ports: { containerPort: 8080 },
          resources: { limits: prod ? { cpu: "2", memory: "1Gi" } : { cpu: "1", memory: "512Mi" }, cpuIdle: true },
          envs: [
            { name: "CATALOG_URL", value: "http://catalog-api.shop.svc.cluster.local" },
            { name: "SESSION_KEY", valueSource: { secretKeyRef: { secret: "storefront-session-key", version: "latest" } } },
          ],
          startupProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 5 },
          livenessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 30 },
        },
      ],
    },
    traffics: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }],
  };
};

describe.each(["dev", "prod"] as const)("storefront in %s", (stack) => {
  const name = `storefront-${stack}`;
  const project = `acme-gantry-${stack}`;

  test("creates exactly its identity, its secret binding, the Cloud Run service and the public invoker", () => {
    expect(summary(ofComponent(captured, name))).toEqual([
      `gantry:service:Service::${name}`,
      `${SERVICE}::${name}`,
      `${INVOKER}::${name}-public`,
      `gcp:secretmanager/secretIamMember:SecretIamMember::${name}-storefront-session-key`,
      `gcp:serviceaccount/account:Account::${name}`,
    ].sort());
  });

  test("the Cloud Run service's exact inputs", () => {
    expect(one(captured, SERVICE, name).inputs).toEqual(expectedStorefront(stack));
  });

  test("public: true grants run.invoker to allUsers on this service only", () => {
    expect(one(captured, INVOKER, `${name}-public`).inputs).toEqual({
      project,
      location: "europe-west1",
      name: "storefront",
      role: "roles/run.invoker",
      member: "allUsers",
    });
  });

  test("the service waits for its secret access, and every resource sits under the Service component", () => {
    const binding = one(captured, "gcp:secretmanager/secretIamMember:SecretIamMember", `${name}-storefront-session-key`);
    const run = one(captured, SERVICE, name);
    expect(run.dependencies).toContain(binding.urn);
    expect(ancestry(captured, run)).toEqual([SERVICE, "gantry:service:Service"]);
    expect(ancestry(captured, one(captured, INVOKER, `${name}-public`))).toEqual([INVOKER, "gantry:service:Service"]);
    expect(ancestry(captured, binding)).toEqual(["gcp:secretmanager/secretIamMember:SecretIamMember", "gantry:service:Service"]);
  });

  test("outputs", async () => {
    const svc = services[name]!;
    expect(await v(svc.url)).toBe("https://storefront-h4sh-ew.a.run.app");
    expect(await v(svc.cloudRunService!.name)).toBe("storefront");
    expect(await v(svc.imageRef)).toBe(`europe-west1-docker.pkg.dev/${project}/services/storefront@${DIGEST}`);
    expect(await v(svc.serviceAccountEmail)).toBe(`storefront@${project}.iam.gserviceaccount.com`);
    expect(await v(svc.jobName)).toBeUndefined();
    expect(await v(svc.schedule)).toBeUndefined();
    expect(svc.cloudRunJob).toBeUndefined();
    expect(svc.gkeWorkload).toBeUndefined();
  });
});

describe("without public: true", () => {
  test("no invoker binding at all, and internal ingress", () => {
    const mine = ofComponent(captured, "sf-private-dev");
    expect(mine.filter((c) => c.type === INVOKER)).toEqual([]);
    expect(JSON.stringify(mine.map((c) => c.inputs))).not.toMatch(/allUsers|allAuthenticatedUsers/);
    expect(one(captured, SERVICE, "sf-private-dev").inputs.ingress).toBe("INGRESS_TRAFFIC_INTERNAL_ONLY");
    expect(services["sf-private-dev"]!.cloudRunService!.publicInvoker).toBeUndefined();
  });
});

describe("mapping of the fields the examples leave at their defaults", () => {
  test("fractional CPU, gen1, internal-and-cloud-load-balancing, hour timeout, tcp and grpc probes", () => {
    expect(one(captured, SERVICE, "sf-small-dev").inputs).toEqual({
      name: "sf-small",
      project: "acme-gantry-dev",
      location: "europe-west1",
      deletionProtection: false,
      ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
      labels: { environment: "dev", "managed-by": "gantry", team: "web", "gantry-service": "sf-small" },
      template: {
        serviceAccount: "sf-small@acme-gantry-dev.iam.gserviceaccount.com",
        executionEnvironment: "EXECUTION_ENVIRONMENT_GEN1",
        timeout: "3600s",
        // Below one vCPU Cloud Run serves one request at a time.
        maxInstanceRequestConcurrency: 1,
        scaling: { minInstanceCount: 0, maxInstanceCount: 5 },
        containers: [
          {
            image: `europe-west1-docker.pkg.dev/acme-gantry-dev/services/sf-small@${DIGEST}`,
            ports: { containerPort: 9000 },
            resources: { limits: { cpu: "500m", memory: "512Mi" }, cpuIdle: true },
            envs: [],
            startupProbe: { tcpSocket: { port: 9000 }, initialDelaySeconds: 3, timeoutSeconds: 2, failureThreshold: 5 },
            livenessProbe: { grpc: { port: 9001 }, periodSeconds: 15 },
          },
        ],
      },
      traffics: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }],
    });
    expect(summary(ofComponent(captured, "sf-small-dev"))).toEqual([
      "gantry:service:Service::sf-small-dev",
      `${SERVICE}::sf-small-dev`,
      "gcp:serviceaccount/account:Account::sf-small-dev",
    ].sort());
  });
});
