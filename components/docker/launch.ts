import * as fs from "node:fs";
import type { DockerBuild } from "../../catalog/docker-build";
import { parseDockerfile } from "../../dockerfile/parse";

/**
 * What the image runs, as Docker combines the built stage's ENTRYPOINT and CMD: an exec-form ENTRYPOINT gets CMD
 * appended, a shell-form one ignores it. Undefined when the Dockerfile declares neither (they would come from the
 * base image, which Gantry cannot see without pulling it).
 */
export function dockerfileLaunch(build: DockerBuild): string[] | undefined {
  const { config } = parseDockerfile(fs.readFileSync(build.dockerfile, "utf8"), build.target);
  const { entrypoint, cmd } = config;
  const argv = entrypoint ? (entrypoint.shell ? entrypoint.argv : [...entrypoint.argv, ...(cmd?.argv ?? [])]) : cmd?.argv;
  return argv && argv.length > 0 ? argv : undefined;
}

/**
 * The base of the built image when it has no /bin/sh (scratch, distroless): then nothing can read the mounted
 * secrets into env before the app starts.
 */
export function shelllessBase(build: DockerBuild): string | undefined {
  const { stages, built } = parseDockerfile(fs.readFileSync(build.dockerfile, "utf8"), build.target);
  let stage = built;
  while (stage.base === null && stage.parent !== null) stage = stages[stage.parent]!;
  if (stage.base === null) return "scratch";
  return stage.base.name.includes("distroless") ? stage.base.ref : undefined;
}
