import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { renderJson, renderText } from "../../plan/render";
import { diffResources } from "../../plan/diff";
import { renderMarkdown } from "../../plan/render-markdown";
import { makePlan, type Plan } from "../../plan/run";
import { backendWith, deploy, projectCopy } from "./fixtures";

/*
 * The plan against a last deployment written as a file backend's checkpoint (every resource, as the engine
 * writes it): each kind of change a pull request can make, in the section a reviewer looks for it.
 */

/** A value that would be an image, a mention and a broken table row if it reached the markdown as is. */
const HOSTILE = "![x](https://evil.example/p.png) @acme/admins | <b>";
const OLD_RUN = "gcr.io/buildpacks/google-22/run@sha256:a8ccb6641b4d";
const NEW_RUN = "gcr.io/buildpacks/google-22/run@sha256:eeeeeeeeeeee";

function edit(file: string, from: string | RegExp, to: string): void {
  const text = fs.readFileSync(file, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file}: ${String(from)} not found`);
  fs.writeFileSync(file, next);
}

/** storefront's folder as a new Cloud Run service, private and internal. */
function addService(dir: string, name: string): void {
  const to = path.join(dir, "services", name);
  fs.cpSync(path.join(dir, "services", "storefront"), to, { recursive: true });
  const file = path.join(to, "service.yaml");
  edit(file, "name: storefront", `name: ${name}`);
  edit(file, "public: true", "public: false");
  edit(file, "ingress: all", "ingress: internal");
  edit(file, "SESSION_KEY: storefront-session-key", `SESSION_KEY: ${name}-session-key`);
}

/** What deleting one of the services addService() makes takes along, as the plan lists it. */
const removedWith = (n: string) => [
  { type: "gcp:cloudrunv2/service:Service", name: n },
  { type: "gcp:secretmanager/secretIamMember:SecretIamMember", name: `${n}-${n}-session-key` },
  { type: "gcp:serviceaccount/account:Account", name: n },
  { type: "pulumi-nodejs:dynamic/gantry:PackImage", name: n },
];

async function planAgainst(dir: string, backend: string): Promise<Plan> {
  return makePlan({ stack: "dev", projectDir: dir, cwd: dir, env: { PULUMI_BACKEND_URL: `file://${backend}` } });
}

