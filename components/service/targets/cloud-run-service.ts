import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { CloudRunServiceFile } from "../../../catalog/schema/service";
import { cloudRunCpu, cloudRunEnv, gcpLabels, optional, probe, seconds, type TargetArgs } from "../common";
import { revisionName, trafficFor, type RolloutState, type StableRelease, type TrafficDecision } from "../rollout";

const INGRESS: Record<CloudRunServiceFile["ingress"], string> = {
  all: "INGRESS_TRAFFIC_ALL",
  internal: "INGRESS_TRAFFIC_INTERNAL_ONLY",
  "internal-and-cloud-load-balancing": "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
};

const EXECUTION_ENVIRONMENT: Record<NonNullable<CloudRunServiceFile["executionEnvironment"]>, string> = {
  gen1: "EXECUTION_ENVIRONMENT_GEN1",
  gen2: "EXECUTION_ENVIRONMENT_GEN2",
};

export interface CloudRunServiceArgs extends TargetArgs {
  /** The release that last served all traffic in this stack (from the release history), for a canary to split with. */
  stable?: pulumi.Input<StableRelease | undefined>;
  /** gantry:rollouts.<service>. */
  rolloutState?: RolloutState;
  /** The image comes from gantry:pins. */
  pinned?: boolean;
}

export const RUN_INVOKER = "roles/run.invoker";

/** Cloud Run's own default: 80 concurrent requests, but a fractional vCPU must take one at a time. */
export function defaultConcurrency(cpu: number): number {
  return cpu < 1 ? 1 : 80;
}

/** A kind: service on Cloud Run (v2 API), and allUsers run.invoker only when the file says public: true. */
/**
 * Not a component of its own: its resources are children of the Service, which keeps the preview tree one level
 * shallower and spares a 500-service fleet 500 registrations on every preview.
 */
export class CloudRunService {
  readonly service: gcp.cloudrunv2.Service;
  readonly publicInvoker?: gcp.cloudrunv2.ServiceIamMember;
  readonly url: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  /** How the traffic is split by this deploy (service.yaml's rollout, gantry:rollouts, the release history). */
  readonly traffic: pulumi.Output<TrafficDecision>;
  /** The latest ready revision's short name, once deployed. */
  readonly revision: pulumi.Output<string | undefined>;

  constructor(name: string, args: CloudRunServiceArgs, opts?: pulumi.CustomResourceOptions) {
    const { service, platform } = args;
    const spec = service.spec;
    if (spec.kind !== "service") throw new Error(`CloudRunService deploys kind: service, not ${spec.kind} (${service.file})`);
    // Without a canary the split is all to the new revision whatever the image: known now, so a preview of a
    // rebuild does not show the traffic as changing.
    this.traffic =
      spec.rollout?.strategy === "canary"
        ? pulumi.all([args.image, args.stable]).apply(([image, stable]) =>
            trafficFor({ rollout: spec.rollout, digest: image.slice(image.indexOf("@") + 1), ...(stable ? { stable } : {}), ...(args.rolloutState ? { state: args.rolloutState } : {}), pinned: args.pinned ?? false }),
          )
        : pulumi.output(trafficFor({ rollout: spec.rollout, digest: "", pinned: args.pinned ?? false }));

    this.service = new gcp.cloudrunv2.Service(
      name,
      {
        // Explicit: an autonamed service gets a random suffix that can push it past Cloud Run's 49 characters.
        name: spec.name,
        project: platform.project,
        location: platform.region,
        ...(spec.description !== undefined ? { description: spec.description } : {}),
        deletionProtection: platform.deletionProtection,
        ingress: INGRESS[spec.ingress],
        labels: gcpLabels(service, platform),
        template: {
          serviceAccount: args.serviceAccountEmail,
          ...(spec.executionEnvironment ? { executionEnvironment: EXECUTION_ENVIRONMENT[spec.executionEnvironment] } : {}),
          timeout: seconds(spec.timeout),
          maxInstanceRequestConcurrency: spec.concurrency ?? defaultConcurrency(spec.cpu),
          scaling: {
            minInstanceCount: spec.minInstances ?? platform.scaling.minInstances,
            maxInstanceCount: spec.maxInstances ?? platform.scaling.maxInstances,
          },
          containers: [
            {
              image: args.image,
              ports: { containerPort: spec.port },
              resources: { limits: { cpu: cloudRunCpu(spec.cpu), memory: spec.memory }, cpuIdle: spec.cpuIdle },
              envs: cloudRunEnv(service),
              ...optional("startupProbe", probe(spec.startupProbe, spec.port)),
              ...optional("livenessProbe", probe(spec.livenessProbe, spec.port)),
            },
          ],
        },
        // All to the new revision, or a canary's split (rollout.ts); a rollback is a redeploy of a pinned digest.
        traffics: this.traffic.apply((t) => t.traffics),
      },
      { parent: opts?.parent, dependsOn: [...args.secretAccess] },
    );

    if (spec.public) {
      this.publicInvoker = new gcp.cloudrunv2.ServiceIamMember(
        `${name}-public`,
        { project: platform.project, location: platform.region, name: this.service.name, role: RUN_INVOKER, member: "allUsers" },
        { parent: opts?.parent },
      );
    }

    this.url = this.service.uri;
    this.name = this.service.name;
    this.revision = this.service.latestReadyRevision.apply((r) => revisionName(r));
  }
}
