import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { formatProblem } from "../../catalog/problems";
import type { IdentitiesConfig } from "../../catalog/schema/identities";
import { PipelineIdentities } from "../../infra/identities";
import { loadIdentities } from "../../infra/identities/config";
import { byType, installMocks, PROJECT_DIR, settle, type Captured } from "../service/harness";
import { ACCOUNT, READER, WI } from "../support/resource-types";

/*
 * Issue 16, attack 1: pull-request code ran as the deployer of staging and prod. The identities project
 * (identities/Pulumi.pipeline.yaml, as committed) under Pulumi's mock runtime: every binding it declares, read
 * back and judged from what it grants, with the IAM conditions evaluated on real state object names.
 */

const PROJECT_IAM = "gcp:projects/iAMMember:IAMMember";
const BUCKET_IAM = "gcp:storage/bucketIAMMember:BucketIAMMember";
const CUSTOM_ROLE = "gcp:projects/iAMCustomRole:IAMCustomRole";
const PRIMITIVE = ["roles/owner", "roles/editor", "roles/viewer"];

let captured: Captured[];
let config: IdentitiesConfig;
const member = (account: string, project: string) => `serviceAccount:${account}@${project}.iam.gserviceaccount.com`;
let preview: string;
let staging: string;
let prod: string;

beforeAll(async () => {
  captured = await installMocks("pipeline");
  const loaded = loadIdentities(path.join(PROJECT_DIR, "identities", "Pulumi.pipeline.yaml"));
  if (!loaded.config) throw new Error(loaded.problems.map(formatProblem).join("\n"));
  config = loaded.config;
  new PipelineIdentities("pipeline", { identities: config });
  await settle();
  preview = member("gantry-preview", "acme-gantry-dev");
  staging = member("gantry-staging", "acme-gantry-staging");
  prod = member("gantry-prod", "acme-gantry-prod");
});

const bindingsOf = (who: string) =>
  [PROJECT_IAM, BUCKET_IAM, WI, READER].flatMap((t) => byType(captured, t)).filter((c) => c.inputs.member === who);

/**
 * The CEL that state-access.ts writes, and only that: `resource.name.startsWith("…")` and `resource.name == "…"`
 * joined by `||`. Anything else throws, so a condition this reader does not understand fails the test.
 */
function allows(expression: string | undefined, resourceName: string): boolean {
  if (expression === undefined) return true;
  return expression.split(" || ").some((term) => {
    const starts = /^resource\.name\.startsWith\(("(?:[^"\\]|\\.)*")\)$/.exec(term);
    if (starts) return resourceName.startsWith(JSON.parse(starts[1]!) as string);
    const equals = /^resource\.name == ("(?:[^"\\]|\\.)*")$/.exec(term);
    if (equals) return resourceName === JSON.parse(equals[1]!);
    throw new Error(`condition term not understood: ${term}`);
  });
}

const object = (name: string) => `projects/_/buckets/acme-gantry-pulumi-state/objects/${name}`;
/** Whether `who` may write (objectAdmin) the state object `name`. */
const canWrite = (who: string, name: string) =>
  byType(captured, BUCKET_IAM).some((b) => b.inputs.member === who && ["roles/storage.objectAdmin", "roles/storage.admin"].includes(b.inputs.role) && allows(b.inputs.condition?.expression, object(name)));
/** Whether `who` may read the state object `name`. */
const canRead = (who: string, name: string) =>
  canWrite(who, name) || byType(captured, BUCKET_IAM).some((b) => b.inputs.member === who && b.inputs.role === "roles/storage.objectViewer" && allows(b.inputs.condition?.expression, object(name)));

const STAGING_STATE = [".pulumi/stacks/gantry/staging.json", ".pulumi/history/gantry/staging/staging-1700000000.history.json", ".pulumi/backups/gantry/staging/staging.1700000000.json", ".pulumi/locks/gantry/staging/a1b2.json"];
const PROD_STATE = [".pulumi/stacks/gantry/prod.json", ".pulumi/history/gantry/prod/prod-1700000000.history.json", ".pulumi/locks/gantry/prod/c3d4.json"];
const IDENTITIES_STATE = [".pulumi/stacks/gantry-identities/pipeline.json"];

