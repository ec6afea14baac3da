import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { makePlan, type Plan } from "../../plan/run";
import { renderMarkdown, renderText } from "../../plan/render";
import { PROJECT_DIR } from "../service/harness";
import { backendWith, deploy, projectCopy } from "./fixtures";

/*
 * `gantry plan`: the real program for a stack under Pulumi's mock runtime, in this process, with no
 * credentials and no Pulumi CLI.
 */

const emptyBackend = () => fs.mkdtempSync(path.join(os.tmpdir(), "gantry-empty-backend-"));

async function plan(stack: string, opts: { projectDir?: string; backend?: string; outputsFile?: string; servicesDir?: string } = {}): Promise<{ plan: Plan; text: string; markdown: string }> {
  const projectDir = opts.projectDir ?? PROJECT_DIR;
  const backend = opts.backend ?? emptyBackend();
  const p = await makePlan({ stack, projectDir, cwd: projectDir, servicesDir: opts.servicesDir, outputsFile: opts.outputsFile, env: { PULUMI_BACKEND_URL: `file://${backend}` } });
  const clean = (s: string) => s.split(backend).join("<backend>");
  return { plan: p, text: clean(renderText(p)), markdown: clean(renderMarkdown(p)) };
}

const STAGING = "europe-west1-docker.pkg.dev/acme-gantry-staging/services";
const digest = (c: string) => `sha256:${c.repeat(64)}`;
/** Staging as recorded in a file backend, with digests fixed so the plan can be pinned. */
const stagingCheckpoint = (names = ["catalog-api", "nightly-report", "storefront"]) => ({
  version: 3,
  checkpoint: {
    stack: "organization/gantry/staging",
    latest: {
      manifest: { time: "2026-01-01T00:00:00Z", magic: "", version: "v3.248.0" },
      resources: [
        {
          urn: "urn:pulumi:staging::gantry::pulumi:pulumi:Stack::gantry-staging",
          custom: false,
          type: "pulumi:pulumi:Stack",
          outputs: { services: Object.fromEntries(names.map((n, i) => [n, { kind: "service", image: `${STAGING}/${n}@${digest("abc"[i]!)}`, digest: digest("abc"[i]!), fingerprint: `sha256:${"f".repeat(64)}` }])) },
        },
      ],
    },
  },
});

