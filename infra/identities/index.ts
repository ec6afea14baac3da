import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { IdentitiesConfig } from "../../catalog/schema/identities";
import {
  BUCKET_LIST_ROLE,
  DEPLOY_ROLES,
  KMS_USER_ROLE, KMS_DECRYPT_ROLE,
  OBJECT_READ_ROLE,
  OBJECT_WRITE_ROLE,
  REPOSITORY_IAM_PERMISSIONS,
  REPOSITORY_IAM_ROLE_ID,
  SECRET_IAM_PERMISSIONS,
  SECRET_IAM_ROLE_ID,
  STAGING_EXTRA_ROLES,
  STATE_KEY_RING,
  WORKLOAD_IDENTITY_USER,
} from "./roles";
import { metaObjectCondition, stateObjectCondition, type StackSelector } from "./state-access";

/*
 * The pipeline's identities by trust level, as code (docs/jenkins.md, "Threat model"):
 *
 * - preview (gantry-preview, in the preview project): everything a pull request runs (tests, validate, plan,
 *   preview up and destroy). Deploy roles in the preview project only, and state objects of pr-* stacks only;
 *   it reads (never writes) the state of the stack previews are made from, which a pull request's plan diffs against.
 * - staging (gantry-staging, in the staging project): `pulumi up --stack staging` on main.
 * - prod (gantry-prod, in the prod project): `pulumi up --stack prod` after approval; reads staging's state (its
 *   StackReference) and may grant pulls on staging's repository.
 *
 * None of them can change these bindings: they are the project identities/ (stack `pipeline`), applied by a
 * project owner from a workstation, whose state no pipeline identity can write.
 *
 * Each Google account is usable only from one Kubernetes service account (Workload Identity) in the agents'
 * cluster: the preview one in the pull-request namespace, the deployers in the trusted one.
 */

export type TrustLevel = "preview" | "staging" | "prod";

export const IDENTITY: Record<TrustLevel, { accountId: string; stacks: StackSelector; namespace: "trusted" | "untrusted" }> = {
  preview: { accountId: "gantry-preview", stacks: { prefix: "pr-" }, namespace: "untrusted" },
  staging: { accountId: "gantry-staging", stacks: { exact: "staging" }, namespace: "trusted" },
  prod: { accountId: "gantry-prod", stacks: { exact: "prod" }, namespace: "trusted" },
};

const LEVELS = Object.keys(IDENTITY) as TrustLevel[];

export interface PipelineIdentitiesArgs {
  identities: IdentitiesConfig;
}

export class PipelineIdentities extends pulumi.ComponentResource {
  readonly accounts = {} as Record<TrustLevel, gcp.serviceaccount.Account>;
  readonly emails = {} as Record<TrustLevel, pulumi.Output<string>>;

