import * as fs from "node:fs";
import { expect, it } from "vitest";
import { alive } from "../support/processes";
import { docker, startDockerEngine, stopDockerEngine } from "../support/real/docker-engine";
import { describeReal } from "../support/real/tier";
import { startRegistry, stopDetachedRegistry } from "../support/registry";

/*
 * The real tier's engine and registry are stopped with everything they started: a CI agent that runs `npm test`
 * many times a day must not collect daemons, containers, overlay mounts or data folders. This is what the run's
 * global teardown does to the shared world (stopRealWorld), held here on an engine and a registry of this file's own.
 */

/** Processes whose command line or open root names the folder: containerd, shims, anything the engine ran. */
function processesUnder(root: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(root)) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

const mountsUnder = (root: string) =>
  fs
    .readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[1] ?? "")
    .filter((m) => m.startsWith(root));

describeReal("the real tier's Docker engine and registry stop with everything they started", (world) => {
  it("stopping the engine ends the daemon, containerd, a running container and its mounts, and removes its folders", async () => {
    const engine = await startDockerEngine();
    docker(engine, ["pull", "-q", world().stack.runV1]);
    // A container still running at the end, as a build container of a cancelled pack would be, and a cache volume.
    const id = docker(engine, ["run", "-d", "--network", "host", "--entrypoint", "/bin/sleep", world().stack.runV1, "600"]).trim();
    const containerPid = Number(docker(engine, ["inspect", "--format", "{{.State.Pid}}", id]).trim());
    docker(engine, ["volume", "create", "gantry-cache-leftover"]);
    expect(alive(containerPid)).toBe(true);
    expect(processesUnder(engine.root).length).toBeGreaterThan(1);
    expect(mountsUnder(engine.root).length).toBeGreaterThan(0);

    await stopDockerEngine(engine);

    expect(alive(engine.pid)).toBe(false);
    expect(alive(containerPid)).toBe(false);
    expect(processesUnder(engine.root)).toEqual([]);
    expect(mountsUnder(engine.root)).toEqual([]);
    expect(fs.existsSync(engine.root)).toBe(false);
  }, 180_000);

  it("stopping a detached registry ends its process and removes its storage", async () => {
    const registry = await startRegistry({ detached: true });
    expect(alive(registry.pid)).toBe(true);
    expect(fs.existsSync(registry.dir)).toBe(true);
    await stopDetachedRegistry(registry);
    expect(alive(registry.pid)).toBe(false);
    expect(fs.existsSync(registry.dir)).toBe(false);
  });
});
