import { z } from "zod";
import { CLOUD_RUN_NAME, DNS1035_LABEL } from "./rules/names";
import { MAX_VARS, SECRET_ID_SOURCE, SECRET_VERSION_SOURCE } from "./rules/env";
import { ENV_NAME } from "./schema/fields";
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
  // `null` in an override removes the field in that stack (catalog/merge.ts), e.g. `schedule: null` in dev.
  const overrideProps = override.properties as Record<string, unknown>;
  limitVariables(overrideProps);
  for (const [key, prop] of Object.entries(overrideProps)) overrideProps[key] = { anyOf: [prop, { type: "null" }] };
  for (const variant of (schema.oneOf ?? schema.anyOf) as Array<{ properties?: Record<string, Record<string, unknown>> }>) {
    const kind = variant.properties?.kind?.const;
    if (variant.properties) limitVariables(variant.properties);
    if (variant.properties?.name && typeof kind === "string") variant.properties.name.pattern = NAME_PATTERN[kind];
    if (variant.properties?.environments) {
      variant.properties.environments = {
        type: "object",
        description: "Per-stack overrides merged over this file before validation.",
        additionalProperties: { $ref: "#/$defs/override" },
      };
    }
  }
  addStructuralRules(schema);
  addStructuralRules(override);
  return {
    $schema: schema.$schema,
    $id: "https://gantry.dev/schemas/service.schema.json",
    title: "Gantry service",
    description: "One service, job or GKE workload: services/<name>/service.yaml.",
    ...schema,
    $defs: defs,
  };
}

// The name rules of catalog/rules/names.ts, which the zod schema leaves to a rule for the kind-specific message.
const NAME_PATTERN: Record<string, string> = { service: CLOUD_RUN_NAME.source, job: CLOUD_RUN_NAME.source, gke: DNS1035_LABEL.source };
const ENV_MAPS = new Set(["env", "secrets", "args"]);
// A reference's id alone (the long form's `secret`), and the short form: the id, then ":<version>" if pinned.
const SECRET_ID_PATTERN = `^${SECRET_ID_SOURCE}$`;
const SECRET_REF_PATTERN = `^${SECRET_ID_SOURCE}(?::${SECRET_VERSION_SOURCE})?$`;

/** A container's variable count (env and secrets together, which JSON Schema cannot add up) bounds each map. */
function limitVariables(props: Record<string, unknown>): void {
  for (const key of ["env", "secrets"]) {
    const map = props[key] as Record<string, unknown> | undefined;
    if (map) map.maxProperties = MAX_VARS;
  }
}

/** The secret id rule of catalog/rules/env.ts on both forms of a reference. */
function addSecretIdPatterns(secrets: Record<string, unknown>): void {
  const forms = ((secrets.additionalProperties as { anyOf?: Record<string, unknown>[] } | undefined)?.anyOf ?? []) as Record<string, unknown>[];
  for (const form of forms) {
    if (form.type === "string") form.pattern = SECRET_REF_PATTERN;
    const secret = (form.properties as Record<string, Record<string, unknown>> | undefined)?.secret;
    if (secret) secret.pattern = SECRET_ID_PATTERN;
  }
}

/**
 * What the rules refuse that JSON Schema can say too, so an editor flags it where the CLI would: variable names
 * (env, secrets, build env and args), secret ids and build's include-or-exclude.
 */
function addStructuralRules(node: unknown, key = ""): void {
  if (Array.isArray(node)) return node.forEach((n) => addStructuralRules(n, key));
  if (node === null || typeof node !== "object") return;
  const obj = node as Record<string, unknown>;
  const props = obj.properties as Record<string, Record<string, unknown>> | undefined;
  if (props?.include && props.exclude && props.dockerfile) obj.not = { properties: { include: {}, exclude: {} }, required: ["include", "exclude"] };
  if (ENV_MAPS.has(key) && obj.type === "object" && obj.additionalProperties) obj.propertyNames = { pattern: ENV_NAME.source };
  if (key === "secrets" && obj.type === "object") addSecretIdPatterns(obj);
  for (const [k, v] of Object.entries(obj)) {
    if (k === "properties" && v && typeof v === "object") for (const [name, sub] of Object.entries(v)) addStructuralRules(sub, name);
    else if (k === "anyOf" || k === "oneOf") addStructuralRules(v, key);
    else if (k !== "propertyNames") addStructuralRules(v, "");
  }
}

export function renderServiceJsonSchema(): string {
  return `${JSON.stringify(serviceJsonSchema(), null, 2)}\n`;
}
