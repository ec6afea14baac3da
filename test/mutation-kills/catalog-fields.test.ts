// The field grammars of catalog/schema/fields.ts, each anchored at both ends and with every optional part tried:
// a value just inside and one just outside each pattern, read as a user's service.yaml.
import { describe, expect, it } from "vitest";
import { errorsOf } from "../support/catalog-fixture";

const ok = (kind: "service" | "job" | "gke", extra: string) => expect(errorsOf(kind, extra), extra).toEqual([]);
const refused = (kind: "service" | "job" | "gke", extra: string, message: RegExp) => expect(errorsOf(kind, extra).join("\n"), extra).toMatch(message);

describe("Cloud Run cpu", () => {
  it("takes whole and decimal vCPUs, as numbers or strings", () => {
    for (const cpu of ['"1"', '"2"', '"0.5"', '"0.25"', "4"]) expect(errorsOf("service", `cpu: ${cpu}\n`).join("\n"), cpu).not.toMatch(/cpu: must be/);
  });

  it("refuses text around a number, and a number with nothing after its point", () => {
    for (const cpu of ['"x1"', '"1x"', '"1."', '"0.x"']) refused("service", `cpu: ${cpu}\n`, /cpu: must be a number of vCPUs such as 1, 2 or "0.5"/);
  });

  it("reads a number of two digits as a number (then refused as a size Cloud Run does not offer)", () => {
    expect(errorsOf("service", 'cpu: "10"\n').join("\n")).not.toMatch(/must be a number of vCPUs/);
  });
});

describe("GKE cpu", () => {
  it("takes millicores, whole and decimal cores, as numbers or strings", () => {
    for (const cpu of ['"250m"', '"1500m"', '"0.5"', '"0.25"', '"2"', "2", "1"]) expect(errorsOf("gke", `cpu: ${cpu}\n`).join("\n"), cpu).not.toMatch(/cpu: must be/);
  });

  it("refuses what is not a CPU quantity, with text before or after", () => {
    for (const cpu of ['"x250m"', '"250mx"', '"0.x"', '"m"']) refused("gke", `cpu: ${cpu}\n`, /cpu: must be a Kubernetes CPU quantity/);
  });

  it("refuses every spelling of zero, and nothing above it", () => {
    for (const cpu of ['"0"', '"00"', '"0.0"', '"0.00"', '"0m"', '"000m"']) refused("gke", `cpu: ${cpu}\n`, /cpu: must be more than 0/);
    for (const cpu of ['"0.1"', '"100m"', '"10m"']) expect(errorsOf("gke", `cpu: ${cpu}\nmemory: 128Mi\n`).join("\n")).not.toMatch(/must be more than 0/);
  });
});

describe("memory", () => {
  it("takes every unit, no unit, and decimals", () => {
    for (const m of ["512Mi", "2Gi", '"1073741824"', "1.5Gi", "1000M"]) expect(errorsOf("gke", `cpu: 1\nmemory: ${m}\n`).join("\n"), m).not.toMatch(/must be a memory quantity/);
  });

  it("refuses text before or after a quantity", () => {
    for (const m of ["x512Mi", "512Mix", "512MiB", "Mi"]) refused("gke", `memory: ${m}\n`, /memory: must be a memory quantity such as "512Mi" or "2Gi"/);
  });
});

describe("durations", () => {
  it("take hours, minutes and seconds with up to nine decimals", () => {
    for (const d of ["300s", "15m", "1h30m", "1.25s", "0.123456789s"]) expect(errorsOf("service", `timeout: ${d}\n`).join("\n"), d).not.toMatch(/must be a duration/);
  });

  it("refuse text around a duration, and ten decimals", () => {
    for (const d of ["x300s", "300sx", "1.1234567890s", "s"]) refused("service", `timeout: ${d}\n`, /timeout: must be a duration such as "300s", "15m" or "1h30m"/);
  });
});

describe("a secret's pinned version", () => {
  it("is latest or a whole number from 1, of any length", () => {
    for (const v of ['"3"', '"12"', '"123"', '"latest"', "7"]) ok("service", `secrets:\n  DB: {secret: api-db, version: ${v}}\n`);
  });

  it("refuses text after a version, a zero and a letter", () => {
    for (const v of ['"3x"', '"x3"', '"0"', '"1a"']) expect(errorsOf("service", `secrets:\n  DB: {secret: api-db, version: ${v}}\n`).length, v).toBeGreaterThan(0);
  });
});

describe("label keys and probe paths", () => {
  it("take lowercase and other letters; refuse an uppercase letter anywhere", () => {
    ok("service", "labels: {team: x, a日: y}\n");
    for (const key of ["a-B", "aB", "Ab"]) refused("service", `labels: {${key}: x}\n`, /a label key must be 1-63 characters/);
  });

  it("a probe path starts with /", () => {
    ok("service", "startupProbe: {path: /healthz}\n");
    refused("service", "startupProbe: {path: healthz/x}\n", /startupProbe\.path: must start with \//);
  });
});

describe("a Dockerfile build's context and target", () => {
  it("take names longer than one character, and refuse empty ones", () => {
    ok("service", "build:\n  dockerfile: Dockerfile\n  context: ..\n  target: runtime\n");
    for (const field of ["context", "target"]) expect(errorsOf("service", `build:\n  dockerfile: Dockerfile\n  ${field}: ""\n`).join("\n"), field).toMatch(new RegExp(`build\\.${field}: `));
  });
});
