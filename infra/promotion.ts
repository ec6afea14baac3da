import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../catalog/schema/platform";
import { promotedImage, registryUrl, type PromotedImage } from "../environments/promotion";

/**
 * The images a promoting stack deploys, one per declared service name, from the `services` output of the
 * stack named by gantry:promoteFrom. One StackReference serves them all.
 */
export function promotedImages(platform: PlatformConfig, stack: string, names: readonly string[]): Record<string, pulumi.Output<PromotedImage>> {
  const source = platform.promoteFrom;
  if (!source) throw new Error(`stack ${stack} does not promote (no gantry:promoteFrom)`);
  const reference = new pulumi.StackReference("promote-from", { name: source });
  const services = reference.getOutput("services");
  const ctx = { stack, source, registryUrl: registryUrl(platform) };
  return Object.fromEntries(names.map((name) => [name, services.apply((s: unknown) => promotedImage(s, name, ctx))]));
}
