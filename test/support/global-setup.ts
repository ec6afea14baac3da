// vitest globalSetup: make sure Debian's `docker-registry` and `watchman` binaries are installed, because tests
// start throwaway registries (test/support/registry.ts) and Watchman servers (test/support/watchman.ts) with them.
// Installs them with apt when missing (root only). No Debian system service is ever started (policy-rc.d denies
// service starts during the install) and /etc/docker/registry is never touched.
import { ensureDebianPackage } from "./debian";
import { REGISTRY_BINARY } from "./registry";
import { ensureWatchmanInstalled } from "./watchman";

export function ensureDockerRegistryInstalled(): void {
  ensureDebianPackage("docker-registry", REGISTRY_BINARY);
}

export default function setup(): void {
  ensureDockerRegistryInstalled();
  ensureWatchmanInstalled();
}
