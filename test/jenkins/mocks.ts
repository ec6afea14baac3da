import * as pulumi from "@pulumi/pulumi";
import { installMocks, type Captured } from "../service/harness";

/**
 * test/service/harness.ts's mock runtime, plus what the Jenkins cache tests need on top: the `protect` option of
 * every registration (the mock callbacks do not see it), and deployed disk sizes answered to gcp.compute.getDisk.
 */
export interface JenkinsMocks {
  captured: Captured[];
  /** Resource options by `type::name`. */
  protect: Map<string, boolean>;
  /** Disk name to its size in the "cloud"; a disk not listed does not exist. */
  deployedDisks: Map<string, number>;
  /** Every getDisk lookup made, by its inputs. */
  diskLookups: Array<Record<string, unknown>>;
}

export const GET_DISK = "gcp:compute/getDisk:getDisk";

export async function installJenkinsMocks(stack = "test"): Promise<JenkinsMocks> {
  const captured = await installMocks(stack);
  const protect = new Map<string, boolean>();
  const deployedDisks = new Map<string, number>();
  const diskLookups: Array<Record<string, unknown>> = [];
  const monitor = pulumi.runtime.getMonitor() as any;

  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: unknown) => {
    protect.set(`${req.getType()}::${req.getName()}`, req.getProtect());
    return register(req, callback);
  };

  const call = monitor.mocks.call.bind(monitor.mocks);
  monitor.mocks.call = (args: { token: string; inputs: any }) => {
    if (args.token !== GET_DISK) return call(args);
    diskLookups.push(args.inputs);
    const size = deployedDisks.get(args.inputs.name);
    // As the real provider does for a missing disk.
    if (size === undefined) {
      // The engine hands the SDK an invoke failure as gRPC `details` (runtime/invoke.js: new Error(err.details)).
      const details = `invocation of ${GET_DISK} returned an error: projects/${args.inputs.project}/zones/${args.inputs.zone}/disks/${args.inputs.name} not found`;
      throw Object.assign(new Error(details), { details });
    }
    return { ...args.inputs, size, type: "pd-balanced" };
  };
  return { captured, protect, deployedDisks, diskLookups };
}
