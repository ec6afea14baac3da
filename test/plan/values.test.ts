import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import type { DiffedResource } from "../../plan/diff";
import { keyInputs } from "../../plan/key-inputs";
import { findRisks } from "../../plan/risk";
import { forcingChanges } from "../../plan/replace";
import { differs, flatten } from "../../plan/values";

/* How the plan compares and shows inputs: paths, secrets, values only a deploy knows, and forced replacements. */

const SIG = "4dabf18193072939515e22adb298388d";
const secretValue = (value: unknown) => ({ [SIG]: "1b47061264138c4ac30d75fd1eb44270", value });
const secretCipher = { [SIG]: "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" };

describe("flattened inputs", () => {
  it("address env vars by name, so adding one does not shift the others", () => {
    const leaves = flatten({ envs: [{ name: "A", value: "1" }, { name: "B", valueSource: { secretKeyRef: { secret: "s", version: "2" } } }], ports: [8080, 9090] });
    expect([...leaves.keys()]).toEqual(["envs[A].name", "envs[A].value", "envs[B].name", "envs[B].valueSource.secretKeyRef.secret", "envs[B].valueSource.secretKeyRef.version", "ports[0]", "ports[1]"]);
  });

  it("show a secret as [secret], whether it has its value (the program) or only ciphertext (a checkpoint)", () => {
    expect(flatten({ token: secretValue("hunter2") }).get("token")).toMatchObject({ text: "[secret]", secret: true });
    expect(flatten({ token: secretCipher }).get("token")).toMatchObject({ text: "[secret]", secret: true });
    expect(JSON.stringify([...flatten({ token: secretValue("hunter2") }).values()].map((l) => l.text))).not.toContain("hunter2");
    expect(keyInputs("gcp:serviceaccount/account:Account", { project: "p", accountId: secretValue({ id: "hunter2" }) })).toEqual({ project: "p", accountId: "[secret]" });
  });

  it("compare a secret only when both sides can be read, and a value only a deploy knows as a change", () => {
    const leaf = (v: unknown) => flatten({ x: v }).get("x")!;
    expect(differs(leaf(secretCipher), leaf(secretValue("a")))).toBe(false);
    expect(differs(leaf(secretValue("a")), leaf(secretValue("b")))).toBe(true);
    expect(differs(leaf(secretValue("a")), leaf(secretValue("a")))).toBe(false);
    expect(differs(leaf("plain"), leaf(secretValue("plain")))).toBe(true);
    expect(differs(leaf("img@sha256:1"), leaf(pulumi.runtime.unknownValue))).toBe(true);
    expect(differs(leaf(1), leaf("1"))).toBe(true);
    expect(differs(leaf(secretValue({ b: 1, a: [2] })), leaf(secretValue({ a: [2], b: 1 })))).toBe(false);
  });
});

describe("predicted replacements", () => {
  const disk = "gcp:compute/disk:Disk";
  it("a disk that shrinks or changes type is a new disk; one that grows is resized in place", () => {
    expect(forcingChanges(disk, [{ path: "size", old: "200", new: "100" }])).toEqual(["size"]);
    expect(forcingChanges(disk, [{ path: "size", old: "100", new: "200" }])).toEqual([]);
    expect(forcingChanges(disk, [{ path: "type", old: "pd-balanced", new: "pd-ssd" }, { path: "labels.team", old: "a", new: "b" }])).toEqual(["type"]);
  });

  it("a Cloud Run service moves only by replacement; its scaling changes in place; any change to an IAM binding is a new one", () => {
    expect(forcingChanges("gcp:cloudrunv2/service:Service", [{ path: "location", old: "europe-west1", new: "europe-west4" }, { path: "template.scaling.minInstanceCount", old: "0", new: "1" }])).toEqual(["location"]);
    expect(forcingChanges("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", [{ path: "member", old: "user:a", new: "allUsers" }])).toEqual(["member"]);
    expect(forcingChanges("kubernetes:apps/v1:Deployment", [{ path: "spec.selector.matchLabels.app", old: "a", new: "b" }, { path: "spec.replicas", old: "1", new: "2" }])).toEqual(["spec.selector.matchLabels.app"]);
  });
});

describe("cost risks", () => {
  const deployment = (old: string, next: string): DiffedResource => ({
    change: { urn: "urn:pulumi:dev::gantry::kubernetes:apps/v1:Deployment::api", type: "kubernetes:apps/v1:Deployment", name: "api", service: "api", action: "update", changes: [{ path: "spec.replicas", old, new: next }] },
  });

  it("a fixed replica count where autoscaling kept the floor before is a raised floor; fewer replicas are not", () => {
    expect(findRisks([deployment("(none)", "5")])).toEqual([expect.objectContaining({ kind: "cost", service: "api", field: "spec.replicas", old: "(none)", new: "5" })]);
    expect(findRisks([deployment("2", "5")])).toEqual([expect.objectContaining({ kind: "cost", old: "2", new: "5" })]);
    expect(findRisks([deployment("5", "2")])).toEqual([]);
    expect(findRisks([deployment("5", "(none)")])).toEqual([]);
  });
});

describe("secret risks", () => {
  const env = "template.containers[0].envs[API_TOKEN]";
  const service = (changes: Array<{ path: string; old: string; new: string }>): DiffedResource => ({
    change: { urn: "urn:pulumi:dev::gantry::gcp:cloudrunv2/service:Service::web", type: "gcp:cloudrunv2/service:Service", name: "web", service: "web", action: "update", changes },
  });

  it("a secret env var removed is one risk, named by its env var, whichever of its fields go", () => {
    const removed = service([
      { path: `${env}.name`, old: "API_TOKEN", new: "(none)" },
      { path: `${env}.valueSource.secretKeyRef.secret`, old: "web-api-token", new: "(none)" },
      { path: `${env}.valueSource.secretKeyRef.version`, old: "latest", new: "(none)" },
    ]);
    expect(findRisks([removed])).toEqual([
      { kind: "secret", service: "web", type: "gcp:cloudrunv2/service:Service", resource: "web", field: `${env}.valueSource.secretKeyRef.secret`, old: "web-api-token", new: "(none)", message: "removes a secret reference of env API_TOKEN" },
    ]);
  });
});
