import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Pod } from "kubernetes-models/v1/Pod";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import YAML from "yaml";
import { loadCatalog } from "../../catalog/load";
import { GOOGLE_BUILDER, platformConfig } from "../../catalog/schema/platform";
import { loadIdentities } from "../../infra/identities/config";
import { CNB_GID, CNB_UID } from "../../infra/jenkins/cache-folders";
import { slotNames, untrustedLabel, untrustedSlotNames } from "../../infra/jenkins/slots";
import { PROJECT_DIR } from "../service/harness";
import { restrictedViolations } from "../support/pod-security";

/*
 * The agent pod templates as the Jenkinsfile hands them to the Kubernetes plugin: valid Pods (kubernetes-models),
 * passing the "restricted" Pod Security Standard with no privileged container and no Docker socket, and each at
 * its trust level: pull-request pods in the pull-request namespace as gantry-preview, where no trusted claim and
 * no deployer's service account exists.
 */

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
const jenkinsfile = read("Jenkinsfile");
const field = (name: string) => {
  const value = new RegExp(`@Field final String ${name} = '([^']*)'`).exec(jenkinsfile)?.[1];
  if (value === undefined) throw new Error(`the Jenkinsfile has no @Field ${name}`);
  return value;
};
/** The body of one Jenkinsfile function, up to the next top-level declaration. */
const fn = (name: string) => {
  const start = jenkinsfile.indexOf(`void ${name}(`);
  if (start < 0) throw new Error(`no function ${name}`);
  const next = jenkinsfile.slice(start + 1).search(/\n(void|String|boolean) \w+\(/);
  return jenkinsfile.slice(start, next < 0 ? undefined : start + 1 + next);
};

const staging = loadCatalog({ projectDir: PROJECT_DIR }).platforms.staging!;
const jenkins = staging.jenkins!;
if (jenkins.agents !== "gke") throw new Error("staging's gantry:jenkins is expected to be GKE agents");
const identities = loadIdentities(path.join(PROJECT_DIR, "identities", "Pulumi.pipeline.yaml")).config!;

/** A template exactly as the Jenkinsfile fills it (Java's String.replace: every occurrence). */
const filled = (file: string, claim: string) => YAML.parse(read(file).replaceAll(field("CLAIM_TOKEN"), claim).replaceAll(field("BUILDER_TOKEN"), GOOGLE_BUILDER));

const TEMPLATES = {
  check: { file: field("CHECK_POD"), trust: "pull-request", claim: undefined },
  preview: { file: field("PREVIEW_POD"), trust: "pull-request", claim: untrustedSlotNames(jenkins)[0]! },
  staging: { file: field("STAGING_POD"), trust: "trusted", claim: slotNames(jenkins)[0]! },
  prod: { file: field("PROD_POD"), trust: "trusted", claim: undefined },
} as const;
const pods = Object.fromEntries(Object.entries(TEMPLATES).map(([k, t]) => [k, filled(t.file, t.claim ?? "unused")])) as Record<keyof typeof TEMPLATES, any>;
const claimsOf = (pod: any): string[] => (pod.spec.volumes ?? []).filter((v: any) => v.persistentVolumeClaim).map((v: any) => v.persistentVolumeClaim.claimName);

describe("the restricted profile checker", () => {
  it("finds every violation of the old dind agent pod, and of host access", () => {
    const old = {
      hostNetwork: true,
      securityContext: { fsGroup: 1000 },
      containers: [
        { name: "gantry", image: "node:20", env: [{ name: "DOCKER_HOST", value: "unix:///var/run/dind/docker.sock" }], volumeMounts: [{ name: "s", mountPath: "/var/run/dind" }] },
        { name: "dind", image: "docker:27-dind", securityContext: { privileged: true, capabilities: { add: ["SYS_ADMIN"] } }, ports: [{ containerPort: 2375, hostPort: 2375 }] },
      ],
      volumes: [{ name: "s", emptyDir: {} }, { name: "sock", hostPath: { path: "/var/run/docker.sock" } }],
    };
    expect(restrictedViolations(old).sort()).toEqual(
      [
        "hostNetwork is true",
        "volume sock is of type hostPath, not allowed",
        ...["gantry", "dind"].flatMap((c) => [
          `container ${c} does not set allowPrivilegeEscalation: false`,
          `container ${c} is not runAsNonRoot (neither it nor the pod sets true)`,
          `container ${c} has no RuntimeDefault or Localhost seccomp profile`,
          `container ${c} does not drop ALL capabilities`,
        ]),
        "container gantry mounts /var/run/dind",
        "container gantry points at a Docker daemon (DOCKER_HOST)",
        "container dind is privileged",
        "container dind adds capability SYS_ADMIN",
        "container dind uses hostPort 2375",
        "container dind runs a Docker daemon image (docker:27-dind)",
      ].sort(),
    );
  });
});

describe.each(Object.keys(TEMPLATES) as (keyof typeof TEMPLATES)[])("jenkins %s pod", (name) => {
  const pod = pods[name];
  const template = TEMPLATES[name];

  it("is a valid Pod once the Jenkinsfile has filled it in", () => {
    expect(() => new Pod(pod).validate()).not.toThrow();
  });

  it("passes the restricted Pod Security Standard, with no privileged container and no Docker socket", () => {
    expect(restrictedViolations(pod.spec)).toEqual([]);
    expect(read(template.file)).not.toMatch(/privileged: true|docker\.sock|DOCKER_HOST/);
  });

  it("gives every container a numeric non-root user: the images name theirs (USER cnb, USER jenkins), which the kubelet cannot check against runAsNonRoot", () => {
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      const uid = c.securityContext?.runAsUser ?? pod.spec.securityContext?.runAsUser;
      expect(typeof uid === "number" && uid > 0, `${name}/${c.name} runAsUser ${uid}`).toBe(true);
    }
  });

  it("runs at its trust level: namespace, service account and the identity behind it", () => {
    const untrusted = template.trust === "pull-request";
    expect(pod.metadata.labels["gantry.dev/trust"]).toBe(template.trust);
    expect(pod.metadata.namespace).toBe(untrusted ? field("PR_NAMESPACE") : field("TRUSTED_NAMESPACE"));
    expect(pod.metadata.namespace).toBe(untrusted ? jenkins.untrusted.namespace : jenkins.namespace);
    expect(pod.metadata.namespace).toBe(untrusted ? identities.namespaces.untrusted : identities.namespaces.trusted);
    expect(pod.spec.serviceAccountName).toBe(untrusted ? "gantry-preview" : name === "prod" ? "gantry-prod" : "gantry-staging");
    // A Kubernetes API token only where the stack's `up` manages the agents' claims.
    expect(pod.spec.automountServiceAccountToken).toBe(name === "staging");
  });
});