describe("plan for dev on a fresh clone", () => {
  it("builds every image for the first time and lists every resource with its key inputs", async () => {
    const { plan: p, text } = await plan("dev");
    expect(p.ok).toBe(true);
    expect(p.summary).toEqual({ builds: 3, rebases: 0, unchanged: 0, promoted: 0 });
    expect(text).toMatchInlineSnapshot(`
      "Plan for stack dev (project acme-gantry-dev, europe-west1)
        Last deployment: none on record (file://<backend> has no deployment of gantry/dev)

      Images
        SERVICE         KIND     IMAGE  WHY
        catalog-api     gke      build  first build: no previous deployment on record
        nightly-report  job      build  first build: no previous deployment on record
        storefront      service  build  first build: no previous deployment on record

      3 builds, 0 rebases, 0 unchanged

      Resources (21, plus 4 components)
        TYPE                                                          NAME                               KEY INPUTS
        gcp:artifactregistry/repository:Repository                    registry                           project=acme-gantry-dev location=europe-west1 repositoryId=services immutableTags=false
        gcp:cloudrunv2/job:Job                                        nightly-report                     name=nightly-report project=acme-gantry-dev location=europe-west1 image=(known after deploy) taskCount=1 parallelism=1 deletionProtection=false
        gcp:cloudrunv2/service:Service                                storefront                         name=storefront project=acme-gantry-dev location=europe-west1 image=(known after deploy) limits.cpu=1 limits.memory=512Mi minInstanceCount=0 maxInstanceCount=5 ingress=INGRESS_TRAFFIC_ALL deletionProtection=false
        gcp:cloudrunv2/serviceIamMember:ServiceIamMember              storefront-public                  name=storefront role=roles/run.invoker member=allUsers
        gcp:secretmanager/secretIamMember:SecretIamMember             catalog-api-catalog-database-url   project=acme-gantry-dev secretId=catalog-database-url role=roles/secretmanager.secretAccessor
        gcp:secretmanager/secretIamMember:SecretIamMember             nightly-report-warehouse-password  project=acme-gantry-dev secretId=warehouse-password role=roles/secretmanager.secretAccessor
        gcp:secretmanager/secretIamMember:SecretIamMember             storefront-storefront-session-key  project=acme-gantry-dev secretId=storefront-session-key role=roles/secretmanager.secretAccessor
        gcp:serviceaccount/account:Account                            catalog-api                        project=acme-gantry-dev accountId=catalog-api
        gcp:serviceaccount/account:Account                            nightly-report                     project=acme-gantry-dev accountId=nightly-report
        gcp:serviceaccount/account:Account                            storefront                         project=acme-gantry-dev accountId=storefront
        gcp:serviceaccount/iAMMember:IAMMember                        catalog-api-workload-identity      role=roles/iam.workloadIdentityUser member=serviceAccount:acme-gantry-dev.svc.id.goog[shop/catalog-api]
        kubernetes:apps/v1:Deployment                                 catalog-api                        namespace=shop name=catalog-api image=(known after deploy)
        kubernetes:autoscaling/v2:HorizontalPodAutoscaler             catalog-api                        namespace=shop name=catalog-api minReplicas=1 maxReplicas=2
        kubernetes:core/v1:Namespace                                  namespace-shop                     name=shop
        kubernetes:core/v1:Service                                    catalog-api                        namespace=shop name=catalog-api type=ClusterIP
        kubernetes:core/v1:ServiceAccount                             catalog-api                        namespace=shop name=catalog-api
        kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass  catalog-api                        namespace=shop name=catalog-api-secrets
        pulumi-nodejs:dynamic/gantry:PackImage                        catalog-api                        repository=europe-west1-docker.pkg.dev/acme-gantry-dev/services/catalog-api runImage=gcr.io/buildpacks/google-22/run@sha256:a8ccb6641b4d
        pulumi-nodejs:dynamic/gantry:PackImage                        nightly-report                     repository=europe-west1-docker.pkg.dev/acme-gantry-dev/services/nightly-report runImage=gcr.io/buildpacks/google-22/run@sha256:a8ccb6641b4d
        pulumi-nodejs:dynamic/gantry:PackImage                        storefront                         repository=europe-west1-docker.pkg.dev/acme-gantry-dev/services/storefront runImage=gcr.io/buildpacks/google-22/run@sha256:a8ccb6641b4d
        pulumi:providers:kubernetes                                   gke

      Preflight: no findings

      Problems: none
      "
    `);
  });

  it("renders for a pull request comment", async () => {
    const { markdown } = await plan("dev");
    expect(markdown).toMatchInlineSnapshot(`
      "### Gantry plan for \`dev\` (acme-gantry-dev, europe-west1)

      **3 builds, 0 rebases, 0 unchanged**

      - Last deployment: none on record (file://<backend> has no deployment of gantry/dev)

      | Service | Kind | Image | Why |
      |---|---|---|---|
      | catalog-api | gke | **build** | first build: no previous deployment on record |
      | nightly-report | job | **build** | first build: no previous deployment on record |
      | storefront | service | **build** | first build: no previous deployment on record |

      <details><summary>21 resources</summary>

      | Type | Name | Key inputs |
      |---|---|---|
      | \`gcp:artifactregistry/repository:Repository\` | registry | project=acme-gantry-dev location=europe-west1 repositoryId=services immutableTags=false |
      | \`gcp:cloudrunv2/job:Job\` | nightly-report | name=nightly-report project=acme-gantry-dev location=europe-west1 image=(known after deploy) taskCount=1 parallelism=1 deletionProtection=false |
      | \`gcp:cloudrunv2/service:Service\` | storefront | name=storefront project=acme-gantry-dev location=europe-west1 image=(known after deploy) limits.cpu=1 limits.memory=512Mi minInstanceCount=0 maxInstanceCount=5 ingress=INGRESS_TRAFFIC_ALL deletionProtection=false |
      | \`gcp:cloudrunv2/serviceIamMember:ServiceIamMember\` | storefront-public | name=storefront role=roles/run.invoker member=allUsers |
      | \`gcp:secretmanager/secretIamMember:SecretIamMember\` | catalog-api-catalog-database-url | project=acme-gantry-dev secretId=catalog-database-url role=roles/secretmanager.secretAccessor |
      | \`gcp:secretmanager/secretIamMember:SecretIamMember\` | nightly-report-warehouse-password | project=acme-gantry-dev secretId=warehouse-password role=roles/secretmanager.secretAccessor |
      | \`gcp:secretmanager/secretIamMember:SecretIamMember\` | storefront-storefront-session-key | project=acme-gantry-dev secretId=storefront-session-key role=roles/secretmanager.secretAccessor |
      | \`gcp:serviceaccount/account:Account\` | catalog-api | project=acme-gantry-dev accountId=catalog-api |
      | \`gcp:serviceaccount/account:Account\` | nightly-report | project=acme-gantry-dev accountId=nightly-report |
      | \`gcp:serviceaccount/account:Account\` | storefront | project=acme-gantry-dev accountId=storefront |
      | \`gcp:serviceaccount/iAMMember:IAMMember\` | catalog-api-workload-identity | role=roles/iam.workloadIdentityUser member=serviceAccount:acme-gantry-dev.svc.id.goog[shop/catalog-api] |
      | \`kubernetes:apps/v1:Deployment\` | catalog-api | namespace=shop name=catalog-api image=(known after deploy) |
      | \`kubernetes:autoscaling/v2:HorizontalPodAutoscaler\` | catalog-api | namespace=shop name=catalog-api minReplicas=1 maxReplicas=2 |
      | \`kubernetes:core/v1:Namespace\` | namespace-shop | name=shop |
      | \`kubernetes:core/v1:Service\` | catalog-api | namespace=shop name=catalog-api type=ClusterIP |
      | \`kubernetes:core/v1:ServiceAccount\` | catalog-api | namespace=shop name=catalog-api |
      | \`kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass\` | catalog-api | namespace=shop name=catalog-api-secrets |
      | \`pulumi-nodejs:dynamic/gantry:PackImage\` | catalog-api | repository=europe-west1-docker.pkg.dev/acme-gantry-dev/services/catalog-api runImage=gcr.io/buildpacks/google-22/run@sha256:a8ccb6641b4d |
      | \`pulumi-nodejs:dynamic/gantry:PackImage\` | nightly-report | repository=europe-west1-docker.pkg.dev/acme-gantry-dev/services/nightly-report runImage=gcr.io/buildpacks/google-22/run@sha256:a8ccb6641b4d |
      | \`pulumi-nodejs:dynamic/gantry:PackImage\` | storefront | repository=europe-west1-docker.pkg.dev/acme-gantry-dev/services/storefront runImage=gcr.io/buildpacks/google-22/run@sha256:a8ccb6641b4d |
      | \`pulumi:providers:kubernetes\` | gke |  |

      </details>

      #### Preflight

      No findings.

      #### Problems

      None.
      "
    `);
  });
});

