import { ensureDockerRegistryInstalled } from "../test/support/global-setup";
import { startRegistry, type RunningRegistry } from "../test/support/registry";

/** A private docker-registry for one benchmark, stopped when its work is done. */
export async function withRegistry<T>(work: (registry: RunningRegistry) => Promise<T>): Promise<T> {
  ensureDockerRegistryInstalled();
  const registry = await startRegistry();
  try {
    return await work(registry);
  } finally {
    await registry.stop();
  }
}
