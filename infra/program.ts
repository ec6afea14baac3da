import * as pulumi from "@pulumi/pulumi";
import { hasErrors, loadCatalog, type Catalog } from "../catalog/load";
import { formatProblem } from "../catalog/problems";
import { ArtifactRegistry } from "../components/registry";
import { kubernetesProvider, Service } from "../components/service";
import type { BuildOptions } from "../components/service/image";
import { preflightProblems } from "../preflight/catalog";

export interface ServiceOutputs {
  kind: string;
  url?: pulumi.Output<string | undefined>;
  jobName?: pulumi.Output<string | undefined>;
  schedule?: pulumi.Output<unknown>;
  image: pulumi.Output<string>;
  digest: pulumi.Output<string>;
  fingerprint?: pulumi.Output<string>;
  serviceAccount: pulumi.Output<string>;
}

export interface ProgramOptions {
  stack: string;
  projectDir?: string;
  servicesDir?: string;
  build?: BuildOptions;
}

/** The catalog for one stack, or a RunError listing every problem: nothing is built or deployed from a bad catalog. */
export function catalogForStack(opts: ProgramOptions): Catalog {
  const catalog = loadCatalog({ projectDir: opts.projectDir, servicesDir: opts.servicesDir, stacks: [opts.stack] });
  const problems = [...catalog.problems, ...preflightProblems(catalog)];
  for (const p of problems) (p.severity === "error" ? pulumi.log.error : pulumi.log.warn)(formatProblem(p));
  if (hasErrors(problems)) {
    const count = problems.filter((p) => p.severity === "error").length;
    // RunError: the engine prints the message without a stack trace, as a user's mistake deserves.
    throw new pulumi.RunError(`${count} problem${count === 1 ? "" : "s"} in the service catalog or stack config (listed above); nothing was built or deployed. Run \`npx gantry validate --stack ${opts.stack}\` for the same list.`);
  }
  return catalog;
}

/** Everything one stack deploys: the registry, and every service's image and workload. */
export function deployStack(opts: ProgramOptions): Record<string, ServiceOutputs> {
  const catalog = catalogForStack(opts);
  const { stack } = opts;
  const platform = catalog.platforms[stack]!;
  const services = catalog.services[stack] ?? [];

  const registry = new ArtifactRegistry("registry", { platform });
  const needsCluster = services.some((s) => s.spec.kind === "gke");
  const k8s = needsCluster ? kubernetesProvider({ platform, stack, repository: registry, nodeServiceAccountEmail: platform.gke?.nodeServiceAccount }) : undefined;

  const outputs: Record<string, ServiceOutputs> = {};
  for (const service of services) {
    const svc = new Service(service.spec.name, { service, platform, stack, repository: registry, k8sProvider: k8s?.provider, build: opts.build });
    outputs[service.spec.name] = {
      kind: service.spec.kind,
      ...(service.spec.kind !== "job" ? { url: svc.url } : {}),
      ...(service.spec.kind === "job" ? { jobName: svc.jobName, schedule: svc.schedule } : {}),
      image: svc.imageRef,
      digest: svc.imageRef.apply((ref) => ref.slice(ref.indexOf("@") + 1)),
      ...(svc.packImage ? { fingerprint: svc.packImage.fingerprint } : {}),
      serviceAccount: svc.serviceAccountEmail,
    };
  }
  return outputs;
}

/** Tags a CI build adds to every image: the commit Jenkins (or any CI) is building. */
export function ciTags(env: NodeJS.ProcessEnv = process.env): string[] {
  const commit = env.GIT_COMMIT ?? env.GITHUB_SHA;
  return commit && /^[0-9a-f]{7,40}$/.test(commit) ? [`git-${commit.slice(0, 12)}`] : [];
}
