// Installs Debian packages the tests and benchmarks need (docker-registry, watchman) when their binaries are missing.
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync, unlinkSync } from "node:fs";

const POLICY_RC_D = "/usr/sbin/policy-rc.d";

/** Runs a program to completion, or throws with its last 30 lines of output. */
export function run(cmd: string, args: string[], timeoutMs = 600_000): void {
  const res = spawnSync(cmd, args, {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.error) throw new Error(`${cmd} ${args.join(" ")} failed to run: ${res.error.message}`);
  if (res.status !== 0) {
    const tail = `${res.stdout ?? ""}\n${res.stderr ?? ""}`.trim().split("\n").slice(-30).join("\n");
    throw new Error(`${cmd} ${args.join(" ")} exited with ${res.status ?? res.signal}:\n${tail}`);
  }
}

/** Installs a Debian package with apt when `binary` is missing (root only), never starting its system service. */
export function ensureDebianPackage(pkg: string, binary: string): void {
  if (existsSync(binary)) return;
  if (typeof process.getuid !== "function" || process.getuid() !== 0) {
    throw new Error(
      `${binary} is missing and this process is not root, so it cannot be installed automatically. ` +
        `Run as root: apt-get update && apt-get install -y --no-install-recommends ${pkg}`,
    );
  }
  // Keep the package's postinst from starting a system service (exit 101 = action forbidden).
  const addedPolicy = !existsSync(POLICY_RC_D);
  if (addedPolicy) writeFileSync(POLICY_RC_D, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
  try {
    run("apt-get", ["update"]);
    run("apt-get", ["install", "-y", "--no-install-recommends", pkg]);
  } finally {
    if (addedPolicy) unlinkSync(POLICY_RC_D);
  }
  if (!existsSync(binary)) {
    throw new Error(`apt-get installed ${pkg} but ${binary} is still missing`);
  }
}
