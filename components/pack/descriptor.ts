import { stringify } from "smol-toml";

export interface DescriptorInput {
  serviceName: string;
  include?: string[];
  exclude?: string[];
  /** Build env from service.yaml, written as [[io.buildpacks.build.env]]. */
  buildEnv?: Record<string, string>;
  /** Files of Gantry's own that must not reach the build, relative to the source folder (e.g. "service.yaml"). */
  alwaysExclude?: string[];
}

export interface Descriptor {
  toml: string;
  include?: string[];
  exclude?: string[];
}

/**
 * The project.toml handed to `pack build --descriptor`. Without an include list, `.git` and the service's own
 * service.yaml stay out of the upload: otherwise every fetch, or a scaling change in service.yaml, would change
 * what pack uploads and so rebuild the image for nothing.
 */
export function projectDescriptor(input: DescriptorInput): Descriptor {
  const include = input.include && input.include.length > 0 ? input.include : undefined;
  const exclude = include ? undefined : [".git/", ...(input.alwaysExclude ?? []).map((f) => `/${f}`), ...(input.exclude ?? [])];
  const env = Object.entries(input.buildEnv ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => ({ name, value }));
  const buildpacks: Record<string, unknown> = include ? { include } : { exclude };
  if (env.length > 0) buildpacks.build = { env };
  const toml = stringify({ _: { "schema-version": "0.2", id: input.serviceName }, io: { buildpacks } });
  return { toml: `# Written by Gantry from services/${input.serviceName}/service.yaml; do not edit.\n${toml}\n`, include, exclude };
}