describe("the pull-request identity", () => {
  it("holds roles in the preview project only, none of them primitive", () => {
    const projects = bindingsOf(preview).filter((b) => b.type === PROJECT_IAM);
    expect(projects.length).toBeGreaterThan(0);
    expect(new Set(projects.map((b) => b.inputs.project))).toEqual(new Set(["acme-gantry-dev"]));
    for (const b of bindingsOf(preview)) expect(PRIMITIVE).not.toContain(b.inputs.role);
    expect(bindingsOf(preview).filter((b) => b.type === READER)).toEqual([]);
  });

  it("writes the state of pr-* stacks and cannot read or write staging's, prod's or the identities' own", () => {
    expect(canWrite(preview, ".pulumi/stacks/gantry/pr-42.json")).toBe(true);
    expect(canWrite(preview, ".pulumi/history/gantry/pr-42/pr-42-1700000000.history.json")).toBe(true);
    for (const name of [...STAGING_STATE, ...PROD_STATE, ...IDENTITIES_STATE, ".pulumi/meta.yaml"]) expect(canWrite(preview, name), name).toBe(false);
    for (const name of [...STAGING_STATE, ...PROD_STATE, ...IDENTITIES_STATE]) expect(canRead(preview, name), name).toBe(false);
    expect(canRead(preview, ".pulumi/meta.yaml")).toBe(true);
  });

  it("reads, never writes, the state of the stack the pull request's plan diffs against, as the Jenkinsfile exports it", () => {
    const jenkinsfile = fs.readFileSync(path.join(PROJECT_DIR, "Jenkinsfile"), "utf8");
    const planned = /pulumi stack export --stack (\S+) --file \.gantry\/last-\S+\.json/.exec(jenkinsfile.slice(jenkinsfile.indexOf("stage('Plan')")))?.[1];
    expect(planned).toBe(config.previewBase);
    for (const name of [".pulumi/stacks/gantry/dev.json", ".pulumi/stacks/gantry/dev.json.gz"]) expect([canRead(preview, name), canWrite(preview, name)], name).toEqual([true, false]);
    expect(canRead(preview, ".pulumi/stacks/gantry/dev-2.json")).toBe(false);
  });

  it("is usable only from the pull-request agents' Kubernetes service account", () => {
    const wi = byType(captured, WI).filter((b) => b.name === "pipeline-preview-workload-identity");
    expect(wi.map((b) => [b.inputs.serviceAccountId, b.inputs.role, b.inputs.member])).toEqual([
      ["projects/acme-gantry-dev/serviceAccounts/gantry-preview@acme-gantry-dev.iam.gserviceaccount.com", "roles/iam.workloadIdentityUser", "serviceAccount:acme-gantry-ci.svc.id.goog[jenkins-pr/gantry-preview]"],
    ]);
  });
});

