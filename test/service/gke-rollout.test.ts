import { beforeAll, describe, expect, test } from "vitest";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { Captured } from "./harness";
import { imageFor, installMocks, loaded, one, settle, variant } from "./harness";
import { ArtifactRegistry } from "../../components/registry";
import { Service } from "../../components/service";
import { kubernetesProvider } from "../../components/service/kubernetes-provider";
import { DEPLOYMENT, PDB } from "../support/resource-types";

/*
 * A GKE workload's rollout settings and disruption budget, under Pulumi's mock runtime, each object validated
 * against the Kubernetes schemas (kubernetes-models).
 */

let captured: Captured[];

beforeAll(async () => {
  captured = await installMocks("dev");
  const { service, platform } = loaded("dev", "catalog-api");
  const registry = new ArtifactRegistry("registry", { platform });
  const k8s = kubernetesProvider({ platform, stack: "dev", repository: registry, name: "gke" });
  const make = (name: string, fields: Record<string, unknown>) =>
    new Service(name, { service: variant(service, { name, namespace: undefined, secrets: undefined, ...fields }), platform, stack: "dev", image: imageFor(platform, name), repository: registry, k8sProvider: k8s.provider });
  make("tuned", { autoscaling: undefined, replicas: 4, rollout: { strategy: "rolling", maxSurge: 2, maxUnavailable: "25%", progressDeadline: "1h30m" } });
  make("two", { autoscaling: undefined, replicas: 2 });
  make("one", { autoscaling: undefined, replicas: 1 });
  make("floor-two", { autoscaling: { minReplicas: 2, maxReplicas: 5, targetCPUUtilization: 70 } });
  make("floor-one", { autoscaling: { minReplicas: 1, maxReplicas: 5, targetCPUUtilization: 70 } });
  await settle();
});

describe("rollout settings", () => {
  test("service.yaml's maxSurge, maxUnavailable and progress deadline reach the Deployment, which passes the schema", () => {
    const d = one(captured, DEPLOYMENT, "tuned").inputs;
    expect(d.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: 2, maxUnavailable: "25%" } });
    expect(d.spec.progressDeadlineSeconds).toBe(5400);
    new Deployment(d).validate();
  });

  test("by default capacity never drops: no pod unavailable, a quarter (at least one) surge, ten minutes to progress", () => {
    const d = one(captured, DEPLOYMENT, "two").inputs;
    expect(d.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } });
    expect(d.spec.progressDeadlineSeconds).toBe(600);
    new Deployment(d).validate();
  });
});

describe("PodDisruptionBudget", () => {
  test("two replicas or more: at most one pod evicted at a time, selecting exactly the workload's pods", () => {
    for (const name of ["tuned", "two", "floor-two"]) {
      const pdb = one(captured, PDB, name).inputs;
      expect(pdb).toEqual({
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name, namespace: name, labels: { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "gantry" } },
        spec: { maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": name } } },
      });
      expect(pdb.spec.selector.matchLabels).toEqual(one(captured, DEPLOYMENT, name).inputs.spec.selector.matchLabels);
      new PodDisruptionBudget(pdb).validate();
    }
  });

  test("one replica, fixed or as the autoscaler's floor, gets none: it would only block node drains", () => {
    expect(captured.filter((c) => c.type === PDB).map((c) => c.name).sort()).toEqual(["floor-two", "tuned", "two"]);
  });
});
