import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../catalog/schema/platform";
import { promotedImage, registryUrl, type PromotedImage } from "../environments/promotion";
import { parseReleases, type ReleaseHistory } from "../environments/releases";

export interface Promotion {
  images: Record<string, pulumi.Output<PromotedImage>>;
  /** The source stack's release history: a pin here may name any digest the source deployed. */
  releases: pulumi.Output<ReleaseHistory>;
}

/**
 * The images a promoting stack deploys, one per declared service name, from the `services` output of the
 * stack named by gantry:promoteFrom. One StackReference serves them all.
 */
export function promotedImages(platform: PlatformConfig, stack: string, names: readonly string[]): Promotion {
  const source = platform.promoteFrom;
  if (!source) throw new Error(`stack ${stack} does not promote (no gantry:promoteFrom)`);
  const reference = new pulumi.StackReference("promote-from", { name: source });
  const services = reference.getOutput("services");
  const releases = reference.getOutput("releases");
  const ctx = { stack, source, registryUrl: registryUrl(platform), promotePins: platform.promotePins };
  return {
    images: Object.fromEntries(names.map((name) => [name, pulumi.all([services, releases]).apply(([s, r]: unknown[]) => promotedImage(s, name, ctx, r))])),
    releases: releases.apply((r: unknown) => parseReleases(r)),
  };
}
