import { describe, expect, it } from "vitest";
import { stackChecks } from "../../infra/checks";
import { formatProblem } from "../../catalog/problems";
import { catalogOf, errorsOf, PLATFORM_YAML } from "../support/catalog-fixture";

/** rollout: in service.yaml, and gantry:pins, gantry:rollouts and gantry:releaseHistory in Pulumi.<stack>.yaml. */

describe("rollout in service.yaml", () => {
  it.each([
    ["a canary with the default steps", "service", "rollout: {strategy: canary}\n"],
    ["steps from 1 to 100", "service", "rollout: {strategy: canary, steps: [1, 100]}\n"],
    ["a single step of 100", "service", "rollout: {strategy: canary, steps: [100]}\n"],
    ["ten steps", "service", "rollout: {strategy: canary, steps: [1, 2, 3, 4, 5, 6, 7, 8, 9, 100]}\n"],
    ["a tag", "service", "rollout: {strategy: canary, tag: smoke-1}\n"],
    ["all at once", "service", "rollout: {strategy: all}\n"],
    ["GKE surge as pods and unavailable as a percentage", "gke", "rollout: {maxSurge: 2, maxUnavailable: '10%', progressDeadline: 15m}\n"],
    ["GKE no surge when some may be unavailable", "gke", "rollout: {maxSurge: 0, maxUnavailable: 1}\n"],
    ["GKE 100 %", "gke", "rollout: {maxSurge: '100%'}\n"],
    ["GKE a deadline of one second", "gke", "rollout: {progressDeadline: 1s}\n"],
  ] as const)("accepts %s", (_, kind, yaml) => {
    expect(errorsOf(kind, yaml)).toEqual([]);
  });

  it.each([
    ["a step of 0", "service", "rollout: {strategy: canary, steps: [0, 100]}\n", "services/svc/service.yaml:3:37 rollout.steps.0: 0 is out of range: a canary step is 1 to 100 % of the traffic"],
    ["a step of 101", "service", "rollout: {strategy: canary, steps: [10, 101]}\n", "services/svc/service.yaml:3:41 rollout.steps.1: 101 is out of range: a canary step is 1 to 100 % of the traffic"],
    ["eleven steps", "service", "rollout: {strategy: canary, steps: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100]}\n", "services/svc/service.yaml:3:36 rollout.steps: a canary has at most 10 steps"],
    ["a ladder that does not end at 100", "service", "rollout: {strategy: canary, steps: [10, 50]}\n", "services/svc/service.yaml:3:36 rollout.steps: the last step is 50: a canary must end at 100, or the previous revision keeps serving for good"],
    ["a step that goes down", "service", "rollout: {strategy: canary, steps: [50, 20, 100]}\n", "services/svc/service.yaml:3:41 rollout.steps.1: 20 does not go up from 50: each step must give the new revision more traffic than the one before"],
    ["a repeated step", "service", "rollout: {strategy: canary, steps: [50, 50, 100]}\n", "services/svc/service.yaml:3:41 rollout.steps.1: 50 does not go up from 50: each step must give the new revision more traffic than the one before"],
    ["steps without a canary", "service", "rollout: {steps: [10, 100]}\n", "services/svc/service.yaml:3:18 rollout.steps: steps apply to strategy: canary; with strategy: all each new revision takes all traffic at once"],
    ["a tag that is not a URL label", "service", "rollout: {strategy: canary, tag: Canary}\n", 'services/svc/service.yaml:3:34 rollout.tag: must be lowercase letters, digits and hyphens, starting with a letter (it becomes part of a URL), got "Canary"'],
    ["a canary on GKE", "gke", "rollout: {strategy: canary}\n", 'services/svc/service.yaml:3:21 rollout.strategy: a GKE workload rolls its pods (strategy: rolling, with maxSurge and maxUnavailable); canary traffic splitting is Cloud Run\'s (kind: service)'],
    ["no surge and nothing unavailable", "gke", "rollout: {maxSurge: 0}\n", "services/svc/service.yaml:3:21 rollout.maxSurge: maxSurge and maxUnavailable are both 0: the rollout could neither start a new pod nor stop an old one (Kubernetes refuses it)"],
    ["0 % surge and 0 unavailable", "gke", "rollout: {maxSurge: '0%', maxUnavailable: 0}\n", "services/svc/service.yaml:3:21 rollout.maxSurge: maxSurge and maxUnavailable are both 0: the rollout could neither start a new pod nor stop an old one (Kubernetes refuses it)"],
    ["101 %", "gke", "rollout: {maxSurge: '101%'}\n", 'services/svc/service.yaml:3:21 rollout.maxSurge: must be a pod count or a percentage from "0%" to "100%", such as "25%", got "101%"'],
    ["a deadline under a second", "gke", "rollout: {progressDeadline: 0s}\n", 'services/svc/service.yaml:3:29 rollout.progressDeadline: "0s" is out of range: a progress deadline is whole seconds, 1s to 2147483647s'],
    ["a rollout on a job", "job", "rollout: {strategy: canary}\n", "services/svc/service.yaml:3:1 rollout: only kind: service or gke take this field, not a Cloud Run job (kind: job); a job serves no traffic: each execution runs the image deployed when it starts (roll back with gantry rollback)"],
  ] as const)("refuses %s at its line", (_, kind, yaml, line) => {
    expect(errorsOf(kind, yaml)).toEqual([line]);
  });
});

