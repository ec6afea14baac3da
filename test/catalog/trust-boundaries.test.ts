import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../catalog/load";
import { formatProblem } from "../../catalog/problems";
import { BASE, catalogOf, errorsOf } from "../support/catalog-fixture";

/* Issue 16, the smaller items the catalog refuses: exposure, namespaces, and folders outside the repository. */

describe("a GKE workload reachable from outside the cluster", () => {
  it.each(["LoadBalancer", "NodePort"])("needs public: true for serviceType %s, as a Cloud Run service does", (type) => {
    expect(errorsOf("gke", `serviceType: ${type}\n`)).toEqual([
      `services/svc/service.yaml:3:14 serviceType: serviceType ${type} exposes the workload outside the cluster; add public: true to say so, as a Cloud Run service must`,
    ]);
    expect(errorsOf("gke", `serviceType: ${type}\npublic: true\n`)).toEqual([]);
  });

  it("stays inside the cluster as ClusterIP without asking", () => {
    expect(errorsOf("gke", "serviceType: ClusterIP\n")).toEqual([]);
  });
});

describe("namespaces a service may deploy into", () => {
  it.each(["default", "kube-system", "kube-public", "kube-node-lease", "kube-anything", "gke-managed-system", "gmp-system", "istio-system"])("refuses %s, which belongs to Kubernetes or GKE", (ns) => {
    expect(errorsOf("gke", `namespace: ${ns}\n`)).toEqual([expect.stringMatching(new RegExp(`^services/svc/service\\.yaml:3:12 namespace: namespace "${ns}" belongs to Kubernetes or GKE`))]);
  });

  it.each(["jenkins", "jenkins-pr"])("refuses the build agents' namespace %s", (ns) => {
    expect(errorsOf("gke", `namespace: ${ns}\n`)).toEqual([expect.stringMatching(/namespace: namespace ".*" is where the build agents run/)]);
  });

  it("refuses the agents' namespaces a stack config names", () => {
    const stack = "config:\n  gantry:project: acme-dev-proj\n  gantry:region: europe-west1\n  gantry:jenkins:\n    agents: gke\n    slots: 1\n    namespace: ci\n    untrusted: {namespace: ci-untrusted}\n";
    const lines = catalogOf({ a: `${BASE.gke}namespace: ci\n`, b: "name: web2\nkind: gke\nnamespace: ci-untrusted\n" }, { dev: stack }).lines;
    expect(lines.filter((l) => l.includes("where the build agents run"))).toHaveLength(2);
  });

  it.each([
    ["default", "belongs to Kubernetes or GKE"],
    ["kube-proxy", "belongs to Kubernetes or GKE"],
    ["jenkins", "is where the build agents run"],
  ])("refuses a service named %s without a namespace, which would land in the namespace of that name", (name, why) => {
    expect(errorsOf("gke", `name: ${name}\n`)).toEqual([`services/svc/service.yaml:2:7 name: namespace "${name}" (the service's name, as no namespace is given) ${why}${why.startsWith("is") ? ", with their identities and caches" : ""}; give the service a namespace of its own`]);
    expect(errorsOf("gke", `name: ${name}\nnamespace: shop\n`)).toEqual([]);
  });

  it("accepts a namespace of the service's own", () => {
    expect(errorsOf("gke", "namespace: shop\n")).toEqual([]);
  });

  it("refuses services sharing a namespace at different pod security levels, at each one's line", () => {
    const lines = catalogOf({ a: `${BASE.gke}namespace: shop\npodSecurity: baseline\n`, b: "name: api\nkind: gke\nnamespace: shop\n" }).lines;
    expect(lines).toEqual([
      'services/a/service.yaml:4:14 podSecurity: namespace "shop" is shared by services asking for different pod security levels (web: baseline, api: restricted); they must agree',
      'services/b/service.yaml:3:12 namespace: namespace "shop" is shared by services asking for different pod security levels (web: baseline, api: restricted); they must agree',
    ]);
  });
});

describe("folders a build uploads", () => {
  it("refuses a source outside the repository, at its line", () => {
    expect(errorsOf("service", "source: ../../..\n")).toEqual(['services/svc/service.yaml:3:9 source: source "../../.." is outside the repository; a build may upload only folders of this checkout']);
  });

  it("refuses a source holding the project's .gantry folder (state and logs)", () => {
    expect(errorsOf("service", "source: ../..\n")).toEqual([expect.stringMatching(/^services\/svc\/service\.yaml:3:9 source: source "\.\.\/\.\." holds the project's \.gantry folder/)]);
  });

  it("refuses a build.context outside the repository, and one that is /", () => {
    const lines = errorsOf("service", "build:\n  dockerfile: Dockerfile\n  context: ../../../..\n");
    expect(lines).toEqual([expect.stringMatching(/^services\/svc\/service\.yaml:5:12 build\.context: build\.context "\.\.\/\.\.\/\.\.\/\.\." is outside the repository/)]);
    expect(errorsOf("service", "build:\n  dockerfile: Dockerfile\n  context: /\n")).toEqual([expect.stringMatching(/build\.context: "\/" must be relative/)]);
  });

  it("follows a symbolic link out of the checkout, and accepts one that stays inside", () => {
    const c = catalogOf({ svc: `${BASE.service}source: app\n` });
    const link = path.join(c.root, "services", "svc", "app");
    fs.symlinkSync(fs.mkdtempSync(path.join(path.dirname(c.root), "gantry-elsewhere-")), link);
    const lines = () => loadCatalog({ projectDir: c.root, cwd: c.root }).problems.map(formatProblem);
    expect(lines()).toEqual(['services/svc/service.yaml:3:9 source: source "app" is outside the repository; a build may upload only folders of this checkout']);
    fs.rmSync(link);
    fs.mkdirSync(path.join(c.root, "src"));
    fs.symlinkSync(path.join(c.root, "src"), link);
    expect(lines()).toEqual([]);
  });
});
