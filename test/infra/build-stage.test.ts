import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runStack } from "../../infra/program";
import { installMocks, PROJECT_DIR, resolveOutputs } from "../service/harness";
import { PACK } from "../support/resource-types";
import { formatProblem } from "../../catalog/problems";
import { BASE, catalogOf } from "../support/catalog-fixture";

/* gantry:stage: build under Pulumi's mock runtime: every image and nothing else, pushed where registry.url says. */

/** The example project plus stack ci: dev's config (its shared secrets included) and `extra`. */
function project(extra: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-build-stage-"));
  fs.cpSync(path.join(PROJECT_DIR, "services"), path.join(dir, "services"), { recursive: true });
  for (const f of fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(dir, f));
  const dev = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8").replace("acme-gantry-dev", "acme-gantry-ci");
  fs.writeFileSync(path.join(dir, "Pulumi.ci.yaml"), `${dev.trimEnd()}\n${extra}`);
  return dir;
}

async function run(stack: string, dir: string) {
  const captured = await installMocks(stack);
  const outputs = runStack({ stack, projectDir: dir, servicesDir: path.join(dir, "services"), build: { logDir: path.join(dir, ".gantry", "logs"), statCacheDir: path.join(dir, ".gantry", "stat") } }).services;
  return { captured, outputs: await resolveOutputs(outputs) };
}

const BUILD_STAGE = "  gantry:stage: build\n";

describe("a stage: build stack", () => {
  it("declares one image per service and no cloud resource at all", async () => {
    const { captured, outputs } = await run("ci", project(BUILD_STAGE));
    const types = [...new Set(captured.map((c) => c.type))].sort();
    expect(types).toEqual([PACK]);
    expect(captured.filter((c) => c.type === PACK).map((c) => c.name).sort()).toEqual(["catalog-api", "nightly-report", "storefront"]);
    for (const c of captured.filter((c) => c.type === PACK)) expect(c.inputs.repository).toBe(`europe-west1-docker.pkg.dev/acme-gantry-ci/services/${c.name}`);
    expect(Object.keys(outputs).sort()).toEqual(["catalog-api", "nightly-report", "storefront"]);
    expect(outputs.storefront).toMatchObject({ kind: "service", image: expect.stringMatching(/^europe-west1-docker\.pkg\.dev\/acme-gantry-ci\/services\/storefront@sha256:[0-9a-f]{64}$/) });
    expect(outputs.storefront!.digest).toBe((outputs.storefront!.image as string).split("@")[1]);
  });

  it("pushes to registry.url when given, under each service's own name, suffixed in a preview", async () => {
    const dir = project(`${BUILD_STAGE}  gantry:nameSuffix: pr-3\n`);
    // registry: is a mapping in dev's file; give the build stage its own address there.
    const file = path.join(dir, "Pulumi.ci.yaml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("    repository: services\n", "    repository: services\n    url: registry.internal:5000/team/images\n"));
    const { captured, outputs } = await run("ci", dir);
    const packs = captured.filter((c) => c.type === PACK);
    expect(packs.map((c) => c.inputs.repository).sort()).toEqual([
      "registry.internal:5000/team/images/catalog-api-pr-3",
      "registry.internal:5000/team/images/nightly-report-pr-3",
      "registry.internal:5000/team/images/storefront-pr-3",
    ]);
    // Outputs stay keyed by the declared name, as a deploying stack's are.
    expect(Object.keys(outputs).sort()).toEqual(["catalog-api", "nightly-report", "storefront"]);
  });
});

describe("the stage and registry.url settings", () => {
  const refused = (extra: string) =>
    catalogOf({ svc: BASE.service }, { dev: `config:\n  gantry:project: acme-dev-proj\n  gantry:region: europe-west1\n${extra}` })
      .problems.filter((p) => p.severity === "error")
      .map(formatProblem);

  it("refuse registry.url on a deploying stack, at its line", () => {
    expect(refused("  gantry:registry:\n    url: registry.internal:5000/images\n")).toEqual([
      expect.stringMatching(/^Pulumi\.dev\.yaml:5:\d+ gantry:registry\.url: applies to a stage: build stack only/),
    ]);
    expect(refused("  gantry:stage: build\n  gantry:registry:\n    url: registry.internal:5000/images\n")).toEqual([]);
  });

  it("refuse a registry address with a scheme or a tag", () => {
    for (const url of ["https://registry.internal/images", "registry.internal/images:latest", "Registry.Internal/images"]) {
      expect(refused(`  gantry:stage: build\n  gantry:registry:\n    url: "${url}"\n`)).toEqual([expect.stringMatching(/gantry:registry\.url: must be a registry address/)]);
    }
  });

  it("refuse a build stage that promotes, and an unknown stage", () => {
    expect(refused("  gantry:stage: build\n  gantry:promoteFrom: organization/gantry/staging\n")).toEqual([expect.stringMatching(/gantry:stage: a stack that promotes \(promoteFrom\) .* has nothing to build/)]);
    expect(refused("  gantry:stage: deploy-later\n")).toEqual([expect.stringMatching(/gantry:stage: must be one of "deploy", "build"/)]);
  });
});
