import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { makePlan, type Plan } from "../../plan/run";
import { renderText } from "../../plan/render";
import { renderMarkdown } from "../../plan/render-markdown";
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
    expect(p.summary).toEqual({ builds: 3, rebases: 0, unchanged: 0, promoted: 0, pinned: 0 });
    expect(text).toMatchInlineSnapshot(`
      "Plan for stack dev (project acme-gantry-dev, europe-west1)
        Last deployment: none on record (file://<backend> has no deployment of gantry/dev)

      3 builds, 0 rebases, 0 unchanged
      Resources: 21 to create, 0 to update, 0 to replace, 0 to delete, 0 unchanged

      Review first (5)
        SERVICE         WHAT                                                                                                                                   FIELD     OLD -> NEW
        storefront      makes storefront reachable by allUsers (roles/run.invoker)                                                                             member    (none) -> allUsers
        catalog-api     grants roles/iam.workloadIdentityUser on projects/acme-gantry-dev/serviceAccounts/catalog-api@acme-gantry-dev.iam.gserviceaccount.com  role      (none) -> roles/iam.workloadIdentityUser to serviceAccount:acme-gantry-dev.svc.id.goog[shop/catalog-api]
        catalog-api     catalog-api can read secret catalog-database-url                                                                                       secretId  (none) -> catalog-database-url
        nightly-report  nightly-report can read secret warehouse-password                                                                                      secretId  (none) -> warehouse-password
        storefront      storefront can read secret storefront-session-key                                                                                      secretId  (none) -> storefront-session-key

      Changes by service (3 changed, 0 unchanged, not listed)
        (stack-wide)
          + create  Artifact Registry repository registry
          + create  Namespace namespace-shop
          + create  Kubernetes provider gke
        catalog-api: image build: first build: no previous deployment on record
          launches npm run start
          + create  secret access catalog-api-catalog-database-url
          + create  service account catalog-api
          + create  service account binding catalog-api-workload-identity
          + create  Deployment catalog-api
          + create  HorizontalPodAutoscaler catalog-api
          + create  Kubernetes Service catalog-api
          + create  ServiceAccount catalog-api
          + create  SecretProviderClass catalog-api
          + create  image build catalog-api
        nightly-report: image build: first build: no previous deployment on record
          launches python report.py
          + create  Cloud Run job nightly-report
          + create  secret access nightly-report-warehouse-password
          + create  service account nightly-report
          + create  image build nightly-report
        storefront: image build: first build: no previous deployment on record
          launches gunicorn -b :8080 main:app
          + create  Cloud Run service storefront
          + create  Cloud Run invoker binding storefront-public
          + create  secret access storefront-storefront-session-key
          + create  service account storefront
          + create  image build storefront

      Preflight: no findings

      Problems: none
      "
    `);
  });

  it("renders for a pull request comment", async () => {
    const { markdown } = await plan("dev");
    expect(markdown).toMatchInlineSnapshot(`
      "### Gantry plan for \`dev\` (\`acme-gantry-dev\`, \`europe-west1\`)

      **3 builds, 0 rebases, 0 unchanged** · Resources: 21 to create, 0 to update, 0 to replace, 0 to delete, 0 unchanged

      - Last deployment: none on record (file://<backend> has no deployment of gantry/dev)

      #### ⚠️ Review first (5)

      | Service | What | Field | Old → new |
      |---|---|---|---|
      | \`storefront\` | makes storefront reachable by allUsers (roles/run.invoker) | \`member\` | \`(none)\` → \`allUsers\` |
      | \`catalog-api\` | grants roles/iam.workloadIdentityUser on projects/acme-gantry-dev/serviceAccounts/catalog-api@​acme-gantry-dev.iam.gserviceaccount.com | \`role\` | \`(none)\` → \`roles/iam.workloadIdentityUser to serviceAccount:acme-gantry-dev.svc.id.goog[shop/catalog-api]\` |
      | \`catalog-api\` | catalog-api can read secret catalog-database-url | \`secretId\` | \`(none)\` → \`catalog-database-url\` |
      | \`nightly-report\` | nightly-report can read secret warehouse-password | \`secretId\` | \`(none)\` → \`warehouse-password\` |
      | \`storefront\` | storefront can read secret storefront-session-key | \`secretId\` | \`(none)\` → \`storefront-session-key\` |

      #### Changes by service (3 changed; 0 unchanged, not listed)

      <details><summary><code>stack-wide resources</code> · 3 creations</summary>

      | Change | Resource | Input | Old → new |
      |---|---|---|---|
      | ➕ create | Artifact Registry repository \`registry\` | | |
      | ➕ create | Namespace \`namespace-shop\` | | |
      | ➕ create | Kubernetes provider \`gke\` | | |

      </details>

      <details><summary><code>catalog-api</code> · image build: first build: no previous deployment on record · 9 creations</summary>

      launches \`npm run start\`

      | Change | Resource | Input | Old → new |
      |---|---|---|---|
      | ➕ create | secret access \`catalog-api-catalog-database-url\` | | |
      | ➕ create | service account \`catalog-api\` | | |
      | ➕ create | service account binding \`catalog-api-workload-identity\` | | |
      | ➕ create | Deployment \`catalog-api\` | | |
      | ➕ create | HorizontalPodAutoscaler \`catalog-api\` | | |
      | ➕ create | Kubernetes Service \`catalog-api\` | | |
      | ➕ create | ServiceAccount \`catalog-api\` | | |
      | ➕ create | SecretProviderClass \`catalog-api\` | | |
      | ➕ create | image build \`catalog-api\` | | |

      </details>

      <details><summary><code>nightly-report</code> · image build: first build: no previous deployment on record · 4 creations</summary>

      launches \`python report.py\`

      | Change | Resource | Input | Old → new |
      |---|---|---|---|
      | ➕ create | Cloud Run job \`nightly-report\` | | |
      | ➕ create | secret access \`nightly-report-warehouse-password\` | | |
      | ➕ create | service account \`nightly-report\` | | |
      | ➕ create | image build \`nightly-report\` | | |

      </details>

      <details><summary><code>storefront</code> · image build: first build: no previous deployment on record · 5 creations</summary>

      launches \`gunicorn -b :8080 main:app\`

      | Change | Resource | Input | Old → new |
      |---|---|---|---|
      | ➕ create | Cloud Run service \`storefront\` | | |
      | ➕ create | Cloud Run invoker binding \`storefront-public\` | | |
      | ➕ create | secret access \`storefront-storefront-session-key\` | | |
      | ➕ create | service account \`storefront\` | | |
      | ➕ create | image build \`storefront\` | | |

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
    expect(p.summary).toEqual({ builds: 0, rebases: 0, unchanged: 0, promoted: 3, pinned: 0 });
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

      0 builds, 0 rebases, 0 unchanged, 3 promoted
      Resources: 22 to create, 0 to update, 0 to replace, 0 to delete, 0 unchanged

      Review first (7)
        SERVICE         WHAT                                                                                                                                     FIELD     OLD -> NEW
        storefront      makes storefront reachable by allUsers (roles/run.invoker)                                                                               member    (none) -> allUsers
        (stack)         grants roles/artifactregistry.reader on services                                                                                         role      (none) -> roles/artifactregistry.reader to (known after deploy)
        catalog-api     grants roles/iam.workloadIdentityUser on projects/acme-gantry-prod/serviceAccounts/catalog-api@acme-gantry-prod.iam.gserviceaccount.com  role      (none) -> roles/iam.workloadIdentityUser to serviceAccount:acme-gantry-prod.svc.id.goog[shop/catalog-api]
        nightly-report  grants roles/run.invoker on nightly-report                                                                                               role      (none) -> roles/run.invoker to serviceAccount:nightly-report-invoker@acme-gantry-prod.iam.gserviceaccount.com
        catalog-api     catalog-api can read secret catalog-database-url                                                                                         secretId  (none) -> catalog-database-url
        nightly-report  nightly-report can read secret warehouse-password                                                                                        secretId  (none) -> warehouse-password
        storefront      storefront can read secret storefront-session-key                                                                                        secretId  (none) -> storefront-session-key

      Changes by service (3 changed, 0 unchanged, not listed)
        (stack-wide)
          + create  repository binding registry-cloud-run-pull
          + create  Namespace namespace-shop
          + create  Kubernetes provider gke
        catalog-api: image promoted: promoted from organization/gantry/staging: europe-west1-docker.pkg.dev/acme-gantry-staging/services/catalog-api@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
          + create  secret access catalog-api-catalog-database-url
          + create  service account catalog-api
          + create  service account binding catalog-api-workload-identity
          + create  Deployment catalog-api
          + create  HorizontalPodAutoscaler catalog-api
          + create  Kubernetes Service catalog-api
          + create  ServiceAccount catalog-api
          + create  PodDisruptionBudget catalog-api
          + create  SecretProviderClass catalog-api
        nightly-report: image promoted: promoted from organization/gantry/staging: europe-west1-docker.pkg.dev/acme-gantry-staging/services/nightly-report@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
          + create  Cloud Run job nightly-report
          + create  Cloud Run job binding nightly-report-invoker
          + create  scheduler job nightly-report
          + create  secret access nightly-report-warehouse-password
          + create  service account nightly-report
          + create  service account nightly-report-invoker
        storefront: image promoted: promoted from organization/gantry/staging: europe-west1-docker.pkg.dev/acme-gantry-staging/services/storefront@sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc
          + create  Cloud Run service storefront
          + create  Cloud Run invoker binding storefront-public
          + create  secret access storefront-storefront-session-key
          + create  service account storefront

      Preflight: nothing is built in this stack

      Problems: none
      "
    `);
  });

  it("on a fresh clone, says the digests are whatever staging runs at deploy time", async () => {
    const { plan: p } = await plan("prod");
    expect(p.summary).toEqual({ builds: 0, rebases: 0, unchanged: 0, promoted: 3, pinned: 0 });
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
    expect(same.plan.summary).toEqual({ builds: 0, rebases: 0, unchanged: 3, promoted: 0, pinned: 0 });
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
    expect(rebased.plan.summary).toEqual({ builds: 1, rebases: 2, unchanged: 0, promoted: 0, pinned: 0 });
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

describe("launch commands in the plan", () => {
  it("records what each image starts, and flags a built image that will start something else", async () => {
    const dir = projectCopy();
    const last = await deploy("dev", dir);
    // The program records the preflight's prediction in the services output, where the next plan finds it.
    expect(last.services.storefront!.launch).toBe("gunicorn -b :8080 main:app");
    expect(last.services["nightly-report"]!.launch).toBe("python report.py");
    const outputs = path.join(dir, "outputs.json");
    fs.writeFileSync(outputs, JSON.stringify({ services: last.services }));

    const same = await plan("dev", { projectDir: dir, outputsFile: outputs });
    expect(same.plan.risks.filter((r) => r.kind === "launch-command")).toEqual([]);
    expect(same.text).not.toContain("launch");

    // A Procfile changes the command with no line of service.yaml touched.
    fs.writeFileSync(path.join(dir, "services", "storefront", "Procfile"), "web: gunicorn -b :$PORT -w 2 main:app\n");
    fs.appendFileSync(path.join(dir, "services", "storefront", "requirements.txt"), "gunicorn==23.0.0\n");
    const changed = await plan("dev", { projectDir: dir, outputsFile: outputs });
    const storefront = changed.plan.services.find((s) => s.name === "storefront")!;
    expect(storefront).toMatchObject({ action: "build", launch: "gunicorn -b :$PORT -w 2 main:app", lastLaunch: "gunicorn -b :8080 main:app" });
    expect(changed.plan.risks.filter((r) => r.kind === "launch-command")).toEqual([
      expect.objectContaining({ service: "storefront", field: "launch", old: "gunicorn -b :8080 main:app", new: "gunicorn -b :$PORT -w 2 main:app" }),
    ]);
    expect(changed.text).toContain("    launch command changes: gunicorn -b :8080 main:app -> gunicorn -b :$PORT -w 2 main:app");
    expect(changed.markdown).toContain("⚠️ launch command changes: `gunicorn -b :8080 main:app` → `gunicorn -b :$PORT -w 2 main:app`");
    // The unchanged services are not built, so nothing about what they start is said.
    expect(changed.text).not.toContain("python report.py");
  });
});

const root = path.join(__dirname, "..", "..");
function gantry(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [path.join(root, "bin", "gantry.js"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, PULUMI_BACKEND_URL: `file://${emptyBackend()}`, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the plan's progress", () => {
  it("names each step before it starts, the program's evaluation before its first registration", async () => {
    const steps: string[] = [];
    await makePlan({ stack: "dev", projectDir: PROJECT_DIR, cwd: PROJECT_DIR, env: { PULUMI_BACKEND_URL: `file://${emptyBackend()}` }, progress: (s) => steps.push(s) });
    // Registration counts collapse into one step: a terminal shows them as one line rewritten in place.
    const kinds = steps.map((s) => s.replace(/: \d+ resources$/, ": N resources")).filter((s, i, all) => s !== all[i - 1]);
    expect(kinds).toEqual([
      "loading the catalog (services) and Pulumi.dev.yaml",
      "checking 3 services: cloud rules and build preflight",
      "reading the last deployment",
      "evaluating the program: fingerprinting 3 services, declaring their resources",
      "evaluating the program under the mock runtime: N resources",
      "comparing with the last deployment",
    ]);
  });
});

describe("gantry plan", () => {
  it("prints the plan for the examples and exits 0, with nothing on stderr", () => {
    const r = gantry(["plan", "--stack", "dev"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("3 builds, 0 rebases, 0 unchanged");
  });

  it("shows its progress on a terminal, and only there", () => {
    // `script` gives the command a pseudo-terminal, as a developer's shell would.
    const r = spawnSync("script", ["-qec", `${JSON.stringify(process.execPath)} bin/gantry.js plan --stack dev`, "/dev/null"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, PULUMI_BACKEND_URL: `file://${emptyBackend()}` },
    });
    expect(r.status).toBe(0);
    for (const step of ["loading the catalog (services) and Pulumi.dev.yaml", "checking 3 services: cloud rules and build preflight", "evaluating the program under the mock runtime: "]) {
      expect(r.stdout).toContain(`\r\x1b[2Kgantry plan: ${step}`);
    }
    // Cleared before the plan itself is printed.
    expect(r.stdout).toMatch(/\r\x1b\[2KPlan for stack dev/);
    expect(gantry(["plan", "--stack", "dev", "--json"]).stderr).toBe("");
  });

  it("writes the full markdown plan to a file for the pipeline to attach, and --full shows everything", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gantry-plan-out-")), "plan-full.md");
    const r = gantry(["plan", "--stack", "dev", "--markdown", "--full-file", file]);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain("#### Images");
    const full = fs.readFileSync(file, "utf8");
    expect(full).toContain("#### Images");
    expect(full).toContain("<details><summary>22 resources</summary>");
    const unwritable = gantry(["plan", "--stack", "dev", "--markdown", "--full-file", path.dirname(file)]);
    expect(unwritable.status).toBe(1);
    expect(unwritable.stderr).toBe(`gantry plan: cannot write --full-file ${path.dirname(file)}: EISDIR: illegal operation on a directory, open '${path.dirname(file)}'\n`);
    const text = gantry(["plan", "--stack", "dev", "--full"]).stdout;
    expect(text).toContain("Resources (22, plus 4 components)");
    expect(text).toContain("Changes by service (3 changed, 0 unchanged)");
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
