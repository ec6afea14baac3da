import type { Rule, RuleIssue } from "./types";

/*
 * What a kind: gke service may not do to the cluster it shares with others: reach outside it unasked, or land in
 * a namespace that belongs to Kubernetes, to GKE or to the build agents (where its pods would sit beside the
 * agents' identities and caches).
 */

const RESERVED = new Set(["default", "kube-system", "kube-public", "kube-node-lease", "istio-system", "config-management-system", "cnrm-system"]);
// GKE and Google's add-ons create namespaces under these prefixes (gke-managed-*, gmp-system, kube-*).
const RESERVED_PREFIXES = ["kube-", "gke-", "gmp-", "asm-"];
// The agents' namespaces when the stack config does not say (catalog/schema/jenkins.ts defaults).
const AGENT_DEFAULTS = ["jenkins", "jenkins-pr"];

export const gkeExposureRule: Rule = (spec) =>
  spec.kind === "gke" && spec.serviceType !== "ClusterIP" && !spec.public
    ? [{ path: ["serviceType"], message: `serviceType ${spec.serviceType} exposes the workload outside the cluster; add public: true to say so, as a Cloud Run service must` }]
    : [];

export const reservedNamespaceRule: Rule = (spec, { platform }) => {
  if (spec.kind !== "gke") return [];
  // Without a namespace the service's name is one (GkeWorkload): a service named default lands in default.
  const given = spec.namespace !== undefined;
  const ns = spec.namespace ?? spec.name;
  const path = given ? ["namespace"] : ["name"];
  const what = given ? `namespace "${ns}"` : `namespace "${ns}" (the service's name, as no namespace is given)`;
  const fix = given ? "choose one of the service's own (or leave it out: the service's name is used)" : "give the service a namespace of its own";
  const agents = new Set([...AGENT_DEFAULTS, ...(platform.jenkins?.agents === "gke" ? [platform.jenkins.namespace, platform.jenkins.untrusted.namespace] : [])]);
  const issues: RuleIssue[] = [];
  if (RESERVED.has(ns) || RESERVED_PREFIXES.some((p) => ns.startsWith(p))) {
    issues.push({ path, message: `${what} belongs to Kubernetes or GKE; ${fix}` });
  } else if (agents.has(ns)) {
    issues.push({ path, message: `${what} is where the build agents run, with their identities and caches; ${given ? "choose one of the service's own" : fix}` });
  }
  return issues;
};
