import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { platformConfig } from "../../catalog/schema/platform";
import { cacheFor } from "../../components/pack/cache";
import { main } from "../../infra/jenkins/cache-cli";
import { cachePackage, deleteCacheImage, ambientToken } from "../../infra/jenkins/cache-image";
import { bindFolders, clearFolder, CNB_GID, CNB_UID, prepareFolders } from "../../infra/jenkins/cache-folders";
import { PROJECT_DIR } from "../service/harness";

/*
 * What the pipeline does to the cache disk before pack runs, and when a service's cache is cleared. Giving
 * folders to uid 1000 needs root, as on the agents; the suite runs as root (see test/support/global-setup.ts).
 */

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
const plain = { requireMountPoint: false };

const bindPlatform = (mountPath: string, serviceFolder?: string) =>
  platformConfig.parse({ project: "acme-ci-tools", region: "europe-west1", buildCache: { mode: "bind", mountPath, ...(serviceFolder ? { serviceFolder } : {}) } });

describe("bindFolders", () => {
  it("names exactly the folders PackImage binds, for bind-mode stacks only", () => {
    const dev = bindPlatform("/var/cache/pack", "{service}/v1");
    const prod = platformConfig.parse({ project: "acme-ci-tools", region: "europe-west1", buildCache: { mode: "image" } });
    const folders = bindFolders([
      { stack: "dev", platform: dev, services: ["storefront", "catalog-api"] },
      { stack: "prod", platform: prod, services: ["storefront"] },
    ]);
    expect(folders).toEqual([
      { stack: "dev", service: "storefront", path: "/var/cache/pack/storefront/v1" },
      { stack: "dev", service: "catalog-api", path: "/var/cache/pack/catalog-api/v1" },
    ]);
    for (const f of folders) expect(cacheFor(dev.buildCache, f.service, "r")).toEqual({ format: "bind", source: f.path });
  });
});

describe("prepareFolders", () => {
  it("refuses to run without the cache disk: a plain folder would make every build cold", () => {
    const mount = tmp("gantry-mount-");
    expect(() => prepareFolders(path.join(mount, "missing"), [], plain)).toThrow(/no cache disk at .*missing: this agent has none mounted/);
    // A temporary folder is on the same device as its parent, as an unmounted path would be.
    expect(() => prepareFolders(mount, [], { requireMountPoint: true })).toThrow(/is a plain folder, not a mounted cache disk/);
  });

  it("creates each folder for the CNB user, group-writable and setgid, and repairs one Docker created as root", () => {
    const mount = tmp("gantry-mount-");
    fs.mkdirSync(path.join(mount, "storefront"), { mode: 0o755 });
    const folders = [
      { stack: "dev", service: "storefront", path: path.join(mount, "storefront") },
      { stack: "dev", service: "catalog-api", path: path.join(mount, "catalog-api") },
      { stack: "staging", service: "storefront", path: path.join(mount, "storefront") },
    ];
    expect(prepareFolders(mount, folders, plain)).toEqual([path.join(mount, "catalog-api"), path.join(mount, "storefront")]);
    for (const dir of ["storefront", "catalog-api"]) {
      const st = fs.statSync(path.join(mount, dir));
      expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([CNB_UID, CNB_GID, 0o2775]);
    }
  });

  it("never touches a folder outside the mount", () => {
    const mount = tmp("gantry-mount-");
    const outside = tmp("gantry-outside-");
    fs.symlinkSync(outside, path.join(mount, "escape"));
    expect(() => prepareFolders(mount, [{ stack: "dev", service: "x", path: path.join(mount, "escape", "x") }], plain)).toThrow(/is not a folder inside the cache mount/);
    expect(() => prepareFolders(mount, [{ stack: "dev", service: "x", path: mount }], plain)).toThrow(/is not a folder inside the cache mount/);
    expect(fs.readdirSync(outside)).toEqual([]);
  });
});

describe("clearFolder", () => {
  it("empties one service's folder, leaves the others, and leaves it ready for the next build", () => {
    const mount = tmp("gantry-mount-");
    for (const s of ["storefront", "catalog-api"]) {
      fs.mkdirSync(path.join(mount, s, "layers"), { recursive: true });
      fs.writeFileSync(path.join(mount, s, "layers", "wheel.whl"), "x");
    }
    clearFolder(mount, { stack: "dev", service: "storefront", path: path.join(mount, "storefront") }, plain);
    expect(fs.readdirSync(path.join(mount, "storefront"))).toEqual([]);
    expect(fs.statSync(path.join(mount, "storefront")).mode & 0o7777).toBe(0o2775);
    expect(fs.existsSync(path.join(mount, "catalog-api", "layers", "wheel.whl"))).toBe(true);
  });
});

