// vitest globalSetup: make sure Debian's `docker-registry` and `watchman` binaries are installed, because tests
// start throwaway registries (test/support/registry.ts) and Watchman servers (test/support/watchman.ts) with them.
// Installs them with apt when missing (root only). No Debian system service is ever started (policy-rc.d denies
// service starts during the install) and /etc/docker/registry is never touched.
//
// It also owns the run's folder, where the real tier (test/support/real) leaves the state of the Docker engine,
// registry and builder that its first test file started, so that the teardown stops them whoever started them.
import * as fs from "node:fs";
import * as path from "node:path";
import type { TestProject } from "vitest/node";
import { ensureDebianPackage } from "./debian";
import { newRunDir, stopSharedRealWorld } from "./real/world";
import { REGISTRY_BINARY } from "./registry";
import { ensureWatchmanInstalled } from "./watchman";

declare module "vitest" {
  export interface ProvidedContext {
    gantryRunDir: string;
  }
}

export function ensureDockerRegistryInstalled(): void {
  ensureDebianPackage("docker-registry", REGISTRY_BINARY);
}

export default function setup(project: TestProject): () => Promise<void> {
  ensureDockerRegistryInstalled();
  ensureWatchmanInstalled();
  const runDir = newRunDir();
  project.provide("gantryRunDir", runDir);
  // Every temp folder a test makes lands under the run's folder (the workers inherit TMPDIR), so the teardown
  // removes what a test forgot or could not remove when it failed.
  const tmp = path.join(runDir, "tmp");
  fs.mkdirSync(tmp);
  const previousTmp = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  return async () => {
    await stopSharedRealWorld(runDir);
    const skipped = path.join(runDir, "real-tier-skipped");
    // One line at the end of the run, so a tier that did not run is never mistaken for one that passed.
    if (fs.existsSync(skipped)) process.stderr.write(`\ngantry: real tier NOT RUN: ${fs.readFileSync(skipped, "utf8").trim()}\n`);
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
    fs.rmSync(runDir, { recursive: true, force: true });
  };
}
