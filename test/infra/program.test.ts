import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../catalog/load";
import { unsetSecretEnv } from "../../infra/build-stage";
import { deployStack } from "../../infra/program";
import { byType, installMocks, objectsWithKey, PROJECT_DIR, resolveOutputs, strings, type Captured } from "../service/harness";
import { answerStackReferences, PROJECT_NUMBER } from "../support/stack-references";
import { PACK } from "../support/resource-types";

/*
 * The whole program (infra/program.ts, which infra/index.ts runs for the current stack) over the example
 * catalog, under Pulumi's mock runtime.
 */

async function run(stack: string, projectDir = PROJECT_DIR, stackOutputs: Record<string, Record<string, unknown>> = {}) {
  const captured = await installMocks(stack);
  answerStackReferences(stackOutputs);
  // Logs and the fingerprint stat cache live beside the project, as .gantry/ does for a real checkout.
  const work = projectDir === PROJECT_DIR ? fs.mkdtempSync(path.join(os.tmpdir(), "gantry-program-")) : path.join(projectDir, ".gantry");
  const outputs = deployStack({ stack, projectDir, servicesDir: path.join(projectDir, "services"), build: { logDir: path.join(work, "logs"), statCacheDir: path.join(work, "stat") } });
  return { captured, outputs: await resolveOutputs(outputs) };
}

function named(captured: Captured[], type: string, name: string): Captured {
  const found = captured.filter((c) => c.type === type && c.name === name);
  expect(found, `${type}::${name}`).toHaveLength(1);
  return found[0]!;
}

const imageOf = (c: Captured) => strings(c.inputs).filter((s) => /@sha256:/.test(s));

