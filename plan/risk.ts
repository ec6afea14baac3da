import type { DiffedResource, ResourceChange } from "./diff";
import { typeLabel } from "./type-labels";
import { shown, type Leaf } from "./values";

/*
 * What a reviewer must not miss, read off the diff: each with the service, the resource, the field, old -> new.
 */

export type RiskKind = "deletion" | "replacement" | "public-access" | "ingress" | "iam-grant" | "deletion-protection" | "secret" | "cost" | "image-without-build" | "launch-command";

export interface Risk {
  kind: RiskKind;
  service?: string;
  type: string;
  resource: string;
  field: string;
  old: string;
  new: string;
  /** One line for a reviewer. */
  message: string;
}

/** Resources that hold data or serve traffic: deleting or replacing one is an outage or a loss. */
const STATEFUL_OR_SERVING = new Set([
  "gcp:cloudrunv2/service:Service",
  "gcp:cloudrunv2/job:Job",
  "gcp:container/cluster:Cluster",
  "gcp:compute/disk:Disk",
  "gcp:artifactregistry/repository:Repository",
  "gcp:serviceaccount/account:Account",
  "kubernetes:apps/v1:Deployment",
  "kubernetes:core/v1:Service",
  "kubernetes:core/v1:Namespace",
  "kubernetes:core/v1:PersistentVolumeClaim",
]);

const PUBLIC_MEMBERS = new Set(["allUsers", "allAuthenticatedUsers"]);

/** Cloud Run ingress, narrowest first. */
const INGRESS_ORDER = ["INGRESS_TRAFFIC_INTERNAL_ONLY", "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER", "INGRESS_TRAFFIC_ALL"];
/** A Kubernetes Service's reach, narrowest first. */
const SERVICE_TYPE_ORDER = ["ClusterIP", "NodePort", "LoadBalancer"];

/** Scaling floors: raising one costs money every hour, whether traffic comes or not. */
const FLOORS = /(^|\.)(minInstanceCount|replicas|minReplicas)$/;
/** Where a workload names its image. */
const WORKLOAD_IMAGE = /(^|\.)containers\[[^\]]+\]\.image$/;
const SECRET_REF = /^(.*?\benvs\[([^\]]+)\])\.valueSource\.secretKeyRef\.(secret|version)$/;
const SECRET_BINDING = "gcp:secretmanager/secretIamMember:SecretIamMember";
const SECRET_MOUNTS = "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass";

/** Most serious first: what cannot be undone, then who can get in, then what changes quietly or costs money. */
const SEVERITY: RiskKind[] = ["deletion", "replacement", "public-access", "ingress", "deletion-protection", "iam-grant", "secret", "image-without-build", "launch-command", "cost"];

/** Every risk in the diff, most serious kind first, and by service within a kind. */
export function findRisks(diffed: DiffedResource[], launches: readonly LaunchChange[] = []): Risk[] {
  return [...risksOf(diffed), ...launchRisks(launches)].sort((a, b) => SEVERITY.indexOf(a.kind) - SEVERITY.indexOf(b.kind));
}

export interface LaunchChange {
  service: string;
  /** What the last deployment's image was predicted to start (its `services` output), if recorded. */
  last?: string;
  /** What the preflight predicts the image built now will start. */
  now?: string;
}

/**
 * A built image that will start a different command than the deployed one: a lock file, a Python pin or a removed
 * Procfile can change it with no line of service.yaml touched, and the new command may not serve.
 */
function launchRisks(launches: readonly LaunchChange[]): Risk[] {
  return launches
    .filter((l): l is Required<LaunchChange> => l.last !== undefined && l.now !== undefined && l.last !== l.now)
    .map((l) => ({ kind: "launch-command" as const, service: l.service, type: "gantry:pack:PackImage", resource: l.service, field: "launch", old: l.last, new: l.now, message: `changes the command ${l.service}'s image starts` }));
}

