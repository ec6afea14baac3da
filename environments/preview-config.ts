import { suffixedName } from "./naming";

/*
 * A PR preview stack is its base stack's config with the overrides that make it cheap and disposable: nothing
 * kept warm, nothing protected from deletion, and every name suffixed so it never collides with the base it
 * shares a project (and a cluster) with.
 */

export const PREVIEW_STACK = /^pr-([1-9]\d{0,8})$/;
// Artifact Registry repository ids and GKE cluster names (catalog/schema/platform.ts).
const REPOSITORY_MAX = 63;
const CLUSTER_MAX = 40;
const DEFAULT_REPOSITORY = "gantry";

export function previewStackName(pr: number): string {
  return `pr-${pr}`;
}

/** The PR number of a preview stack, or undefined for any other stack. */
export function previewNumber(stack: string): number | undefined {
  const m = PREVIEW_STACK.exec(stack);
  return m ? Number(m[1]) : undefined;
}

export interface PreviewConfig {
  /** Plain config for Pulumi.pr-<n>.yaml, structured values kept structured. */
  config: Record<string, unknown>;
  /** Keys the base holds encrypted: their values must come decrypted from the base stack and go in as secrets. */
  secureKeys: string[];
  /** Base keys left out, each with why, for the command to say. */
  dropped: { key: string; why: string }[];
}

/**
 * The preview's config from the `config:` mapping of Pulumi.<base>.yaml. The base's own values win except where
 * a preview must differ; keys of other namespaces (gcp:, kubernetes:) are copied as they are.
 */
export function previewConfig(baseConfig: Record<string, unknown>, opts: { stack: string; base: string }): PreviewConfig {
  const { stack, base } = opts;
  const config: Record<string, unknown> = {};
  const secureKeys: string[] = [];
  const dropped: PreviewConfig["dropped"] = [];
  for (const [key, raw] of Object.entries(baseConfig)) {
    if (isRecord(raw) && "secure" in raw) {
      secureKeys.push(key);
      continue;
    }
    config[key] = key.startsWith("gantry:") ? unwrapJson(raw) : raw;
  }

  // A preview runs the PR's code, so it builds; promotion and the build agents' caches stay with the base.
  for (const [key, why] of [
    ["gantry:promoteFrom", "a preview builds the pull request's code instead of promoting"],
    ["gantry:jenkins", "the build agents' caches belong to the base stack"],
  ] as const) {
    if (key in config) {
      delete config[key];
      dropped.push({ key, why });
    }
  }

  const registry = isRecord(config["gantry:registry"]) ? { ...config["gantry:registry"] } : {};
  // The base's repository, where an unchanged service's image already is: the preview adopts it rather than build it.
  const baseRepository = baseRegistryUrl(config, registry);
  if (registry.project !== undefined) {
    delete registry.project;
    dropped.push({ key: "gantry:registry.project", why: "a preview pushes to a repository of its own" });
  }
  registry.repository = suffixedName(typeof registry.repository === "string" ? registry.repository : DEFAULT_REPOSITORY, stack, REPOSITORY_MAX);
  // A build stage's own registry address: the preview's images go under a path of their own there too, so a
  // pull request never writes where the base stack's images (which trusted stacks deploy) are.
  if (typeof registry.url === "string") registry.url = previewRegistryUrl(registry.url, stack);
  config["gantry:registry"] = registry;

  const gke = config["gantry:gke"];
  if (isRecord(gke) && isRecord(gke.cluster) && typeof gke.cluster.name === "string") {
    config["gantry:gke"] = { ...gke, cluster: { ...gke.cluster, name: suffixedName(gke.cluster.name, stack, CLUSTER_MAX) } };
  }

  const scaling = isRecord(config["gantry:scaling"]) ? config["gantry:scaling"] : {};
  config["gantry:scaling"] = { ...scaling, minInstances: 0, minInstancesCap: 0 };
  config["gantry:deletionProtection"] = false;
  config["gantry:nameSuffix"] = stack;
  config["gantry:baseStack"] = base;
  if (baseRepository) config["gantry:adoptFrom"] = [baseRepository];
  config["gantry:labels"] = { ...(isRecord(config["gantry:labels"]) ? config["gantry:labels"] : {}), "gantry-preview": stack };
  return { config, secureKeys, dropped };
}

/** <region>-docker.pkg.dev/<project>/<repository> of the base stack (components/registry/address.ts registryUrl), when its config says. */
function baseRegistryUrl(config: Record<string, unknown>, registry: Record<string, unknown>): string | undefined {
  if (typeof registry.url === "string") return registry.url;
  const region = config["gantry:region"];
  const project = typeof registry.project === "string" ? registry.project : config["gantry:project"];
  if (typeof region !== "string" || typeof project !== "string") return undefined;
  return `${region}-docker.pkg.dev/${project.replace(":", "/")}/${typeof registry.repository === "string" ? registry.repository : DEFAULT_REPOSITORY}`;
}

/** `pulumi config set` without --path stores structured values as JSON text. */
function unwrapJson(value: unknown): unknown {
  if (typeof value !== "string" || !/^[[{]/.test(value.trim())) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** <host>[/path]/<last> → <host>[/path]/<last>-<stack>; a bare host gets /<stack>. */
export function previewRegistryUrl(url: string, stack: string): string {
  if (!url.includes("/")) return `${url}/${stack}`;
  const last = url.lastIndexOf("/");
  return `${url.slice(0, last + 1)}${suffixedName(url.slice(last + 1), stack, REPOSITORY_MAX)}`;
}
