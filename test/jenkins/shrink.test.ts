import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { platformConfig } from "../../catalog/schema/platform";
import { JenkinsAgentCache } from "../../infra/jenkins/agent-cache";
import { checkedDiskSize, readDeployedDiskSize, shrinkProblem } from "../../infra/jenkins/shrink";
import { byType } from "../service/harness";
import { GET_DISK, installJenkinsMocks, type JenkinsMocks } from "./mocks";

/*
 * A cache disk never shrinks: the size it has in the cloud (gcp.compute.getDisk) is read before the disk is
 * declared, and a smaller configured size fails the program without the disk reaching the engine.
 */

const ref = { name: "pack-cache-0", project: "acme-ci-tools", zone: "europe-west1-b" };

describe("shrinkProblem", () => {
  it("allows a first deployment, an unchanged size and growth", () => {
    expect(shrinkProblem("pack-cache-0", undefined, 10)).toBeUndefined();
    expect(shrinkProblem("pack-cache-0", 200, 200)).toBeUndefined();
    expect(shrinkProblem("pack-cache-0", 200, 500)).toBeUndefined();
  });

  it("refuses a smaller size, naming the key, the disk and the size to keep", () => {
    expect(shrinkProblem("pack-cache-0", 200, 100)).toBe(
      'gantry:jenkins.diskSizeGb is 100 but disk pack-cache-0 is 200 GB. A persistent disk cannot shrink: Pulumi would delete and recreate it, losing the cache. Keep diskSizeGb at 200 or more (docs/jenkins.md, "Resizing").',
    );
  });
});

describe("checkedDiskSize", () => {
  it("resolves to the configured size unless the deployed disk is larger", async () => {
    await expect(checkedDiskSize(ref, 300, async () => undefined)).resolves.toBe(300);
    await expect(checkedDiskSize(ref, 300, async () => 200)).resolves.toBe(300);
    const refused = checkedDiskSize(ref, 100, async () => 200);
    await expect(refused).rejects.toThrow(/disk pack-cache-0 is 200 GB/);
    await expect(refused).rejects.toSatisfy((e: unknown) => pulumi.RunError.isInstance(e));
  });
});

let mocks: JenkinsMocks;
const unhandled: unknown[] = [];

beforeAll(async () => {
  mocks = await installJenkinsMocks("ci");
  /*
   * A refused size rejects the disk's input, which the Node language host reports as the program's failure.
   * Here that rejection is collected instead of being reported by vitest as a stray error, so it can be
   * asserted. This file runs in its own process (pool: forks).
   */
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", (reason) => unhandled.push(reason));
});

describe("readDeployedDiskSize (gcp.compute.getDisk under the mock runtime)", () => {
  it("returns the size of a deployed disk", async () => {
    mocks.deployedDisks.set("pack-cache-7", 250);
    await expect(readDeployedDiskSize({ ...ref, name: "pack-cache-7" })).resolves.toBe(250);
    expect(mocks.diskLookups.at(-1)).toEqual({ ...ref, name: "pack-cache-7" });
  });

  it("returns undefined for a disk that does not exist yet", async () => {
    await expect(readDeployedDiskSize({ ...ref, name: "pack-cache-8" })).resolves.toBeUndefined();
  });

  it("fails closed when the disk cannot be read for another reason", async () => {
    const monitor = pulumi.runtime.getMonitor() as any;
    const call = monitor.mocks.call;
    monitor.mocks.call = (args: { token: string }) => {
      if (args.token !== GET_DISK) return call(args);
      const details = "invocation of gcp:compute/getDisk:getDisk returned an error: googleapi: Error 403: Required 'compute.disks.get' permission";
      throw Object.assign(new Error(details), { details });
    };
    try {
      await expect(readDeployedDiskSize(ref)).rejects.toThrow(/cannot read disk pack-cache-0 in acme-ci-tools\/europe-west1-b to rule out shrinking it: .*compute\.disks\.get/);
    } finally {
      monitor.mocks.call = call;
    }
  });
});

describe("a stack that shrinks a deployed disk", () => {
  it("fails with the shrink message and never declares that disk", async () => {
    mocks.deployedDisks.set("shrunk-1", 300);
    const platform = platformConfig.parse({
      project: "acme-ci-tools",
      region: "europe-west1",
      jenkins: { agents: "vm", slots: 2, namePrefix: "shrunk", zone: "europe-west1-b", diskSizeGb: 200 },
    });
    new JenkinsAgentCache("shrunk", { platform });
    for (let i = 0; i < 50 && unhandled.length === 0; i++) await new Promise((r) => setTimeout(r, 20));

    const messages = [...new Set(unhandled.map((e) => (e instanceof Error ? e.message : String(e))))];
    expect(messages).toEqual([
      'error serializing property "size": gantry:jenkins.diskSizeGb is 200 but disk shrunk-1 is 300 GB. A persistent disk cannot shrink: Pulumi would delete and recreate it, losing the cache. Keep diskSizeGb at 300 or more (docs/jenkins.md, "Resizing").',
    ]);
    // Slot 0 (and the pull-request slots) have no disk yet and are declared; slot 1 never reaches the engine, so it cannot be replaced.
    expect(byType(mocks.captured, "gcp:compute/disk:Disk").map((d) => [d.inputs.name, d.inputs.size]).sort()).toEqual([["shrunk-0", 200], ["shrunk-pr-0", 200], ["shrunk-pr-1", 200]]);
  });
});
