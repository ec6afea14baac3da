import { z } from "zod";
import { cloudRunJob, cloudRunService, gkeWorkload, serviceFile } from "./schema/service";

/**
 * The JSON Schema editors use for completion in service.yaml (yaml-language-server modeline).
 * Generated from the zod schema, never edited by hand; a test fails when the committed copy is stale.
 */
export function serviceJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(serviceFile, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;
  // Overrides may set any field a service of any kind has, except the ones fixed across stacks.
  const overrideShape = { ...cloudRunService.shape, ...cloudRunJob.shape, ...gkeWorkload.shape } as Record<string, z.ZodType>;
  for (const fixed of ["name", "kind", "environments"]) delete overrideShape[fixed];
  const override = z.toJSONSchema(z.strictObject(overrideShape).partial(), { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;
  delete override.$schema;
  const defs = { ...((schema.$defs as Record<string, unknown>) ?? {}), override };
  for (const variant of (schema.oneOf ?? schema.anyOf) as Array<{ properties?: Record<string, unknown> }>) {
    if (variant.properties?.environments) {
      variant.properties.environments = {
        type: "object",
        description: "Per-stack overrides merged over this file before validation.",
        additionalProperties: { $ref: "#/$defs/override" },
      };
    }
  }
  return {
    $schema: schema.$schema,
    $id: "https://gantry.dev/schemas/service.schema.json",
    title: "Gantry service",
    description: "One service, job or GKE workload: services/<name>/service.yaml.",
    ...schema,
    $defs: defs,
  };
}

export function renderServiceJsonSchema(): string {
  return `${JSON.stringify(serviceJsonSchema(), null, 2)}\n`;
}