const IMAGE = (project: string, digest = "a".repeat(64)) => `europe-west1-docker.pkg.dev/${project}/gantry/api@sha256:${digest}`;

describe("pins, rollouts and the history size in Pulumi.<stack>.yaml", () => {
  const services = { api: "name: api\nkind: service\nrollout: {strategy: canary}\n", batch: "name: batch\nkind: job\n" };
  const check = (extra: string) => {
    const c = catalogOf(services, { dev: PLATFORM_YAML("dev", extra) });
    const checks = stackChecks(c, c.root, c.root);
    return checks.problems.map(formatProblem);
  };

  it("accepts a pin and a rollout of declared services, and a history of 2 to 100 releases", () => {
    expect(check(`  gantry:pins:\n    api:\n      image: ${IMAGE("acme-dev-proj")}\n      reason: bad release\n    batch:\n      image: ${IMAGE("acme-dev-proj")}\n`)).toEqual([]);
    expect(check(`  gantry:rollouts:\n    api: {digest: "sha256:${"b".repeat(64)}", percent: 50}\n`)).toEqual([]);
    expect(check("  gantry:releaseHistory: 2\n")).toEqual([]);
    expect(check("  gantry:releaseHistory: 100\n")).toEqual([]);
  });

  it("refuses a history of 1 or 101, a pin of an undeclared service or outside the registry, and a rollout of a service with no canary", () => {
    expect(check("  gantry:releaseHistory: 1\n")).toEqual(["Pulumi.dev.yaml:4:26 gantry:releaseHistory: must be at least 2, got 1"]);
    expect(check("  gantry:releaseHistory: 101\n")).toEqual(["Pulumi.dev.yaml:4:26 gantry:releaseHistory: must be at most 100, got 101"]);
    expect(check(`  gantry:pins:\n    apj:\n      image: ${IMAGE("acme-dev-proj")}\n`)).toEqual([
      "Pulumi.dev.yaml:5:5 gantry:pins.apj: stack dev declares no service apj (it has api, batch); a pin applies to a service by its name",
    ]);
    expect(check(`  gantry:pins:\n    api:\n      image: ${IMAGE("acme-other")}\n`)).toEqual([
      `Pulumi.dev.yaml:6:14 gantry:pins.api.image: ${IMAGE("acme-other")} is not in stack dev's registry europe-west1-docker.pkg.dev/acme-dev-proj/gantry: its runtimes may only pull from there`,
    ]);
    expect(check("  gantry:pins:\n    api:\n      image: europe-west1-docker.pkg.dev/acme-dev-proj/gantry/api:v2\n")[0]).toMatch(/^Pulumi\.dev\.yaml:6:14 gantry:pins\.api\.image: must be an image pinned by digest/);
    expect(check(`  gantry:rollouts:\n    batch: {digest: "sha256:${"b".repeat(64)}", percent: 50}\n`)).toEqual([
      "Pulumi.dev.yaml:5:5 gantry:rollouts.batch: batch has no canary in stack dev (rollout: {strategy: canary} in services/batch/service.yaml), so this entry does nothing; remove it (warning)",
    ]);
    expect(check(`  gantry:rollouts:\n    api: {digest: "sha256:${"b".repeat(64)}", percent: 101}\n`)[0]).toMatch(/gantry:rollouts\.api\.percent: must be at most 100, got 101/);
  });
});
