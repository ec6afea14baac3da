import * as fs from "node:fs";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { deployStack } from "../infra/program";

/*
 * One evaluation of a program under Pulumi's mock runtime, in its own process so its peak memory is its own.
 *   tsx bench/program-worker.ts gantry <projectDir> <capture.json>   the real program over a generated catalog
 *   tsx bench/program-worker.ts raw <capture.json>                   the same custom resources, declared directly
 * Prints {"ms": <evaluation time>, "resources": <count>, "maxRssMiB": <peak RSS>} on stdout.
 */

interface Declared {
  type: string;
  name: string;
  custom: boolean;
  inputs: Record<string, unknown>;
}

/** Outputs the cloud computes, as the mocks hand them back: both programs see the same ones. */
function computed(type: string, inputs: Record<string, any>): Record<string, unknown> {
  const digest = "sha256:" + "0".repeat(64);
  switch (type) {
    case "pulumi:pulumi:StackReference":
      // The stack's own outputs (its release history): none yet.
      return { outputs: {}, secretOutputNames: [] };
    case "pulumi-nodejs:dynamic/gantry:PackImage":
      return { digest, imageRef: `${inputs.repository}@${digest}` };
    case "gcp:serviceaccount/account:Account": {
      const email = `${inputs.accountId}@${inputs.project}.iam.gserviceaccount.com`;
      return { email, name: `projects/${inputs.project}/serviceAccounts/${email}`, member: `serviceAccount:${email}` };
    }
    case "gcp:artifactregistry/repository:Repository":
      return { registryUri: `${inputs.location}-docker.pkg.dev/${inputs.project}/${inputs.repositoryId}` };
    case "gcp:cloudrunv2/service:Service":
      return { uri: `https://${inputs.name}-h4sh-ew.a.run.app` };
    default:
      return {};
  }
}

/** A resource type with no SDK class of its own here (Gantry's PackImage, a dynamic resource). */
class DirectResource extends pulumi.CustomResource {}

type ResourceClass = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/** The SDK classes a hand-written program would use for each type Gantry declares. */
const SDK_CLASSES: Record<string, ResourceClass> = {
  "gcp:artifactregistry/repository:Repository": gcp.artifactregistry.Repository,
  "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": gcp.artifactregistry.RepositoryIamMember,
  "gcp:serviceaccount/account:Account": gcp.serviceaccount.Account,
  "gcp:serviceaccount/iAMMember:IAMMember": gcp.serviceaccount.IAMMember,
  "gcp:secretmanager/secretIamMember:SecretIamMember": gcp.secretmanager.SecretIamMember,
  "gcp:cloudrunv2/service:Service": gcp.cloudrunv2.Service,
  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": gcp.cloudrunv2.ServiceIamMember,
  "gcp:cloudrunv2/job:Job": gcp.cloudrunv2.Job,
  "gcp:cloudrunv2/jobIamMember:JobIamMember": gcp.cloudrunv2.JobIamMember,
  "gcp:cloudscheduler/job:Job": gcp.cloudscheduler.Job,
  "pulumi:providers:kubernetes": k8s.Provider,
  "kubernetes:core/v1:Namespace": k8s.core.v1.Namespace,
  "kubernetes:core/v1:ServiceAccount": k8s.core.v1.ServiceAccount,
  "kubernetes:core/v1:Service": k8s.core.v1.Service,
  "kubernetes:apps/v1:Deployment": k8s.apps.v1.Deployment,
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": k8s.autoscaling.v2.HorizontalPodAutoscaler,
  "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass": k8s.apiextensions.CustomResource as unknown as ResourceClass,
};

/**
 * The hand-written equivalent of what Gantry declares: the same custom resources, with the same SDK classes and
 * the same inputs, where an
 * input that carries another resource's computed output (a service account email, an image digest) is wired to
 * that resource's Output, as hand-written code would (`serviceAccount: sa.email`).
 */
function declareDirectly(resources: Declared[]): void {
  const producers: Array<[string, pulumi.Output<string>]> = [];
  const wire = (value: unknown): unknown => {
    if (typeof value === "string") {
      const from = producers.find(([v]) => value.includes(v));
      return from ? from[1].apply(() => value) : value;
    }
    if (Array.isArray(value)) return value.map(wire);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wire(v)]));
    return value;
  };
  for (const r of resources.filter((x) => x.custom)) {
    const outs = computed(r.type, r.inputs as Record<string, any>);
    const sdkClass = SDK_CLASSES[r.type];
    const resource = (
      sdkClass
        ? new sdkClass(r.name, wire(r.inputs))
        : new DirectResource(r.type, r.name, { ...(wire(r.inputs) as Record<string, unknown>), ...Object.fromEntries(Object.keys(outs).map((k) => [k, undefined])) })
    ) as unknown as Record<string, pulumi.Output<string>>;
    for (const [k, v] of Object.entries(outs)) if (typeof v === "string" && v.length > 20) producers.push([v, resource[k]!]);
  }
}

async function main(): Promise<void> {
  const [mode, a, b] = process.argv.slice(2);
  const declared: Declared[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        declared.push({ type: args.type, name: args.name, custom: args.custom ?? false, inputs: args.inputs });
        return { id: `${args.name}_id`, state: { ...args.inputs, ...computed(args.type, args.inputs) } };
      },
      call: (args) => args.inputs,
    },
    "gantry",
    "bench",
    false,
  );
  const started = performance.now();
  if (mode === "gantry") {
    deployStack({ stack: "bench", projectDir: a!, build: { logDir: `${a}/.gantry/logs`, statCacheDir: `${a}/.gantry/stat` } });
  } else {
    declareDirectly(JSON.parse(fs.readFileSync(a!, "utf8")) as Declared[]);
  }
  await settle();
  const ms = performance.now() - started;
  if (mode === "gantry" && b) fs.writeFileSync(b, JSON.stringify(declared));
  process.stdout.write(`${JSON.stringify({ ms, resources: declared.length, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
}

async function settle(): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs(): Promise<void> };
  for (let i = 0; i < 3; i++) {
    await runtime.waitForRPCs();
    await new Promise((r) => setTimeout(r, 5));
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
