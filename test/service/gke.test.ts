import { beforeAll, describe, expect, test } from "vitest";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service as KubeService } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { Captured } from "./harness";
import { ancestry, byType, DIGEST, imageFor, installMocks, loaded, ofComponent, one, settle, summary, v, variant } from "./harness";
import { ArtifactRegistry } from "../../components/registry";
import { Service } from "../../components/service";
import { kubernetesProvider } from "../../components/service/kubernetes-provider";
import { DEPLOYMENT, HPA, KSA, KSERVICE, NAMESPACE, PDB, SPC, WI } from "../support/resource-types";
import { restrictedViolations } from "../support/pod-security";

let captured: Captured[];
const services: Record<string, Service> = {};
const providerUrn: Record<string, string> = {};

const LABELS = { "app.kubernetes.io/name": "catalog-api", "app.kubernetes.io/part-of": "gantry" };
const RESTRICTED = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/enforce-version": "latest",
  "pod-security.kubernetes.io/warn": "restricted",
  "pod-security.kubernetes.io/audit": "restricted",
};
const SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: 1000,
  runAsGroup: 1000,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

beforeAll(async () => {
  captured = await installMocks("dev");
  for (const stack of ["dev", "prod"]) {
    const { service, platform } = loaded(stack, "catalog-api");
    const registry = new ArtifactRegistry(`registry-${stack}`, { platform });
    const k8s = kubernetesProvider({ platform, stack, repository: registry, name: `gke-${stack}` });
    providerUrn[stack] = await v(k8s.provider.urn);
    services[`catalog-api-${stack}`] = new Service(`catalog-api-${stack}`, {
      service,
      platform,
      stack,
      image: imageFor(platform, "catalog-api"),
      repository: registry,
      k8sProvider: k8s.provider,
    });
    if (stack === "dev") {
      services["plain-api-dev"] = new Service("plain-api-dev", {
        service: variant(service, {
          name: "plain-api",
          namespace: undefined,
          autoscaling: undefined,
          secrets: undefined,
          env: undefined,
          replicas: 3,
          cpu: "1",
          memory: "1Gi",
          port: 3000,
          serviceType: "LoadBalancer",
          startupProbe: { type: "tcp", failureThreshold: 30, periodSeconds: 2 },
          livenessProbe: { type: "grpc", port: 3001, timeoutSeconds: 3 },
        }),
        platform,
        stack,
        image: imageFor(platform, "plain-api"),
        repository: registry,
        k8sProvider: k8s.provider,
      });
      // Shares catalog-api's namespace; a pinned version, a secret in another project, a non-default process.
      services["inventory-api-dev"] = new Service("inventory-api-dev", {
        service: variant(service, {
          name: "inventory-api",
          autoscaling: undefined,
          build: { defaultProcess: "api" },
          secrets: {
            DB_PASSWORD: { secret: "inventory-db", version: "7" },
            PARTNER_TOKEN: { secret: "projects/acme-shared/secrets/partner-token", version: "latest" },
          },
        }),
        platform,
        stack,
        image: imageFor(platform, "inventory-api"),
        repository: registry,
        k8sProvider: k8s.provider,
      });
    }
  }
  await settle();
});

