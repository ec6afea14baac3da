import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { backendUrl, fileBackendDir } from "../../environments/backend";
import { lastDeployment, readDeploymentFile } from "../../plan/last-deployment";
import { PACK } from "../support/resource-types";

const resources = [
  { urn: "urn:pulumi:dev::gantry::pulumi:pulumi:Stack::gantry-dev", custom: false, type: "pulumi:pulumi:Stack", outputs: { services: { storefront: { image: "r/storefront@sha256:1" } } } },
  { urn: `urn:pulumi:dev::gantry::gantry:service:Service$${PACK}::storefront`, custom: true, id: "x", type: PACK, inputs: { source: "s1", runImage: "old" }, outputs: { source: "s1", runImage: "old", imageRef: "r/storefront@sha256:1" } },
];
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "gantry-last-"));

describe("the last deployment", () => {
  it("is read from a file backend's checkpoint, plain or gzipped, in the project layout or the legacy one", () => {
    const checkpoint = JSON.stringify({ version: 3, checkpoint: { stack: "organization/gantry/dev", latest: { manifest: {}, resources } } });
    for (const [rel, gz] of [
      ["gantry/dev.json", false],
      ["gantry/dev.json.gz", true],
      ["dev.json", false],
    ] as const) {
      const dir = tmp();
      const file = path.join(dir, ".pulumi", "stacks", rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, gz ? zlib.gzipSync(checkpoint) : checkpoint);
      const found = lastDeployment(`file://${dir}`, "gantry", "dev").found!;
      expect(found.services).toEqual({ storefront: { image: "r/storefront@sha256:1" } });
      expect(found.packImages.storefront).toMatchObject({ source: "s1", runImage: "old", imageRef: "r/storefront@sha256:1" });
    }
  });

  it("is none for a stack created but never deployed, for a missing stack, and for backends that need credentials", () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, ".pulumi", "stacks", "gantry"), { recursive: true });
    fs.writeFileSync(path.join(dir, ".pulumi", "stacks", "gantry", "pr-3.json"), JSON.stringify({ version: 3, checkpoint: { stack: "organization/gantry/pr-3", latest: null } }));
    expect(lastDeployment(`file://${dir}`, "gantry", "pr-3")).toEqual({ found: undefined, looked: `file://${dir} has no deployment of gantry/pr-3` });
    expect(lastDeployment(`file://${dir}`, "gantry", "dev").found).toBeUndefined();
    expect(lastDeployment("https://api.pulumi.com", "gantry", "dev")).toEqual({ found: undefined, looked: "https://api.pulumi.com is not a file:// backend and needs credentials to read", unreadable: true });
  });

  it("is read from `pulumi stack output --json` or `pulumi stack export` files", () => {
    const dir = tmp();
    const outputs = path.join(dir, "outputs.json");
    fs.writeFileSync(outputs, JSON.stringify({ services: { storefront: { image: "r/storefront@sha256:1", fingerprint: "f" } } }));
    expect(readDeploymentFile(outputs)).toEqual({ from: outputs, services: { storefront: { image: "r/storefront@sha256:1", fingerprint: "f" } }, packImages: {}, dockerImages: {}, resources: [] });
    const exported = path.join(dir, "export.json");
    fs.writeFileSync(exported, JSON.stringify({ version: 3, deployment: { manifest: {}, resources } }));
    expect(Object.keys(readDeploymentFile(exported).packImages)).toEqual(["storefront"]);
    fs.writeFileSync(outputs, "[1,");
    expect(() => readDeploymentFile(outputs)).toThrow(`${outputs}: not JSON`);
  });

  it("lives in .gantry/state unless PULUMI_BACKEND_URL says otherwise", () => {
    expect(backendUrl("/p", {})).toBe("file:///p/.gantry/state");
    expect(backendUrl("/p", { PULUMI_BACKEND_URL: "gs://bucket" })).toBe("gs://bucket");
    expect(fileBackendDir("file://~/state")).toBe(path.join(os.homedir(), "state"));
    expect(fileBackendDir("file://state", "/p")).toBe("/p/state");
    expect(fileBackendDir("s3://bucket")).toBeUndefined();
  });
});
