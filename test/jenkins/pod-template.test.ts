import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Pod } from "kubernetes-models/v1/Pod";
import YAML from "yaml";
import { loadCatalog } from "../../catalog/load";
import { platformConfig } from "../../catalog/schema/platform";
import { CNB_GID } from "../../infra/jenkins/cache-folders";
import { PROJECT_DIR } from "../service/harness";

/*
 * The agent pod templates against the Kubernetes schemas (kubernetes-models), and against the settings they
 * must agree with: the stacks' cache mount path, the claim names the Jenkinsfile locks, the Docker socket.
 */

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
const jenkinsfile = read("Jenkinsfile");
const field = (name: string) => new RegExp(`@Field final String ${name} = '([^']*)'`).exec(jenkinsfile)?.[1];

const TOKEN = field("CLAIM_TOKEN")!;
const templateText = read("jenkins/pod-template.yaml");
/** The pod exactly as the Jenkinsfile hands it to the Kubernetes plugin for slot pack-cache-2 (Java's replace: every occurrence). */
const pod = YAML.parse(templateText.replaceAll(TOKEN, "pack-cache-2"));

type Container = { name: string; env?: Array<{ name: string; value?: string }>; args?: string[]; volumeMounts?: Array<{ name: string; mountPath: string }>; securityContext?: { privileged?: boolean } };
const container = (name: string): Container => {
  const c = (pod.spec.containers as Container[]).find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
};
const mountOf = (c: Container, volume: string) => c.volumeMounts?.find((m) => m.name === volume)?.mountPath;

describe("jenkins/pod-template.yaml", () => {
  it("is a valid Pod once the slot's claim is filled in", () => {
    expect(TOKEN).toBe("PACK_CACHE_CLAIM");
    // Once, as the claim's name: a second occurrence would be rewritten too.
    expect(templateText.split(TOKEN)).toHaveLength(2);
    expect(templateText).toContain(`claimName: ${TOKEN}\n`);
    expect(() => new Pod(pod).validate()).not.toThrow();
  });

  it("mounts the locked slot's claim and nothing else persistent", () => {
    const persistent = (pod.spec.volumes as Array<Record<string, any>>).filter((v) => v.persistentVolumeClaim);
    expect(persistent).toEqual([{ name: "pack-cache", persistentVolumeClaim: { claimName: "pack-cache-2" } }]);
    expect((pod.spec.volumes as Array<Record<string, unknown>>).filter((v) => v.hostPath)).toEqual([]);
  });

  it("makes the disk group-writable for the CNB user without re-owning every file on each start", () => {
    expect(pod.spec.securityContext).toEqual({ fsGroup: CNB_GID, fsGroupChangePolicy: "OnRootMismatch" });
  });

  it("mounts the cache where every bind-mode stack says it is, in pack's container and in the daemon's", () => {
    const mount = mountOf(container("gantry"), "pack-cache");
    expect(mount).toBeDefined();
    expect(mountOf(container("dind"), "pack-cache")).toBe(mount);
    const catalog = loadCatalog({ projectDir: PROJECT_DIR });
    const bindMounts = Object.values(catalog.platforms).flatMap((p) => (p.buildCache.mode === "bind" ? [p.buildCache.mountPath] : []));
    const defaultMount = (platformConfig.parse({ project: "acme-ci-tools", region: "europe-west1", buildCache: { mode: "bind" } }).buildCache as { mountPath: string }).mountPath;
    for (const m of [...bindMounts, defaultMount]) expect(m.replace(/\/+$/, "")).toBe(mount);
  });

  it("gives pack a Docker daemon over a shared socket only, with its storage off the overlay filesystem", () => {
    const dockerHost = container("gantry").env?.find((e) => e.name === "DOCKER_HOST")?.value;
    expect(dockerHost).toBe("unix:///var/run/dind/docker.sock");
    const dind = container("dind");
    expect(dind.securityContext?.privileged).toBe(true);
    // Starting with `dockerd` keeps the image's entrypoint from adding a TCP listener.
    expect(dind.args?.[0]).toBe("dockerd");
    expect(dind.args?.filter((a) => a.startsWith("--host="))).toEqual([`--host=${dockerHost}`]);
    expect(mountOf(dind, "dind-socket")).toBe(mountOf(container("gantry"), "dind-socket"));
    expect(mountOf(dind, "dind-storage")).toBe("/var/lib/docker");
    const emptyDirs = (pod.spec.volumes as Array<Record<string, unknown>>).filter((v) => v.emptyDir).map((v) => v.name);
    expect(emptyDirs.sort()).toEqual(["dind-socket", "dind-storage"]);
  });
});

describe("jenkins/check-pod.yaml", () => {
  it("is a valid Pod with the gantry container and no cache", () => {
    const check = YAML.parse(read("jenkins/check-pod.yaml"));
    expect(() => new Pod(check).validate()).not.toThrow();
    expect(check.spec.containers.map((c: { name: string }) => c.name)).toEqual(["gantry"]);
    expect(check.spec.volumes).toBeUndefined();
  });
});

describe("the Jenkinsfile and the files it names", () => {
  it("reads pod templates that exist", () => {
    for (const name of ["CACHE_POD", "CHECK_POD"]) expect(fs.existsSync(path.join(PROJECT_DIR, field(name)!)), name).toBe(true);
  });

  it("locks slots labelled with the default namePrefix, the prefix of the claims JenkinsAgentCache declares", () => {
    const jenkins = platformConfig.parse({ project: "acme-ci-tools", region: "europe-west1", jenkins: { agents: "gke", slots: 1 } }).jenkins!;
    expect(field("CACHE_SLOT_LABEL")).toBe(jenkins.namePrefix);
    expect(jenkinsfile).toContain("lock(label: CACHE_SLOT_LABEL, quantity: 1, variable: 'PACK_CACHE_SLOT')");
    expect(jenkinsfile).toContain("podTemplate(yaml: cachePodYaml(env.PACK_CACHE_SLOT))");
    expect(jenkinsfile).toContain("readTrusted(CACHE_POD).replace(CLAIM_TOKEN, claim)");
  });

  it("runs the pipeline the issue asks for", () => {
    for (const step of [
      "sh 'npm ci'",
      "sh 'npm test'",
      "sh 'npx gantry validate'",
      "npx pulumi stack export --stack dev --file .gantry/last-dev.json",
      "npx gantry plan --stack dev --markdown --full-file .gantry/plan-full.md${last} > .gantry/plan.md",
      "archiveArtifacts artifacts: '.gantry/plan.md, .gantry/plan-full.md'",
      "pullRequest.comment(readFile('.gantry/plan.md'))",
      `sh 'npx gantry preview up --pr "$CHANGE_ID"'`,
      `sh 'npx gantry preview destroy --pr "$PREVIEW_PR"'`,
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
    expect(prod.indexOf("input {")).toBeLessThan(prod.indexOf("withPackAgent"));
  });

  it("installs the pack version Gantry's pack contract was taken from, checked against its release checksum", () => {
    const contract = JSON.parse(read("test/support/pack-standin/pack-cli-contract.json")) as { packVersion: string };
    expect(contract.packVersion.startsWith(`v${field("PACK_VERSION")} `)).toBe(true);
    expect(jenkinsfile).toMatch(/sha256sum -c -/);
  });

  it("names the commands that the CLI it calls really has", () => {
    const cli = read("infra/jenkins/cache-cli.ts");
    for (const command of jenkinsfile.matchAll(/cache-cli\.ts (\w+)/g)) expect(cli).toContain(`command === "${command[1]}"`);
  });
});