/** The one resource of a type and logical name made through the given stack's provider. */
function through(stack: string, type: string, name: string): Captured {
  const found = captured.filter((c) => c.type === type && c.name === name && c.provider?.startsWith(`${providerUrn[stack]}::`));
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe.each(["dev", "prod"] as const)("catalog-api in %s", (stack) => {
  const name = `catalog-api-${stack}`;
  const project = `acme-gantry-${stack}`;
  const prod = stack === "prod";
  const image = `europe-west1-docker.pkg.dev/${project}/services/catalog-api@${DIGEST}`;

  test("creates its identity, the Workload Identity binding and the Kubernetes objects", () => {
    expect(summary(ofComponent(captured, name))).toEqual([
      `${DEPLOYMENT}::${name}`,
      `${HPA}::${name}`,
      // prod's HPA floor is 2 replicas, dev's 1: only a workload that always has two pods gets a disruption budget.
      ...(prod ? [`${PDB}::${name}`] : []),
      `${KSERVICE}::${name}`,
      `${KSA}::${name}`,
      `${SPC}::${name}`,
      `gantry:service:Service::${name}`,
      `gcp:secretmanager/secretIamMember:SecretIamMember::${name}-catalog-database-url`,
      `gcp:serviceaccount/account:Account::${name}`,
      `${WI}::${name}-workload-identity`,
    ].sort());
  });

  test("Namespace, enforcing the restricted Pod Security Standard", () => {
    const ns = through(stack, NAMESPACE, "namespace-shop").inputs;
    expect(ns).toEqual({ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", labels: { "app.kubernetes.io/part-of": "gantry", ...RESTRICTED } } });
    new Namespace(ns).validate();
  });

  test("ServiceAccount annotated with the Google service account", () => {
    const ksa = one(captured, KSA, name);
    expect(ksa.inputs).toEqual({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        name: "catalog-api",
        namespace: "shop",
        labels: LABELS,
        annotations: { "iam.gke.io/gcp-service-account": `catalog-api@${project}.iam.gserviceaccount.com` },
      },
      automountServiceAccountToken: false,
    });
    expect(ksa.provider).toBe(`${providerUrn[stack]}::gke-${stack}_id`);
    new ServiceAccount(ksa.inputs).validate();
  });

  test("workloadIdentityUser on the Google service account for exactly this namespace/KSA", () => {
    expect(one(captured, WI, `${name}-workload-identity`).inputs).toEqual({
      serviceAccountId: `projects/${project}/serviceAccounts/catalog-api@${project}.iam.gserviceaccount.com`,
      role: "roles/iam.workloadIdentityUser",
      member: `serviceAccount:${project}.svc.id.goog[shop/catalog-api]`,
    });
  });

  test("SecretProviderClass: references to secret versions only", () => {
    expect(one(captured, SPC, name).inputs).toEqual({
      apiVersion: "secrets-store.csi.x-k8s.io/v1",
      kind: "SecretProviderClass",
      metadata: { name: "catalog-api-secrets", namespace: "shop", labels: LABELS },
      spec: {
        provider: "gke",
        parameters: { secrets: `- resourceName: "projects/${project}/secrets/catalog-database-url/versions/latest"\n  path: "DATABASE_URL"\n` },
      },
    });
  });

  test("Deployment", () => {
    const deployment = one(captured, DEPLOYMENT, name);
    expect(deployment.inputs).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "catalog-api", namespace: "shop", labels: LABELS },
      spec: {
        // No replicas: the HPA owns the count.
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
        progressDeadlineSeconds: 600,
        selector: { matchLabels: { "app.kubernetes.io/name": "catalog-api" } },
        template: {
          metadata: { labels: LABELS },
          spec: {
            serviceAccountName: "catalog-api",
            automountServiceAccountToken: false,
            containers: [
              {
                name: "catalog-api",
                image,
                command: [
                  "/bin/bash",
                  "-c",
                  "IFS= read -r -d '' DATABASE_URL < '/var/run/secrets/gantry/DATABASE_URL'; export DATABASE_URL\nexec '/cnb/process/web'",
                ],
                ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
                env: [{ name: "LOG_LEVEL", value: "info" }],
                resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "250m", memory: "256Mi" } },
                startupProbe: { httpGet: { path: "/healthz", port: 8080 } },
                livenessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 20 },
                securityContext: SECURITY_CONTEXT,
                volumeMounts: [{ name: "gantry-secrets", mountPath: "/var/run/secrets/gantry", readOnly: true }],
              },
            ],
            volumes: [
              {
                name: "gantry-secrets",
                csi: { driver: "secrets-store-gke.csi.k8s.io", readOnly: true, volumeAttributes: { secretProviderClass: "catalog-api-secrets" } },
              },
            ],
          },
        },
      },
    });
    new Deployment(deployment.inputs).validate();
  });

  test("the Deployment waits for Workload Identity and secret access", () => {
    const deps = one(captured, DEPLOYMENT, name).dependencies;
    expect(deps).toContain(one(captured, WI, `${name}-workload-identity`).urn);
    expect(deps).toContain(one(captured, "gcp:secretmanager/secretIamMember:SecretIamMember", `${name}-catalog-database-url`).urn);
  });

  test("Service: port 80 to the container port", () => {
    const svc = one(captured, KSERVICE, name);
    expect(svc.inputs).toEqual({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "catalog-api", namespace: "shop", labels: LABELS },
      spec: { type: "ClusterIP", selector: { "app.kubernetes.io/name": "catalog-api" }, ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }] },
    });
    new KubeService(svc.inputs).validate();
  });

  test("HorizontalPodAutoscaler (autoscaling/v2)", () => {
    const hpa = one(captured, HPA, name);
    expect(hpa.inputs).toEqual({
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "catalog-api", namespace: "shop", labels: LABELS },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "catalog-api" },
        minReplicas: prod ? 2 : 1,
        maxReplicas: prod ? 6 : 2,
        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
      },
    });
    new HorizontalPodAutoscaler(hpa.inputs).validate();
  });

  test("every child sits under the GkeWorkload component and uses the stack's provider", () => {
    for (const type of [KSA, DEPLOYMENT, KSERVICE, HPA, SPC]) {
      const c = one(captured, type, name);
      expect(ancestry(captured, c)).toEqual([type, "gantry:service:Service"]);
      expect(c.provider).toBe(`${providerUrn[stack]}::gke-${stack}_id`);
    }
    expect(ancestry(captured, one(captured, WI, `${name}-workload-identity`))).toEqual([WI, "gantry:service:Service"]);
  });

  test("outputs", async () => {
    const svc = services[name]!;
    expect(await v(svc.url)).toBe("http://catalog-api.shop.svc.cluster.local");
    expect(await v(svc.imageRef)).toBe(image);
    expect(await v(svc.serviceAccountEmail)).toBe(`catalog-api@${project}.iam.gserviceaccount.com`);
    expect(await v(svc.jobName)).toBeUndefined();
    expect(await v(svc.schedule)).toBeUndefined();
  });
});