// prod promotes from staging and builds nothing: see "stack prod" below.
describe.each(["dev", "staging"])("stack %s", (stack) => {
  it("declares the registry, one build per service and exactly the workloads the catalog asks for", async () => {
    const { captured, outputs } = await run(stack);
    const prod = stack === "prod";
    const platform = prod ? "acme-gantry-prod" : `acme-gantry-${stack}`;
    const registry = `europe-west1-docker.pkg.dev/${platform}/services`;

    expect(byType(captured, "gcp:artifactregistry/repository:Repository")).toHaveLength(1);
    expect(byType(captured, PACK).map((c) => c.name).sort()).toEqual(["catalog-api", "nightly-report", "storefront"]);
    for (const p of byType(captured, PACK)) {
      expect(p.inputs.repository).toBe(`${registry}/${p.name}`);
      expect(p.inputs.build.builder).toMatch(/@sha256:[0-9a-f]{64}$/);
      expect(p.inputs.runImage).toMatch(/@sha256:[0-9a-f]{64}$/);
      expect(p.inputs.build.projectToml).toContain('"/service.yaml"');
    }

    const web = named(captured, "gcp:cloudrunv2/service:Service", "storefront");
    expect(web.inputs.deletionProtection).toBe(prod);
    expect(web.inputs.template.containers[0].resources.limits).toEqual(prod ? { cpu: "2", memory: "1Gi" } : { cpu: "1", memory: "512Mi" });
    const job = named(captured, "gcp:cloudrunv2/job:Job", "nightly-report");
    expect(job.inputs.template.template.containers[0].commands).toEqual(["/cnb/process/job"]);
    expect(byType(captured, "gcp:cloudscheduler/job:Job")).toHaveLength(stack === "dev" ? 0 : 1);
    expect(byType(captured, "kubernetes:apps/v1:Deployment")).toHaveLength(1);
    expect(byType(captured, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler")).toHaveLength(1);

    // Every workload runs the image its PackImage published, by digest.
    const digests = Object.fromEntries(byType(captured, PACK).map((p) => [p.name, outputs[p.name]!.digest]));
    expect(imageOf(web)).toEqual([`${registry}/storefront@${digests.storefront}`]);
    expect(imageOf(job)).toEqual([`${registry}/nightly-report@${digests["nightly-report"]}`]);
    expect(imageOf(byType(captured, "kubernetes:apps/v1:Deployment")[0]!)).toEqual([`${registry}/catalog-api@${digests["catalog-api"]}`]);

    // No public access that was not asked for.
    const publicMembers = captured.filter((c) => strings(c.inputs).some((s) => s === "allUsers" || s === "allAuthenticatedUsers"));
    expect(publicMembers.map((c) => `${c.type}::${c.inputs.name}`)).toEqual(["gcp:cloudrunv2/serviceIamMember:ServiceIamMember::storefront"]);
    expect(captured.flatMap((c) => objectsWithKey(c.inputs, "role")).map((r) => r.role)).not.toEqual(expect.arrayContaining(["roles/owner", "roles/editor", "roles/viewer"]));

    expect(outputs.storefront).toMatchObject({ kind: "service", url: "https://storefront-h4sh-ew.a.run.app", image: `${registry}/storefront@${digests.storefront}`, serviceAccount: `storefront@${platform}.iam.gserviceaccount.com` });
    expect(outputs["nightly-report"]).toMatchObject({ kind: "job", jobName: "nightly-report", schedule: stack === "dev" ? undefined : { cron: "0 3 * * *", timeZone: "Europe/Berlin" } });
    expect(outputs["catalog-api"]).toMatchObject({ kind: "gke", url: "http://catalog-api.shop.svc.cluster.local" });
    for (const o of Object.values(outputs)) expect(o.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe("stack prod", () => {
  it("builds nothing: each workload runs, by digest, the image staging deployed, pulled from staging's registry", async () => {
    const staging = await run("staging");
    const { captured, outputs } = await run("prod", PROJECT_DIR, { "organization/gantry/staging": { services: staging.outputs } });
    const registry = "europe-west1-docker.pkg.dev/acme-gantry-staging/services";

    expect(byType(captured, PACK)).toEqual([]);
    // staging's outputs, and prod's own (its release history).
    expect(byType(captured, "pulumi:pulumi:StackReference").map((c) => c.inputs.name).sort()).toEqual(["organization/gantry/prod", "organization/gantry/staging"]);
    // Staging's repository, read and not declared: prod's destroy must never delete staging's images.
    const repos = byType(captured, "gcp:artifactregistry/repository:Repository");
    expect(repos.map((r) => r.inputs)).toEqual([{ project: "acme-gantry-staging", location: "europe-west1", repositoryId: "services" }]);
    expect(byType(captured, "gantry:registry:ArtifactRegistry")).toEqual([]);
    const pull = named(captured, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", "registry-cloud-run-pull");
    expect(pull.inputs).toEqual({
      project: "acme-gantry-staging",
      location: "europe-west1",
      repository: "services",
      role: "roles/artifactregistry.reader",
      member: `serviceAccount:service-${PROJECT_NUMBER}@serverless-robot-prod.iam.gserviceaccount.com`,
    });

    const web = named(captured, "gcp:cloudrunv2/service:Service", "storefront");
    const job = named(captured, "gcp:cloudrunv2/job:Job", "nightly-report");
    const deployment = byType(captured, "kubernetes:apps/v1:Deployment")[0]!;
    for (const name of ["storefront", "nightly-report", "catalog-api"]) {
      expect(staging.outputs[name]!.image).toMatch(new RegExp(`^${registry}/${name}@sha256:[0-9a-f]{64}$`));
      expect(outputs[name]).toMatchObject({ image: staging.outputs[name]!.image, digest: staging.outputs[name]!.digest, fingerprint: staging.outputs[name]!.fingerprint, runImage: staging.outputs[name]!.runImage });
    }
    expect(imageOf(web)).toEqual([staging.outputs.storefront!.image]);
    expect(imageOf(job)).toEqual([staging.outputs["nightly-report"]!.image]);
    expect(imageOf(deployment)).toEqual([staging.outputs["catalog-api"]!.image]);

    // Everything else is prod's own.
    expect(web.inputs.project).toBe("acme-gantry-prod");
    expect(web.inputs.deletionProtection).toBe(true);
    expect(web.inputs.template.containers[0].resources.limits).toEqual({ cpu: "2", memory: "1Gi" });
    expect(byType(captured, "gcp:cloudscheduler/job:Job")).toHaveLength(1);
    expect(outputs.storefront).toMatchObject({ kind: "service", url: "https://storefront-h4sh-ew.a.run.app", serviceAccount: "storefront@acme-gantry-prod.iam.gserviceaccount.com" });
  });
});

/** A copy of the project to edit: stack configs and the example services. */
function projectCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-project-"));
  for (const f of fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(dir, f));
  fs.cpSync(path.join(PROJECT_DIR, "services"), path.join(dir, "services"), { recursive: true });
  return dir;
}

const catalogForStackOf = (dir: string) => loadCatalog({ projectDir: dir, stacks: ["dev"] }).services.dev!;

/** Resources whose inputs differ between two runs, by type and name. */
function changed(a: Captured[], b: Captured[]): string[] {
  const key = (c: Captured) => `${c.type}::${c.name}`;
  const before = new Map(a.map((c) => [key(c), JSON.stringify(c.inputs)]));
  expect(b.map(key).sort()).toEqual(a.map(key).sort());
  return b.filter((c) => before.get(key(c)) !== JSON.stringify(c.inputs)).map(key).sort();
}

describe("what a change rolls out", () => {
  it("a run with nothing changed changes nothing", async () => {
    const dir = projectCopy();
    const first = await run("dev", dir);
    const second = await run("dev", dir);
    expect(changed(first.captured, second.captured)).toEqual([]);
  });

  it("a run image bump rebases every image and rolls exactly the workloads whose image changed", async () => {
    const dir = projectCopy();
    const first = await run("dev", dir);
    const file = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/(gantry:runImage: \S+@sha256:)[0-9a-f]{64}/, `$1${"e".repeat(64)}`));
    const second = await run("dev", dir);
    expect(changed(first.captured, second.captured)).toEqual([
      "gcp:cloudrunv2/job:Job::nightly-report",
      "gcp:cloudrunv2/service:Service::storefront",
      "kubernetes:apps/v1:Deployment::catalog-api",
      `${PACK}::catalog-api`,
      `${PACK}::nightly-report`,
      `${PACK}::storefront`,
    ]);
    for (const p of byType(second.captured, PACK)) {
      const old = byType(first.captured, PACK).find((x) => x.name === p.name)!;
      expect(p.inputs.build.source).toMatch(/^sha256:/);
      expect(p.inputs.build.source).toBe(old.inputs.build.source);
      expect(p.inputs.fingerprint).toBe(old.inputs.fingerprint);
    }
  });

  it("a source edit in one service rebuilds and rolls that service only; a scaling change rebuilds nothing", async () => {
    const dir = projectCopy();
    const first = await run("dev", dir);
    fs.appendFileSync(path.join(dir, "services", "storefront", "main.py"), "\n# edited\n");
    const job = path.join(dir, "services", "nightly-report", "service.yaml");
    fs.writeFileSync(job, fs.readFileSync(job, "utf8").replace("maxRetries: 2", "maxRetries: 1"));
    const second = await run("dev", dir);
    expect(changed(first.captured, second.captured)).toEqual([
      "gcp:cloudrunv2/job:Job::nightly-report",
      "gcp:cloudrunv2/service:Service::storefront",
      `${PACK}::storefront`,
    ]);
    const template = (r: typeof first) => byType(r.captured, "gcp:cloudrunv2/job:Job")[0]!.inputs.template.template;
    expect(template(second).maxRetries).toBe(1);
    expect(imageOf(byType(second.captured, "gcp:cloudrunv2/job:Job")[0]!)).toEqual(imageOf(byType(first.captured, "gcp:cloudrunv2/job:Job")[0]!));
  });

  it("passes build.secretEnv to pack by name: the value, set where pulumi up runs, reaches no input", async () => {
    const dir = projectCopy();
    const file = path.join(dir, "services", "storefront", "service.yaml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("build:\n  env:\n", "build:\n  secretEnv: [PIP_INDEX_TOKEN]\n  env:\n"));
    const value = "s3cr3t-index-token-value";
    process.env.PIP_INDEX_TOKEN = value;
    try {
      const { captured } = await run("dev", dir);
      const pack = named(captured, PACK, "storefront");
      expect(pack.inputs.build.secretEnv).toEqual(["PIP_INDEX_TOKEN"]);
      expect(pack.inputs.build.projectToml).not.toContain("PIP_INDEX_TOKEN");
      expect(named(captured, PACK, "catalog-api").inputs.build.secretEnv).toEqual([]);
      expect(JSON.stringify(captured.map((c) => c.inputs))).not.toContain(value);
    } finally {
      delete process.env.PIP_INDEX_TOKEN;
    }
  });

  it("hands every image the stack's lifecycle image and build network, and leaves pack's defaults when unset", async () => {
    const dir = projectCopy();
    const plain = await run("dev", dir);
    for (const p of byType(plain.captured, PACK)) expect([p.inputs.settings.lifecycleImage, p.inputs.settings.network]).toEqual(["", ""]);
    const lifecycleImage = "europe-docker.pkg.dev/acme/mirror/lifecycle@sha256:" + "7".repeat(64);
    const file = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(file, `${fs.readFileSync(file, "utf8").trimEnd()}\n  gantry:lifecycleImage: ${lifecycleImage}\n  gantry:buildNetwork: host\n`);
    const { captured } = await run("dev", dir);
    expect(byType(captured, PACK).map((p) => [p.name, p.inputs.settings.lifecycleImage, p.inputs.settings.network])).toEqual(
      ["catalog-api", "nightly-report", "storefront"].map((n) => [n, lifecycleImage, "host"]),
    );
    // Neither changes the image: no rebuild when a platform team moves the lifecycle to its mirror.
    expect(byType(captured, PACK).map((p) => p.inputs.fingerprint)).toEqual(byType(plain.captured, PACK).map((p) => p.inputs.fingerprint));
  });

  it("builds with the lifecycle engine when the stack says so, and refuses it with a Docker volume cache at its line", async () => {
    const dir = projectCopy();
    const file = path.join(dir, "Pulumi.dev.yaml");
    // dev builds with the lifecycle engine and a bind cache (Pulumi.dev.yaml); a Docker volume cannot serve it.
    const asGiven = fs.readFileSync(file, "utf8");
    const bind = "  gantry:buildCache:\n    mode: bind\n    mountPath: /var/cache/pack\n";
    expect(asGiven).toContain("  gantry:buildEngine: lifecycle\n" + bind);
    fs.writeFileSync(file, asGiven.replace(bind, "  gantry:buildCache:\n    mode: volume\n"));
    const refused = loadCatalog({ projectDir: dir, stacks: ["dev"] }).problems.filter((p) => p.severity === "error");
    expect(refused).toEqual([expect.objectContaining({ file: expect.stringMatching(/Pulumi\.dev\.yaml$/), field: "gantry:buildCache", message: expect.stringContaining("the lifecycle engine has no Docker volumes") })]);
    fs.writeFileSync(file, asGiven);
    const { captured } = await run("dev", dir);
    expect(byType(captured, PACK).map((p) => [p.name, p.inputs.settings.engine, p.inputs.settings.cache])).toEqual(
      ["catalog-api", "nightly-report", "storefront"].map((n) => [n, "lifecycle", { format: "bind", source: `/var/cache/pack/${n}` }]),
    );
  });

  it("refuses to deploy when a build.secretEnv variable is not set where pulumi up runs, naming it", async () => {
    const dir = projectCopy();
    const file = path.join(dir, "services", "storefront", "service.yaml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("build:\n  env:\n", "build:\n  secretEnv: [PIP_INDEX_TOKEN]\n  env:\n"));
    delete process.env.PIP_INDEX_TOKEN;
    await installMocks("dev");
    expect(() => deployStack({ stack: "dev", projectDir: dir, servicesDir: path.join(dir, "services") })).toThrow(/1 problem in the service catalog or stack config/);
    expect(unsetSecretEnv(catalogForStackOf(dir))).toEqual([
      expect.objectContaining({ field: "build.secretEnv", message: "PIP_INDEX_TOKEN is not set where pulumi up runs; export it there (pack reads the value from that environment)" }),
    ]);
  });

  it("refuses to deploy anything from a broken catalog, with the problems and no stack trace", async () => {
    const dir = projectCopy();
    fs.appendFileSync(path.join(dir, "services", "storefront", "service.yaml"), "minInstance: 3\n");
    await installMocks("dev");
    expect(() => deployStack({ stack: "dev", projectDir: dir, servicesDir: path.join(dir, "services") })).toThrow(/1 problem in the service catalog or stack config \(listed above\); nothing was built or deployed/);
  });
});