describe("caches by trust level", () => {
  it("no pull-request pod can mount a trusted claim: those live in another namespace, under other names", () => {
    const trusted = new Set(slotNames(jenkins));
    for (const name of ["check", "preview"] as const) {
      expect(pods[name].metadata.namespace).not.toBe(jenkins.namespace);
      for (const claim of claimsOf(pods[name])) expect(trusted.has(claim), claim).toBe(false);
    }
    expect(claimsOf(pods.check)).toEqual([]);
    expect(claimsOf(pods.prod)).toEqual([]);
  });

  it("pull-request builds lock only pull-request slots, and trusted builds only trusted ones", () => {
    expect(field("CACHE_SLOT_LABEL")).toBe(jenkins.namePrefix);
    expect(field("PR_CACHE_SLOT_LABEL")).toBe(untrustedLabel(jenkins));
    const preview = fn("withPreviewAgent");
    expect(preview).toContain("withBuildAgent(VM_PR_PACK_LABEL, PR_CACHE_SLOT_LABEL, PR_NAMESPACE, PREVIEW_POD, 'dev', null, body)");
    expect(preview).not.toMatch(/\bCACHE_SLOT_LABEL|STAGING_POD|TRUSTED_NAMESPACE|VM_STAGING_LABEL/);
    const stagingAgent = fn("withStagingAgent");
    expect(stagingAgent).toContain("withBuildAgent(VM_STAGING_LABEL, CACHE_SLOT_LABEL, TRUSTED_NAMESPACE, STAGING_POD, 'staging', slot, body)");
    expect(stagingAgent).not.toMatch(/PR_CACHE_SLOT_LABEL|PREVIEW_POD|PR_NAMESPACE|VM_PR_/);
    // The build agent locks the label it is given and starts the template in the namespace it is given.
    const build = fn("withBuildAgent");
    expect(build).toContain("lock(label: slotLabel, quantity: 1, variable: 'PACK_CACHE_SLOT')");
    expect(build).toContain("onPod(namespace, buildPodYaml(template, env.PACK_CACHE_SLOT, stack), true, body)");
    // A named slot (a build shard's own) must be <label>-<number> of the label given: pack-cache-pr-0 starts with
    // pack-cache- too, and a trusted shard must never lock a pull request's cache.
    expect(build).toContain("if (!(slot ==~ /${slotLabel}-[0-9]+/)) {");
    expect(build).toContain("lock(resource: slot, variable: 'PACK_CACHE_SLOT')");
    expect("pack-cache-pr-0").not.toMatch(new RegExp(`^${field("CACHE_SLOT_LABEL")}-[0-9]+$`));
    expect("pack-cache-3").toMatch(new RegExp(`^${field("CACHE_SLOT_LABEL")}-[0-9]+$`));
    expect(fn("withCheckAgent")).toContain("withAgent(VM_PR_CHECK_LABEL, PR_NAMESPACE, CHECK_POD, body)");
    expect(fn("withProdAgent")).toContain("withAgent(VM_PROD_LABEL, TRUSTED_NAMESPACE, PROD_POD, body)");
    // The stages that run a pull request's code use the untrusted agents only.
    for (const stage of ["Check", "Preview", "Destroy preview", "Remove old previews"]) {
      const text = jenkinsfile.slice(jenkinsfile.indexOf(`stage('${stage}')`), jenkinsfile.indexOf("stage(", jenkinsfile.indexOf(`stage('${stage}')`) + 7));
      expect(text, stage).not.toMatch(/withStagingAgent|withProdAgent/);
    }
  });

  it("mounts the cache in a build pod where every bind-mode stack says it is, group-writable for the CNB user", () => {
    const bindMounts = Object.values(loadCatalog({ projectDir: PROJECT_DIR }).platforms).flatMap((p) => (p.buildCache.mode === "bind" ? [p.buildCache.mountPath] : []));
    const defaultMount = (platformConfig.parse({ project: "acme-ci-tools", region: "europe-west1", buildCache: { mode: "bind" } }).buildCache as { mountPath: string }).mountPath;
    for (const name of ["preview", "staging"] as const) {
      const gantry = pods[name].spec.containers.find((c: any) => c.name === "gantry");
      const mount = gantry.volumeMounts.find((m: any) => m.name === "pack-cache").mountPath;
      for (const m of [...bindMounts, defaultMount]) expect(m.replace(/\/+$/, "")).toBe(mount);
      expect(pods[name].spec.securityContext.fsGroup).toBe(CNB_GID);
      expect(claimsOf(pods[name])).toEqual([TEMPLATES[name].claim]);
      // The builder image is the build container: the lifecycle runs in it, as the builder's CNB user.
      expect(gantry.image).toBe(GOOGLE_BUILDER);
      expect([gantry.securityContext.runAsUser, gantry.securityContext.runAsGroup]).toEqual([CNB_UID, CNB_GID]);
    }
    expect(field("DEFAULT_BUILDER")).toBe(GOOGLE_BUILDER);
  });
});