describe("the restricted Pod Security Standard", () => {
  test("every Deployment's pod passes it, so a namespace enforcing it admits them", () => {
    const deployments = byType(captured, DEPLOYMENT);
    expect(deployments.length).toBeGreaterThan(2);
    for (const d of deployments) expect(restrictedViolations(d.inputs.spec.template.spec), d.name).toEqual([]);
  });
});

describe("without namespace, autoscaling or secrets", () => {
  test("no HPA or SecretProviderClass; a namespace of its own, never default; replicas set; no entrypoint override", () => {
    expect(summary(ofComponent(captured, "plain-api-dev"))).toEqual([
      `${DEPLOYMENT}::plain-api-dev`,
      `${PDB}::plain-api-dev`,
      `${KSERVICE}::plain-api-dev`,
      `${KSA}::plain-api-dev`,
      "gantry:service:Service::plain-api-dev",
      "gcp:serviceaccount/account:Account::plain-api-dev",
      `${WI}::plain-api-dev-workload-identity`,
    ].sort());
    const labels = { "app.kubernetes.io/name": "plain-api", "app.kubernetes.io/part-of": "gantry" };
    const deployment = one(captured, DEPLOYMENT, "plain-api-dev").inputs;
    expect(deployment).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "plain-api", namespace: "plain-api", labels },
      spec: {
        replicas: 3,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
        progressDeadlineSeconds: 600,
        selector: { matchLabels: { "app.kubernetes.io/name": "plain-api" } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: "plain-api",
            automountServiceAccountToken: false,
            containers: [
              {
                name: "plain-api",
                image: `europe-west1-docker.pkg.dev/acme-gantry-dev/services/plain-api@${DIGEST}`,
                ports: [{ name: "http", containerPort: 3000, protocol: "TCP" }],
                env: [],
                resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
                startupProbe: { tcpSocket: { port: 3000 }, failureThreshold: 30, periodSeconds: 2 },
                livenessProbe: { grpc: { port: 3001 }, timeoutSeconds: 3 },
                securityContext: SECURITY_CONTEXT,
              },
            ],
          },
        },
      },
    });
    new Deployment(deployment).validate();
    const svc = one(captured, KSERVICE, "plain-api-dev").inputs;
    expect(svc.spec).toEqual({ type: "LoadBalancer", selector: { "app.kubernetes.io/name": "plain-api" }, ports: [{ name: "http", port: 80, targetPort: 3000, protocol: "TCP" }] });
    new KubeService(svc).validate();
    expect(one(captured, WI, "plain-api-dev-workload-identity").inputs.member).toBe("serviceAccount:acme-gantry-dev.svc.id.goog[plain-api/plain-api]");
    expect(one(captured, KSA, "plain-api-dev").inputs.metadata.namespace).toBe("plain-api");
    expect(through("dev", NAMESPACE, "namespace-plain-api").inputs.metadata.labels).toEqual({ "app.kubernetes.io/part-of": "gantry", ...RESTRICTED });
  });
});

