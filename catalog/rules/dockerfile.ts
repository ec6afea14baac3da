import * as path from "node:path";
import { ENV_NAME as C_IDENTIFIER } from "../schema/fields";
import { shownKey } from "../problems";
import type { Rule, RuleIssue } from "./types";

// What each buildpacks-only option becomes under a Dockerfile build, so the message says where it went.
const BUILDPACKS_ONLY: Record<"env" | "secretEnv" | "include" | "exclude" | "defaultProcess", string> = {
  env: "build.env is buildpacks build env (project.toml); a Dockerfile build takes build args instead: use build.args",
  secretEnv: "build.secretEnv reaches pack as --env NAME; a Dockerfile build has no such route for secrets",
  include: "build.include filters what pack uploads; a Dockerfile build sends its whole context: use a .dockerignore",
  exclude: "build.exclude filters what pack uploads; a Dockerfile build sends its whole context: use a .dockerignore",
  defaultProcess: "build.defaultProcess picks a buildpacks process; a Dockerfile image starts its ENTRYPOINT/CMD",
};

const DOCKER_ONLY = ["context", "target", "args"] as const;

/**
 * build.dockerfile switches the service from buildpacks to docker buildx; options of the other build make no
 * sense next to it and would be silently ignored, so they are refused where they are written.
 */
export const dockerfileBuildRule: Rule = (spec) => {
  const build = spec.build;
  if (!build) return [];
  if (build.dockerfile === undefined) {
    return DOCKER_ONLY.filter((k) => build[k] !== undefined).map((k) => ({
      path: ["build", k],
      atKey: true,
      message: `build.${k} applies to a Dockerfile build only; add build.dockerfile, or remove it (buildpacks build the source folder)`,
    }));
  }
  const issues: RuleIssue[] = [];
  for (const key of Object.keys(BUILDPACKS_ONLY) as (keyof typeof BUILDPACKS_ONLY)[]) {
    if (build[key] !== undefined) issues.push({ path: ["build", key], atKey: true, message: `${BUILDPACKS_ONLY[key]}; it cannot be combined with build.dockerfile` });
  }
  for (const key of ["dockerfile", "context"] as const) {
    const value = build[key];
    if (value !== undefined && path.isAbsolute(value)) {
      issues.push({ path: ["build", key], message: `"${value}" must be relative to the folder holding service.yaml, so the build works in every checkout` });
    }
  }
  for (const name of Object.keys(build.args ?? {}).filter((n) => !C_IDENTIFIER.test(n))) {
    issues.push({ path: ["build", "args", name], atKey: true, message: `"${shownKey(name)}" is not a valid build arg name (letters, digits and _)` });
  }
  if (spec.kind === "job" && spec.process !== undefined) {
    issues.push({
      path: ["process"],
      message: "process picks a buildpacks process (/cnb/process/<name>), which an image built from a Dockerfile does not have; the job runs the Dockerfile's ENTRYPOINT/CMD, so remove process",
    });
  }
  return issues;
};