describe("cache-cli", () => {
  /** The example project, with the dev stack's bind cache on a temporary "disk". */
  function project(): { dir: string; mount: string } {
    const dir = tmp("gantry-cli-");
    const mount = tmp("gantry-disk-");
    for (const f of fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(dir, f));
    fs.cpSync(path.join(PROJECT_DIR, "services"), path.join(dir, "services"), { recursive: true });
    for (const stack of ["dev", "staging", "prod"]) {
      const file = path.join(dir, `Pulumi.${stack}.yaml`);
      const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
      doc.config["gantry:buildCache"] = stack === "prod" ? { mode: "image" } : { mode: "bind", mountPath: mount };
      fs.writeFileSync(file, YAML.stringify(doc));
    }
    return { dir, mount };
  }

  it("prepares every bind folder of every stack, and clears one service's", async () => {
    const { dir, mount } = project();
    const lines: string[] = [];
    expect(await main(["prepare", "--allow-plain-folder"], dir, (l) => lines.push(l))).toBe(0);
    expect(lines).toEqual(["catalog-api", "nightly-report", "storefront"].map((s) => `ready ${mount}/${s}`));

    fs.writeFileSync(path.join(mount, "storefront", "cached"), "x");
    lines.length = 0;
    expect(await main(["clear", "--stack", "dev", "--service", "storefront", "--allow-plain-folder"], dir, (l) => lines.push(l))).toBe(0);
    expect(lines).toEqual([`cleared ${mount}/storefront`]);
    expect(fs.readdirSync(path.join(mount, "storefront"))).toEqual([]);
  });

  it("refuses a service the stack does not have, and a disk that is not mounted", async () => {
    const { dir } = project();
    const lines: string[] = [];
    expect(await main(["clear", "--stack", "dev", "--service", "../../etc"], dir, (l) => lines.push(l))).toBe(1);
    expect(lines).toEqual(['no service "../../etc" in stack dev; services are catalog-api, nightly-report, storefront']);
    await expect(main(["prepare"], dir, () => {})).rejects.toThrow(/is a plain folder, not a mounted cache disk/);
    expect(await main(["clear", "--stack", "dev"], dir, () => {})).toBe(2);
  });
});

describe("clearing an image cache", () => {
  it("deletes the service's cache package from Artifact Registry", async () => {
    expect(cachePackage("europe-west1-docker.pkg.dev/acme-gantry-prod/services/storefront-cache")).toEqual({
      location: "europe-west1",
      project: "acme-gantry-prod",
      repository: "services",
      pkg: "storefront-cache",
    });
    const calls: Array<[string, RequestInit | undefined]> = [];
    const answer = (status: number) => ({
      fetch: (async (url: string, init?: RequestInit) => {
        calls.push([url, init]);
        return new Response(status === 200 ? "{}" : "nope", { status });
      }) as typeof fetch,
      token: async () => "tok",
    });
    await expect(deleteCacheImage("europe-west1-docker.pkg.dev/acme-gantry-prod/services/storefront-cache", answer(200))).resolves.toBe("deleted");
    expect(calls).toEqual([
      [
        "https://artifactregistry.googleapis.com/v1/projects/acme-gantry-prod/locations/europe-west1/repositories/services/packages/storefront-cache",
        { method: "DELETE", headers: { Authorization: "Bearer tok" } },
      ],
    ]);
    await expect(deleteCacheImage("europe-west1-docker.pkg.dev/p/r/storefront-cache", answer(404))).resolves.toBe("absent");
    await expect(deleteCacheImage("europe-west1-docker.pkg.dev/p/r/storefront-cache", answer(403))).rejects.toThrow(/answered 403/);
    expect(() => cachePackage("gcr.io/p/storefront-cache")).toThrow(/not an Artifact Registry image/);
  });

  it("authenticates with GOOGLE_OAUTH_ACCESS_TOKEN or the metadata server", async () => {
    await expect(ambientToken({ GOOGLE_OAUTH_ACCESS_TOKEN: "env-token" })).resolves.toBe("env-token");
    const metadata = (async (_url: string, init?: RequestInit) => {
      expect((init?.headers as Record<string, string>)["Metadata-Flavor"]).toBe("Google");
      return new Response(JSON.stringify({ access_token: "md-token" }), { status: 200 });
    }) as typeof fetch;
    await expect(ambientToken({}, metadata)).resolves.toBe("md-token");
  });
});
