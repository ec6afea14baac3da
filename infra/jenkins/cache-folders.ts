import * as fs from "node:fs";
import * as path from "node:path";
import type { PlatformConfig } from "../../catalog/schema/platform";
import { bindFolder } from "../../components/pack/cache";

/*
 * The folders pack binds on an agent's cache disk, as cacheFor() names them for PackImage. The lifecycle writes
 * them as the CNB user (uid/gid 1000 in the Google and Paketo builders), but Docker creates a missing bind source
 * as root with mode 755, which that user cannot write. So the pipeline prepares every folder before pack runs,
 * and clears one the same way.
 */

export const CNB_UID = 1000;
export const CNB_GID = 1000;
/** setgid: files the lifecycle creates stay in group 1000 whichever uid writes them. */
const FOLDER_MODE = 0o2775;

export interface CacheFolder {
  stack: string;
  service: string;
  path: string;
}

/** Every bind-cache folder of the given stacks' services; stacks with another cache mode contribute none. */
export function bindFolders(stacks: Array<{ stack: string; platform: PlatformConfig; services: string[] }>): CacheFolder[] {
  return stacks.flatMap(({ stack, platform, services }) => {
    const cache = platform.buildCache;
    return cache.mode === "bind" ? services.map((service) => ({ stack, service, path: bindFolder(cache, service) })) : [];
  });
}

export interface MountCheck {
  /** false only in tests: a temporary folder is not a mount point. */
  requireMountPoint: boolean;
}

/**
 * The mount must be the cache disk itself. A missing disk would leave an ordinary folder in the container,
 * lost with the pod: every build would quietly start cold, which is exactly what the disk is there to prevent.
 */
export function checkMount(mountPath: string, check: MountCheck): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(mountPath);
  } catch {
    throw new Error(`no cache disk at ${mountPath}: this agent has none mounted (see docs/jenkins.md, "How an agent gets its disk")`);
  }
  if (!stat.isDirectory()) throw new Error(`${mountPath} is not a directory`);
  if (check.requireMountPoint && stat.dev === fs.statSync(path.dirname(mountPath)).dev) {
    throw new Error(`${mountPath} is a plain folder, not a mounted cache disk: builds here would start cold every time (see docs/jenkins.md)`);
  }
}

function ownedFolder(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.chownSync(dir, CNB_UID, CNB_GID);
  fs.chmodSync(dir, FOLDER_MODE);
}

/** Creates (or repairs) every folder with the CNB user's ownership; returns the folders touched. */
export function prepareFolders(mountPath: string, folders: CacheFolder[], check: MountCheck): string[] {
  checkMount(mountPath, check);
  const paths = [...new Set(folders.map((f) => f.path))].sort();
  for (const p of paths) {
    insideMount(mountPath, p);
    ownedFolder(p);
  }
  return paths;
}

/** Empties one service's folder and leaves it ready for the next build. */
export function clearFolder(mountPath: string, folder: CacheFolder, check: MountCheck): void {
  checkMount(mountPath, check);
  insideMount(mountPath, folder.path);
  fs.rmSync(folder.path, { recursive: true, force: true });
  ownedFolder(folder.path);
}

/** A folder outside the mount is never created or deleted, whatever the config or a symlink on the disk says. */
function insideMount(mountPath: string, target: string): void {
  const root = fs.realpathSync(mountPath);
  let existing = path.resolve(target);
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  const resolved = path.join(fs.realpathSync(existing), path.relative(existing, path.resolve(target)));
  const rel = path.relative(root, resolved);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) throw new Error(`${target} is not a folder inside the cache mount ${mountPath}`);
}
