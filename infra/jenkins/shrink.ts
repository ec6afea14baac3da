import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/*
 * A persistent disk can only grow: the provider replaces a disk whose size goes down, and a replaced cache disk
 * is an empty one. So before a disk's size reaches the engine, the size the disk has in the cloud now is read
 * (gcp.compute.getDisk) and a smaller configured size stops the program with a RunError.
 *
 * The cloud, not the stack's last outputs, is the reference: a disk grown by hand in the console (GCE allows
 * that) would otherwise look unchanged here and still be shrunk on the next refresh-and-up. The read happens on
 * every preview too, so a pull request that shrinks a disk fails at `gantry plan`, long before anything runs.
 */

export interface DiskRef {
  name: string;
  project: string;
  zone: string;
}

/** The size in GB of the disk as deployed, or undefined when there is none yet. */
export type DeployedDiskSize = (disk: DiskRef, opts?: pulumi.InvokeOptions) => Promise<number | undefined>;

export const readDeployedDiskSize: DeployedDiskSize = async (disk, opts) => {
  let found: gcp.compute.GetDiskResult;
  try {
    found = await gcp.compute.getDisk({ name: disk.name, project: disk.project, zone: disk.zone }, opts);
  } catch (err) {
    // Newer providers fail the lookup of a missing disk ("... not found"); older ones return it empty (below).
    if (isNotFound(err)) return undefined;
    // Fail closed: without the deployed size a shrink cannot be ruled out.
    throw new pulumi.RunError(`cannot read disk ${disk.name} in ${disk.project}/${disk.zone} to rule out shrinking it: ${message(err)}`);
  }
  return typeof found.size === "number" && found.size > 0 ? found.size : undefined;
};

function isNotFound(err: unknown): boolean {
  return /not ?found|notFound|\b404\b/i.test(message(err));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function shrinkProblem(disk: string, deployedGb: number | undefined, desiredGb: number): string | undefined {
  if (deployedGb === undefined || desiredGb >= deployedGb) return undefined;
  return (
    `gantry:jenkins.diskSizeGb is ${desiredGb} but disk ${disk} is ${deployedGb} GB. A persistent disk cannot shrink: ` +
    `Pulumi would delete and recreate it, losing the cache. Keep diskSizeGb at ${deployedGb} or more (docs/jenkins.md, "Resizing").`
  );
}

/** The size to declare for a disk: the configured one, once the deployed disk is known not to be larger. */
export async function checkedDiskSize(disk: DiskRef, desiredGb: number, deployed: DeployedDiskSize, opts?: pulumi.InvokeOptions): Promise<number> {
  const problem = shrinkProblem(disk.name, await deployed(disk, opts), desiredGb);
  if (problem) throw new pulumi.RunError(problem);
  return desiredGb;
}
