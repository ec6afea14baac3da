// Declares a suite of the real tier. Where the machine cannot run it (not root, no Go), the suite is skipped with
// one line at the end of the run, and under CI=true it fails instead: the real tier never passes silently.
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, inject, it } from "vitest";
import { realTierUnavailable, sharedRealWorld, type RealWorld } from "./world";

/** Long: on a fresh machine the first suite builds pack, the lifecycle and crane and runs debootstrap. */
export const REAL_SETUP_TIMEOUT_MS = 40 * 60_000;

export function describeReal(name: string, body: (world: () => RealWorld) => void): void {
  const reason = realTierUnavailable();
  if (reason) {
    if (process.env.CI === "true") {
      describe(name, () => {
        it("has what the real tier needs (CI=true: a real tier that cannot run fails)", () => {
          throw new Error(`real tier unavailable: ${reason}`);
        });
      });
    } else {
      fs.writeFileSync(path.join(inject("gantryRunDir"), "real-tier-skipped"), `${reason}\n`);
      describe.skip(name, () => body(() => undefined as never));
    }
    return;
  }
  describe(name, () => {
    let world: RealWorld | undefined;
    beforeAll(async () => {
      world = await sharedRealWorld(inject("gantryRunDir"));
    }, REAL_SETUP_TIMEOUT_MS);
    body(() => {
      if (!world) throw new Error("the real world is not set up");
      return world;
    });
  });
}
