import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_DIR } from "../service/harness";

/* What the Jenkinsfile runs, read from it (Jenkins steps are not executed here: there is no Jenkins). */

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
const jenkinsfile = read("Jenkinsfile");
const field = (name: string) => new RegExp(`@Field final String ${name} = '([^']*)'`).exec(jenkinsfile)?.[1];

describe("the Jenkinsfile and the files it names", () => {
  it("reads pod templates that exist", () => {
    for (const name of ["CHECK_POD", "PREVIEW_POD", "STAGING_POD", "PROD_POD"]) expect(fs.existsSync(path.join(PROJECT_DIR, field(name)!)), name).toBe(true);
  });

  it("runs the pipeline the issue asks for", () => {
    for (const step of [
      "sh 'npm ci'",
      "sh 'GANTRY_REAL_TIER=off npm test'",
      "sh 'npx vitest run test/real'",
      "sh 'npx gantry validate'",
      "npx pulumi stack export --stack dev --file .gantry/last-dev.json",
      "npx gantry plan --stack dev --markdown --full-file .gantry/plan-full.md${last} > .gantry/plan.md",
      "archiveArtifacts artifacts: '.gantry/plan.md, .gantry/plan-full.md'",
      "pullRequest.comment(readFile('.gantry/plan.md'))",
      `sh 'npx gantry preview up --pr "$CHANGE_ID"'`,
      `sh 'npx gantry preview destroy --pr "$PREVIEW_PR"'`,
      "sh 'npx gantry preview gc --older-than 72h'",
      "sh 'npx pulumi up --stack staging --yes --non-interactive'",
      "sh 'npx pulumi up --stack prod --yes --non-interactive'",
      "sh 'npx tsx infra/jenkins/cache-cli.ts prepare'",
      "sh 'npx tsx infra/jenkins/registry-auth.ts'",
      `'npx tsx infra/jenkins/cache-cli.ts clear --stack "$CLEAR_STACK" --service "$CLEAR_SERVICE"'`,
    ]) {
      expect(jenkinsfile, step).toContain(step);
    }
    // Prod waits for a person, before any agent is taken.
    const prod = jenkinsfile.slice(jenkinsfile.indexOf("stage('Prod')"), jenkinsfile.indexOf("stage('Destroy preview')"));
    expect(prod).toMatch(/beforeInput true/);
    expect(prod).toMatch(/input \{[^}]*submitter 'gantry-prod-approvers'/);
    expect(prod.indexOf("input {")).toBeLessThan(prod.indexOf("withProdAgent"));
  });

  it("runs the fast tier in the check pod and the real tier (root, its own dockerd) only on a VM of its own, never in a pod", () => {
    // CI=true makes a real tier that cannot run fail the run: the non-root check pod must leave it out, by name.
    expect(jenkinsfile).toMatch(/^\s+CI = 'true'$/m);
    expect(jenkinsfile.match(/sh '[^'\n]*npm test/g)).toEqual(["sh 'GANTRY_REAL_TIER=off npm test"]);
    const check = jenkinsfile.slice(jenkinsfile.indexOf("stage('Check')"), jenkinsfile.indexOf("stage('Real tier')"));
    expect(check).toContain("sh 'GANTRY_REAL_TIER=off npm test'");
    const real = jenkinsfile.slice(jenkinsfile.indexOf("stage('Real tier')"), jenkinsfile.indexOf("stage('Preview')"));
    expect(real).toContain("node(env.GANTRY_REAL_TIER_LABEL) {");
    expect(real).not.toMatch(/withCheckAgent|withPreviewAgent|withStagingAgent|withProdAgent|podTemplate|onPod|lock\(/);
    // Without such a VM the run says so (unstable), rather than passing as if the tier had run.
    expect(real.indexOf("unstable(")).toBeLessThan(real.indexOf("node(env.GANTRY_REAL_TIER_LABEL)"));
  });

  it("clears a trusted slot's cache only from main: the slot's pod runs the branch's own code as staging's identity", () => {
    const start = jenkinsfile.indexOf("void clearCache() {");
    const body = jenkinsfile.slice(start, jenkinsfile.indexOf("\n}\n", start));
    const guard = body.indexOf("if (trusted && env.BRANCH_NAME != 'main') {\n    error(");
    expect(guard).toBeGreaterThan(0);
    // Before any agent is taken, VM or pod.
    for (const step of ["nodesByLabel(", "node(", "lock(", "onPod("]) expect(guard, step).toBeLessThan(body.indexOf(step));
    // The other ways onto a trusted agent are stages that run on main only.
    for (const stage of ["Staging", "Prod"]) {
      const text = jenkinsfile.slice(jenkinsfile.indexOf(`stage('${stage}')`), jenkinsfile.indexOf("steps {", jenkinsfile.indexOf(`stage('${stage}')`)));
      expect(text, stage).toContain("branch 'main'");
    }
  });

  it("fans staging's builds out as N shards on N cache slots, then deploys once", () => {
    const staging = jenkinsfile.slice(jenkinsfile.indexOf("stage('Staging')"), jenkinsfile.indexOf("stage('Prod')"));
    // N parallel branches, shard k of n on slot k-1 (a service builds where its cache is), then one up.
    expect(staging).toMatch(/for \(int k = 1; k <= shards; k\+\+\)/);
    expect(staging).toContain('String slot = k <= slotsOf(\'staging\') ? "${CACHE_SLOT_LABEL}-${k - 1}" : null');
    expect(staging.indexOf("parallel branches")).toBeGreaterThan(0);
    expect(staging.indexOf("parallel branches")).toBeLessThan(staging.indexOf("sh 'npx pulumi up --stack staging --yes --non-interactive'"));
    // No failFast: every shard finishes, so the retry finds the others' images.
    expect(staging).not.toMatch(/failFast/);
    expect(jenkinsfile).toContain(`'npx gantry build --stack staging --shard "$GANTRY_SHARD" --outputs .gantry/last-staging.json'`);
    expect(jenkinsfile).toContain(`string(name: 'BUILD_SHARDS'`);
    expect(jenkinsfile).toMatch(/lock\(resource: slot, variable: 'PACK_CACHE_SLOT'\)/);
    // The shard limit is the one gantry build itself enforces.
    const max = /@Field final int MAX_SHARDS = (\d+)/.exec(jenkinsfile)?.[1];
    expect(read("build/shard.ts")).toContain(`export const MAX_SHARDS = ${max};`);
  });

  it("installs pack on VM agents only, the version Gantry's pack contract was taken from, checked against its release checksum", () => {
    const contract = JSON.parse(read("test/support/pack-standin/pack-cli-contract.json")) as { packVersion: string };
    expect(contract.packVersion.startsWith(`v${field("PACK_VERSION")} `)).toBe(true);
    expect(jenkinsfile).toMatch(/sha256sum -c -/);
    expect([...jenkinsfile.matchAll(/installPack\(\)/g)]).toHaveLength(2); // its definition and onVmPackCheckout
  });

  it("names the commands that the CLI it calls really has", () => {
    const cli = read("infra/jenkins/cache-cli.ts");
    for (const command of jenkinsfile.matchAll(/cache-cli\.ts (\w+)/g)) expect(cli).toContain(`command === "${command[1]}"`);
  });
});
