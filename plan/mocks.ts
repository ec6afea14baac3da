import * as pulumi from "@pulumi/pulumi";
import { fromProps, type PackImageProps } from "../components/pack/provider";
import { decideBuild, decideDockerBuild, unreadBuild, type BuildDecision } from "./decide";
import { DOCKER_IMAGE_TYPE, PACK_IMAGE_TYPE, type LastDeployment } from "./last-deployment";

/*
 * Pulumi's mock runtime inside the gantry process, as a preview: the real program registers every resource
 * here instead of with an engine, nothing reaches a cloud, and whatever only a deployment can know (a new
 * image's digest, a Cloud Run URL, a project number) stays unknown, exactly as `pulumi preview` shows it.
 */

export interface PlannedRegistration {
  /** The URN the engine would give it: the parent's whole type chain, as in a checkpoint. */
  urn: string;
  parent?: string;
  type: string;
  name: string;
  custom: boolean;
  /** Read (StackReference, another stack's repository) rather than created. */
  read: boolean;
  inputs: Record<string, unknown>;
}

export interface PlanRecorder {
  resources: PlannedRegistration[];
  /** The build decision of each PackImage, by its logical (service) name. */
  builds: Map<string, BuildDecision>;
}

export interface PlanMockOptions {
  project: string;
  stack: string;
  last?: LastDeployment;
  /** Where the last deployment is, when it could not be read: each image is then a build the plan cannot rule out. */
  unread?: string;
  /** A promoting stack's source and its `services` and `releases` outputs, when on record (else unknown). */
  source?: { name: string; services?: Record<string, unknown>; releases?: Record<string, unknown> };
  /** Called with the number of registrations so far, as they arrive. */
  onRegistration?: (count: number) => void;
}

const UNKNOWN = pulumi.runtime.unknownValue;

export async function installPlanMocks(opts: PlanMockOptions): Promise<PlanRecorder> {
  const recorder: PlanRecorder = { resources: [], builds: new Map() };
  const place = new Map<string, { urn: string; parent?: string }>();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = args.inputs as Record<string, unknown>;
        const where = place.get(`${args.type}::${args.name}`) ?? { urn: engineUrn(opts, undefined, args.type, args.name) };
        recorder.resources.push({ ...where, type: args.type, name: args.name, custom: args.custom ?? false, read: Boolean(args.id), inputs });
        opts.onRegistration?.(recorder.resources.length);
        return { id: args.id || `${args.name}-id`, state: { ...inputs, ...cloudSide(args.type, args.name, inputs, opts, recorder) } };
      },
      call(args) {
        if (args.token === "gcp:organizations/getProject:getProject") return { ...args.inputs, number: UNKNOWN };
        return args.inputs;
      },
    },
    opts.project,
    opts.stack,
    true,
  );
  trackUrns(opts, place);
  return recorder;
}

/**
 * The mock monitor names a child after its parent's last type only, where the engine (and so a checkpoint)
 * uses the parent's whole type chain; the monitor's requests are wrapped to record the engine's URN and the
 * parent of each resource, which the mock callbacks are not told.
 */
function trackUrns(opts: PlanMockOptions, place: Map<string, { urn: string; parent?: string }>): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as Record<"registerResource" | "readResource", MonitorCall>;
  const engineUrnOf = new Map<string, string>();
  for (const method of ["registerResource", "readResource"] as const) {
    const original = monitor[method].bind(monitor);
    monitor[method] = (req, callback) => {
      const parent = engineUrnOf.get(req.getParent());
      const urn = engineUrn(opts, parent, req.getType(), req.getName());
      place.set(`${req.getType()}::${req.getName()}`, { urn, ...(parent ? { parent } : {}) });
      original(req, (err, res) => {
        if (res) engineUrnOf.set(res.getUrn(), urn);
        callback(err, res);
      });
    };
  }
}

type MonitorCall = (
  req: { getParent(): string; getType(): string; getName(): string },
  callback: (err: unknown, res: { getUrn(): string } | undefined) => void,
) => void;

/** urn:pulumi:<stack>::<project>::<parent's type chain>$<type>::<name>, the root stack left out as the engine does. */
function engineUrn(opts: PlanMockOptions, parent: string | undefined, type: string, name: string): string {
  const chain = parent ? parent.split("::")[2] : undefined;
  const qualified = chain && chain !== "pulumi:pulumi:Stack" ? `${chain}$${type}` : type;
  return `urn:pulumi:${opts.stack}::${opts.project}::${qualified}::${name}`;
}

/** Outputs the cloud (or the engine) would compute from the inputs; unknown where only a deployment tells. */
function cloudSide(type: string, name: string, inputs: Record<string, unknown>, opts: PlanMockOptions, recorder: PlanRecorder): Record<string, unknown> {
  switch (type) {
    case PACK_IMAGE_TYPE: {
      const decision = opts.unread !== undefined ? unreadBuild(opts.unread) : decideBuild(name, fromProps(inputs as unknown as PackImageProps), opts.last);
      recorder.builds.set(name, decision);
      const image = decision.action === "unchanged" ? decision.image : undefined;
      return image ? { imageRef: image, digest: image.slice(image.indexOf("@") + 1) } : { imageRef: UNKNOWN, digest: UNKNOWN, tag: UNKNOWN, lastOperation: UNKNOWN };
    }
    case DOCKER_IMAGE_TYPE: {
      const decision = opts.unread !== undefined ? unreadBuild(opts.unread) : decideDockerBuild(name, inputs.tags, opts.last);
      recorder.builds.set(name, decision);
      const image = decision.action === "unchanged" ? decision.image : undefined;
      return { digest: image ? image.slice(image.indexOf("@") + 1) : UNKNOWN, ref: UNKNOWN };
    }
    case "pulumi:pulumi:StackReference": {
      const services = opts.source && inputs.name === opts.source.name ? opts.source.services : undefined;
      if (services) return { outputs: { services, ...(opts.source?.releases ? { releases: opts.source.releases } : {}) }, secretOutputNames: [] };
      // The stack's own outputs, for its release history: what the last deployment left, or unknown.
      if (inputs.name === `organization/${opts.project}/${opts.stack}` && opts.last) {
        return { outputs: { ...(opts.last.services ? { services: opts.last.services } : {}), ...(opts.last.releases ? { releases: opts.last.releases } : {}) }, secretOutputNames: [] };
      }
      return { outputs: UNKNOWN, secretOutputNames: [] };
    }
    case "gcp:serviceaccount/account:Account": {
      const email = `${String(inputs.accountId)}@${String(inputs.project)}.iam.gserviceaccount.com`;
      return { email, name: `projects/${String(inputs.project)}/serviceAccounts/${email}`, member: `serviceAccount:${email}` };
    }
    case "gcp:cloudrunv2/service:Service":
      return { uri: UNKNOWN, latestReadyRevision: UNKNOWN };
    case "gcp:container/cluster:Cluster":
      return { endpoint: UNKNOWN, masterAuth: UNKNOWN };
    default:
      return {};
  }
}

/** Lets every registration the program queued reach the mocks. */
export async function settle(): Promise<void> {
  const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs;
  for (let i = 0; i < 3; i++) {
    await waitForRPCs();
    await new Promise((r) => setTimeout(r, 10));
  }
}
