import { beforeAll, describe, expect, test } from "vitest";
import type { Captured } from "./harness";
import { ancestry, DIGEST, imageFor, installMocks, loaded, ofComponent, one, settle, summary, v, variant } from "./harness";
import { ArtifactRegistry } from "../../components/registry";
import { Service } from "../../components/service";
import { ACCOUNT, JOB, JOB_INVOKER, SCHEDULER } from "../support/resource-types";

let captured: Captured[];
const services: Record<string, Service> = {};

const LONG = "a-very-long-job-name-for-the-nightly-warehouse-ex"; // 49 characters, the Cloud Run maximum

beforeAll(async () => {
  captured = await installMocks("dev");
  for (const stack of ["dev", "prod"]) {
    const { service, platform } = loaded(stack, "nightly-report");
    const registry = new ArtifactRegistry(`registry-${stack}`, { platform });
    services[`nightly-report-${stack}`] = new Service(`nightly-report-${stack}`, {
      service,
      platform,
      stack,
      image: imageFor(platform, "nightly-report"),
      repository: registry,
    });
    if (stack === "prod") {
      services["long-prod"] = new Service("long-prod", {
        service: variant(service, {
          name: LONG,
          process: undefined,
          parallelism: undefined,
          cpu: 2,
          memory: "2Gi",
          env: undefined,
          secrets: undefined,
          schedule: { cron: "*/15 * * * *", timeZone: "Etc/UTC" }, // what the schema makes of `schedule: "*/15 * * * *"`
        }),
        platform,
        stack,
        image: imageFor(platform, "long"),
        repository: registry,
      });
    }
  }
  await settle();
});

const expectedJob = (stack: "dev" | "prod") => {
  const prod = stack === "prod";
  const project = `acme-gantry-${stack}`;
  return {
    name: "nightly-report",
    project,
    location: "europe-west1",
    deletionProtection: prod,
    labels: { environment: stack, "managed-by": "gantry", "gantry-service": "nightly-report" },
    template: {
      taskCount: prod ? 4 : 1,
      parallelism: prod ? 2 : 1,
      template: {
        serviceAccount: `nightly-report@${project}.iam.gserviceaccount.com`,
        timeout: "1800s",
        maxRetries: 2,
        containers: [
          {
            image: `europe-west1-docker.pkg.dev/${project}/services/nightly-report@${DIGEST}`,
            // The CNB launcher picks the Procfile process from argv[0].
            commands: ["/cnb/process/job"],
            resources: { limits: { cpu: "1", memory: "1Gi" } },
            envs: [
              { name: "REPORT_BUCKET", value: "acme-reports" },
              { name: "WAREHOUSE_PASSWORD", valueSource: { secretKeyRef: { secret: "warehouse-password", version: "latest" } } },
            ],
          },
        ],
      },
    },
  };
};