describe("plan for prod", () => {
  it("promotes staging's digests and builds nothing", async () => {
    const { plan: p, text } = await plan("prod", { backend: backendWith({ staging: stagingCheckpoint() }) });
    expect(p.ok).toBe(true);
    expect(p.summary).toEqual({ builds: 0, rebases: 0, unchanged: 0, promoted: 3 });
    expect(p.resources.filter((r) => r.type.endsWith(":PackImage"))).toEqual([]);
    expect(p.services.map((s) => [s.name, s.action, s.image])).toEqual([
      ["catalog-api", "promoted", `${STAGING}/catalog-api@${digest("a")}`],
      ["nightly-report", "promoted", `${STAGING}/nightly-report@${digest("b")}`],
      ["storefront", "promoted", `${STAGING}/storefront@${digest("c")}`],
    ]);
    // The promoted digests reach the workloads' inputs.
    const web = p.resources.find((r) => r.type === "gcp:cloudrunv2/service:Service")!;
    expect(web.inputs.image).toBe(`${STAGING}/storefront@${digest("c")}`);
    expect(text).toMatchInlineSnapshot(`
      "Plan for stack prod (project acme-gantry-prod, europe-west1)
        Promotes from organization/gantry/staging: builds nothing
        Source deployment: file://<backend> (gantry/staging)
        Last deployment: none on record (file://<backend> has no deployment of gantry/prod)

      Images
        SERVICE         KIND     IMAGE     WHY
        catalog-api     gke      promoted  promoted from organization/gantry/staging: europe-west1-docker.pkg.dev/acme-gantry-staging/services/catalog-api@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
        nightly-report  job      promoted  promoted from organization/gantry/staging: europe-west1-docker.pkg.dev/acme-gantry-staging/services/nightly-report@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
        storefront      service  promoted  promoted from organization/gantry/staging: europe-west1-docker.pkg.dev/acme-gantry-staging/services/storefront@sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc

      0 builds, 0 rebases, 0 unchanged, 3 promoted

      Resources (23, plus 3 components)
        TYPE                                                          NAME                               KEY INPUTS
        gcp:artifactregistry/repository:Repository                    registry (read)                    project=acme-gantry-staging location=europe-west1 repositoryId=services
        gcp:artifactregistry/repositoryIamMember:RepositoryIamMember  registry-cloud-run-pull            project=acme-gantry-staging repository=services role=roles/artifactregistry.reader member=(known after deploy)
        gcp:cloudrunv2/job:Job                                        nightly-report                     name=nightly-report project=acme-gantry-prod location=europe-west1 image=europe-west1-docker.pkg.dev/acme-gantry-staging/services/nightly-report@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb taskCount=4 parallelism=2 deletionProtection=true
        gcp:cloudrunv2/jobIamMember:JobIamMember                      nightly-report-invoker             name=nightly-report role=roles/run.invoker
        gcp:cloudrunv2/service:Service                                storefront                         name=storefront project=acme-gantry-prod location=europe-west1 image=europe-west1-docker.pkg.dev/acme-gantry-staging/services/storefront@sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc limits.cpu=2 limits.memory=1Gi minInstanceCount=2 maxInstanceCount=20 ingress=INGRESS_TRAFFIC_ALL deletionProtection=true
        gcp:cloudrunv2/serviceIamMember:ServiceIamMember              storefront-public                  name=storefront role=roles/run.invoker member=allUsers
        gcp:cloudscheduler/job:Job                                    nightly-report                     name=nightly-report schedule=0 3 * * * timeZone=Europe/Berlin
        gcp:secretmanager/secretIamMember:SecretIamMember             catalog-api-catalog-database-url   project=acme-gantry-prod secretId=catalog-database-url role=roles/secretmanager.secretAccessor
        gcp:secretmanager/secretIamMember:SecretIamMember             nightly-report-warehouse-password  project=acme-gantry-prod secretId=warehouse-password role=roles/secretmanager.secretAccessor
        gcp:secretmanager/secretIamMember:SecretIamMember             storefront-storefront-session-key  project=acme-gantry-prod secretId=storefront-session-key role=roles/secretmanager.secretAccessor
        gcp:serviceaccount/account:Account                            catalog-api                        project=acme-gantry-prod accountId=catalog-api
        gcp:serviceaccount/account:Account                            nightly-report                     project=acme-gantry-prod accountId=nightly-report
        gcp:serviceaccount/account:Account                            nightly-report-invoker             project=acme-gantry-prod accountId=nightly-report-invoker
        gcp:serviceaccount/account:Account                            storefront                         project=acme-gantry-prod accountId=storefront
        gcp:serviceaccount/iAMMember:IAMMember                        catalog-api-workload-identity      role=roles/iam.workloadIdentityUser member=serviceAccount:acme-gantry-prod.svc.id.goog[shop/catalog-api]
        kubernetes:apps/v1:Deployment                                 catalog-api                        namespace=shop name=catalog-api image=europe-west1-docker.pkg.dev/acme-gantry-staging/services/catalog-api@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
        kubernetes:autoscaling/v2:HorizontalPodAutoscaler             catalog-api                        namespace=shop name=catalog-api minReplicas=2 maxReplicas=6
        kubernetes:core/v1:Namespace                                  namespace-shop                     name=shop
        kubernetes:core/v1:Service                                    catalog-api                        namespace=shop name=catalog-api type=ClusterIP
        kubernetes:core/v1:ServiceAccount                             catalog-api                        namespace=shop name=catalog-api
        kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass  catalog-api                        namespace=shop name=catalog-api-secrets
        pulumi:providers:kubernetes                                   gke
        pulumi:pulumi:StackReference                                  promote-from (read)                name=organization/gantry/staging

      Preflight: nothing is built in this stack

      Problems: none
      "
    `);
  });

  it("on a fresh clone, says the digests are whatever staging runs at deploy time", async () => {
    const { plan: p } = await plan("prod");
    expect(p.summary).toEqual({ builds: 0, rebases: 0, unchanged: 0, promoted: 3 });
    expect(p.source).toEqual({ found: false, from: expect.stringContaining("has no deployment of gantry/staging") });
    for (const s of p.services) expect(s.image).toBeUndefined();
  });

  it("names a service staging does not have, and staging, where prod says it promotes", async () => {
    const { plan: p } = await plan("prod", { backend: backendWith({ staging: stagingCheckpoint(["catalog-api", "storefront"]) }) });
    expect(p.ok).toBe(false);
    expect(p.problems.map((x) => `${x.file}:${x.line}:${x.column} ${x.message}`)).toEqual([
      "Pulumi.prod.yaml:8:23 service nightly-report is not in the outputs of organization/gantry/staging, which stack prod promotes from (it has catalog-api, storefront); deploy nightly-report to organization/gantry/staging first",
    ]);
  });
});

