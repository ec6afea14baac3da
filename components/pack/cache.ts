import type { CacheSpec } from "./provider";

export type BuildCacheConfig = { mode: "volume" } | { mode: "bind"; mountPath: string } | { mode: "image" };

/**
 * Where one service's pack cache lives. A bind folder per service on the agent's persistent disk keeps layers
 * across builds; a cache image in the registry needs no disk; a named volume lives as long as the Docker daemon.
 */
export function cacheFor(config: BuildCacheConfig, serviceName: string, repositoryUrl: string): CacheSpec {
  switch (config.mode) {
    case "bind":
      return { format: "bind", source: `${config.mountPath.replace(/\/+$/, "")}/${serviceName}` };
    case "image":
      return { format: "image", name: `${repositoryUrl}/${serviceName}-cache` };
    case "volume":
      return { format: "volume", name: `gantry-cache-${serviceName}` };
  }
}
