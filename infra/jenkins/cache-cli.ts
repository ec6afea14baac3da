import { hasErrors, loadCatalog } from "../../catalog/load";
import { formatProblem } from "../../catalog/problems";
import { cacheFor } from "../../components/pack/cache";
import { registryUrl } from "../../components/registry/address";
import { ambientToken, deleteCacheImage } from "./cache-image";
import { bindFolders, clearFolder, prepareFolders } from "./cache-folders";

/*
 * What the Jenkinsfile runs on an agent, from the checkout, before and instead of pack:
 *
 *   npx tsx infra/jenkins/cache-cli.ts prepare                               every bind folder of every stack
 *   npx tsx infra/jenkins/cache-cli.ts clear --stack <stack> --service <name>
 *
 * Folders and cache images are named by the stack config exactly as PackImage names them (cacheFor), and the
 * service must be in that stack's catalog, so a build parameter can only ever reach a service's own cache.
 */

const USAGE = "usage: cache-cli.ts prepare | clear --stack <stack> --service <name>";

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function main(argv: string[], projectDir = process.cwd(), out: (line: string) => void = console.log): Promise<number> {
  const [command, ...rest] = argv;
  const requireMountPoint = !rest.includes("--allow-plain-folder");
  const only = option(rest, "stack");
  const catalog = loadCatalog({ projectDir, stacks: only ? [only] : undefined });
  if (hasErrors(catalog.problems)) {
    for (const p of catalog.problems) out(formatProblem(p));
    return 1;
  }
  const stacks = catalog.stacks.map((stack) => ({ stack, platform: catalog.platforms[stack]!, services: (catalog.services[stack] ?? []).map((s) => s.spec.name) }));

  if (command === "prepare") {
    const folders = bindFolders(stacks);
    const mounts = [...new Set(stacks.flatMap((s) => (s.platform.buildCache.mode === "bind" ? [s.platform.buildCache.mountPath] : [])))];
    for (const mount of mounts) {
      for (const p of prepareFolders(mount, folders.filter((f) => f.path.startsWith(`${mount.replace(/\/+$/, "")}/`)), { requireMountPoint })) out(`ready ${p}`);
    }
    if (mounts.length === 0) out("no stack uses buildCache.mode: bind; nothing to prepare");
    return 0;
  }

  if (command === "clear") {
    const service = option(rest, "service");
    const target = stacks[0];
    if (!only || !service || !target) {
      out(USAGE);
      return 2;
    }
    if (!target.services.includes(service)) {
      out(`no service "${service}" in stack ${only}; services are ${target.services.join(", ") || "(none)"}`);
      return 1;
    }
    const cache = cacheFor(target.platform.buildCache, service, registryUrl(target.platform));
    switch (cache.format) {
      case "bind": {
        const mount = target.platform.buildCache.mode === "bind" ? target.platform.buildCache.mountPath : "";
        clearFolder(mount, { stack: only, service, path: cache.source }, { requireMountPoint });
        out(`cleared ${cache.source}`);
        return 0;
      }
      case "image":
        out(`${await deleteCacheImage(cache.name, { fetch, token: () => ambientToken() })} ${cache.name}`);
        return 0;
      case "volume":
        out(`stack ${only} keeps ${service}'s cache in Docker volume ${cache.name ?? "(pack's default)"} on the build host: remove it there with docker volume rm`);
        return 1;
    }
  }

  out(USAGE);
  return 2;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`cache-cli: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
