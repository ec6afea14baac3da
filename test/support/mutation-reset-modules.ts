// Setup file of vitest.mutation.config.mts (Stryker only). Stryker's vitest runner (9.6) activates every mutant in a
// beforeAll hook, after the test file has imported its modules, and vitest keeps modules evaluated by an earlier run
// in the same worker. A mutant in module-level code (a rule's list of reserved names, a table of token shapes) was
// therefore never active and survived every test. So: activate the mutant now, and evaluate the modules afresh.
import { inject, vi } from "vitest";

// The keys Stryker's runner provides; not declared in vitest's ProvidedContext, hence the cast.
const provided = inject as unknown as (key: string) => unknown;
if (provided("mode") === "mutant") {
  const name = provided("globalNamespace") as string;
  const g = globalThis as unknown as Record<string, { activeMutant?: unknown } | undefined>;
  (g[name] ??= {}).activeMutant = provided("activeMutant");
}
vi.resetModules();
