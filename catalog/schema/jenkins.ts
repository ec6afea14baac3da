import { z } from "zod";

/**
 * `gantry:jenkins`: the persistent pack caches of the Jenkins agents that run Gantry (infra/jenkins).
 * Kept apart from platform.ts so the agent settings read as one block; platform.ts only mounts it.
 */

// `pulumi config set` stores numbers as strings.
const int = (min: number, max: number) =>
  z.union([z.number(), z.string().regex(/^\d+$/, "must be a whole number").transform(Number)]).pipe(z.number().int().min(min).max(max));

const RFC1035 = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** Most slots a stack may ask for; also keeps `<namePrefix>-<slot>` within 63 characters. */
export const MAX_SLOTS = 64;

const common = {
  slots: int(1, MAX_SLOTS).meta({
    description:
      "Build slots: executors of VM agents, or agent pods that may build at once. Each slot gets its own cache disk (or claim), named <namePrefix>-<slot>, which is also the name of its Lockable Resource.",
  }),
  namePrefix: z
    .string()
    .max(50, "must be at most 50 characters, so <namePrefix>-snapshots and <namePrefix>-<slot> fit 63")
    .regex(RFC1035, "must be lowercase letters, digits and hyphens, starting with a letter")
    .default("pack-cache")
    .meta({ description: "Disks, claims and Lockable Resources are <namePrefix>-0 .. <namePrefix>-<slots-1>." }),
  // Hyperdisk minimum sizes and PD-CSI support vary by type and machine series; only the PD types are offered.
  diskType: z.enum(["pd-balanced", "pd-ssd", "pd-standard"]).default("pd-balanced"),
  diskSizeGb: int(10, 65536).default(100).meta({
    description: "Size of each cache disk in GB (GiB). Can grow in place; a smaller size than the deployed one is refused (it would recreate the disk and lose the cache).",
  }),
};

/** Builds of pull-request code (previews) get slots of their own, so nothing they write is restored by a trusted build. */
const untrustedSlots = int(1, MAX_SLOTS)
  .default(2)
  .meta({ description: "Build slots for pull-request previews: caches <namePrefix>-pr-<slot>, locked as Lockable Resources labelled <namePrefix>-pr. Never mounted by a staging or prod build." });

const vmAgents = z
  .strictObject({
    agents: z.literal("vm"),
    ...common,
    zone: z
      .string()
      .regex(/^[a-z]+-[a-z]+[0-9]{1,2}-[a-z]$/, 'must be a zone such as "europe-west1-b"')
      .meta({ description: "Zone of the agent VMs: a zonal disk attaches only to VMs in its zone." }),
    snapshots: z
      .strictObject({
        // The snapshot schedule API accepts daily start times on these hours only (UTC).
        startTime: z.enum(["00:00", "04:00", "08:00", "12:00", "16:00", "20:00"]).default("04:00"),
        retentionDays: int(1, 365).default(7),
      })
      .prefault({})
      .meta({ description: "Daily snapshots of every cache disk, to restore a warm cache after a disk is lost." }),
    attachTo: z
      .array(z.string().regex(RFC1035, "must be a GCE instance name"))
      .optional()
      .meta({ description: "Existing agent VMs, one per slot: disk <namePrefix>-<i> is attached read-write to attachTo[i] as device pack-cache. Unset: attach them yourself (docs/jenkins.md)." }),
    untrusted: z
      .strictObject({ slots: untrustedSlots })
      .prefault({})
      .meta({ description: "Disks for the VM agents (label gantry-pack-pr) that build pull-request previews; attach them yourself, one per agent." }),
  })
  .refine((j) => j.attachTo === undefined || j.attachTo.length === j.slots, { message: "attachTo must name exactly one agent VM per slot", path: ["attachTo"] })
  .refine((j) => j.attachTo === undefined || new Set(j.attachTo).size === j.attachTo.length, {
    message: "attachTo names a VM twice: a cache disk is never shared read-write between agents, so each VM gets one slot",
    path: ["attachTo"],
  })
  .meta({ description: "VM agents: one GCE persistent disk per executor slot, with a snapshot schedule." });

const gkeAgents = z
  .strictObject({
    agents: z.literal("gke"),
    ...common,
    namespace: z.string().regex(DNS1123_LABEL, "must be a Kubernetes namespace name").default("jenkins").meta({ description: "Namespace the Jenkins agent pods run in." }),
    storageClass: z.string().regex(DNS1123_LABEL, "must be a DNS-1123 label").default("gantry-pack-cache"),
    kubeconfig: z.string().optional().meta({ description: "kubeconfig (path or contents) of the cluster the agents run in. Unset: the ambient kubeconfig." }),
    context: z.string().optional(),
    untrusted: z
      .strictObject({
        slots: untrustedSlots,
        namespace: z
          .string()
          .regex(DNS1123_LABEL, "must be a Kubernetes namespace name")
          .default("jenkins-pr")
          .meta({ description: "Namespace of the pull-request agent pods and their cache claims: a pod can mount only claims of its own namespace." }),
      })
      .prefault({}),
  })
  .refine((j) => j.untrusted.namespace !== j.namespace, {
    message: "must differ from namespace: pull-request pods in the trusted agents' namespace could mount their caches and use their service accounts",
    path: ["untrusted", "namespace"],
  })
  .meta({ description: "Agents on GKE (Jenkins Kubernetes plugin): a StorageClass and one ReadWriteOnce claim per slot." });

export const jenkinsConfig = z
  .discriminatedUnion("agents", [vmAgents, gkeAgents])
  .optional()
  .meta({ description: "Persistent pack caches for the Jenkins agents that run Gantry. Unset: no agent infrastructure in this stack." });

export type JenkinsConfig = NonNullable<z.output<typeof jenkinsConfig>>;
export type VmAgentsConfig = Extract<JenkinsConfig, { agents: "vm" }>;
export type GkeAgentsConfig = Extract<JenkinsConfig, { agents: "gke" }>;

/** `{service}` in buildCache.serviceFolder: each service its own folder, so parallel pack runs never share one. */
export const SERVICE_PLACEHOLDER = "{service}";

export const serviceFolder = z
  .string()
  .refine((s) => s.includes(SERVICE_PLACEHOLDER), `must contain ${SERVICE_PLACEHOLDER}: services built in parallel must not share a cache folder`)
  .refine((s) => !s.startsWith("/") && s.split("/").every((seg) => seg !== "" && seg !== "." && seg !== ".."), "must be a relative path under mountPath without empty, . or .. segments")
  .refine((s) => /^[A-Za-z0-9._{}/-]+$/.test(s), "may hold letters, digits, . _ - / and {service} only (it lands inside pack's `;`-separated --cache value)")
  .default(SERVICE_PLACEHOLDER)
  .meta({ description: "Folder of one service's cache under mountPath; {service} is the service name." });
