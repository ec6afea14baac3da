import type { CacheSpec } from "./provider";

export type BuildCacheConfig =
  | { mode: "volume" }
  | { mode: "bind"; mountPath: string; /** Relative folder with `{service}`; default "{service}". */ serviceFolder?: string }
  | { mode: "image" };

/**
 * Where one service's pack cache lives. A bind folder per service on the agent's persistent disk keeps layers
 * across builds; a cache image in the registry needs no disk; a named volume lives as long as the Docker daemon.
 */
export function cacheFor(config: BuildCacheConfig, serviceName: string, repositoryUrl: string): CacheSpec {
  switch (config.mode) {
    case "bind":
      return { format: "bind", source: bindFolder(config, serviceName) };
    case "image":
      return { format: "image", name: `${repositoryUrl}/${serviceName}-cache` };
    case "volume":
      return { format: "volume", name: `gantry-cache-${serviceName}` };
  }
}

/** One service's folder on the cache disk. The agent pipeline prepares and clears exactly this folder (infra/jenkins/cache-folders.ts). */
export function bindFolder(config: { mountPath: string; serviceFolder?: string }, serviceName: string): string {
  const folder = (config.serviceFolder ?? "{service}").split("{service}").join(serviceName);
  return `${config.mountPath.replace(/\/+$/, "")}/${folder}`;
}
