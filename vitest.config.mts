import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // Pulumi's mock runtime is process-global state: every test file gets its own process.
    pool: "forks",
    testTimeout: 60_000,
    // Fingerprints would otherwise use a Watchman found on PATH (a machine-wide server): the tests that exercise the
    // monitor start their own server and pass it explicitly.
    env: { GANTRY_FSMONITOR: "off" },
    hookTimeout: 180_000,
  },
});
