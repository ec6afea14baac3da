import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { durationSeconds } from "../../../catalog/rules/quantities";
import { GKE_ROLLOUT_DEFAULTS } from "../../../catalog/rules/rollout";
import type { GkeWorkloadFile } from "../../../catalog/schema/service";
import { optional, probe, secretVersionName, type TargetArgs } from "../common";
import { sharedNamespace } from "../kubernetes-provider";

/*
 * Secrets on GKE reach the pod without their values ever being in Kubernetes (no Secret objects, nothing in
 * etcd) or in Pulumi state:
 *
 * 1. A SecretProviderClass of the GKE Secret Manager add-on (provider: gke) lists the secret versions by
 *    resource name; the add-on's CSI driver fetches them at pod start as the pod's own Workload Identity,
 *    i.e. the service's Google service account, which holds secretAccessor on exactly those secrets. The
 *    pod does not start until every secret is mounted.
 * 2. They land as files named after the environment variable in an in-memory volume at SECRETS_DIR.
 * 3. service.yaml promises environment variables (that is what Cloud Run gives the same file), so the
 *    container starts through a bash line that reads each file into its variable, byte for byte, then execs
 *    the image's CNB process (/cnb/process/<defaultProcess or web>) exactly as the image entrypoint would.
 *    Google's run image and Paketo's base and full ones have bash (Google's processes are `bash -c` anyway).
 *    A new secret version reaches the pods on their next restart.
 */
export const SECRETS_DIR = "/var/run/secrets/gantry";
export const SECRETS_CSI_DRIVER = "secrets-store-gke.csi.k8s.io";
const SECRETS_VOLUME = "gantry-secrets";
// The uid/gid CNB images run as (the builder's cnb user).
const CNB_UID = 1000;
const CNB_GID = 1000;
const HTTP_PORT = 80;

export interface GkeTargetArgs extends TargetArgs {
  provider: k8s.Provider;
  /** projects/<project>/serviceAccounts/<email> of the service's Google service account. */
  serviceAccountId: pulumi.Input<string>;
  /** ENTRYPOINT+CMD of an image built from a Dockerfile; unset for buildpacks images, which start /cnb/process/<process>. */
  launch?: string[];
}

const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One word for sh or bash, whatever it holds: single-quoted, with each ' written as '\''. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * A variable name goes into the script unquoted (an assignment cannot be quoted), so it must be a shell name.
 * The catalog refuses any other; this keeps the script safe should a caller skip it.
 */
function shellName(name: string): string {
  if (!SHELL_NAME.test(name)) throw new Error(`"${name}" is not a shell variable name; it cannot be set from a secret file`);
  return name;
}

/** The bash line that turns the mounted secret files into environment variables, then runs the app. */
export function secretsEntrypoint(secretNames: readonly string[], process: string): string[] {
  // `read -d ''` keeps trailing newlines that `$(cat ...)` would strip; no `$(` also keeps Kubernetes'
  // own $(VAR) expansion of container commands out of the way.
  const reads = secretNames.map(shellName).map((n) => `IFS= read -r -d '' ${n} < ${shellQuote(`${SECRETS_DIR}/${n}`)}; export ${n}`);
  return ["/bin/bash", "-c", [...reads, `exec ${shellQuote(`/cnb/process/${process}`)}`].join("\n")];
}

/**
 * The same for an image built from a Dockerfile, which has no CNB launcher and may have no bash: POSIX sh reads
 * each file (the trailing `x` keeps trailing newlines that command substitution would strip), then execs the
 * image's own ENTRYPOINT and CMD, passed as the script's arguments so no quoting is needed.
 */
export function secretsEntrypointSh(secretNames: readonly string[], launch: readonly string[], dir = SECRETS_DIR): string[] {
  const reads = secretNames.map(shellName).map((n) => `${n}="$(cat ${shellQuote(`${dir}/${n}`)}; printf x)"; ${n}="\${${n}%x}"; export ${n}`);
  return ["/bin/sh", "-c", [...reads, 'exec "$@"'].join("\n"), "gantry-secrets", ...launch];
}

/** parameters.secrets of a SecretProviderClass: one file per environment variable. */
export function secretProviderEntries(entries: readonly { path: string; resourceName: string }[]): string {
  return entries.map((e) => `- resourceName: ${JSON.stringify(e.resourceName)}\n  path: ${JSON.stringify(e.path)}\n`).join("");
}