describe("identities the pipeline holds", () => {
  const accounts = YAML.parseAllDocuments(read("jenkins/service-accounts.yaml")).map((d) => d.toJS()).filter((d) => d.kind === "ServiceAccount");

  it("maps each agent service account to its trust level's Google account, in its namespace", () => {
    for (const a of accounts) expect(() => new ServiceAccount(a).validate()).not.toThrow();
    expect(accounts.map((a) => [a.metadata.namespace, a.metadata.name, a.metadata.annotations["iam.gke.io/gcp-service-account"]])).toEqual([
      [identities.namespaces.untrusted, "gantry-preview", `gantry-preview@${identities.preview}.iam.gserviceaccount.com`],
      [identities.namespaces.trusted, "gantry-staging", `gantry-staging@${identities.staging}.iam.gserviceaccount.com`],
      [identities.namespaces.trusted, "gantry-prod", `gantry-prod@${identities.prod}.iam.gserviceaccount.com`],
    ]);
    for (const pod of Object.values(pods)) expect(accounts.some((a) => a.metadata.name === pod.spec.serviceAccountName && a.metadata.namespace === pod.metadata.namespace)).toBe(true);
  });

  it("declares both agent namespaces enforcing the restricted Pod Security Standard", () => {
    const namespaces = YAML.parseAllDocuments(read("jenkins/service-accounts.yaml")).map((d) => d.toJS()).filter((d) => d.kind === "Namespace");
    for (const n of namespaces) expect(() => new Namespace(n).validate()).not.toThrow();
    expect(namespaces.map((n) => n.metadata.name).sort()).toEqual([identities.namespaces.trusted, identities.namespaces.untrusted].sort());
    for (const n of namespaces) expect(n.metadata.labels["pod-security.kubernetes.io/enforce"], n.metadata.name).toBe("restricted");
  });

  it("holds no credential a pull request's pod could read: no Jenkins credentials, the state backend reached as the pod's identity", () => {
    expect(jenkinsfile).not.toMatch(/credentials\(|withCredentials|PULUMI_ACCESS_TOKEN/);
    expect(jenkinsfile).toContain(`PULUMI_BACKEND_URL = 'gs://${identities.stateBucket}'`);
  });
});
