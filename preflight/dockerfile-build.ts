// The preflight of a service that builds from its Dockerfile: buildpacks never run for it, so none of their
// findings apply; what can stop the build is a missing Dockerfile or context, or a Dockerfile docker cannot use.

import { dockerfileLaunch, shelllessBase } from "../components/docker/launch";
import * as fs from "node:fs";
import * as path from "node:path";
import ignore from "ignore";
import { displayPath } from "../catalog/display-path";
import { dockerBuildOf } from "../catalog/docker-build";
import type { LoadedService } from "../catalog/load";
import type { Problem } from "../catalog/problems";
import { hasPath, locate, parseYaml, type PathKey, type YamlSource } from "../catalog/yaml-source";
import { dockerignorePatterns } from "../components/docker/dockerignore";
import { dockerfileParser } from "../dockerfile/parse";
import { isDirectory, isFile } from "./source";

export function dockerfileBuildProblems(service: LoadedService, stack: string, cwd = process.cwd(), overrideStack = stack): Problem[] {
  const docker = dockerBuildOf(service);
  if (!docker) return [];
  const source = serviceYaml(service);
  const at = (field: PathKey[], message: string, severity: Problem["severity"] = "error"): Problem => ({
    file: service.file,
    ...where(source, field, overrideStack),
    severity,
    message: `${service.spec.name}: ${message}`,
    stacks: [stack],
  });
  const shown = (p: string) => displayPath(p, cwd);
  const problems: Problem[] = [];

  const contextField: PathKey[] = service.spec.build?.context !== undefined ? ["build", "context"] : ["source"];
  if (!isDirectory(docker.context)) problems.push(at(contextField, `the build context ${shown(docker.context)} is not a folder`));

  if (!isFile(docker.dockerfile)) {
    problems.push(at(["build", "dockerfile"], `Dockerfile ${shown(docker.dockerfile)} not found; build.dockerfile is relative to the folder holding service.yaml`));
    return problems;
  }
  const text = fs.readFileSync(docker.dockerfile, "utf8");
  const stages = dockerfileParser().parse(text).getFROMs();
  if (stages.length === 0) {
    problems.push({ file: shown(docker.dockerfile), line: 1, column: 1, field: "", severity: "error", message: `${service.spec.name}: the Dockerfile has no FROM instruction, so docker cannot build it`, stacks: [stack] });
    return problems;
  }
  if (docker.target !== undefined) {
    const names = stages.map((f) => f.getBuildStage()).filter((n): n is string => n !== null);
    if (!names.some((n) => n.toLowerCase() === docker.target!.toLowerCase())) {
      problems.push(at(["build", "target"], `the Dockerfile has no stage named "${docker.target}" (${names.length > 0 ? `its stages are ${names.join(", ")}` : "its stages have no names"})`));
    }
  }

  // On GKE, secrets reach the app through a sh wrapper that then execs the image's own command (targets/gke.ts).
  if (service.spec.kind === "gke" && Object.keys(service.spec.secrets ?? {}).length > 0) {
    const base = shelllessBase(docker);
    if (base) problems.push(at(["secrets"], `the image is built FROM ${base}, which has no /bin/sh to read the mounted secrets into environment variables on GKE; use a base with a shell, or deploy it to Cloud Run (kind: service), which injects secrets itself`));
    else if (!dockerfileLaunch(docker)) problems.push(at(["secrets"], "the Dockerfile declares no ENTRYPOINT or CMD, which Gantry must run after reading the secrets on GKE; add the image's CMD to the Dockerfile"));
  }

  // A service.yaml sent with the context makes a scaling or env change rebuild the image, and roll it out when COPY picks it up.
  const yamlPath = path.join(service.dir, path.basename(service.file));
  const relYaml = path.relative(docker.context, yamlPath).split(path.sep).join("/");
  if (isDirectory(docker.context) && !relYaml.startsWith("..") && !ignore().add(dockerignorePatterns(docker.context)).ignores(relYaml)) {
    problems.push(
      at(
        ["build", "dockerfile"],
        `${relYaml} is inside the build context and .dockerignore does not exclude it, so editing service.yaml (scaling, env) rebuilds the image; add \`${relYaml}\` to ${shown(path.join(docker.context, ".dockerignore"))}`,
        "warning",
      ),
    );
  }
  return problems;
}

function serviceYaml(service: LoadedService): YamlSource | undefined {
  const file = path.join(service.dir, path.basename(service.file));
  try {
    const parsed = parseYaml(service.file, fs.readFileSync(file, "utf8"));
    return parsed.ok ? parsed.source : undefined;
  } catch {
    return undefined;
  }
}

/** Where a field is written: the stack's override when it sets it, else the base. */
function where(source: YamlSource | undefined, field: PathKey[], overrideStack: string): { line: number; column: number; field: string } {
  if (!source) return { line: 1, column: 1, field: field.join(".") };
  const override = ["environments", overrideStack, ...field];
  if (hasPath(source.value, override)) return { ...locate(source, override), field: override.join(".") };
  return { ...locate(source, field), field: field.join(".") };
}