/**
 * The Deployment's rollout: never below the desired count unless service.yaml allows it (maxUnavailable 0),
 * at least one pod of surge (Kubernetes rounds a surge percentage up), and a deadline after which a stuck
 * rollout is marked failed (Progressing=False, ProgressDeadlineExceeded), which `pulumi up` reports as a
 * failed update instead of waiting on pods that will never be ready.
 */
export function rolloutSpec(spec: GkeWorkloadFile): { strategy: { type: "RollingUpdate"; rollingUpdate: { maxSurge: number | string; maxUnavailable: number | string } }; progressDeadlineSeconds: number } {
  const r = spec.rollout;
  return {
    strategy: {
      type: "RollingUpdate",
      rollingUpdate: { maxSurge: r?.maxSurge ?? GKE_ROLLOUT_DEFAULTS.maxSurge, maxUnavailable: r?.maxUnavailable ?? GKE_ROLLOUT_DEFAULTS.maxUnavailable },
    },
    progressDeadlineSeconds: durationSeconds(r?.progressDeadline ?? GKE_ROLLOUT_DEFAULTS.progressDeadline),
  };
}

/** The fewest replicas the workload runs: the HPA's floor, or the fixed count. */
export function replicaFloor(spec: GkeWorkloadFile): number {
  return spec.autoscaling ? (spec.autoscaling.minReplicas ?? Math.max(1, spec.replicas)) : spec.replicas;
}

/** A kind: gke workload: Deployment, Service, optional HPA, and a Workload Identity bound service account. */
/**
 * Not a component of its own: its resources are children of the Service, which keeps the preview tree one level
 * shallower and spares a 500-service fleet 500 registrations on every preview.
 */
