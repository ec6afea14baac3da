import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { catalogOf } from "../support/catalog-fixture";

/**
 * The loader is the front door for every app team's typing: whatever bytes arrive, it must answer with
 * either an accepted service or located problems, and never throw.
 */

const stacks = { dev: "config:\n  gantry:project: acme-dev-1\n  gantry:region: europe-west1\n" };

function load(text: string) {
  return catalogOf({ svc: text }, stacks);
}

function assertAnswered(text: string): void {
  let result: ReturnType<typeof load>;
  expect(() => (result = load(text)), text).not.toThrow();
  const errors = result!.problems.filter((p) => p.severity === "error");
  if (errors.length === 0) {
    expect(result!.services.dev, text).toHaveLength(1);
  } else {
    expect(result!.services.dev, text).toHaveLength(0);
    for (const e of errors) {
      expect(e.file).toBe("services/svc/service.yaml");
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.column).toBeGreaterThanOrEqual(1);
      expect(e.message.length).toBeGreaterThan(0);
    }
  }
}

// Pairs the CPU-to-memory table allows.
const sizing = fc.constantFrom({ cpu: 1, memory: "512Mi" }, { cpu: 1, memory: "4Gi" }, { cpu: 2, memory: "8Gi" }, { cpu: 4, memory: "2Gi" }, { cpu: 8, memory: "32Gi" });

const validServiceFields = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/),
  kind: fc.constant("service"),
  port: fc.integer({ min: 1, max: 65535 }),
  concurrency: fc.integer({ min: 1, max: 1000 }),
  minInstances: fc.integer({ min: 0, max: 3 }),
  maxInstances: fc.integer({ min: 3, max: 100 }),
  ingress: fc.constantFrom("all", "internal", "internal-and-cloud-load-balancing"),
  env: fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,10}$/).filter((k) => !["PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"].includes(k) && !k.startsWith("X_GOOGLE_") && !k.startsWith("CLOUD_RUN_")), fc.string(), { maxKeys: 4 }),
});

const validService = fc.tuple(validServiceFields, sizing).map(([fields, size]) => ({ ...fields, ...size }));

const validJob = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/),
  kind: fc.constant("job"),
  memory: fc.constantFrom("512Mi", "4Gi"),
  tasks: fc.integer({ min: 1, max: 10000 }),
  maxRetries: fc.integer({ min: 0, max: 10 }),
  process: fc.stringMatching(/^[A-Za-z0-9_]{1,12}$/),
  schedule: fc.record({ cron: fc.constantFrom("0 3 * * *", "*/5 * * * *", "0 0 1 * *"), timeZone: fc.constantFrom("Etc/UTC", "Europe/Berlin", "Asia/Tokyo") }),
});

describe("loader properties", () => {
  it("accepts every document the schema allows", () => {
    fc.assert(
      fc.property(fc.oneof(validService, validJob), (doc) => {
        const result = load(stringify(doc));
        expect(result.problems.filter((p) => p.severity === "error")).toEqual([]);
        expect(result.services.dev![0]!.spec.name).toBe(doc.name);
      }),
      { numRuns: 150 },
    );
  });

  it("answers arbitrary YAML documents with a service or located problems, never an exception", () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => assertAnswered(stringify(value))), { numRuns: 200 });
  });

  it("answers mutated valid documents the same way", () => {
    const mutation = fc.oneof(
      fc.record({ key: fc.constantFrom("name", "kind", "cpu", "memory", "port", "concurrency", "env", "tasks", "schedule", "environments", "build", "secrets", "startupProbe", "minInstnces"), value: fc.jsonValue() }),
    );
    fc.assert(
      fc.property(fc.oneof(validService, validJob), fc.array(mutation, { minLength: 1, maxLength: 4 }), (doc, mutations) => {
        const mutated: Record<string, unknown> = { ...doc };
        for (const m of mutations) mutated[m.key] = m.value;
        assertAnswered(stringify(mutated));
      }),
      { numRuns: 200 },
    );
  });

  it("answers raw byte noise and truncated documents", () => {
    fc.assert(
      fc.property(fc.oneof(validService, validJob), fc.nat(), fc.string({ unit: "binary", maxLength: 40 }), (doc, cut, noise) => {
        const text = stringify(doc);
        const at = cut % (text.length + 1);
        assertAnswered(text.slice(0, at) + noise + text.slice(at));
      }),
      { numRuns: 200 },
    );
  });
});
