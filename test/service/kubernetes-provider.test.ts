import { beforeAll, describe, expect, test } from "vitest";
import type { Captured } from "./harness";
import { ancestry, installMocks, loaded, one, settle, summary, v } from "./harness";
import type { PlatformConfig } from "../../catalog/schema/platform";
import { ArtifactRegistry } from "../../components/registry";
import { gkeKubeconfig, kubernetesProvider, type KubernetesTarget } from "../../components/service/kubernetes-provider";
import { READER } from "../support/resource-types";

let captured: Captured[];
const targets: Record<string, KubernetesTarget> = {};
const PROVIDER = "pulumi:providers:kubernetes";

beforeAll(async () => {
  captured = await installMocks("prod");
  const { platform } = loaded("prod", "catalog-api");
  const registry = new ArtifactRegistry("registry", { platform });
  targets.ambient = kubernetesProvider({ platform, stack: "prod", repository: registry, name: "ambient" });
  const existing: PlatformConfig = { ...platform, gke: { kubeconfig: "/etc/gantry/kubeconfig", context: "prod-cluster" } };
  targets.existing = kubernetesProvider({
    platform: existing,
    stack: "prod",
    repository: registry,
    name: "existing",
    nodeServiceAccountEmail: "gke-nodes@acme-gantry-prod.iam.gserviceaccount.com",
  });
  const created: PlatformConfig = { ...platform, gke: { cluster: { name: "gantry-apps" } } };
  targets.created = kubernetesProvider({ platform: created, stack: "prod", repository: registry.repository });
  await settle();
});

describe("an existing cluster", () => {
  test("no gke settings: the ambient kubeconfig, and no grant (the node account is unknown)", () => {
    expect(one(captured, PROVIDER, "ambient").inputs).toEqual({});
    expect(targets.ambient!.pullAccess).toBeUndefined();
    expect(targets.ambient!.cluster).toBeUndefined();
  });

  test("kubeconfig and context are passed through; the given node account may read the repository", () => {
    expect(one(captured, PROVIDER, "existing").inputs).toEqual({ kubeconfig: "/etc/gantry/kubeconfig", context: "prod-cluster" });
    expect(one(captured, READER, "existing-nodes-pull").inputs).toEqual({
      project: "acme-gantry-prod",
      location: "europe-west1",
      repository: "services",
      role: "roles/artifactregistry.reader",
      member: "serviceAccount:gke-nodes@acme-gantry-prod.iam.gserviceaccount.com",
    });
  });
});

describe("a cluster Gantry creates", () => {
  test("creates the node account, its pull grant, the cluster and a provider for it", () => {
    expect(summary(captured.filter((c) => c.name.startsWith("gantry-apps") || c.name === "gke-gantry-apps"))).toEqual(
      [
        "gantry:gke:Cluster::gantry-apps",
        "gcp:container/cluster:Cluster::gantry-apps",
        "gcp:serviceaccount/account:Account::gantry-apps-nodes",
        `${READER}::gantry-apps-nodes-pull`,
        `${PROVIDER}::gke-gantry-apps`,
      ].sort(),
    );
  });

  test("a dedicated node service account whose only grant is read access to the repository", () => {
    expect(one(captured, "gcp:serviceaccount/account:Account", "gantry-apps-nodes").inputs).toEqual({
      project: "acme-gantry-prod",
      accountId: "gantry-apps-nodes",
      displayName: "gantry-apps nodes (Gantry prod)",
      description: "Node identity of the GKE cluster gantry-apps: pulls service images. Workloads use their own accounts through Workload Identity.",
    });
    expect(one(captured, READER, "gantry-apps-nodes-pull").inputs).toEqual({
      project: "acme-gantry-prod",
      location: "europe-west1",
      repository: "services",
      role: "roles/artifactregistry.reader",
      member: "serviceAccount:gantry-apps-nodes@acme-gantry-prod.iam.gserviceaccount.com",
    });
  });

  test("Autopilot with Workload Identity and the Secret Manager add-on", () => {
    const cluster = one(captured, "gcp:container/cluster:Cluster", "gantry-apps");
    expect(cluster.inputs).toEqual({
      name: "gantry-apps",
      project: "acme-gantry-prod",
      location: "europe-west1",
      enableAutopilot: true,
      workloadIdentityConfig: { workloadPool: "acme-gantry-prod.svc.id.goog" },
      secretManagerConfig: { enabled: true },
      clusterAutoscaling: {
        autoProvisioningDefaults: {
          serviceAccount: "gantry-apps-nodes@acme-gantry-prod.iam.gserviceaccount.com",
          oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
        },
      },
      releaseChannel: { channel: "REGULAR" },
      deletionProtection: true,
      resourceLabels: { environment: "prod", "managed-by": "gantry" },
    });
    expect(cluster.dependencies).toContain(one(captured, READER, "gantry-apps-nodes-pull").urn);
    expect(ancestry(captured, cluster)).toEqual(["gcp:container/cluster:Cluster", "gantry:gke:Cluster"]);
  });

  test("the provider's kubeconfig authenticates with gke-gcloud-auth-plugin and carries no credential", async () => {
    const inputs = one(captured, PROVIDER, "gke-gantry-apps").inputs;
    const context = "acme-gantry-prod_europe-west1_gantry-apps";
    expect(JSON.parse(inputs.kubeconfig)).toEqual({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: context, cluster: { server: "https://203.0.113.10", "certificate-authority-data": "Q0EtQ0VSVA==" } }],
      contexts: [{ name: context, context: { cluster: context, user: context } }],
      "current-context": context,
      users: [
        {
          name: context,
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1beta1",
              command: "gke-gcloud-auth-plugin",
              installHint: "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
              provideClusterInfo: true,
            },
          },
        },
      ],
    });
    expect(inputs.kubeconfig).toBe(await v(targets.created!.cluster!.kubeconfig));
    expect(inputs.kubeconfig).toBe(gkeKubeconfig(context, "203.0.113.10", "Q0EtQ0VSVA=="));
    expect(targets.created!.pullAccess).toBe(targets.created!.cluster!.nodePullAccess);
  });
});