  constructor(name: string, args: PipelineIdentitiesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gantry:identities:PipelineIdentities", name, {}, opts);
    const cfg = args.identities;
    const parent = { parent: this };
    const projectOf = (level: TrustLevel) => cfg[level];
    const member = (level: TrustLevel) => pulumi.interpolate`serviceAccount:${this.accounts[level].email}`;

    for (const level of LEVELS) {
      const { accountId, namespace } = IDENTITY[level];
      this.accounts[level] = new gcp.serviceaccount.Account(
        `${name}-${level}`,
        {
          project: projectOf(level),
          accountId,
          displayName: `Gantry pipeline: ${level}`,
          description: `Runs the Jenkins work of trust level "${level}" (Gantry, infra/identities). Usable only from ${cfg.namespaces[namespace]}/${accountId} in the agents' cluster.`,
        },
        parent,
      );
      this.emails[level] = this.accounts[level].email;
      new gcp.serviceaccount.IAMMember(
        `${name}-${level}-workload-identity`,
        { serviceAccountId: this.accounts[level].name, role: WORKLOAD_IDENTITY_USER, member: `serviceAccount:${cfg.agentsProject}.svc.id.goog[${cfg.namespaces[namespace]}/${accountId}]` },
        parent,
      );
    }

    // One custom role per project: grant a secret to a service's account, never read one.
    const secretRoles = new Map<string, gcp.projects.IAMCustomRole>();
    for (const project of new Set(LEVELS.map(projectOf))) {
      secretRoles.set(
        project,
        new gcp.projects.IAMCustomRole(
          `${name}-secret-iam-${project}`,
          { project, roleId: SECRET_IAM_ROLE_ID, title: "Gantry: grant secret access", description: "Set IAM on Secret Manager secrets, without access to their values (Gantry deployers).", permissions: [...SECRET_IAM_PERMISSIONS], stage: "GA" },
          parent,
        ),
      );
    }

    for (const level of LEVELS) {
      const project = projectOf(level);
      const roles = [...DEPLOY_ROLES, ...(level === "staging" ? STAGING_EXTRA_ROLES : [])];
      for (const role of roles) new gcp.projects.IAMMember(`${name}-${level}-${role.replace("roles/", "")}`, { project, role, member: member(level) }, parent);
      new gcp.projects.IAMMember(`${name}-${level}-secret-iam`, { project, role: secretRoles.get(project)!.name, member: member(level) }, parent);

      // State: list stack names, read the layout version, write its own stacks' objects and nothing else.
      const bucket = cfg.stateBucket;
      new gcp.storage.BucketIAMMember(`${name}-${level}-state-list`, { bucket, role: BUCKET_LIST_ROLE, member: member(level) }, parent);
      new gcp.storage.BucketIAMMember(
        `${name}-${level}-state-meta`,
        { bucket, role: OBJECT_READ_ROLE, member: member(level), condition: { title: "backend layout version", expression: metaObjectCondition(cfg) } },
        parent,
      );
      new gcp.storage.BucketIAMMember(
        `${name}-${level}-state-write`,
        { bucket, role: OBJECT_WRITE_ROLE, member: member(level), condition: { title: `state of ${describe(IDENTITY[level].stacks)}`, expression: stateObjectCondition(cfg, IDENTITY[level].stacks) } },
        parent,
      );
    }

    // The deploying stacks' secrets provider (gcpkms://): a key each, in its project, usable by its deployer only.
    // Key rings and keys cannot be deleted in Cloud KMS, and state encrypted with a key needs it forever: protected.
    const stateKeys = {} as Record<"staging" | "prod", gcp.kms.CryptoKey>;
    for (const level of ["staging", "prod"] as const) {
      const ring = new gcp.kms.KeyRing(`${name}-${level}-state-keys`, { project: projectOf(level), location: cfg.region, name: STATE_KEY_RING }, { parent: this, protect: true });
      const key = new gcp.kms.CryptoKey(`${name}-${level}-state-key`, { keyRing: ring.id, name: level, purpose: "ENCRYPT_DECRYPT" }, { parent: this, protect: true });
      new gcp.kms.CryptoKeyIAMMember(`${name}-${level}-state-key-user`, { cryptoKeyId: key.id, role: KMS_USER_ROLE, member: member(level) }, parent);
      stateKeys[level] = key;
    }
    // prod promotes staging's digests through a StackReference, and the engine opens a referenced stack's secrets
    // manager to read its outputs, which with gcpkms:// decrypts that stack's data key (pkg/secrets/cloud, eagerly):
    // prod may decrypt with staging's key, never encrypt. Staging gets nothing of prod's.
    new gcp.kms.CryptoKeyIAMMember(`${name}-prod-reads-staging-state-key`, { cryptoKeyId: stateKeys.staging.id, role: KMS_DECRYPT_ROLE, member: member("prod") }, parent);

    // A pull request's plan is a diff against the preview base's last deployment (`pulumi stack export`): read
    // only. Dev is already the preview's blast radius; its secrets stay encrypted in the export.
    new gcp.storage.BucketIAMMember(
      `${name}-preview-state-read-base`,
      { bucket: cfg.stateBucket, role: OBJECT_READ_ROLE, member: member("preview"), condition: { title: `state of ${cfg.previewBase} (pull request plans)`, expression: stateObjectCondition(cfg, { exact: cfg.previewBase }) } },
      parent,
    );

    // prod promotes from staging: it reads staging's outputs and lets its own runtimes pull staging's images.
    new gcp.storage.BucketIAMMember(
      `${name}-prod-state-read-staging`,
      { bucket: cfg.stateBucket, role: OBJECT_READ_ROLE, member: member("prod"), condition: { title: "state of staging (promotion)", expression: stateObjectCondition(cfg, IDENTITY.staging.stacks) } },
      parent,
    );
    const repositoryIam = new gcp.projects.IAMCustomRole(
      `${name}-repository-iam-${cfg.staging}`,
      { project: cfg.staging, roleId: REPOSITORY_IAM_ROLE_ID, title: "Gantry: grant pulls on a repository", description: "Set IAM on an Artifact Registry repository, without uploading or deleting anything in it (Gantry's prod deployer, on staging's repository).", permissions: [...REPOSITORY_IAM_PERMISSIONS], stage: "GA" },
      parent,
    );
    new gcp.artifactregistry.RepositoryIamMember(
      `${name}-prod-staging-repository`,
      { project: cfg.staging, location: cfg.region, repository: cfg.stagingRepository, role: repositoryIam.name, member: member("prod") },
      parent,
    );

    this.registerOutputs({ emails: this.emails });
  }
}

function describe(stacks: StackSelector): string {
  return "prefix" in stacks ? `stacks ${stacks.prefix}*` : `stack ${stacks.exact}`;
}
