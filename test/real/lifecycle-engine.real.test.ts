import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { PackImageArgs } from "../../components/pack/image";
import { up, type UpResult } from "../support/pack-up";
import { startProviderHost, type ProviderHost } from "../support/provider-host";
import { startDepsServer, type DepsServer } from "../support/real/deps-server";
import { docker } from "../support/real/docker-engine";
import { crane, expectRebasedOntoV2, httpFromImage, layerDigests, makeApp, runInImage } from "../support/real/real-pack";
import { CNB_GID, CNB_UID } from "../support/real/stack-images";
import { describeReal } from "../support/real/tier";
import { textsUnder } from "../support/files";
import { headManifest } from "../support/registry";

/*
 * The lifecycle engine as an agent pod runs it: the dynamic-provider host (the Pulumi SDK's, with Gantry's provider
 * as the SDK serialized it) runs inside a container of the builder image itself, as the builder's non-root user,
 * with every capability dropped, no new privileges, no Docker socket and no daemon access, and calls the builder's
 * own /cnb/lifecycle/creator and rebaser, which publish straight to the registry. The engine on the host side is
 * the test's fake; node is mounted from the host.
 */

const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** Where the modules really are: a git worktree may link node_modules to another checkout's, which the container must see too. */
const MODULES = fs.realpathSync(path.join(REPO_ROOT, "node_modules"));
const SECRET = "lifecycle-Secret-t0ken";
type Outputs = Record<string, unknown> & { digest: string; imageRef: string; tag: string; lastOperation: string; logPath: string; sbomDir: string };
const out = (s: UpResult) => s.outputs as Outputs;

