/*
 * Clearing a service's cache in buildCache.mode: image means deleting its cache image (<repository>/<service>-cache)
 * from Artifact Registry. pack treats a missing cache image as an empty cache, so the next build starts cold and
 * publishes a new one.
 */

export interface RegistryClient {
  fetch: typeof fetch;
  token: () => Promise<string>;
}

/** `<location>-docker.pkg.dev/<project>/<repository>/<package>` to the Artifact Registry package it is stored as. */
export function cachePackage(imageRef: string): { project: string; location: string; repository: string; pkg: string } {
  const m = /^([a-z0-9-]+)-docker\.pkg\.dev\/([^/]+)\/([^/]+)\/(.+)$/.exec(imageRef);
  if (!m) throw new Error(`${imageRef} is not an Artifact Registry image (<location>-docker.pkg.dev/<project>/<repository>/<image>)`);
  return { location: m[1]!, project: m[2]!, repository: m[3]!, pkg: m[4]! };
}

export async function deleteCacheImage(imageRef: string, client: RegistryClient): Promise<"deleted" | "absent"> {
  const p = cachePackage(imageRef);
  // Nested image names are one package id with the slashes escaped.
  const url = `https://artifactregistry.googleapis.com/v1/projects/${p.project}/locations/${p.location}/repositories/${p.repository}/packages/${encodeURIComponent(p.pkg)}`;
  const res = await client.fetch(url, { method: "DELETE", headers: { Authorization: `Bearer ${await client.token()}` } });
  if (res.status === 404) return "absent";
  if (!res.ok) throw new Error(`Artifact Registry answered ${res.status} deleting ${imageRef}: ${(await res.text()).slice(0, 500)}`);
  return "deleted";
}

/** GOOGLE_OAUTH_ACCESS_TOKEN, else the agent's own identity from the metadata server (Workload Identity on GKE). */
export async function ambientToken(env: NodeJS.ProcessEnv = process.env, fetcher: typeof fetch = fetch): Promise<string> {
  if (env.GOOGLE_OAUTH_ACCESS_TOKEN) return env.GOOGLE_OAUTH_ACCESS_TOKEN;
  const res = await fetcher("http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token", { headers: { "Metadata-Flavor": "Google" } });
  if (!res.ok) throw new Error(`no access token: set GOOGLE_OAUTH_ACCESS_TOKEN, or run where the metadata server answers (it said ${res.status})`);
  return ((await res.json()) as { access_token: string }).access_token;
}
