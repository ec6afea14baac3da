import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { renderServiceJsonSchema } from "../../catalog/json-schema";

const root = path.join(__dirname, "..", "..");

describe("services/service.schema.json", () => {
  it("is the schema generated from the zod schema (run `npm run schema` after changing it)", () => {
    const committed = fs.readFileSync(path.join(root, "services", "service.schema.json"), "utf8");
    expect(committed).toBe(renderServiceJsonSchema());
  });

  it("is referenced from every service.yaml for editor completion", () => {
    const dirs = fs.readdirSync(path.join(root, "services"), { withFileTypes: true }).filter((d) => d.isDirectory());
    expect(dirs.length).toBeGreaterThan(0);
    for (const d of dirs) {
      const text = fs.readFileSync(path.join(root, "services", d.name, "service.yaml"), "utf8");
      expect(text.split("\n")[0], d.name).toBe("# yaml-language-server: $schema=../service.schema.json");
    }
  });

  it("describes per-stack overrides and rejects unknown keys", () => {
    const schema = JSON.parse(renderServiceJsonSchema());
    const variants = schema.oneOf as Array<{ properties: Record<string, { const?: string; additionalProperties?: unknown }>; additionalProperties: boolean }>;
    expect(variants.map((v) => v.properties.kind!.const)).toEqual(["service", "job", "gke"]);
    for (const v of variants) {
      expect(v.additionalProperties).toBe(false);
      expect(v.properties.environments!.additionalProperties).toEqual({ $ref: "#/$defs/override" });
    }
    expect(schema.$defs.override.properties).toHaveProperty("minInstances");
    expect(schema.$defs.override.properties).not.toHaveProperty("kind");
  });
});