function risksOf(diffed: DiffedResource[]): Risk[] {
  const risks: Risk[] = [];
  for (const d of diffed) {
    const c = d.change;
    const add = (kind: RiskKind, field: string, old: string, next: string, message: string) =>
      risks.push({ kind, ...(c.service !== undefined ? { service: c.service } : {}), type: c.type, resource: c.name, field, old, new: next, message });

    if (STATEFUL_OR_SERVING.has(c.type) && c.action === "delete") add("deletion", "(resource)", "exists", "deleted", `deletes ${typeLabel(c.type)} ${c.name}`);
    if (STATEFUL_OR_SERVING.has(c.type) && c.action === "replace") {
      const forcing = c.changes.filter((x) => x.forcesReplace);
      add("replacement", forcing.map((x) => x.path).join(", "), forcing.map((x) => x.old).join(", "), forcing.map((x) => x.new).join(", "), `replaces ${typeLabel(c.type)} ${c.name} (delete, then create)`);
    }
    if (d.news && (c.action === "create" || c.action === "update" || c.action === "replace")) grants(c, d.olds, d.news, add);
    if (d.olds && c.action === "delete" && c.type === SECRET_BINDING) {
      const secret = shown(d.olds.get("secretId"));
      add("secret", "secretId", secret, "(none)", `${c.service ?? c.name} no longer reads secret ${secret}`);
    }
    if (c.action !== "update" && c.action !== "replace") continue;
    for (const x of c.changes) {
      if (x.path === "deletionProtection" && x.old === "true" && x.new !== "true") add("deletion-protection", x.path, x.old, x.new, `turns deletion protection off on ${typeLabel(c.type)} ${c.name}`);
      if (x.path === "ingress" && wider(INGRESS_ORDER, x.old, x.new)) add("ingress", x.path, x.old, x.new, `widens who can reach ${c.name}`);
      if (x.path === "spec.type" && wider(SERVICE_TYPE_ORDER, x.old, x.new)) add("ingress", x.path, x.old, x.new, `exposes ${c.name} beyond the cluster`);
      if (FLOORS.test(x.path) && Number(x.new) > floor(x.old)) add("cost", x.path, x.old, x.new, `raises the always-on floor of ${c.name}`);
      if (WORKLOAD_IMAGE.test(x.path) && !d.news?.get(x.path)?.unknown) add("image-without-build", x.path, x.old, x.new, `runs a different image with no build in this deploy (a promotion or a pinned digest)`);
      const ref = SECRET_REF.exec(x.path);
      // A secret added, removed or moved to another secret is one risk, not one per field it changes.
      const sameSecret = ref?.[3] === "version" && !c.changes.some((y) => y.path === `${ref[1]}.valueSource.secretKeyRef.secret`);
      if (ref && (ref[3] === "secret" || sameSecret)) add("secret", x.path, x.old, x.new, `${secretChange(x)} secret ${ref[3] === "version" ? "version" : "reference"} of env ${ref[2]}`);
      // On GKE, secrets reach the pod through the SecretProviderClass: which ones, and which versions.
      if (c.type === SECRET_MOUNTS && x.path.startsWith("spec.parameters.")) add("secret", x.path, x.old, x.new, `changes the secrets mounted into ${c.name}`);
    }
  }
  return risks;
}

/** New IAM members (a binding resource created, or re-pointed), sorted into public access, secret access and grants. */
function grants(c: ResourceChange, olds: Map<string, Leaf> | undefined, news: Map<string, Leaf>, add: (kind: RiskKind, field: string, old: string, next: string, message: string) => void): void {
  const member = news.get("member");
  const role = news.get("role");
  if (!member || !role) return;
  const oldMember = c.action === "create" ? undefined : olds?.get("member");
  const oldRole = c.action === "create" ? undefined : olds?.get("role");
  if (oldMember?.text === member.text && oldRole?.text === role.text) return;
  const target = news.get("name")?.text ?? news.get("secretId")?.text ?? news.get("repository")?.text ?? news.get("serviceAccountId")?.text ?? c.name;
  if (PUBLIC_MEMBERS.has(member.text)) {
    add("public-access", "member", shown(oldMember), member.text, `makes ${target} reachable by ${member.text} (${role.text})`);
  } else if (c.type === SECRET_BINDING) {
    add("secret", "secretId", shown(olds?.get("secretId")), shown(news.get("secretId")), `${c.service ?? target} can read secret ${shown(news.get("secretId"))}`);
  } else {
    const old = oldRole && oldMember ? `${oldRole.text} to ${shown(oldMember)}` : "(none)";
    add("iam-grant", oldRole?.text === role.text ? "member" : "role", old, `${role.text} to ${shown(member)}`, `grants ${role.text} on ${target}`);
  }
}

/**
 * A floor not set before counts as none: a GKE workload moved from autoscaling (no replicas on the Deployment,
 * its floor on the HPA) to a fixed count gets one, and that is the raise a reviewer must see.
 */
function floor(old: string): number {
  return old === "(none)" ? 0 : Number(old);
}

function wider(order: string[], old: string, next: string): boolean {
  const from = order.indexOf(old);
  const to = order.indexOf(next);
  return to > from && from >= 0;
}

function secretChange(x: { old: string; new: string }): string {
  if (x.old === "(none)") return "adds a";
  if (x.new === "(none)") return "removes a";
  return "re-points a";
}
