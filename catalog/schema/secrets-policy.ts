import { z } from "zod";

/**
 * `gantry:secrets` and `gantry:allowedSecretProjects`: which Secret Manager secrets a service may reference
 * (catalog/rules/secret-ownership.ts). Kept apart from platform.ts so the policy reads as one block.
 */

const PROJECT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
const SECRET_PATH = /^projects\/[a-z][-a-z0-9]{4,28}[a-z0-9]\/secrets\/[A-Za-z0-9_-]{1,255}$/;
const SERVICE_NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

export const secretsPolicy = z
  .strictObject({
    shared: z
      .record(
        z.string().refine((k) => SECRET_ID.test(k) || SECRET_PATH.test(k), "a shared secret is a secret id of this stack's project, or projects/<project>/secrets/<id>"),
        z.array(z.string().regex(SERVICE_NAME, "must be a service name (the name in its service.yaml)")).min(1, "name at least one service the secret is shared with"),
      )
      .default({})
      .meta({ description: "Secrets shared with named services, beyond the ones each service owns: {<secret id or projects/<p>/secrets/<id>>: [<service>, ...]}." }),
  })
  .prefault({})
  .meta({ description: "Which secrets a service may reference. By default only ids it owns: its name, or its name followed by '-' (storefront-session-key)." });

export const allowedSecretProjects = z
  .array(z.string().regex(PROJECT_ID, "must be a GCP project id"))
  .default([])
  .meta({ description: "Projects other than the stack's own whose secrets services may reference (projects/<p>/secrets/<id>); still subject to ownership or sharing." });

export type SecretsPolicy = z.output<typeof secretsPolicy>;
