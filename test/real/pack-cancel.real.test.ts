import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { up } from "../support/pack-up";
import { waitFor } from "../support/processes";
import { startDepsServer, type DepsServer } from "../support/real/deps-server";
import { containers, docker, dockerConfigDir, startDockerEngine, stopDockerEngine, type DockerEngineInfo } from "../support/real/docker-engine";
import { makeApp, packProcesses, realArgs, startRealPackHost, type RealPackHost } from "../support/real/real-pack";
import { describeReal } from "../support/real/tier";

/*
 * A build that runs too long, and a `pulumi up` that is cancelled, with the real pack: nothing may be left behind,
 * neither a pack process nor a build container nor a scratch folder. These builds run on an engine of this file's
 * own (pulling the builder from the run's registry), so "no container left" is exact while other files build.
 */

describeReal("real pack: timeouts and cancellation leave nothing behind", (world) => {
  let engine: DockerEngineInfo;
  let deps: DepsServer;
  const hosts: RealPackHost[] = [];

  beforeAll(async () => {
    engine = await startDockerEngine();
    // As on an agent that has built before: the builder is already in the engine, so the time goes to BUILDING.
    docker(engine, ["pull", "-q", world().builder.builder]);
    // 1 MiB per dependency at 64 KiB/s: the BUILDING phase lasts long enough to be interrupted.
    deps = await startDepsServer({ bytesPerDep: 1024 * 1024, bytesPerSecond: 64 * 1024 });
  });
  afterAll(async () => {
    for (const h of hosts) await h.close();
    await deps?.close();
    if (engine) await stopDockerEngine(engine);
  });

  async function packHost(): Promise<RealPackHost> {
    const packHome = path.join(engine.root, "pack-home");
    fs.mkdirSync(packHome, { recursive: true });
    const h = await startRealPackHost(world(), { DOCKER_HOST: engine.host, DOCKER_CONFIG: dockerConfigDir(engine), PACK_HOME: packHome });
    hosts.push(h);
    return h;
  }

  /** pack processes talking to this file's engine (other files run pack against the shared one). */
  const ourPackProcesses = () => packProcesses(world(), engine.host);

  async function expectNothingLeft(h: RealPackHost): Promise<void> {
    await waitFor(() => ourPackProcesses().length === 0, 30_000, "no pack process left");
    await waitFor(() => containers(engine).length === 0, 30_000, "no build container left (docker ps -a)");
    expect(fs.readdirSync(h.tmp)).toEqual([]);
  }

  it("a build over gantry:buildTimeout fails naming the timeout, and leaves no pack process, container or scratch folder", async () => {
    const h = await packHost();
    const app = makeApp({ deps: ["torch==2.5.1", "numpy==2.1.0"] });
    const error = await up(h.host, "slow", realArgs(world(), h, "slow", app, { buildEnv: { DEPS_URL: deps.url }, timeoutSeconds: 4 })).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/pack build for slow timed out after 4s; pack and its children were stopped/);
    expect(fs.readFileSync(path.join(h.logDir, "progress.log"), "utf8")).toMatch(/gantry: slow: BUILDING$/m);
    await expectNothingLeft(h);
  });

  it("SIGTERM to the provider (a cancelled pulumi up) mid-build stops pack and its build container", async () => {
    const h = await packHost();
    const app = makeApp({ deps: ["torch==2.5.1", "numpy==2.1.0"] });
    const pending = up(h.host, "cancelled", realArgs(world(), h, "cancelled", app, { buildEnv: { DEPS_URL: deps.url } })).catch((e: Error) => e);
    await waitFor(() => fs.existsSync(path.join(h.logDir, "progress.log")) && /gantry: cancelled: BUILDING$/m.test(fs.readFileSync(path.join(h.logDir, "progress.log"), "utf8")), 60_000, "the build to reach BUILDING");
    expect(ourPackProcesses().length).toBe(1);
    expect(containers(engine).length).toBeGreaterThan(0);
    h.host.kill("SIGTERM");
    expect((await h.host.exited).code).toBe(143);
    expect(await pending).toBeInstanceOf(Error);
    await expectNothingLeft(h);
  });
});