describe("two services in one namespace, several secrets, a non-default process", () => {
  test("the namespace is created once per provider", () => {
    expect(byType(captured, NAMESPACE).filter((c) => c.provider?.startsWith(`${providerUrn.dev}::`) && c.name === "namespace-shop")).toHaveLength(1);
    // shop in dev's and prod's clusters, plain-api's own in dev's
    expect(byType(captured, NAMESPACE).map((c) => c.name).sort()).toEqual(["namespace-plain-api", "namespace-shop", "namespace-shop"]);
    expect(through("dev", NAMESPACE, "namespace-shop").parent).toBe("");
  });

  test("one file per variable, each version by resource name, and the entrypoint runs the image's default process", () => {
    expect(one(captured, SPC, "inventory-api-dev").inputs.spec.parameters.secrets).toBe(
      '- resourceName: "projects/acme-gantry-dev/secrets/inventory-db/versions/7"\n  path: "DB_PASSWORD"\n' +
        '- resourceName: "projects/acme-shared/secrets/partner-token/versions/latest"\n  path: "PARTNER_TOKEN"\n',
    );
    const container = one(captured, DEPLOYMENT, "inventory-api-dev").inputs.spec.template.spec.containers[0];
    expect(container.command).toEqual([
      "/bin/bash",
      "-c",
      [
        "IFS= read -r -d '' DB_PASSWORD < '/var/run/secrets/gantry/DB_PASSWORD'; export DB_PASSWORD",
        "IFS= read -r -d '' PARTNER_TOKEN < '/var/run/secrets/gantry/PARTNER_TOKEN'; export PARTNER_TOKEN",
        "exec '/cnb/process/api'",
      ].join("\n"),
    ]);
    // Nothing that Kubernetes would expand as $(VAR) in a container command.
    expect(container.command.join(" ")).not.toContain("$(");
    expect(container.env).toEqual([{ name: "LOG_LEVEL", value: "info" }]);
    expect(one(captured, DEPLOYMENT, "inventory-api-dev").inputs.spec.replicas).toBe(1); // dev overrides replicas to 1
    expect(byType(captured, "gcp:secretmanager/secretIamMember:SecretIamMember", "inventory-api-dev").map((c) => c.inputs)).toEqual([
      {
        project: "acme-gantry-dev",
        secretId: "inventory-db",
        role: "roles/secretmanager.secretAccessor",
        member: "serviceAccount:inventory-api@acme-gantry-dev.iam.gserviceaccount.com",
      },
      {
        project: "acme-shared",
        secretId: "partner-token",
        role: "roles/secretmanager.secretAccessor",
        member: "serviceAccount:inventory-api@acme-gantry-dev.iam.gserviceaccount.com",
      },
    ]);
    new Deployment(one(captured, DEPLOYMENT, "inventory-api-dev").inputs).validate();
  });
});

describe("the Kubernetes schema validation catches what it should", () => {
  test("a Deployment without a selector is rejected", () => {
    const broken = structuredClone(one(captured, DEPLOYMENT, "catalog-api-dev").inputs);
    delete broken.spec.selector;
    expect(() => new Deployment(broken).validate()).toThrow();
  });
});

describe("kind: gke needs a provider", () => {
  test("no k8sProvider is an error, not the ambient default provider", () => {
    const { service, platform } = loaded("dev", "catalog-api");
    expect(
      () => new Service("no-provider-dev", { service, platform, stack: "dev", image: imageFor(platform, "catalog-api"), repository: new ArtifactRegistry("registry-np", { platform }) }),
    ).toThrow(/k8sProvider/);
  });
});
