// vitest globalSetup: make sure Debian's `docker-registry` binary is installed, because tests start
// throwaway registries with it (test/support/registry.ts). Installs it with apt when missing (root
// only). The Debian system service is never started (policy-rc.d denies service starts during the
// install) and /etc/docker/registry is never touched.
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync, unlinkSync } from "node:fs";
import { REGISTRY_BINARY } from "./registry";

const POLICY_RC_D = "/usr/sbin/policy-rc.d";

function run(cmd: string, args: string[]): void {
  const res = spawnSync(cmd, args, {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 600_000,
  });
  if (res.error) throw new Error(`${cmd} ${args.join(" ")} failed to run: ${res.error.message}`);
  if (res.status !== 0) {
    const tail = `${res.stdout ?? ""}\n${res.stderr ?? ""}`.trim().split("\n").slice(-30).join("\n");
    throw new Error(`${cmd} ${args.join(" ")} exited with ${res.status ?? res.signal}:\n${tail}`);
  }
}

export function ensureDockerRegistryInstalled(): void {
  if (existsSync(REGISTRY_BINARY)) return;
  if (typeof process.getuid !== "function" || process.getuid() !== 0) {
    throw new Error(
      `${REGISTRY_BINARY} is missing and this process is not root, so it cannot be installed automatically. ` +
        "Run as root: apt-get update && apt-get install -y --no-install-recommends docker-registry",
    );
  }
  // Keep the package's postinst from starting the system service (exit 101 = action forbidden).
  const addedPolicy = !existsSync(POLICY_RC_D);
  if (addedPolicy) writeFileSync(POLICY_RC_D, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
  try {
    run("apt-get", ["update"]);
    run("apt-get", ["install", "-y", "--no-install-recommends", "docker-registry"]);
  } finally {
    if (addedPolicy) unlinkSync(POLICY_RC_D);
  }
  if (!existsSync(REGISTRY_BINARY)) {
    throw new Error(`apt-get installed docker-registry but ${REGISTRY_BINARY} is still missing`);
  }
}

export default function setup(): void {
  ensureDockerRegistryInstalled();
}
