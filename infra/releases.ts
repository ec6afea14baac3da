import * as pulumi from "@pulumi/pulumi";
import { parseReleases, recordRelease, type Release, type ReleaseHistory } from "../environments/releases";
import type { TrafficDecision } from "../components/service";

/*
 * The release history in the program: read back from the stack's own `releases` output (a StackReference to
 * itself returns what the last completed update left), one entry added per service whose digest changed, and
 * exported again. On a stack's first deployment the reference has no such output and the history starts empty.
 */

/** `<org>/<project>/<stack>` of the stack being deployed; the file backend's org is "organization". */
function selfName(stack: string): string {
  let org = "organization";
  try {
    org = pulumi.getOrganization();
  } catch {
    // The mock runtime has no organization unless a test gives one; a file backend's is "organization".
  }
  return `${org}/${pulumi.getProject()}/${stack}`;
}

export function previousReleases(stack: string): pulumi.Output<ReleaseHistory> {
  const self = new pulumi.StackReference("release-history", { name: selfName(stack) });
  return self.getOutput("releases").apply((r: unknown) => parseReleases(r));
}

export interface PinCheck {
  name: string;
  stack: string;
  /** The service.yaml, for the message. */
  file: string;
  pin: { image: string; reason?: string };
  own: pulumi.Output<ReleaseHistory>;
  source?: pulumi.Output<ReleaseHistory>;
  sourceName?: string;
}

/**
 * The pinned image, once it is known to be one this stack (or the stack it promotes from) deployed: a pin is a
 * rollback to something that served before, never a way to deploy an image nobody built through Gantry.
 * `gantry rollback` checks the same before writing the pin; this catches a hand-edited one.
 */
export function pinnedImage(c: PinCheck): pulumi.Output<string> {
  return pulumi.all([c.own, c.source ?? pulumi.output<ReleaseHistory>({})]).apply(([own, source]) => {
    const problem = pinProblem(c.pin.image, c.name, c.stack, own, source, c.sourceName);
    if (problem) throw new pulumi.RunError(`Pulumi.${c.stack}.yaml gantry:pins.${c.name}: ${problem}`);
    return c.pin.image;
  });
}

/** Why a pinned image may not be deployed, or undefined when it may. */
export function pinProblem(image: string, name: string, stack: string, own: ReleaseHistory, source: ReleaseHistory, sourceName?: string): string | undefined {
  const digest = image.slice(image.indexOf("@") + 1);
  const known = (h: ReleaseHistory) => (h[name] ?? []).some((r) => r.digest === digest && r.image === image);
  if (known(own) || known(source)) return undefined;
  const where = sourceName ? `stack ${stack} or ${sourceName} (which it promotes from)` : `stack ${stack}`;
  return `${image} was never deployed as ${name} in ${where}, as far as the release history goes; pin only a digest from \`gantry history ${name} --stack ${stack}\``;
}

export interface ReleaseInputs {
  name: string;
  image: pulumi.Output<string>;
  pinned: boolean;
  fingerprint?: pulumi.Output<string | undefined>;
  revision?: pulumi.Output<string | undefined>;
  traffic?: pulumi.Output<TrafficDecision>;
}

export interface HistoryArgs {
  previous: pulumi.Output<ReleaseHistory>;
  released: readonly ReleaseInputs[];
  limit: number;
  now: () => Date;
  commit?: string;
}

/** The history after this deploy, for declared services only (a removed service's releases go with it). */
export function releaseHistory(a: HistoryArgs): pulumi.Output<ReleaseHistory> {
  const at = a.now().toISOString();
  const entries = a.released.map((r) =>
    pulumi.all([r.image, r.fingerprint, r.revision, r.traffic]).apply(([image, fingerprint, revision, traffic]) => ({ name: r.name, image, pinned: r.pinned, fingerprint, revision, traffic })),
  );
  return pulumi.all([a.previous, pulumi.all(entries)]).apply(([previous, now]) => {
    const out: ReleaseHistory = {};
    for (const r of now) {
      const current: Omit<Release, "deployedAt"> = {
        digest: r.image.slice(r.image.indexOf("@") + 1),
        image: r.image,
        ...(r.fingerprint ? { fingerprint: r.fingerprint } : {}),
        ...(a.commit ? { commit: a.commit } : {}),
        ...(r.pinned ? { pinned: true } : {}),
        ...(r.revision ? { revision: r.revision } : {}),
        // Only a canary's share is worth recording; all traffic is the default.
        ...(r.traffic && r.traffic.percent < 100 ? { traffic: r.traffic.percent } : {}),
        ...(r.traffic?.phase === "aborted" ? { aborted: true } : {}),
      };
      out[r.name] = recordRelease(previous[r.name] ?? [], current, at, a.limit);
    }
    return out;
  });
}
