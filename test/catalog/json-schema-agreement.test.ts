import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { loadCatalog } from "../../catalog/load";
import { validJob, validService } from "../support/catalog-arbitraries";
import { BASE, catalogOf, PLATFORM_YAML } from "../support/catalog-fixture";

/*
 * The schema editors use (services/service.schema.json) against a real JSON Schema 2020-12 validator, and against
 * the CLI: what the CLI accepts the schema accepts, and what the CLI refuses for its shape the schema refuses too.
 */

const root = path.join(__dirname, "..", "..");
const schema = JSON.parse(fs.readFileSync(path.join(root, "services", "service.schema.json"), "utf8")) as Record<string, unknown>;
// strict: an unknown keyword or format (such as zod's "starts_with") fails compilation instead of being ignored.
const validate = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true, unicodeRegExp: true, validateFormats: true }).compile(schema);
const valid = (doc: unknown) => {
  const ok = validate(doc);
  return { ok, errors: JSON.stringify(validate.errors) };
};

function serviceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? serviceFiles(p) : d.name === "service.yaml" ? [p] : [];
  });
}

describe("the JSON schema and the CLI agree", () => {
  it("compiles under a strict 2020-12 validator: no unknown formats or keywords, and no bound beyond 32 bits", () => {
    expect(typeof validate).toBe("function");
    const text = JSON.stringify(schema);
    expect(text).not.toMatch(/"format"/);
    expect(text).not.toMatch(/9007199254740991/);
  });

  it("accepts every shipped example", () => {
    const examples = serviceFiles(path.join(root, "services"));
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const file of examples) expect(valid(parse(fs.readFileSync(file, "utf8"))), file).toMatchObject({ ok: true });
  });

  it("accepts every fixture service.yaml the loader accepts", () => {
    const files = serviceFiles(path.join(root, "test", "fixtures"));
    let accepted = 0;
    for (const file of files) {
      const catalogDir = path.dirname(path.dirname(file));
      const shown = path.relative(root, file);
      const catalog = loadCatalog({ projectDir: root, servicesDir: catalogDir, stacks: ["dev", "staging"], cwd: root });
      // Preflight and cross-file findings are not the schema's business; the file's own schema and rule errors are.
      if (catalog.problems.some((p) => p.file === shown && p.severity === "error")) continue;
      accepted++;
      expect(valid(parse(fs.readFileSync(file, "utf8"))), shown).toMatchObject({ ok: true });
    }
    expect(accepted).toBeGreaterThanOrEqual(10);
  });

  it.each([
    ["an unknown field", `${BASE.service}minInstance: 1\n`],
    ["a field of another kind", `${BASE.job}port: 8080\n`],
    ["an unknown kind", "name: a\nkind: lambda\n"],
    ["a name Cloud Run refuses", "name: Api_1\nkind: service\n"],
    ["an env name with a dash", `${BASE.service}env: {MY-VAR: x}\n`],
    ["a secret name starting with a digit", `${BASE.service}secrets: {1KEY: key}\n`],
    ["a label key with a capital", `${BASE.service}labels: {Team: a}\n`],
    ["include and exclude together", `${BASE.service}build: {include: [a], exclude: [b]}\n`],
    ["a secretEnv entry that is not a name", `${BASE.service}build: {secretEnv: ["A=B"]}\n`],
    ["concurrency above 1000", `${BASE.service}concurrency: 1001\n`],
    ["tasks above 10000", `${BASE.job}tasks: 10001\n`],
    ["replicas beyond 32 bits", `${BASE.gke}replicas: 2147483648\n`],
    ["a GKE cpu of 0", `${BASE.gke}cpu: 0\n`],
    ["a probe path without /", `${BASE.service}startupProbe: {path: healthz}\n`],
    ["an override of kind", `${BASE.service}environments: {dev: {kind: job}}\n`],
    ["an unknown field in an override", `${BASE.service}environments: {dev: {minInstance: 1}}\n`],
    ["a secret reference that is not a secret id", `${BASE.service}secrets: {A: "Hunter2! x"}\n`],
    ["a secret reference with a bad version", `${BASE.service}secrets: {A: "api-a:v2"}\n`],
    ["a long-form secret that is not a secret id", `${BASE.service}secrets: {A: {secret: "a b"}}\n`],
    ["more than 1000 environment variables", `${BASE.service}env: {${Array.from({ length: 1001 }, (_, i) => `K${i}: v`).join(", ")}}\n`],
    ["more than 1000 secrets in an override", `${BASE.service}environments: {dev: {secrets: {${Array.from({ length: 1001 }, (_, i) => `K${i}: api-k`).join(", ")}}}}\n`],
  ])("refuses %s, as the CLI does", (_what, text) => {
    expect(catalogOf({ svc: text }, { dev: PLATFORM_YAML("dev") }).problems.filter((p) => p.severity === "error").length, "CLI").toBeGreaterThan(0);
    expect(valid(parse(text)).ok, "schema").toBe(false);
  });

  it("accepts the secret references the CLI accepts: an id, an id with a version, a full path, the long form", () => {
    const text = `${BASE.service}secrets: {A: api-a, B: "api-b:3", C: "api-c:latest", D: projects/acme-dev-proj/secrets/api-d, E: {secret: api-e, version: 2}}\nenv: {${Array.from({ length: 995 }, (_, i) => `K${i}: v`).join(", ")}}\n`;
    expect(catalogOf({ svc: text }, { dev: PLATFORM_YAML("dev") }).problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(valid(parse(text))).toMatchObject({ ok: true });
  });

  it("accepts null in an override (it removes the field in that stack), as the CLI does", () => {
    const text = `${BASE.job}schedule: "0 3 * * *"\nenvironments: {dev: {schedule: null}}\n`;
    expect(catalogOf({ svc: text }, { dev: PLATFORM_YAML("dev") }).problems).toEqual([]);
    expect(valid(parse(text))).toMatchObject({ ok: true });
  });

  it("accepts generated documents the CLI accepts", () => {
    fc.assert(
      fc.property(fc.oneof(validService, validJob), (d) => {
        const text = stringify(d);
        const cli = catalogOf({ svc: text }, { dev: PLATFORM_YAML("dev") }).problems.filter((p) => p.severity === "error");
        if (cli.length === 0) expect(valid(d), text).toMatchObject({ ok: true });
      }),
      { numRuns: 60 },
    );
  });
});