export class GkeWorkload {
  readonly namespace: k8s.core.v1.Namespace;
  readonly namespaceName: string;
  readonly kubernetesServiceAccount: k8s.core.v1.ServiceAccount;
  readonly workloadIdentityUser: gcp.serviceaccount.IAMMember;
  readonly secretProviderClass?: k8s.apiextensions.CustomResource;
  readonly deployment: k8s.apps.v1.Deployment;
  readonly kubernetesService: k8s.core.v1.Service;
  readonly autoscaler?: k8s.autoscaling.v2.HorizontalPodAutoscaler;
  /** With more than one replica: a node drain or upgrade takes at most one pod at a time. */
  readonly disruptionBudget?: k8s.policy.v1.PodDisruptionBudget;
  /** In-cluster URL of the Kubernetes Service. */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: GkeTargetArgs, opts?: pulumi.CustomResourceOptions) {
    const { service, platform } = args;
    const spec = service.spec;
    if (spec.kind !== "gke") throw new Error(`GkeWorkload deploys kind: gke, not ${spec.kind} (${service.file})`);
    const provider = args.provider;
    const child = { parent: opts?.parent, provider };

    // Always explicit, never the provider's or kubeconfig's default: the Workload Identity member below
    // names the namespace and must match where the pods actually run. Without one, the service gets a
    // namespace of its own rather than `default`, so Pod Security Admission applies to it too.
    this.namespaceName = spec.namespace ?? spec.name;
    this.namespace = sharedNamespace(this.namespaceName, provider, spec.podSecurity);
    const namespace: pulumi.Input<string> = this.namespace.metadata.name;

    const labels = { "app.kubernetes.io/name": spec.name, "app.kubernetes.io/part-of": "gantry" };
    const selector = { "app.kubernetes.io/name": spec.name };
    const meta = (objectName: string) => ({ name: objectName, namespace, labels });

    this.kubernetesServiceAccount = new k8s.core.v1.ServiceAccount(
      name,
      {
        metadata: { ...meta(spec.name), annotations: { "iam.gke.io/gcp-service-account": args.serviceAccountEmail } },
        automountServiceAccountToken: false,
      },
      child,
    );
    this.workloadIdentityUser = new gcp.serviceaccount.IAMMember(
      `${name}-workload-identity`,
      {
        serviceAccountId: args.serviceAccountId,
        role: "roles/iam.workloadIdentityUser",
        member: `serviceAccount:${platform.project}.svc.id.goog[${this.namespaceName}/${spec.name}]`,
      },
      { parent: opts?.parent },
    );

    const secrets = Object.entries(spec.secrets ?? {});
    const process = spec.build?.defaultProcess ?? "web";
    if (secrets.length > 0) {
      this.secretProviderClass = new k8s.apiextensions.CustomResource(
        name,
        {
          apiVersion: "secrets-store.csi.x-k8s.io/v1",
          kind: "SecretProviderClass",
          metadata: meta(`${spec.name}-secrets`),
          spec: {
            provider: "gke",
            parameters: {
              secrets: secretProviderEntries(secrets.map(([env, ref]) => ({ path: env, resourceName: secretVersionName(ref, platform) }))),
            },
          },
        },
        child,
      );
    }

    const autoscaling = spec.autoscaling;
    this.deployment = new k8s.apps.v1.Deployment(
      name,
      {
        metadata: meta(spec.name),
        spec: {
          // With an HPA the replica count is its to set; a value here would fight it on every deploy.
          ...(autoscaling ? {} : { replicas: spec.replicas }),
          ...rolloutSpec(spec),
          selector: { matchLabels: selector },
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: this.kubernetesServiceAccount.metadata.name,
              // Workload Identity and the secrets CSI driver get their tokens through the kubelet; the app
              // does not talk to the Kubernetes API.
              automountServiceAccountToken: false,
              containers: [
                {
                  name: spec.name,
                  image: args.image,
                  ...optional("command", secrets.length === 0 ? undefined : args.launch ? secretsEntrypointSh(secrets.map(([env]) => env), args.launch) : secretsEntrypoint(secrets.map(([env]) => env), process)),
                  ports: [{ name: "http", containerPort: spec.port, protocol: "TCP" }],
                  env: Object.entries(spec.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
                  resources: {
                    requests: { cpu: spec.cpu, memory: spec.memory },
                    limits: { cpu: spec.cpu, memory: spec.memory },
                  },
                  ...optional("startupProbe", probe(spec.startupProbe, spec.port)),
                  ...optional("livenessProbe", probe(spec.livenessProbe, spec.port)),
                  securityContext: {
                    runAsNonRoot: true,
                    runAsUser: CNB_UID,
                    runAsGroup: CNB_GID,
                    allowPrivilegeEscalation: false,
                    capabilities: { drop: ["ALL"] },
                    // With the four above, this meets the "restricted" Pod Security Standard.
                    seccompProfile: { type: "RuntimeDefault" },
                  },
                  ...optional("volumeMounts", secrets.length > 0 ? [{ name: SECRETS_VOLUME, mountPath: SECRETS_DIR, readOnly: true }] : undefined),
                },
              ],
              ...optional(
                "volumes",
                this.secretProviderClass
                  ? [
                      {
                        name: SECRETS_VOLUME,
                        csi: {
                          driver: SECRETS_CSI_DRIVER,
                          readOnly: true,
                          volumeAttributes: { secretProviderClass: this.secretProviderClass.metadata.name },
                        },
                      },
                    ]
                  : undefined,
              ),
            },
          },
        },
      },
      // Pods started before the binding exists cannot act as the service account (and cannot mount secrets).
      { ...child, dependsOn: [this.workloadIdentityUser, ...args.secretAccess] },
    );

    this.kubernetesService = new k8s.core.v1.Service(
      name,
      {
        metadata: meta(spec.name),
        spec: {
          type: spec.serviceType,
          selector,
          ports: [{ name: "http", port: HTTP_PORT, targetPort: spec.port, protocol: "TCP" }],
        },
      },
      child,
    );

    if (autoscaling) {
      this.autoscaler = new k8s.autoscaling.v2.HorizontalPodAutoscaler(
        name,
        {
          metadata: meta(spec.name),
          spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: this.deployment.metadata.name },
            minReplicas: autoscaling.minReplicas ?? Math.max(1, spec.replicas),
            maxReplicas: autoscaling.maxReplicas,
            metrics: [
              {
                type: "Resource",
                resource: { name: "cpu", target: { type: "Utilization", averageUtilization: autoscaling.targetCPUUtilization } },
              },
            ],
          },
        },
        child,
      );
    }

    // One replica cannot have a budget that lets a drain proceed and still keeps a pod: a PDB there would only
    // block node upgrades (maxUnavailable 0) or promise nothing, so it gets none.
    if (replicaFloor(spec) > 1) {
      this.disruptionBudget = new k8s.policy.v1.PodDisruptionBudget(
        name,
        { metadata: meta(spec.name), spec: { maxUnavailable: 1, selector: { matchLabels: selector } } },
        child,
      );
    }

    this.url = pulumi.interpolate`http://${this.kubernetesService.metadata.name}.${this.namespaceName}.svc.cluster.local`;
  }
}