describe("a pull request's changes against the last deployment", () => {
  let plan: Plan;
  let text: string;
  let markdown: string;
  let json: Plan;

  beforeAll(async () => {
    const dir = projectCopy();
    for (const name of ["checkout", "search"]) addService(dir, name);
    const backend = backendWith({ dev: (await deploy("dev", dir)).checkpoint });

    edit(path.join(dir, "services", "checkout", "service.yaml"), "public: false", "public: true");
    edit(path.join(dir, "services", "checkout", "service.yaml"), "ingress: internal", "ingress: all");
    edit(path.join(dir, "services", "checkout", "service.yaml"), "SESSION_KEY: checkout-session-key", "SESSION_KEY: checkout-session-key\n  API_TOKEN: checkout-api-token");
    edit(path.join(dir, "services", "catalog-api", "service.yaml"), "DATABASE_URL: catalog-database-url", 'DATABASE_URL:\n    secret: catalog-database-url\n    version: "3"');
    fs.rmSync(path.join(dir, "services", "search"), { recursive: true });
    edit(path.join(dir, "services", "storefront", "service.yaml"), "concurrency: 80", "concurrency: 80\nminInstances: 2");
    edit(path.join(dir, "services", "nightly-report", "service.yaml"), "version: latest", 'version: "7"');
    edit(path.join(dir, "services", "nightly-report", "service.yaml"), "REPORT_BUCKET: acme-reports", `REPORT_BUCKET: "${HOSTILE}"`);
    edit(path.join(dir, "Pulumi.dev.yaml"), /(gantry:runImage: \S+@sha256:)[0-9a-f]{64}/, `$1${"e".repeat(64)}`);
    fs.appendFileSync(path.join(dir, "services", "catalog-api", "server.js"), "\n// edited\n");
    edit(path.join(dir, "services", "catalog-api", "service.yaml"), "      minReplicas: 1\n      maxReplicas: 2", "      minReplicas: 2\n      maxReplicas: 4");
    // Exposure beyond the cluster needs the same explicit opt-in as a public Cloud Run service.
    edit(path.join(dir, "services", "catalog-api", "service.yaml"), "serviceType: ClusterIP", "serviceType: LoadBalancer\npublic: true");

    plan = await planAgainst(dir, backend);
    text = renderText(plan);
    markdown = renderMarkdown(plan);
    json = JSON.parse(renderJson(plan)) as Plan;
  }, 120_000);

  it("compares with the checkpoint, resource by resource", () => {
    expect(plan.ok).toBe(true);
    expect(plan.diffBasis).toBe("state");
    // Nothing the program still declares is new; the default providers and the stack itself are no deletions.
    // The new secret grant, and the disruption budget catalog-api needs now that it never runs below two replicas.
    expect(plan.counts.create).toBe(3);
    expect(plan.changes.filter((c) => c.action === "create" && c.type === "kubernetes:policy/v1:PodDisruptionBudget").map((c) => c.name)).toEqual(["catalog-api"]);
    expect(plan.changes.filter((c) => c.action === "delete").every((c) => c.service === "search")).toBe(true);
  });

  it("puts new public access first: the new allUsers binding, with the service and old -> new", () => {
    const risk = { kind: "public-access", service: "checkout", type: "gcp:cloudrunv2/serviceIamMember:ServiceIamMember", resource: "checkout-public", field: "member", old: "(none)", new: "allUsers" };
    expect(plan.risks).toContainEqual(expect.objectContaining(risk));
    expect(json.risks).toContainEqual(expect.objectContaining(risk));
    expect(text).toMatch(/^Review first \(\d+\)$/m);
    expect(text).toMatch(/^ {2}checkout +makes checkout reachable by allUsers \(roles\/run\.invoker\) +member +\(none\) -> allUsers$/m);
    expect(markdown).toContain("| `checkout` | makes checkout reachable by allUsers (roles/run.invoker) | `member` | `(none)` → `allUsers` |");
    // Deletions first, then access, then secrets, then cost.
    const kinds = [...new Set(plan.risks.map((r) => r.kind))];
    expect(kinds).toEqual(["deletion", "public-access", "ingress", "secret", "cost"]);
    // Risk comes before the per-service changes.
    expect(plan.risks).toContainEqual(expect.objectContaining({ kind: "ingress", service: "checkout", field: "ingress", old: "INGRESS_TRAFFIC_INTERNAL_ONLY", new: "INGRESS_TRAFFIC_ALL" }));
    expect(markdown.indexOf("Review first")).toBeLessThan(markdown.indexOf("Changes by service"));
    expect(text.indexOf("Review first")).toBeLessThan(text.indexOf("Changes by service"));
  });

  it("lists a deleted service folder as deletions, with what it takes along", () => {
    expect(plan.removedServices).toEqual([{ name: "search", resources: removedWith("search") }]);
    expect(json.removedServices).toEqual(plan.removedServices);
    expect(plan.risks).toContainEqual(expect.objectContaining({ kind: "deletion", service: "search", resource: "search", type: "gcp:cloudrunv2/service:Service", old: "exists", new: "deleted" }));
    expect(plan.risks).toContainEqual(expect.objectContaining({ kind: "deletion", service: "search", resource: "search", type: "gcp:serviceaccount/account:Account" }));
    expect(plan.risks).toContainEqual(expect.objectContaining({ kind: "secret", service: "search", old: "search-session-key", new: "(none)" }));
    expect(text).toContain("No longer declared: deleted with everything under them (1)\n  search: Cloud Run service search, secret access search-search-session-key, service account search, image build search\n");
    expect(markdown).toContain("#### 🗑️ No longer declared: deleted with everything under them (1)\n\n- `search`: Cloud Run service `search`, secret access `search-search-session-key`, service account `search`, image build `search`\n");
  });

  it("shows raised min instances as a cost risk and as an update, old -> new", () => {
    const risk = { kind: "cost", service: "storefront", resource: "storefront", field: "template.scaling.minInstanceCount", old: "0", new: "2" };
    expect(plan.risks).toContainEqual(expect.objectContaining(risk));
    expect(json.risks).toContainEqual(expect.objectContaining(risk));
    const run = plan.changes.find((c) => c.type === "gcp:cloudrunv2/service:Service" && c.name === "storefront")!;
    expect(run.action).toBe("update");
    expect(run.changes).toContainEqual({ path: "template.scaling.minInstanceCount", old: "0", new: "2" });
    expect(text).toContain("        template.scaling.minInstanceCount: 0 -> 2");
    expect(markdown).toContain("| `template.scaling.minInstanceCount` | `0` → `2` |");
  });

  it("shows a GKE workload's raised replica floor as cost, and its Service exposed beyond the cluster", () => {
    expect(plan.risks).toContainEqual(expect.objectContaining({ kind: "cost", service: "catalog-api", type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", field: "spec.minReplicas", old: "1", new: "2" }));
    expect(plan.risks).toContainEqual(expect.objectContaining({ kind: "ingress", service: "catalog-api", type: "kubernetes:core/v1:Service", field: "spec.type", old: "ClusterIP", new: "LoadBalancer" }));
    // A higher ceiling costs nothing until traffic comes: no risk.
    expect(plan.risks.filter((r) => r.field === "spec.maxReplicas")).toEqual([]);
  });

  it("shows a secret's new version as a re-pointed secret, by env var", () => {
    const field = "template.template.containers[0].envs[WAREHOUSE_PASSWORD].valueSource.secretKeyRef.version";
    const risk = { kind: "secret", service: "nightly-report", resource: "nightly-report", field, old: "latest", new: "7" };
    expect(plan.risks).toContainEqual(expect.objectContaining(risk));
    expect(json.risks).toContainEqual(expect.objectContaining(risk));
    expect(text).toMatch(new RegExp(`^ {2}nightly-report +re-points a secret version of env WAREHOUSE_PASSWORD +${field.replace(/[.[\]]/g, "\\$&")} +latest -> 7$`, "m"));
    expect(text).toContain(`        ${field}: latest -> 7`);
    expect(markdown).toContain(`| \`${field}\` | \`latest\` → \`7\` |`);
    expect(json.changes.find((c) => c.type === "gcp:cloudrunv2/job:Job" && c.name === "nightly-report")!.changes).toContainEqual({ path: field, old: "latest", new: "7" });
  });

  it("shows a secret added to a service once, with the new access to it", () => {
    const field = "template.containers[0].envs[API_TOKEN].valueSource.secretKeyRef.secret";
    expect(plan.risks.filter((r) => r.service === "checkout" && r.kind === "secret")).toEqual([
      expect.objectContaining({ field, old: "(none)", new: "checkout-api-token", message: "adds a secret reference of env API_TOKEN" }),
      expect.objectContaining({ type: "gcp:secretmanager/secretIamMember:SecretIamMember", resource: "checkout-checkout-api-token", field: "secretId", old: "(none)", new: "checkout-api-token" }),
    ]);
  });

  it("shows a GKE workload's secret version change in what its pods mount", () => {
    const mounts = plan.risks.filter((r) => r.service === "catalog-api" && r.kind === "secret");
    expect(mounts).toEqual([expect.objectContaining({ type: "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass", message: "changes the secrets mounted into catalog-api" })]);
    expect(mounts[0]!.old).toContain("secrets/catalog-database-url/versions/latest");
    expect(mounts[0]!.new).toContain("secrets/catalog-database-url/versions/3");
  });

  it("shows the run image bump on every image, and the edited source on the one service", () => {
    const packs = Object.fromEntries(plan.changes.filter((c) => c.type === "pulumi-nodejs:dynamic/gantry:PackImage" && c.action !== "delete").map((c) => [c.name, c]));
    for (const name of ["checkout", "nightly-report", "storefront"]) {
      expect(packs[name]!.action).toBe("update");
      expect(packs[name]!.changes).toEqual([{ path: "runImage", old: OLD_RUN, new: NEW_RUN }]);
    }
    const edited = packs["catalog-api"]!;
    expect(edited.changes.map((c) => c.path).sort()).toEqual(["runImage", "source"]);
    const source = edited.changes.find((c) => c.path === "source")!;
    expect(source.old).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(source.new).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(source.new).not.toBe(source.old);
    expect(plan.services.map((s) => [s.name, s.action])).toEqual([
      ["catalog-api", "build"],
      ["checkout", "rebase"],
      ["nightly-report", "rebase"],
      ["storefront", "rebase"],
    ]);
    expect(text).toContain(`        runImage: ${OLD_RUN} -> ${NEW_RUN}`);
    expect(text).toMatch(/^ {2}catalog-api: image build: source changed$/m);
    expect(text).toContain(`        source: ${source.old} -> ${source.new}`);
    // JSON carries the same changes, old -> new, and each service's build decision.
    const jsonPack = (name: string) => json.changes.find((c) => c.type === "pulumi-nodejs:dynamic/gantry:PackImage" && c.name === name)!;
    expect(jsonPack("storefront").changes).toEqual([{ path: "runImage", old: OLD_RUN, new: NEW_RUN }]);
    expect(jsonPack("catalog-api").changes).toContainEqual({ path: "source", old: source.old, new: source.new });
    expect(json.services.map((s) => [s.name, s.action, s.why])).toContainEqual(["catalog-api", "build", "source changed"]);
    expect(markdown).toContain(`| \`runImage\` | \`${OLD_RUN}\` → \`${NEW_RUN}\` |`);
    expect(markdown).toContain("<details><summary><code>catalog-api</code> · image build: source changed");
  });

  it("shows the workloads of rebuilt images as image updates, not as images changed without a build", () => {
    const run = plan.changes.find((c) => c.type === "gcp:cloudrunv2/service:Service" && c.name === "checkout")!;
    expect(run.changes).toContainEqual({ path: "template.containers[0].image", old: expect.stringMatching(/^europe-west1-docker\.pkg\.dev\/acme-gantry-dev\/services\/checkout@sha256:[0-9a-f]{12}$/), new: "(known after deploy)" });
    expect(plan.risks.filter((r) => r.kind === "image-without-build")).toEqual([]);
  });

  it("shows a user's values in the markdown as code only", () => {
    expect(markdown).toContain("| `template.template.containers[0].envs[REPORT_BUCKET].value` | `acme-reports` → `![x](https://evil.example/p.png) @acme/admins \\| <b>` |");
    expect(markdown.split("`").filter((_, i) => i % 2 === 0).join("")).not.toMatch(/!\[x\]|@acme|<b>/);
  });

  it("keeps secrets out of every rendering", () => {
    for (const out of [text, markdown, JSON.stringify(json)]) expect(out).not.toContain("bm90LXJlYWRhYmxlLW9mZmxpbmU=");
  });
});

describe("replacements", () => {
  it("are predicted from the inputs that force them, said to be a prediction, and put first for stateful resources", async () => {
    const dir = projectCopy();
    const backend = backendWith({ dev: (await deploy("dev", dir)).checkpoint });
    edit(path.join(dir, "Pulumi.dev.yaml"), "repository: services", "repository: images");
    const plan = await planAgainst(dir, backend);
    const repo = plan.changes.find((c) => c.type === "gcp:artifactregistry/repository:Repository")!;
    expect(repo.action).toBe("replace");
    expect(repo.changes).toContainEqual({ path: "repositoryId", old: "services", new: "images", forcesReplace: true });
    expect(plan.risks).toContainEqual(expect.objectContaining({ kind: "replacement", type: "gcp:artifactregistry/repository:Repository", field: "repositoryId", old: "services", new: "images" }));
    const pack = plan.changes.find((c) => c.type === "pulumi-nodejs:dynamic/gantry:PackImage" && c.name === "storefront")!;
    expect(pack.action).toBe("replace");
    const text = renderText(plan);
    expect(text).toContain("Replacements are a prediction from the inputs known to force them (plan/replace.ts)");
    expect(text).toContain("        repositoryId: services -> images  (forces replacement)");
    expect(renderMarkdown(plan)).toContain("| `repositoryId` (forces replacement) | `services` → `images` |");
  }, 120_000);
});

describe("IAM grants", () => {
  it("a schedule added in dev is a new invoker account with a new grant on the job", async () => {
    const dir = projectCopy();
    const backend = backendWith({ dev: (await deploy("dev", dir)).checkpoint });
    edit(path.join(dir, "services", "nightly-report", "service.yaml"), "    schedule: null\n", "");
    const plan = await planAgainst(dir, backend);
    expect(plan.risks).toEqual([
      expect.objectContaining({
        kind: "iam-grant",
        service: "nightly-report",
        type: "gcp:cloudrunv2/jobIamMember:JobIamMember",
        resource: "nightly-report-invoker",
        field: "role",
        old: "(none)",
        new: "roles/run.invoker to serviceAccount:nightly-report-invoker@acme-gantry-dev.iam.gserviceaccount.com",
        message: "grants roles/run.invoker on nightly-report",
      }),
    ]);
    expect(plan.changes.filter((c) => c.action === "create").map((c) => `${c.type}::${c.name}`)).toEqual([
      "gcp:cloudrunv2/jobIamMember:JobIamMember::nightly-report-invoker",
      "gcp:cloudscheduler/job:Job::nightly-report",
      "gcp:serviceaccount/account:Account::nightly-report-invoker",
    ]);
  }, 120_000);
});

describe("deletion protection", () => {
  it("turned off is a risk on every workload that had it", async () => {
    const dir = projectCopy();
    edit(path.join(dir, "Pulumi.dev.yaml"), "gantry:deletionProtection: false", "gantry:deletionProtection: true");
    const backend = backendWith({ dev: (await deploy("dev", dir)).checkpoint });
    edit(path.join(dir, "Pulumi.dev.yaml"), "gantry:deletionProtection: true", "gantry:deletionProtection: false");
    const plan = await planAgainst(dir, backend);
    expect(plan.risks.map((r) => [r.kind, r.type, r.resource, r.field, r.old, r.new])).toEqual([
      ["deletion-protection", "gcp:cloudrunv2/job:Job", "nightly-report", "deletionProtection", "true", "false"],
      ["deletion-protection", "gcp:cloudrunv2/service:Service", "storefront", "deletionProtection", "true", "false"],
    ]);
    expect(renderText(plan)).toMatch(/^ {2}storefront +turns deletion protection off on Cloud Run service storefront +deletionProtection +true -> false$/m);
  }, 120_000);
});

describe("nothing changed", () => {
  it("counts every resource unchanged and lists no service", async () => {
    const dir = projectCopy();
    const backend = backendWith({ dev: (await deploy("dev", dir)).checkpoint });
    const plan = await planAgainst(dir, backend);
    expect(plan.counts).toEqual({ create: 0, update: 0, replace: 0, delete: 0, same: 21 });
    expect(plan.risks).toEqual([]);
    const text = renderText(plan);
    expect(text).toContain("Changes by service (0 changed, 3 unchanged, not listed)\n  nothing to change");
    expect(renderMarkdown(plan)).toContain("#### Changes by service (0 changed; 3 unchanged, not listed)\n\nNothing to change.");
  }, 120_000);

  it("compares the same from `pulumi stack export` as from the checkpoint", async () => {
    const dir = projectCopy();
    const exported = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gantry-export-")), "dev.json");
    const { checkpoint } = (await deploy("dev", dir)) as { checkpoint: { checkpoint: { latest: unknown } } };
    fs.writeFileSync(exported, JSON.stringify({ version: 3, deployment: checkpoint.checkpoint.latest }));
    fs.appendFileSync(path.join(dir, "services", "storefront", "main.py"), "\n# edited\n");
    const plan = await makePlan({ stack: "dev", projectDir: dir, cwd: dir, outputsFile: exported, env: { PULUMI_BACKEND_URL: "file:///nonexistent" } });
    expect(plan.diffBasis).toBe("state");
    expect(plan.counts).toEqual({ create: 0, update: 2, replace: 0, delete: 0, same: 19 });
    expect(plan.changes.filter((c) => c.action === "update").map((c) => [c.type, c.name, c.changes.map((x) => x.path)])).toEqual([
      ["gcp:cloudrunv2/service:Service", "storefront", ["template.containers[0].image"]],
      ["pulumi-nodejs:dynamic/gantry:PackImage", "storefront", ["source"]],
    ]);
  }, 120_000);

  it("has no resource diff from stack outputs alone, and says so", async () => {
    const dir = projectCopy();
    const outputs = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gantry-outputs-")), "outputs.json");
    fs.writeFileSync(outputs, JSON.stringify({ services: (await deploy("dev", dir)).services }));
    const plan = await makePlan({ stack: "dev", projectDir: dir, cwd: dir, outputsFile: outputs, env: { PULUMI_BACKEND_URL: "file:///nonexistent" } });
    expect(plan.diffBasis).toBe("outputs-only");
    expect(plan.changes).toEqual([]);
    expect(renderText(plan)).toContain("Resources: not compared (stack outputs hold no resources: pass `pulumi stack export` or use a file backend)");
  }, 120_000);

  it("does not take a backend it cannot read for a first deployment, which would hide every deletion", async () => {
    // Deployed to a bucket (as the Jenkinsfile's PULUMI_BACKEND_URL): then storefront is renamed, which deletes it.
    const dir = projectCopy();
    await deploy("dev", dir);
    edit(path.join(dir, "services", "storefront", "service.yaml"), "name: storefront", "name: shop");
    edit(path.join(dir, "services", "storefront", "service.yaml"), "SESSION_KEY: storefront-session-key", "SESSION_KEY: shop-session-key");
    const plan = await makePlan({ stack: "dev", projectDir: dir, cwd: dir, env: { PULUMI_BACKEND_URL: "gs://acme-gantry-pulumi-state" } });
    expect(plan.ok).toBe(true);
    expect(plan.diffBasis).toBe("not-read");
    // No "N to create, 0 to delete", and no risks read off a diff against nothing.
    expect(plan.changes).toEqual([]);
    expect(plan.counts).toEqual({ create: 0, update: 0, replace: 0, delete: 0, same: 0 });
    expect(plan.risks).toEqual([]);
    const unread = "not known: the last deployment was not read (gs://acme-gantry-pulumi-state is not a file:// backend and needs credentials to read)";
    expect(plan.services.map((s) => [s.name, s.action, s.reasons, s.why])).toEqual(["catalog-api", "nightly-report", "shop"].map((n) => [n, "build", ["unknown"], unread]));
    const text = renderText(plan);
    expect(text).toContain("  Last deployment: not read (gs://acme-gantry-pulumi-state is not a file:// backend and needs credentials to read)\n");
    expect(text).toContain("Resources: not compared, so no deletion can be shown either (the last deployment was not read): pass --outputs with a file from `pulumi stack export --stack dev`\n");
    expect(text).not.toMatch(/to create|first build/);
    expect(renderMarkdown(plan)).toContain("Resources: not compared, so no deletion can be shown either (the last deployment was not read): pass --outputs with a file from \\`pulumi stack export --stack dev\\`");
  }, 120_000);
});

describe("a promotion", () => {
  it("puts an image changed with no build in this stack first, old -> new", async () => {
    const dir = projectCopy();
    const staging = "europe-west1-docker.pkg.dev/acme-gantry-staging/services";
    const image = (name: string, c: string) => `${staging}/${name}@sha256:${c.repeat(64)}`;
    const outputs = (storefront: string) => ({
      "catalog-api": { kind: "gke", image: image("catalog-api", "a"), digest: `sha256:${"a".repeat(64)}` },
      "nightly-report": { kind: "job", image: image("nightly-report", "b"), digest: `sha256:${"b".repeat(64)}` },
      storefront: { kind: "service", image: image("storefront", storefront), digest: `sha256:${storefront.repeat(64)}` },
    });
    const prod = await deploy("prod", dir, { "organization/gantry/staging": { services: outputs("c") } });
    const stagingNow = { version: 3, checkpoint: { stack: "organization/gantry/staging", latest: { manifest: {}, resources: [{ urn: "urn:pulumi:staging::gantry::pulumi:pulumi:Stack::gantry-staging", custom: false, type: "pulumi:pulumi:Stack", outputs: { services: outputs("d") } }] } } };
    const backend = backendWith({ prod: prod.checkpoint, staging: stagingNow });
    const plan = await makePlan({ stack: "prod", projectDir: dir, cwd: dir, env: { PULUMI_BACKEND_URL: `file://${backend}` } });
    expect(plan.risks).toEqual([
      {
        kind: "image-without-build",
        service: "storefront",
        type: "gcp:cloudrunv2/service:Service",
        resource: "storefront",
        field: "template.containers[0].image",
        old: `${staging}/storefront@sha256:cccccccccccc`,
        new: `${staging}/storefront@sha256:dddddddddddd`,
        message: "runs a different image with no build in this deploy (a promotion or a pinned digest)",
      },
    ]);
    expect(plan.counts).toMatchObject({ create: 0, update: 1, replace: 0, delete: 0 });
    expect(renderMarkdown(plan)).toContain(`| \`storefront\` | runs a different image with no build in this deploy (a promotion or a pinned digest) | \`template.containers[0].image\` | \`${staging}/storefront@sha256:cccccccccccc\` → \`${staging}/storefront@sha256:dddddddddddd\` |`);
  }, 120_000);
});

/** A project whose last deployment has a service "pricing", whose service.yaml has since become servcie.yaml. */
async function pricingDeployedThenMisnamed(): Promise<{ dir: string; backend: string }> {
  const dir = projectCopy();
  addService(dir, "pricing");
  const backend = backendWith({ dev: (await deploy("dev", dir)).checkpoint });
  fs.renameSync(path.join(dir, "services", "pricing", "service.yaml"), path.join(dir, "services", "pricing", "servcie.yaml"));
  return { dir, backend };
}

describe("a misnamed service.yaml", () => {
  it("shows the service it declared as deleted with everything under it, in text, JSON and markdown", async () => {
    const { dir, backend } = await pricingDeployedThenMisnamed();
    const plan = await planAgainst(dir, backend);
    // Whether the catalog also reports the misnamed file as a problem (it should), the deletion is shown.
    expect(plan.removedServices).toEqual([{ name: "pricing", resources: removedWith("pricing"), ...(plan.removedServices[0]?.hasProblems ? { hasProblems: true } : {}) }]);
    expect((JSON.parse(renderJson(plan)) as Plan).removedServices.map((s) => s.name)).toEqual(["pricing"]);
    expect(renderText(plan)).toMatch(/^ {2}pricing( \(a file in its folder has problems, listed below\))?: Cloud Run service pricing, secret access pricing-pricing-session-key, service account pricing, image build pricing$/m);
    expect(renderMarkdown(plan)).toMatch(/^- `pricing`( \(a file in its folder has problems, listed below\))?: Cloud Run service `pricing`, secret access `pricing-pricing-session-key`, service account `pricing`, image build `pricing`$/m);
  }, 120_000);
});

describe("a catalog with errors", () => {
  it("still names the deployed services it no longer declares, though nothing would be deployed", async () => {
    const { dir, backend } = await pricingDeployedThenMisnamed();
    edit(path.join(dir, "services", "storefront", "service.yaml"), "memory: 512Mi", "memory: lots");
    const plan = await planAgainst(dir, backend);
    expect(plan.ok).toBe(false);
    // storefront's file is invalid, so it is not among the valid services either; the plan says why. So is
    // pricing's: the catalog refuses its misspelled servcie.yaml, and the plan points there.
    expect(plan.removedServices.map((s) => [s.name, s.hasProblems ?? false])).toEqual([
      ["pricing", true],
      ["storefront", true],
    ]);
    expect(plan.problems).toEqual(expect.arrayContaining([expect.objectContaining({ file: expect.stringMatching(/pricing\/servcie\.yaml$/), message: expect.stringContaining("service.yaml") })]));
    const text = renderText(plan);
    expect(text).toContain(
      "In the last deployment but not among the valid services: a deploy would delete them (2)\n" +
        "  pricing (a file in its folder has problems, listed below): Cloud Run service pricing, secret access pricing-pricing-session-key, service account pricing, image build pricing\n" +
        "  storefront (a file in its folder has problems, listed below): Cloud Run service storefront, ",
    );
    expect(text).toContain("Nothing would be built or deployed until the problems above are fixed.");
    expect(renderMarkdown(plan)).toContain("- `pricing` (a file in its folder has problems, listed below): Cloud Run service `pricing`");
    expect(renderMarkdown(plan)).toContain("`services/pricing/servcie.yaml:1:1` looks like a misspelled service.yaml");
  }, 120_000);
});

describe("inputs a provider filled in by default", () => {
  // As the engine stores a bridged provider's checked inputs: `__defaults` at each level names what it filled in.
  const type = "gcp:cloudrunv2/service:Service";
  const urn = `urn:pulumi:dev::gantry::gantry:service:Service$${type}::web`;
  const deployed = {
    urn,
    type,
    name: "web",
    custom: true,
    inputs: {
      __defaults: ["launchStage"],
      name: "web",
      launchStage: "GA",
      template: {
        __defaults: ["executionEnvironment"],
        executionEnvironment: "EXECUTION_ENVIRONMENT_GEN2",
        timeout: "60s",
        containers: [{ __defaults: ["cpuIdle"], image: "r/web@sha256:1", resources: { __defaults: [], limits: { cpu: "1" } }, cpuIdle: true }],
      },
    },
  };
  const planned = (template: Record<string, unknown>) => [{ urn, type, name: "web", custom: true, read: false, inputs: { name: "web", template } }];
  const container = { image: "r/web@sha256:1", resources: { limits: { cpu: "1" } } };

  it("are the provider's, at any depth, not removals", () => {
    const [web] = diffResources(planned({ timeout: "60s", containers: [container] }), [deployed]);
    expect(web!.change).toMatchObject({ action: "same", changes: [] });
  });

  it("still change when the program sets them now, and an input the program dropped is still a removal", () => {
    const [web] = diffResources(planned({ executionEnvironment: "EXECUTION_ENVIRONMENT_GEN1", containers: [{ ...container, cpuIdle: false }] }), [deployed]);
    expect(web!.change.action).toBe("update");
    expect(web!.change.changes).toEqual([
      { path: "template.executionEnvironment", old: "EXECUTION_ENVIRONMENT_GEN2", new: "EXECUTION_ENVIRONMENT_GEN1" },
      { path: "template.containers[0].cpuIdle", old: "true", new: "false" },
      { path: "template.timeout", old: "60s", new: "(none)" },
    ]);
  });
});
