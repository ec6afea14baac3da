// The config `npm run mutation` hands Stryker: the project's, plus a module reset before each test file (see
// test/support/mutation-reset-modules.ts). Not used by `npm test`.
import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.mts";

export default mergeConfig(base, defineConfig({ test: { setupFiles: ["test/support/mutation-reset-modules.ts"] } }));
