import { hasErrors, loadCatalog } from "../catalog/load";
import type { Problem } from "../catalog/problems";
import { fromProps, type PackImageInputs, type PackImageOutputs, type PackImageProps } from "../components/pack/provider";
import { backendUrl } from "../environments/backend";
import { projectName } from "../environments/promotion";
import { stackChecks } from "../infra/checks";
import { ciTags } from "../infra/build-stage";
import { DOCKER_IMAGE_TYPE, lastDeployment, PACK_IMAGE_TYPE, readDeploymentFile, type Lookup } from "../plan/last-deployment";
import { installPlanMocks } from "../plan/mocks";
import { evaluateStack } from "../plan/run";

/*
 * Every image a stack needs, exactly as `pulumi up` would declare it: the stack's real program runs under Pulumi's
 * mock runtime (as `gantry plan` runs it) and each PackImage's inputs are taken from its registration. So a shard
 * builds the very inputs the later `pulumi up` looks up, fingerprint, tag and all.
 */

export interface StackImage {
  /** The service's declared name (the PackImage's logical name). */
  name: string;
  inputs: PackImageInputs;
  /** The last deployment's inputs and outputs of this image, when on record: what a run image bump rebases. */
  last?: PackImageOutputs;
}

export interface StackNeed {
  stack: string;
  /** A promoting stack builds nothing: it deploys its source stack's digests. */
  promotedFrom?: string;
  images: StackImage[];
  /** Services still built from a Dockerfile: `pulumi up` builds those (docker-build), not `gantry build`. */
  dockerfileServices: string[];
  problems: Problem[];
  lastDeployment: { found: boolean; from: string };
}

export interface NeedOptions {
  stack: string;
  projectDir: string;
  servicesDir?: string;
  /** `pulumi stack export` (or outputs) of the stack's last deployment; default a file:// backend's checkpoint. */
  outputsFile?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  progress?: (step: string) => void;
}

export async function stackImages(opts: NeedOptions): Promise<StackNeed> {
  const { stack, projectDir } = opts;
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const progress = opts.progress ?? (() => {});
  progress(`loading the catalog and Pulumi.${stack}.yaml`);
  const catalog = loadCatalog({ projectDir, servicesDir: opts.servicesDir, stacks: [stack], cwd });
  const platform = catalog.platforms[stack];
  const checks = stackChecks(catalog, projectDir, cwd);
  const problems = [...checks.problems, ...checks.preflight];
  progress("reading the last deployment");
  const project = projectName(projectDir) ?? "gantry";
  const last: Lookup = opts.outputsFile ? { found: readDeploymentFile(opts.outputsFile), looked: opts.outputsFile } : lastDeployment(backendUrl(projectDir, env), project, stack, cwd);
  const base = { stack, images: [], dockerfileServices: [], problems, lastDeployment: { found: last.found !== undefined, from: last.found?.from ?? last.looked } };
  if (!platform || hasErrors(problems)) return base;
  if (platform.promoteFrom) return { ...base, promotedFrom: platform.promoteFrom };

  const recorder = await installPlanMocks({ project, stack, onRegistration: (n) => progress(`evaluating the program: ${n} resources`), ...(last.found ? { last: last.found } : {}) });
  // The program `pulumi up` runs for this stack: the images are its PackImages, input for input, with the tags
  // infra/index.ts gives them.
  await evaluateStack({ stack, projectDir, servicesDir: opts.servicesDir, catalog, tags: ciTags(env) });
  const previous = (last.found?.packImages ?? {}) as Record<string, Partial<PackImageOutputs> | undefined>;
  const images = recorder.resources
    .filter((r) => r.type === PACK_IMAGE_TYPE)
    .map((r) => {
      const { __provider: _provider, ...inputs } = r.inputs as Record<string, unknown>;
      const before = previous[r.name];
      return { name: r.name, inputs: fromProps(inputs as unknown as PackImageProps), ...(before?.imageRef ? { last: before as PackImageOutputs } : {}) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const dockerfileServices = recorder.resources.filter((r) => r.type === DOCKER_IMAGE_TYPE).map((r) => r.name).sort();
  return { ...base, images, dockerfileServices };
}

