import { createHash } from "node:crypto";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { LoadedService } from "../../catalog/load";
import type { PlatformConfig } from "../../catalog/schema/platform";
import { secretLocation } from "./common";

/*
 * Who needs what, and why nothing else is granted:
 *
 * - Each service runs as its own Google service account, so one compromised service cannot read another's
 *   secrets. Its only grants are roles/secretmanager.secretAccessor on each secret it references, bound on
 *   the secret itself (never on the project).
 * - Image pulls do NOT happen as that account, so it gets no Artifact Registry role:
 *   - Cloud Run pulls with the Cloud Run service agent (service-<number>@serverless-robot-prod...), which can
 *     read Artifact Registry repositories of its own project without any grant. Gantry's repository is in
 *     platform.project, like the services; an image in another project would need a grant to that agent
 *     there, which is why the Service component refuses images outside the stack's repository.
 *   - GKE pulls with the kubelet, i.e. the node's service account; Workload Identity only changes what the
 *     pod's processes call Google APIs as. So the reader role goes to the node service account, once per
 *     stack, in kubernetes-provider.ts (repositoryReader in components/registry/shared.ts).
 * - No primitive roles (owner/editor/viewer) and no project-level bindings anywhere.
 */

export const SECRET_ACCESSOR = "roles/secretmanager.secretAccessor";

// IAM CreateServiceAccountRequest.account_id.
export const ACCOUNT_ID = /^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$/;
const MAX_ACCOUNT_ID = 30;
const HASH_CHARS = 6;

/**
 * A service account id derived from a service name (plus an optional role suffix such as "invoker").
 * Used as is when it fits 6-30 characters. Otherwise the name is cut to make room for the suffix and "-" plus
 * 6 hex characters of sha256 over the whole untruncated id: two long names sharing a prefix still get
 * different ids, short names reach the 6-character minimum, and the same name always gives the same id
 * (a changed id would replace the account and drop its grants).
 */
export function accountId(name: string, suffix?: string): string {
  const full = suffix ? `${name}-${suffix}` : name;
  if (ACCOUNT_ID.test(full)) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, HASH_CHARS);
  const tail = suffix ? `-${suffix}-${hash}` : `-${hash}`;
  const head = name
    .toLowerCase()
    .replace(/[^-a-z0-9]/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, Math.max(0, MAX_ACCOUNT_ID - tail.length))
    .replace(/-+$/, "");
  // Account ids must begin with a letter, even when the name has none to offer.
  const id = `${head || "s"}${tail}`;
  if (!ACCOUNT_ID.test(id)) throw new Error(`cannot derive a service account id from "${full}" (got "${id}")`);
  return id;
}

export interface ServiceIdentityArgs {
  service: LoadedService;
  platform: PlatformConfig;
  stack: string;
}

/** The runtime identity of one service: its own service account and access to its own secrets. */
export interface ServiceIdentity {
  account: gcp.serviceaccount.Account;
  email: pulumi.Output<string>;
  /** "serviceAccount:<email>", the IAM member form. */
  member: pulumi.Output<string>;
  secretAccess: gcp.secretmanager.SecretIamMember[];
}

/**
 * Creates the identity as children of `opts.parent` (the Service). Not a component of its own: an account and a
 * few bindings read plainly under the service, and a component per service would cost every preview of a
 * 500-service fleet 500 more registrations.
 */
export function createServiceIdentity(name: string, args: ServiceIdentityArgs, opts?: pulumi.CustomResourceOptions): ServiceIdentity {
  const { service, platform, stack } = args;
  const spec = service.spec;

  const account = new gcp.serviceaccount.Account(
    name,
    {
      project: platform.project,
      accountId: accountId(spec.name),
      displayName: `${spec.name} (Gantry ${stack})`,
      description: `Runtime identity of the ${spec.kind} ${spec.name}, managed by Gantry (${service.file}).`,
    },
    opts,
  );
  const member = pulumi.interpolate`serviceAccount:${account.email}`;

  // Two env vars may read the same secret; one binding per secret is enough.
  const secrets = new Map<string, { project: string; secretId: string }>();
  for (const ref of Object.values(spec.secrets ?? {})) {
    const loc = secretLocation(ref, platform);
    secrets.set(`projects/${loc.project}/secrets/${loc.secretId}`, loc);
  }
  const secretAccess = [...secrets.values()].map(
    (loc) =>
      new gcp.secretmanager.SecretIamMember(
        loc.project === platform.project ? `${name}-${loc.secretId}` : `${name}-${loc.project}-${loc.secretId}`,
        { project: loc.project, secretId: loc.secretId, role: SECRET_ACCESSOR, member },
        opts,
      ),
  );
  return { account, email: account.email, member, secretAccess };
}