describe("build decisions against the last deployment", () => {
  it("from `pulumi stack output --json`: unchanged, then a rebuild of the edited service, then a fleet rebase", async () => {
    const dir = projectCopy();
    const last = await deploy("dev", dir);
    const outputs = path.join(dir, "outputs.json");
    fs.writeFileSync(outputs, JSON.stringify({ services: last.services }));

    const same = await plan("dev", { projectDir: dir, outputsFile: outputs });
    expect(same.plan.summary).toEqual({ builds: 0, rebases: 0, unchanged: 3, promoted: 0 });
    // What keeps running is known, so the workloads' image is too.
    expect(same.plan.resources.find((r) => r.type === "gcp:cloudrunv2/service:Service")!.inputs.image).toBe(last.services.storefront!.image);

    fs.appendFileSync(path.join(dir, "services", "storefront", "main.py"), "\n# edited\n");
    const edited = await plan("dev", { projectDir: dir, outputsFile: outputs });
    expect(edited.plan.services.map((s) => [s.name, s.action, s.reasons])).toEqual([
      ["catalog-api", "unchanged", []],
      ["nightly-report", "unchanged", []],
      ["storefront", "build", ["fingerprint"]],
    ]);

    const config = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(config, fs.readFileSync(config, "utf8").replace(/(gantry:runImage: \S+@sha256:)[0-9a-f]{64}/, `$1${"e".repeat(64)}`));
    const rebased = await plan("dev", { projectDir: dir, outputsFile: outputs });
    expect(rebased.plan.summary).toEqual({ builds: 1, rebases: 2, unchanged: 0, promoted: 0 });
    expect(rebased.text).toContain("1 build, 2 rebases, 0 unchanged");
    expect(rebased.plan.services.find((s) => s.name === "nightly-report")!.why).toBe("run image changed (gcr.io/buildpacks/google-22/run@sha256:a8ccb6641b4d -> gcr.io/buildpacks/google-22/run@sha256:eeeeeeeeeeee): the app layers are kept");
  });

  it("from a file backend's checkpoint: the provider's own reasons (planChange over the last inputs)", async () => {
    const dir = projectCopy();
    const last = await deploy("dev", dir);
    const backend = backendWith({ dev: last.checkpoint });
    const file = path.join(dir, "services", "nightly-report", "service.yaml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('GOOGLE_PYTHON_VERSION: "3.12"', 'GOOGLE_PYTHON_VERSION: "3.13"'));
    fs.appendFileSync(path.join(dir, "services", "storefront", "main.py"), "\n# edited\n");
    const { plan: p, text } = await plan("dev", { projectDir: dir, backend });
    expect(p.lastDeployment).toEqual({ found: true, from: `file://${backend} (gantry/dev)` });
    expect(p.services.map((s) => [s.name, s.action, s.reasons, s.why])).toEqual([
      ["catalog-api", "unchanged", [], "unchanged since the last deployment"],
      // service.yaml is not uploaded, so editing its build env changes the descriptor only.
      ["nightly-report", "build", ["projectToml"], "build settings in service.yaml changed"],
      ["storefront", "build", ["source"], "source changed"],
    ]);
    expect(text).toContain("2 builds, 0 rebases, 1 unchanged");
  });
});

const root = path.join(__dirname, "..", "..");
function gantry(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [path.join(root, "bin", "gantry.js"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, PULUMI_BACKEND_URL: `file://${emptyBackend()}`, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("gantry plan", () => {
  it("prints the plan for the examples and exits 0, with nothing on stderr", () => {
    const r = gantry(["plan", "--stack", "dev"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("3 builds, 0 rebases, 0 unchanged");
  });

  it("prints JSON for tools", () => {
    const r = gantry(["plan", "--stack", "prod", "--json"]);
    expect(r.status).toBe(0);
    const p = JSON.parse(r.stdout) as Plan;
    expect(p).toMatchObject({ stack: "prod", promotedFrom: "organization/gantry/staging", ok: true, summary: { builds: 0, promoted: 3 } });
  });

  it("exits 1 over a broken catalog, listing located problems and no stack trace", () => {
    const r = gantry(["plan", "--stack", "dev", "--services", "test/fixtures/catalogs/broken"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("test/fixtures/catalogs/broken/api/service.yaml:5:1 minInstance: unknown field (did you mean \"minInstances\"?)");
    expect(r.stdout).toContain("test/fixtures/catalogs/broken/syntax/service.yaml:2:7 YAML syntax error:");
    expect(r.stdout).toContain("Nothing would be built or deployed until the problems above are fixed.");
    expect(r.stdout).not.toContain("Resources (");
    expect(r.stderr).toMatch(/^gantry plan: \d+ problems in the service catalog or stack config \(listed in the plan\); nothing would be built or deployed\.\n$/);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/^\s+at /m);

    const md = gantry(["plan", "--stack", "dev", "--services", "test/fixtures/catalogs/broken", "--markdown"]);
    expect(md.status).toBe(1);
    expect(md.stdout).toContain("- ❌ `test/fixtures/catalogs/broken/api/service.yaml:5:1` `minInstance` unknown field");
  });

  it("exits 1 over an unknown stack or an invalid stack config, and 2 on conflicting flags", () => {
    const unknown = gantry(["plan", "--stack", "prd"]);
    expect(unknown.status).toBe(1);
    expect(unknown.stdout).toContain('Pulumi.prd.yaml:1:1 unknown stack "prd" (did you mean "prod"?)');
    expect(gantry(["plan", "--stack", "dev", "--json", "--markdown"]).status).toBe(2);
  });
});