describe("the staging and prod deployers", () => {
  it("hold roles in their own project; staging nothing in prod's", () => {
    expect(new Set(bindingsOf(staging).filter((b) => b.type === PROJECT_IAM).map((b) => b.inputs.project))).toEqual(new Set(["acme-gantry-staging"]));
    expect(new Set(bindingsOf(prod).filter((b) => b.type === PROJECT_IAM).map((b) => b.inputs.project))).toEqual(new Set(["acme-gantry-prod"]));
    for (const who of [staging, prod]) for (const b of bindingsOf(who)) expect(PRIMITIVE).not.toContain(b.inputs.role);
  });

  it("write their own stack's state only; prod reads staging's for promotion", () => {
    for (const name of STAGING_STATE) expect([canWrite(staging, name), canWrite(prod, name), canRead(prod, name)], name).toEqual([true, false, true]);
    for (const name of PROD_STATE) expect([canWrite(prod, name), canRead(staging, name)], name).toEqual([true, false]);
    expect(canWrite(staging, ".pulumi/stacks/gantry/staging-2.json")).toBe(false);
    for (const who of [staging, prod]) for (const name of IDENTITIES_STATE) expect(canRead(who, name)).toBe(false);
  });

  it("let prod grant pulls on staging's repository and nothing else there: no upload, no delete", () => {
    const grants = bindingsOf(prod).filter((b) => b.type === READER).map((b) => b.inputs);
    expect(grants).toEqual([{ project: "acme-gantry-staging", location: "europe-west1", repository: "services", role: expect.any(String), member: prod }]);
    // A predefined role would be repoAdmin (uploads and deletes, sets no IAM) or admin (everything): a role of its own.
    const role = byType(captured, CUSTOM_ROLE).find((r) => `projects/${r.inputs.project}/roles/${r.inputs.roleId}` === grants[0]!.role);
    expect(role?.inputs.project).toBe("acme-gantry-staging");
    expect(role?.inputs.permissions).toEqual(["artifactregistry.repositories.get", "artifactregistry.repositories.getIamPolicy", "artifactregistry.repositories.setIamPolicy"]);
  });

  it("each encrypt their own stack's config secrets with a Cloud KMS key of their own; prod may only decrypt staging's (its StackReference opens staging's secrets manager); no other use", () => {
    const rings = byType(captured, "gcp:kms/keyRing:KeyRing");
    const keys = byType(captured, "gcp:kms/cryptoKey:CryptoKey");
    const users = byType(captured, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
    const projectOfKey = (keyId: string) => rings.find((r) => keys.some((k) => k.inputs.keyRing === `${r.name}_id` && `${k.name}_id` === keyId))?.inputs.project;
    expect(users.map((u) => [u.inputs.member, projectOfKey(u.inputs.cryptoKeyId), u.inputs.role]).sort()).toEqual(
      [
        [prod, "acme-gantry-prod", "roles/cloudkms.cryptoKeyEncrypterDecrypter"],
        [prod, "acme-gantry-staging", "roles/cloudkms.cryptoKeyDecrypter"],
        [staging, "acme-gantry-staging", "roles/cloudkms.cryptoKeyEncrypterDecrypter"],
      ].sort(),
    );
    expect(users.filter((u) => u.inputs.member === preview)).toEqual([]);
    expect(new Set(keys.map((k) => k.inputs.name))).toEqual(new Set(["staging", "prod"]));
  });

  it("are usable only from the trusted agents' namespace", () => {
    expect(byType(captured, WI).map((b) => b.inputs.member).sort()).toEqual([
      "serviceAccount:acme-gantry-ci.svc.id.goog[jenkins-pr/gantry-preview]",
      "serviceAccount:acme-gantry-ci.svc.id.goog[jenkins/gantry-prod]",
      "serviceAccount:acme-gantry-ci.svc.id.goog[jenkins/gantry-staging]",
    ]);
  });
});

describe("what every identity holds", () => {
  it("grants secrets through a role that cannot read a secret's value", () => {
    const roles = byType(captured, CUSTOM_ROLE).filter((r) => r.inputs.roleId === "gantrySecretIamAdmin");
    expect(roles.map((r) => r.inputs.project).sort()).toEqual(["acme-gantry-dev", "acme-gantry-prod", "acme-gantry-staging"]);
    for (const r of roles) expect(r.inputs.permissions).toEqual(["secretmanager.secrets.get", "secretmanager.secrets.getIamPolicy", "secretmanager.secrets.setIamPolicy"]);
  });

  it("creates one account per trust level, each in its project", () => {
    expect(byType(captured, ACCOUNT).map((a) => `${a.inputs.accountId}@${a.inputs.project}`).sort()).toEqual(["gantry-preview@acme-gantry-dev", "gantry-prod@acme-gantry-prod", "gantry-staging@acme-gantry-staging"]);
  });
});

describe("the identities config", () => {
  it("is refused with every problem at its line", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-identities-"));
    const file = path.join(dir, "Pulumi.pipeline.yaml");
    fs.writeFileSync(file, "config:\n  gantry:identities:\n    stateBucket: Bad_Bucket!\n    preview: acme-gantry-dev\n    staging: acme-gantry-staging\n    prod: acme-gantry-prod\n    region: europe-west1\n    agentsProject: acme-gantry-ci\n    namespaces: {trusted: ci, untrusted: ci}\n");
    const loaded = loadIdentities(file, dir);
    expect(loaded.config).toBeUndefined();
    expect(loaded.problems.map(formatProblem)).toEqual([
      expect.stringMatching(/^Pulumi\.pipeline\.yaml:3:18 gantry:identities\.stateBucket: must be a Cloud Storage bucket name/),
      expect.stringMatching(/^Pulumi\.pipeline\.yaml:9:42 gantry:identities\.namespaces\.untrusted: the pull-request agents need a namespace of their own/),
    ]);
  });
});