describeReal("the lifecycle engine: daemonless builds inside the builder image, as a non-root user", (world) => {
  let deps: DepsServer;
  let work: string;
  let host: ProviderHost;
  let app: string;
  let state: UpResult;
  const container = `gantry-lifecycle-host-${process.pid}`;

  const args = (extra: Partial<PackImageArgs> = {}): PackImageArgs => ({
    serviceName: "lc-web",
    repository: `${world().registry.host}/gantry/lc-web`,
    sourceDir: app,
    builder: world().builder.builder,
    runImage: world().stack.runV1,
    engine: "lifecycle",
    buildEnv: { DEPS_URL: deps.url },
    secretEnv: ["DEPS_TOKEN"],
    exclude: ["tests/"],
    alwaysExclude: ["service.yaml"],
    cache: { format: "bind", source: path.join(work, "cache") },
    tags: ["c0ffee1"],
    logDir: path.join(work, "logs"),
    statCacheDir: path.join(work, "statcache"),
    timeoutSeconds: 300,
    ...extra,
  });

  beforeAll(async () => {
    deps = await startDepsServer({ token: SECRET });
    work = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-lifecycle-"));
    for (const d of ["tmp", "cache", "logs"]) fs.mkdirSync(path.join(work, d));
    app = makeApp({ html: "built by the lifecycle\n", deps: ["flask==3.1.2", "gunicorn==23.0.0"] });
    fs.renameSync(app, path.join(work, "app"));
    app = path.join(work, "app");
    // The builder's user owns the work folder, as it owns the agent's workspace and cache claim in a pod.
    for (const p of [work, ...(fs.readdirSync(work, { recursive: true }) as string[]).map((f) => path.join(work, f))]) fs.lchownSync(p, CNB_UID, CNB_GID);
    const w = world();
    host = await startProviderHost({
      project: "gantry",
      stack: "dev",
      env: { TMPDIR: path.join(work, "tmp"), DEPS_TOKEN: SECRET, HOME: path.join(work, "tmp") },
      wrap: (command, hostArgs, env) => ({
        command: "docker",
        args: [
          "--host", w.engine.host,
          "run", "--rm", "--init", "--name", container,
          "--user", `${CNB_UID}:${CNB_GID}`,
          "--cap-drop", "ALL",
          "--security-opt", "no-new-privileges",
          "--network", "host",
          "-v", `${command}:${command}:ro`,
          "-v", `${REPO_ROOT}:${REPO_ROOT}:ro`,
          ...(MODULES.startsWith(`${REPO_ROOT}/`) ? [] : ["-v", `${MODULES}:${MODULES}:ro`]),
          "-v", `${work}:${work}`,
          "-w", REPO_ROOT,
          ...Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
          "--entrypoint", command,
          w.builder.builder,
          ...hostArgs,
        ],
      }),
      startTimeoutMs: 120_000,
    });
  }, 300_000);
  afterAll(async () => {
    await host?.close();
    try {
      docker(world().engine, ["rm", "-f", container]);
    } catch {
      // already gone
    }
    await deps?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("runs as the builder's non-root user, with no privilege, no capability and no Docker socket", () => {
    const inspect = JSON.parse(docker(world().engine, ["inspect", container]))[0];
    expect(inspect.Config.User).toBe(`${CNB_UID}:${CNB_GID}`);
    expect(inspect.HostConfig.Privileged).toBe(false);
    expect(inspect.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(inspect.HostConfig.SecurityOpt).toContain("no-new-privileges");
    expect(JSON.stringify(inspect.Mounts)).not.toContain("docker.sock");
    expect(inspect.Config.Env.join("\n")).not.toMatch(/DOCKER_HOST/);
  });

  it("builds and publishes with creator: the digest the registry serves, an image that answers HTTP", async () => {
    state = await up(host, "lc-web", args());
    const o = out(state);
    expect(state.step).toBe("create");
    expect(o.lastOperation).toBe("build");
    expect(await headManifest(world().registry.host, "gantry/lc-web", o.tag)).toEqual({ status: 200, digest: o.digest });
    expect(crane(world(), ["digest", `${world().registry.host}/gantry/lc-web:c0ffee1`]).trim()).toBe(o.digest);
    expect(await httpFromImage(world(), o.imageRef)).toBe("built by the lifecycle\n");
    const log = fs.readFileSync(o.logPath, "utf8");
    expect(log).toMatch(/^\$ \/cnb\/lifecycle\/creator -app \/workspace -layers \/layers /);
    expect(log).not.toMatch(/pack (build|rebase)/);
    expect(o.buildpacks).toEqual([
      { id: "gantry-test/deps", version: "1.0.0" },
      { id: "gantry-test/procfile", version: "1.0.0" },
    ]);
    expect(fs.existsSync(path.join(o.sbomDir, "sbom", "launch", "gantry-test_deps", "packages", "sbom.cdx.json"))).toBe(true);
    expect(deps.requests().every((r) => r.authorized)).toBe(true);
  });

  it("uploads exactly what pack would: excluded files and service.yaml stay out of the image", () => {
    const listing = runInImage(world(), out(state).imageRef, "/bin/ls", ["-A", "/workspace"]).split("\n").filter(Boolean).sort();
    expect(listing).toEqual(["Procfile", "deps.txt", "public"]);
  });

  it("an unchanged up makes no lifecycle call; a source edit builds again and restores the dependencies from the cache folder", async () => {
    expect((await up(host, "lc-web", args(), state)).step).toBe("same");
    fs.writeFileSync(path.join(app, "public", "index.html"), "edited\n");
    const fetched = deps.requests().length;
    state = await up(host, "lc-web", args(), state);
    expect(state.step).toBe("update");
    expect(deps.requests().length).toBe(fetched);
    expect(fs.readFileSync(out(state).logPath, "utf8")).toContain("Reusing 2 cached dependencies");
    expect(fs.readdirSync(path.join(work, "cache")).length).toBeGreaterThan(0);
    expect(await httpFromImage(world(), out(state).imageRef)).toBe("edited\n");
  });

  it("a run image bump is a rebase with rebaser: the app layers kept on v2's base layers", async () => {
    const w = world();
    const prev = layerDigests(w, out(state).imageRef);
    state = await up(host, "lc-web", args({ runImage: w.stack.runV2 }), state);
    const o = out(state);
    expect(o.lastOperation).toBe("rebase");
    expect(fs.readFileSync(o.logPath, "utf8")).toContain("$ /cnb/lifecycle/rebaser ");
    expectRebasedOntoV2(w, prev, o.imageRef);
    expect(runInImage(w, o.imageRef, "/bin/cat", [w.stack.fixedFile.path])).toBe(w.stack.fixedFile.v2);
    expect(await httpFromImage(w, o.imageRef)).toBe("edited\n");
  });

  it("leaves the secret nowhere: not in the image, its labels, the logs, the state, or a scratch folder", () => {
    const w = world();
    const everything = [JSON.stringify(state), host.logs.text(), crane(w, ["config", out(state).imageRef])];
    everything.push(...textsUnder(path.join(work, "logs")));
    for (const text of everything) expect(text).not.toContain(SECRET);
    expect(fs.readdirSync(path.join(work, "tmp")).filter((f) => f.startsWith("gantry-pack-"))).toEqual([]);
  });
});
