import * as pulumi from "@pulumi/pulumi";
import { hasErrors, loadCatalog, type Catalog, type LoadedService } from "../catalog/load";
import { formatProblem, type Problem } from "../catalog/problems";
import { servicesForStack } from "../environments/naming";
import { serviceDockerImage, servicePackImage, type BuildOptions } from "../components/service/image";
import { stackChecks } from "./checks";

// The build stage (gantry:stage: build) and what every stack does first: load and check the catalog. Nothing here
// loads a deploy stage's modules (workloads, identities, the Google Cloud and Kubernetes SDKs), so a build stage's
// program starts without them (infra/index.ts).

export interface ProgramOptions {
  stack: string;
  projectDir?: string;
  servicesDir?: string;
  build?: BuildOptions;
  /** The catalog already loaded and checked (gantry plan does so itself, to report rather than log). */
  catalog?: Catalog;
  /** When this up runs, for the release history (tests fix it). */
  now?: () => Date;
  /** Where the commit being deployed is read (GIT_COMMIT or GITHUB_SHA). */
  env?: NodeJS.ProcessEnv;
}

/** The catalog for one stack, or a RunError listing every problem: nothing is built or deployed from a bad catalog. */
export function catalogForStack(opts: ProgramOptions): Catalog {
  const catalog = loadCatalog({ projectDir: opts.projectDir, servicesDir: opts.servicesDir, stacks: [opts.stack] });
  const checks = stackChecks(catalog, opts.projectDir ?? process.cwd());
  // A deploy (not a preview) builds, so the secret build values must be there: pack passes an unset one on as nothing.
  const platform = catalog.platforms[opts.stack];
  const building = !pulumi.runtime.isDryRun() && platform !== undefined && !platform.promoteFrom;
  const problems = [...checks.problems, ...checks.preflight, ...(building ? unsetSecretEnv(catalog.services[opts.stack] ?? []) : [])];
  for (const p of problems) (p.severity === "error" ? pulumi.log.error : pulumi.log.warn)(formatProblem(p));
  if (hasErrors(problems)) {
    const count = problems.filter((p) => p.severity === "error").length;
    // RunError: the engine prints the message without a stack trace, as a user's mistake deserves.
    throw new pulumi.RunError(`${count} problem${count === 1 ? "" : "s"} in the service catalog or stack config (listed above); nothing was built or deployed. Run \`npx gantry validate --stack ${opts.stack}\` for the same list.`);
  }
  return catalog;
}

/** build.secretEnv names missing from the environment `pulumi up` runs in, one problem per service file. */
export function unsetSecretEnv(services: readonly LoadedService[], env: NodeJS.ProcessEnv = process.env): Problem[] {
  return services.flatMap((s) => {
    const unset = (s.spec.build?.secretEnv ?? []).filter((n) => env[n] === undefined);
    if (unset.length === 0) return [];
    const one = unset.length === 1;
    return [{ file: s.file, line: 1, column: 1, field: "build.secretEnv", severity: "error" as const, message: `${unset.join(", ")} ${one ? "is" : "are"} not set where pulumi up runs; export ${one ? "it" : "them"} there (pack reads the value from that environment)` }];
  });
}

/** What a stage: build stack outputs per service: the image pushed and what it was built from. */
export interface BuiltImageOutputs {
  kind: string;
  image: pulumi.Output<string>;
  digest: pulumi.Output<string>;
  fingerprint?: pulumi.Output<string | undefined>;
  runImage?: pulumi.Output<string | undefined>;
}

/** Every service's image and nothing else: no registry, identity, workload or cluster, so no cloud provider runs. */
export function buildStack(opts: ProgramOptions): Record<string, BuiltImageOutputs> {
  const catalog = opts.catalog ?? catalogForStack(opts);
  const platform = catalog.platforms[opts.stack]!;
  const declared = catalog.services[opts.stack] ?? [];
  const outputs: Record<string, BuiltImageOutputs> = {};
  // As built in this stack (a PR preview's names carry its suffix); outputs stay keyed by declared name.
  for (const [i, service] of servicesForStack(declared, platform).entries()) {
    const name = declared[i]!.spec.name;
    // The image resource itself, with no component around it: a build stage's cost is per resource the engine
    // handles (bench/engine.bench.ts), and one resource per service is all there is to group.
    const build = opts.build ?? {};
    const pack = service.spec.build?.dockerfile === undefined ? servicePackImage(name, service, platform, build, {}) : undefined;
    const imageRef = pack ? pack.imageRef : serviceDockerImage(name, service, platform, build, {}).imageRef;
    outputs[name] = {
      kind: service.spec.kind,
      image: imageRef,
      digest: imageRef.apply((ref) => ref.slice(ref.indexOf("@") + 1)),
      ...(pack ? { fingerprint: pack.fingerprint, runImage: pack.runImage } : {}),
    };
  }
  return outputs;
}

/** The commit CI is deploying, when it says (Jenkins' GIT_COMMIT, GitHub's GITHUB_SHA). */
export function ciCommit(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const commit = env.GIT_COMMIT ?? env.GITHUB_SHA;
  return commit && /^[0-9a-f]{7,40}$/.test(commit) ? commit : undefined;
}

/** Tags a CI build adds to every image: the commit Jenkins (or any CI) is building. */
export function ciTags(env: NodeJS.ProcessEnv = process.env): string[] {
  const commit = ciCommit(env);
  return commit ? [`git-${commit.slice(0, 12)}`] : [];
}
