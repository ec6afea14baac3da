import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { validJob, validService } from "../support/catalog-arbitraries";
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
