import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../../catalog/schema/platform";
import { ArtifactRegistry, asRepository } from "../registry";
import { repositoryReader } from "../registry/shared";
import { accountId } from "./identity";
import { CLOUD_PLATFORM_SCOPE } from "./common";

/*
 * The Kubernetes side of a stack, made once by the program and handed to every kind: gke Service:
 *
 * - platform.gke.cluster: Gantry creates an Autopilot cluster with Workload Identity and the Secret Manager
 *   add-on, running its nodes as a dedicated service account that may pull from the stack's repository.
 *   That account gets no project-level role from Gantry; GKE's logging and monitoring want
 *   roles/container.defaultNodeServiceAccount on the project, which the project's owners grant once
 *   (Gantry writes no project IAM).
 * - platform.gke.kubeconfig / context, or no gke settings: an existing cluster through that kubeconfig (or
 *   the ambient one). Its nodes pull images, so pass nodeServiceAccountEmail to grant them read access to
 *   the repository; Gantry cannot know that account. The cluster must have Workload Identity and the Secret
 *   Manager add-on (services with secrets mount them through it) and live in platform.project, whose
 *   workload pool <project>.svc.id.goog the services' bindings name.
 */

export interface KubernetesProviderArgs {
  platform: PlatformConfig;
  stack: string;
  repository: ArtifactRegistry | gcp.artifactregistry.Repository;
  /** Node service account of an existing cluster, granted roles/artifactregistry.reader on the repository. */
  nodeServiceAccountEmail?: pulumi.Input<string>;
  /** Logical name of the provider (and of the pull grant); default "gke", or "gke-<cluster>" for a cluster Gantry creates. */
  name?: string;
}

export interface KubernetesTarget {
  provider: k8s.Provider;
  /** Set when Gantry created the cluster. */
  cluster?: GkeCluster;
  /** The node service account's read access to the repository, when Gantry knows that account. */
  pullAccess?: gcp.artifactregistry.RepositoryIamMember;
}

export const GKE_AUTH_PLUGIN = "gke-gcloud-auth-plugin";

/** Call once per stack: kind: gke services share the provider (and the namespaces made through it). */
export function kubernetesProvider(args: KubernetesProviderArgs, opts?: pulumi.ComponentResourceOptions): KubernetesTarget {
  const { platform, stack } = args;
  const gke = platform.gke;
  const repository = asRepository(args.repository);

  if (gke?.cluster) {
    const cluster = new GkeCluster(gke.cluster.name, { platform, stack, repository }, opts);
    const provider = new k8s.Provider(args.name ?? `gke-${gke.cluster.name}`, { kubeconfig: cluster.kubeconfig }, { parent: cluster });
    return { provider, cluster, pullAccess: cluster.nodePullAccess };
  }

  const name = args.name ?? "gke";
  const provider = new k8s.Provider(
    name,
    {
      ...(gke?.kubeconfig !== undefined ? { kubeconfig: gke.kubeconfig } : {}),
      ...(gke?.context !== undefined ? { context: gke.context } : {}),
    },
    opts,
  );
  const pullAccess =
    args.nodeServiceAccountEmail !== undefined
      ? repositoryReader(`${name}-nodes-pull`, repository, pulumi.interpolate`serviceAccount:${args.nodeServiceAccountEmail}`, opts)
      : undefined;
  return { provider, ...(pullAccess ? { pullAccess } : {}) };
}

export interface GkeClusterArgs {
  platform: PlatformConfig;
  stack: string;
  repository: gcp.artifactregistry.Repository;
}

/** An Autopilot cluster for kind: gke services, created when platform.gke.cluster is set. */
export class GkeCluster extends pulumi.ComponentResource {
  readonly nodeServiceAccount: gcp.serviceaccount.Account;
  readonly nodePullAccess: gcp.artifactregistry.RepositoryIamMember;
  readonly cluster: gcp.container.Cluster;
  /** Authenticates with gke-gcloud-auth-plugin, so it holds no credential and can sit in state in clear. */
  readonly kubeconfig: pulumi.Output<string>;

  constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gantry:gke:Cluster", name, {}, opts);
    const { platform, stack, repository } = args;
    const settings = platform.gke?.cluster;
    if (!settings) throw new Error("GkeCluster needs platform.gke.cluster");

    this.nodeServiceAccount = new gcp.serviceaccount.Account(
      `${name}-nodes`,
      {
        project: platform.project,
        accountId: accountId(settings.name, "nodes"),
        displayName: `${settings.name} nodes (Gantry ${stack})`,
        description: `Node identity of the GKE cluster ${settings.name}: pulls service images. Workloads use their own accounts through Workload Identity.`,
      },
      { parent: this },
    );
    this.nodePullAccess = repositoryReader(`${name}-nodes-pull`, repository, pulumi.interpolate`serviceAccount:${this.nodeServiceAccount.email}`, {
      parent: this,
    });

    this.cluster = new gcp.container.Cluster(
      name,
      {
        name: settings.name,
        project: platform.project,
        location: settings.location ?? platform.region,
        enableAutopilot: true,
        workloadIdentityConfig: { workloadPool: `${platform.project}.svc.id.goog` },
        secretManagerConfig: { enabled: true },
        // Autopilot ignores nodeConfig; this is where its nodes' identity is set.
        clusterAutoscaling: {
          autoProvisioningDefaults: { serviceAccount: this.nodeServiceAccount.email, oauthScopes: [CLOUD_PLATFORM_SCOPE] },
        },
        releaseChannel: { channel: "REGULAR" },
        deletionProtection: platform.deletionProtection,
        resourceLabels: { ...platform.labels },
      },
      // Nodes that cannot pull would leave the first rollouts in ImagePullBackOff.
      { parent: this, dependsOn: [this.nodePullAccess] },
    );

    this.kubeconfig = pulumi
      .all([this.cluster.name, this.cluster.endpoint, this.cluster.masterAuth])
      .apply(([clusterName, endpoint, auth]) => gkeKubeconfig(`${platform.project}_${settings.location ?? platform.region}_${clusterName}`, endpoint, auth.clusterCaCertificate));

    this.registerOutputs({ kubeconfig: this.kubeconfig });
  }
}

export function gkeKubeconfig(context: string, endpoint: string, caCertificate: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: context, cluster: { server: `https://${endpoint}`, "certificate-authority-data": caCertificate } }],
    contexts: [{ name: context, context: { cluster: context, user: context } }],
    "current-context": context,
    users: [
      {
        name: context,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: GKE_AUTH_PLUGIN,
            installHint: "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
            provideClusterInfo: true,
          },
        },
      },
    ],
  });
}

export type PodSecurityLevel = "restricted" | "baseline";

const namespaces = new WeakMap<k8s.Provider, Map<string, { ns: k8s.core.v1.Namespace; level: PodSecurityLevel }>>();

/** Pod Security Admission labels: the level enforced, and warned and audited at the same level. */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
  return {
    "pod-security.kubernetes.io/enforce": level,
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/warn": level,
    "pod-security.kubernetes.io/audit": level,
  };
}

/**
 * The Namespace `name` through `provider`, created on first use with Pod Security Admission enforcing `level`.
 * Several services may share a namespace, so it belongs to no one service: it has no parent and outlives any of
 * them being removed or renamed. Services sharing one must agree on the level (infra/checks.ts says so first).
 */
export function sharedNamespace(name: string, provider: k8s.Provider, level: PodSecurityLevel = "restricted"): k8s.core.v1.Namespace {
  let byName = namespaces.get(provider);
  if (!byName) namespaces.set(provider, (byName = new Map()));
  const existing = byName.get(name);
  if (existing) {
    if (existing.level !== level) throw new Error(`namespace ${name} is already declared with pod security level ${existing.level}, not ${level}`);
    return existing.ns;
  }
  const ns = new k8s.core.v1.Namespace(
    `namespace-${name}`,
    { metadata: { name, labels: { "app.kubernetes.io/part-of": "gantry", ...podSecurityLabels(level) } } },
    { provider },
  );
  byName.set(name, { ns, level });
  return ns;
}
