import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { accountId } from "../identity";
import { CLOUD_PLATFORM_SCOPE, cloudRunCpu, cloudRunEnv, gcpLabels, optional, seconds, type TargetArgs } from "../common";
import { RUN_INVOKER } from "./cloud-run-service";

// The :run call only starts an execution and answers with a long-running operation, so the attempt needs
// seconds, not the task timeout; 180s is Cloud Scheduler's own default, stated so it cannot drift.
export const ATTEMPT_DEADLINE = "180s";

export interface JobSchedule {
  cron: string;
  timeZone: string;
}

/**
 * A kind: job on Cloud Run. With a schedule, Cloud Scheduler starts it through the Cloud Run Admin API as a
 * dedicated invoker account that may run this one job and nothing else.
 */
/**
 * Not a component of its own: its resources are children of the Service, which keeps the preview tree one level
 * shallower and spares a 500-service fleet 500 registrations on every preview.
 */
export class CloudRunJob {
  readonly job: gcp.cloudrunv2.Job;
  readonly invoker?: gcp.serviceaccount.Account;
  readonly invokerBinding?: gcp.cloudrunv2.JobIamMember;
  readonly scheduler?: gcp.cloudscheduler.Job;
  readonly jobName: pulumi.Output<string>;
  readonly schedule: pulumi.Output<JobSchedule | undefined>;

  constructor(name: string, args: TargetArgs, opts?: pulumi.CustomResourceOptions) {
    const { service, platform, stack } = args;
    const spec = service.spec;
    if (spec.kind !== "job") throw new Error(`CloudRunJob deploys kind: job, not ${spec.kind} (${service.file})`);

    this.job = new gcp.cloudrunv2.Job(
      name,
      {
        name: spec.name,
        project: platform.project,
        location: platform.region,
        deletionProtection: platform.deletionProtection,
        labels: gcpLabels(service, platform),
        template: {
          taskCount: spec.tasks,
          ...optional("parallelism", spec.parallelism),
          template: {
            serviceAccount: args.serviceAccountEmail,
            timeout: seconds(spec.taskTimeout),
            maxRetries: spec.maxRetries,
            containers: [
              {
                image: args.image,
                // The CNB launcher picks the process from argv[0]; args alone would still run the default (web).
                ...optional("commands", spec.process !== undefined ? [`/cnb/process/${spec.process}`] : undefined),
                resources: { limits: { cpu: cloudRunCpu(spec.cpu), memory: spec.memory } },
                envs: cloudRunEnv(service),
              },
            ],
          },
        },
      },
      { parent: opts?.parent, dependsOn: [...args.secretAccess] },
    );
    this.jobName = this.job.name;

    if (spec.schedule) {
      const { cron, timeZone } = spec.schedule;
      this.invoker = new gcp.serviceaccount.Account(
        `${name}-invoker`,
        {
          project: platform.project,
          accountId: accountId(spec.name, "invoker"),
          displayName: `${spec.name} scheduler (Gantry ${stack})`,
          description: `Cloud Scheduler starts the Cloud Run job ${spec.name} as this account; it may run that job only.`,
        },
        { parent: opts?.parent },
      );
      this.invokerBinding = new gcp.cloudrunv2.JobIamMember(
        `${name}-invoker`,
        {
          project: platform.project,
          location: platform.region,
          name: this.job.name,
          role: RUN_INVOKER,
          member: pulumi.interpolate`serviceAccount:${this.invoker.email}`,
        },
        { parent: opts?.parent },
      );
      this.scheduler = new gcp.cloudscheduler.Job(
        name,
        {
          name: spec.name,
          project: platform.project,
          region: platform.region,
          description: `Runs the Cloud Run job ${spec.name} (Gantry ${stack}).`,
          schedule: cron,
          timeZone,
          attemptDeadline: ATTEMPT_DEADLINE,
          httpTarget: {
            httpMethod: "POST",
            uri: pulumi.interpolate`https://run.googleapis.com/v2/projects/${platform.project}/locations/${platform.region}/jobs/${this.job.name}:run`,
            // OAuth, not OIDC: the target is a googleapis.com API, which takes access tokens, not ID tokens.
            oauthToken: { serviceAccountEmail: this.invoker.email, scope: CLOUD_PLATFORM_SCOPE },
          },
        },
        // Without the binding in place the first tick would get a 403.
        { parent: opts?.parent, dependsOn: [this.invokerBinding] },
      );
      this.schedule = pulumi.output<JobSchedule | undefined>({ cron, timeZone });
    } else {
      this.schedule = pulumi.output<JobSchedule | undefined>(undefined);
    }

  }
}