describe("nightly-report in prod (scheduled)", () => {
  test("creates the job, its identity, and the scheduler with its own invoker", () => {
    expect(summary(ofComponent(captured, "nightly-report-prod"))).toEqual([
      "gantry:service:Service::nightly-report-prod",
      `${JOB}::nightly-report-prod`,
      `${JOB_INVOKER}::nightly-report-prod-invoker`,
      `${SCHEDULER}::nightly-report-prod`,
      "gcp:secretmanager/secretIamMember:SecretIamMember::nightly-report-prod-warehouse-password",
      `${ACCOUNT}::nightly-report-prod`,
      `${ACCOUNT}::nightly-report-prod-invoker`,
    ].sort());
  });

  test("the job's exact inputs", () => {
    expect(one(captured, JOB, "nightly-report-prod").inputs).toEqual(expectedJob("prod"));
  });

  test("a dedicated invoker account, allowed to run this job only", () => {
    expect(one(captured, ACCOUNT, "nightly-report-prod-invoker").inputs).toEqual({
      project: "acme-gantry-prod",
      accountId: "nightly-report-invoker",
      displayName: "nightly-report scheduler (Gantry prod)",
      description: "Cloud Scheduler starts the Cloud Run job nightly-report as this account; it may run that job only.",
    });
    expect(one(captured, JOB_INVOKER, "nightly-report-prod-invoker").inputs).toEqual({
      project: "acme-gantry-prod",
      location: "europe-west1",
      name: "nightly-report",
      role: "roles/run.invoker",
      member: "serviceAccount:nightly-report-invoker@acme-gantry-prod.iam.gserviceaccount.com",
    });
  });

  test("the Cloud Scheduler job's exact inputs: POST to the Admin API :run with an OAuth token", () => {
    expect(one(captured, SCHEDULER, "nightly-report-prod").inputs).toEqual({
      name: "nightly-report",
      project: "acme-gantry-prod",
      region: "europe-west1",
      description: "Runs the Cloud Run job nightly-report (Gantry prod).",
      schedule: "0 3 * * *",
      timeZone: "Europe/Berlin",
      attemptDeadline: "180s",
      httpTarget: {
        httpMethod: "POST",
        uri: "https://run.googleapis.com/v2/projects/acme-gantry-prod/locations/europe-west1/jobs/nightly-report:run",
        oauthToken: {
          serviceAccountEmail: "nightly-report-invoker@acme-gantry-prod.iam.gserviceaccount.com",
          scope: "https://www.googleapis.com/auth/cloud-platform",
        },
      },
    });
    expect(one(captured, SCHEDULER, "nightly-report-prod").inputs.httpTarget.oidcToken).toBeUndefined();
  });

  test("the scheduler waits for the invoker binding; the job waits for its secret access", () => {
    const scheduler = one(captured, SCHEDULER, "nightly-report-prod");
    expect(scheduler.dependencies).toContain(one(captured, JOB_INVOKER, "nightly-report-prod-invoker").urn);
    const job = one(captured, JOB, "nightly-report-prod");
    expect(job.dependencies).toContain(one(captured, "gcp:secretmanager/secretIamMember:SecretIamMember", "nightly-report-prod-warehouse-password").urn);
    for (const c of [scheduler, job, one(captured, JOB_INVOKER, "nightly-report-prod-invoker"), one(captured, ACCOUNT, "nightly-report-prod-invoker")]) {
      expect(ancestry(captured, c)).toEqual([c.type, "gantry:service:Service"]);
    }
  });

  test("outputs", async () => {
    const svc = services["nightly-report-prod"]!;
    expect(await v(svc.jobName)).toBe("nightly-report");
    expect(await v(svc.schedule)).toEqual({ cron: "0 3 * * *", timeZone: "Europe/Berlin" });
    expect(await v(svc.url)).toBeUndefined();
    expect(await v(svc.imageRef)).toBe(`europe-west1-docker.pkg.dev/acme-gantry-prod/services/nightly-report@${DIGEST}`);
    expect(await v(svc.serviceAccountEmail)).toBe("nightly-report@acme-gantry-prod.iam.gserviceaccount.com");
  });
});

describe("nightly-report in dev (schedule: null)", () => {
  test("the job only: no scheduler, no invoker account, no invoker binding", () => {
    expect(summary(ofComponent(captured, "nightly-report-dev"))).toEqual([
      "gantry:service:Service::nightly-report-dev",
      `${JOB}::nightly-report-dev`,
      "gcp:secretmanager/secretIamMember:SecretIamMember::nightly-report-dev-warehouse-password",
      `${ACCOUNT}::nightly-report-dev`,
    ].sort());
  });

  test("the job's exact inputs", () => {
    expect(one(captured, JOB, "nightly-report-dev").inputs).toEqual(expectedJob("dev"));
  });

  test("outputs", async () => {
    expect(await v(services["nightly-report-dev"]!.schedule)).toBeUndefined();
    expect(await v(services["nightly-report-dev"]!.jobName)).toBe("nightly-report");
  });
});

describe("a 49-character job without a process", () => {
  test("no command (the image's default process), no parallelism, and shortened account ids", () => {
    expect(one(captured, JOB, "long-prod").inputs.template).toEqual({
      taskCount: 4,
      template: {
        serviceAccount: "a-very-long-job-name-fo-574255@acme-gantry-prod.iam.gserviceaccount.com",
        timeout: "1800s",
        maxRetries: 2,
        containers: [{ image: `europe-west1-docker.pkg.dev/acme-gantry-prod/services/long@${DIGEST}`, resources: { limits: { cpu: "2", memory: "2Gi" } }, envs: [] }],
      },
    });
    expect(one(captured, JOB, "long-prod").inputs.name).toBe(LONG);
    expect(one(captured, ACCOUNT, "long-prod").inputs.accountId).toBe("a-very-long-job-name-fo-574255");
    expect(one(captured, ACCOUNT, "long-prod-invoker").inputs.accountId).toBe("a-very-long-job-invoker-e32417");
  });

  test("a schedule given as a bare cron string runs in Etc/UTC", async () => {
    const scheduler = one(captured, SCHEDULER, "long-prod").inputs;
    expect([scheduler.name, scheduler.schedule, scheduler.timeZone]).toEqual([LONG, "*/15 * * * *", "Etc/UTC"]);
    expect(scheduler.httpTarget.uri).toBe(`https://run.googleapis.com/v2/projects/acme-gantry-prod/locations/europe-west1/jobs/${LONG}:run`);
    expect(await v(services["long-prod"]!.schedule)).toEqual({ cron: "*/15 * * * *", timeZone: "Etc/UTC" });
  });
});
