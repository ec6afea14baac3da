import type { PackImageInputs } from "./provider";

/*
 * The registry as the build cache. Every image Gantry publishes gets a build record: a small OCI artifact at
 * `<repository>-build-records:<image tag>`, whose annotations say what the image at `<repository>:<image tag>` was
 * built from (fingerprint, builder, run image), its digest, and the trust level of the pipeline that pushed it.
 * Before building, PackImage looks the record up; when it matches the inputs and the tag still points at the
 * digest it names, the image is adopted and no build runs.
 *
 * Why a record beside the image rather than a label inside it: pack and the lifecycle give a platform no way to set
 * image config labels (only buildpacks write labels), and adding one afterwards changes the digest and moves a tag,
 * which an immutable-tag repository (staging's) refuses. A separate package, because Artifact Registry's "keep the N
 * most recent versions" policy counts versions per package: records in the image's own package would halve it.
 *
 * Serialized with the provider (its closure goes into Pulumi's state), so this file follows ./engines/engine.ts's
 * rule: no runtime imports, Node built-ins through process.getBuiltinModule, every helper declared here. Credentials
 * are read inside the functions and never returned, logged or kept.
 */

export type TrustLevel = "trusted" | "untrusted";

/** What a record says, as annotations of its manifest (OCI annotations are the artifact's labels). */
export interface BuildRecord {
  fingerprint: string;
  builder: string;
  runImage: string;
  /** The digest the tag pointed at when the record was written. */
  image: string;
  /** The trust level of the stack (and so of the pipeline identity) that pushed the image. */
  trust: TrustLevel;
  /** "build" or "rebase": how the image came to be. */
  operation: string;
  /** Where it was built: Jenkins' NODE_NAME, else the host name. */
  builtOn: string;
  builtAt: string;
}

export type RecordLookup =
  | { adopt: true; digest: string; /** The repository it is in. */ repository: string; from: string; record: BuildRecord }
  | { adopt: false; reason: string };

const ANNOTATION = "dev.gantry.build.";
const RECORD_TYPE = "application/vnd.gantry.build-record.v1";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
// The OCI empty descriptor (image-spec 1.1, "Guidance for an empty descriptor"): the two bytes `{}`.
const EMPTY_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
const MANIFEST_ACCEPT = [OCI_MANIFEST, "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json"].join(", ");

/** Where the record of `<repository>:<tag>` lives. */
export function recordReference(repository: string, tag: string): string {
  return `${repository}-build-records:${tag}`;
}

/** The record as manifest annotations (string values only, as OCI requires). */
export function recordAnnotations(record: BuildRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) out[`${ANNOTATION}${k}`] = String(v);
  return out;
}

/** The record a manifest's annotations hold, or undefined when it is not a complete Gantry build record. */
export function recordFromAnnotations(annotations: Record<string, unknown> | undefined): BuildRecord | undefined {
  if (!annotations) return undefined;
  const get = (k: string) => (typeof annotations[`${ANNOTATION}${k}`] === "string" ? (annotations[`${ANNOTATION}${k}`] as string) : undefined);
  const fingerprint = get("fingerprint");
  const builder = get("builder");
  const runImage = get("runImage");
  const image = get("image");
  const trust = get("trust");
  if (!fingerprint || !builder || !runImage || !image || (trust !== "trusted" && trust !== "untrusted")) return undefined;
  return { fingerprint, builder, runImage, image, trust, operation: get("operation") ?? "", builtOn: get("builtOn") ?? "", builtAt: get("builtAt") ?? "" };
}

/**
 * Whether a record allows adopting the image for these inputs, and if not why. Every field that makes the image
 * what it is must agree: a record that disagrees is never trusted, whoever wrote it. A trusted stack adopts only
 * what a trusted pipeline pushed; an untrusted one (a pull request's preview) may adopt anything it can read.
 */
export function judgeRecord(inputs: Pick<PackImageInputs, "fingerprint" | "builder" | "runImage" | "trust">, record: BuildRecord | undefined, tagDigest: string | undefined): { ok: true } | { ok: false; reason: string } {
  if (!record) return { ok: false, reason: "no build record" };
  const disagree: string[] = [];
  if (record.fingerprint !== inputs.fingerprint) disagree.push("fingerprint");
  if (record.builder !== inputs.builder) disagree.push("builder");
  if (record.runImage !== inputs.runImage) disagree.push("run image");
  if (disagree.length > 0) return { ok: false, reason: `the build record disagrees (${disagree.join(", ")}); not trusted` };
  if (inputs.trust === "trusted" && record.trust !== "trusted") return { ok: false, reason: "pushed by an untrusted pipeline; a trusted stack builds its own" };
  if (!tagDigest) return { ok: false, reason: "the record's image tag is gone" };
  if (tagDigest !== record.image) return { ok: false, reason: `the tag points at ${tagDigest.slice(0, 19)}, not the recorded ${record.image.slice(0, 19)}; not trusted` };
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------------------
// Registry HTTP API v2, with Docker's credentials: OAuth token, credential helper or config auth, and the
// registry's token exchange when it asks for one.

interface Ref {
  host: string;
  name: string;
  reference: string;
}

function parseRef(ref: string): Ref {
  const at = ref.indexOf("@");
  const slash = ref.indexOf("/");
  const colon = ref.lastIndexOf(":");
  const cut = at >= 0 ? at : colon > slash ? colon : -1;
  if (slash < 0 || cut < 0) throw new Error(`not a <registry>/<name>:<tag> reference: ${ref}`);
  return { host: ref.slice(0, slash), name: ref.slice(slash + 1, cut), reference: ref.slice(cut + 1) };
}

function isLocal(host: string): boolean {
  return /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host);
}

/** Docker's own credentials for a host: a credential helper, or an `auths` entry. */
function dockerCredentials(host: string): { username: string; secret: string } | undefined {
  const fs = process.getBuiltinModule("node:fs");
  const os = process.getBuiltinModule("node:os");
  const path = process.getBuiltinModule("node:path");
  const childProcess = process.getBuiltinModule("node:child_process");
  let config: { credHelpers?: Record<string, string>; credsStore?: string; auths?: Record<string, { auth?: string }> };
  try {
    config = JSON.parse(fs.readFileSync(path.join(process.env.DOCKER_CONFIG ?? path.join(os.homedir(), ".docker"), "config.json"), "utf8"));
  } catch {
    return undefined;
  }
  const helper = config.credHelpers?.[host] ?? config.credsStore;
  if (helper) {
    const r = childProcess.spawnSync(`docker-credential-${helper}`, ["get"], { input: host, encoding: "utf8", timeout: 30_000 });
    if (r.status === 0) {
      try {
        const c = JSON.parse(r.stdout) as { Username?: string; Secret?: string };
        if (c.Username && c.Secret) return { username: c.Username, secret: c.Secret };
      } catch {
        // A helper that prints something else has nothing for this host.
      }
    }
  }
  const auth = config.auths?.[host]?.auth;
  if (auth) {
    const text = Buffer.from(auth, "base64").toString("utf8");
    const i = text.indexOf(":");
    if (i > 0) return { username: text.slice(0, i), secret: text.slice(i + 1) };
  }
  return undefined;
}

function basicFor(host: string): string | undefined {
  // Artifact Registry takes an OAuth access token as the password of the user "oauth2accesstoken".
  const token = process.env.GOOGLE_OAUTH_ACCESS_TOKEN;
  const creds = token ? { username: "oauth2accesstoken", secret: token } : dockerCredentials(host);
  return creds ? `Basic ${Buffer.from(`${creds.username}:${creds.secret}`).toString("base64")}` : undefined;
}

/** A Bearer challenge's realm, service and scope (RFC 6750 `WWW-Authenticate`, as registries send it). */
export function parseChallenge(header: string | null): { realm: string; params: Record<string, string> } | undefined {
  if (!header || !/^Bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!] = m[2]!;
  const realm = params.realm;
  if (!realm) return undefined;
  delete params.realm;
  return { realm, params };
}

async function registryFetch(host: string, pathAndQuery: string, init: { method: string; headers?: Record<string, string>; body?: Uint8Array | string }): Promise<Response> {
  const scheme = isLocal(host) ? "http" : "https";
  const url = pathAndQuery.startsWith("http") ? pathAndQuery : `${scheme}://${host}${pathAndQuery}`;
  const g = globalThis as unknown as Record<symbol, Map<string, string> | undefined>;
  const tokens = (g[Symbol.for("gantry.registry.tokens")] ??= new Map<string, string>());
  const send = (auth: string | undefined) => fetch(url, { method: init.method, headers: { ...(init.headers ?? {}), ...(auth ? { Authorization: auth } : {}) }, ...(init.body !== undefined ? { body: init.body } : {}), redirect: "follow" });
  const cached = tokens.get(host);
  let res = await send(cached);
  if (res.status !== 401) return res;
  const challenge = parseChallenge(res.headers.get("www-authenticate"));
  const basic = basicFor(host);
  if (!challenge) return basic ? send(basic) : res;
  const q = new URLSearchParams(challenge.params);
  const tokenRes = await fetch(`${challenge.realm}?${q.toString()}`, { headers: basic ? { Authorization: basic } : {} });
  if (!tokenRes.ok) return res;
  const body = (await tokenRes.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) return res;
  tokens.set(host, `Bearer ${token}`);
  res = await send(`Bearer ${token}`);
  return res;
}

/** The digest a tag points at, or undefined when there is no such tag. */
async function tagDigest(ref: Ref): Promise<string | undefined> {
  const res = await registryFetch(ref.host, `/v2/${ref.name}/manifests/${ref.reference}`, { method: "HEAD", headers: { Accept: MANIFEST_ACCEPT } });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`${ref.host} answered ${res.status} for ${ref.name}:${ref.reference}`);
  return res.headers.get("docker-content-digest") ?? undefined;
}

async function readRecord(ref: Ref): Promise<BuildRecord | undefined> {
  const res = await registryFetch(ref.host, `/v2/${ref.name}/manifests/${ref.reference}`, { method: "GET", headers: { Accept: OCI_MANIFEST } });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`${ref.host} answered ${res.status} for ${ref.name}:${ref.reference}`);
  const manifest = (await res.json()) as { annotations?: Record<string, unknown>; artifactType?: string; config?: { mediaType?: string } };
  if (manifest.artifactType !== RECORD_TYPE && manifest.config?.mediaType !== RECORD_TYPE) return undefined;
  return recordFromAnnotations(manifest.annotations);
}

async function pushBlob(ref: Ref, bytes: Uint8Array, digest: string): Promise<void> {
  const head = await registryFetch(ref.host, `/v2/${ref.name}/blobs/${digest}`, { method: "HEAD" });
  if (head.ok) return;
  const start = await registryFetch(ref.host, `/v2/${ref.name}/blobs/uploads/`, { method: "POST", headers: { "Content-Length": "0" } });
  if (start.status !== 202) throw new Error(`${ref.host} refused a blob upload to ${ref.name} (${start.status})`);
  const location = start.headers.get("location");
  if (!location) throw new Error(`${ref.host} gave no upload location for ${ref.name}`);
  const absolute = new URL(location, `${isLocal(ref.host) ? "http" : "https"}://${ref.host}`);
  absolute.searchParams.set("digest", digest);
  const put = await registryFetch(ref.host, absolute.toString(), { method: "PUT", headers: { "Content-Type": "application/octet-stream" }, body: bytes });
  if (put.status !== 201) throw new Error(`${ref.host} refused blob ${digest} in ${ref.name} (${put.status})`);
}

/** The registry side of the build cache: look a record up before building, write one after. */
export function buildRecords(): {
  /** Looks in `repository` (default: the image's own). */
  lookup(inputs: PackImageInputs, tag: string, repository?: string): Promise<RecordLookup>;
  write(inputs: PackImageInputs, tag: string, digest: string, operation: "build" | "rebase"): Promise<void>;
} {
  return {
    async lookup(inputs, tag, repository = inputs.repository) {
      const at = recordReference(repository, tag);
      try {
        const record = await readRecord(parseRef(at));
        const current = record ? await tagDigest(parseRef(`${repository}:${tag}`)) : undefined;
        const verdict = judgeRecord(inputs, record, current);
        if (!verdict.ok) return { adopt: false, reason: verdict.reason };
        return { adopt: true, digest: record!.image, repository, from: `${repository}:${tag}`, record: record! };
      } catch (err) {
        // A registry that cannot be asked is a cache miss: the build that follows pushes there anyway.
        return { adopt: false, reason: `the registry could not be asked (${err instanceof Error ? err.message : String(err)})` };
      }
    },

    async write(inputs, tag, digest, operation) {
      const os = process.getBuiltinModule("node:os");
      const ref = parseRef(recordReference(inputs.repository, tag));
      const record: BuildRecord = {
        fingerprint: inputs.fingerprint,
        builder: inputs.builder,
        runImage: inputs.runImage,
        image: digest,
        trust: inputs.trust,
        operation,
        builtOn: process.env.NODE_NAME || os.hostname(),
        builtAt: new Date().toISOString(),
      };
      await pushBlob(ref, Buffer.from("{}"), EMPTY_DIGEST);
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: RECORD_TYPE,
        config: { mediaType: "application/vnd.oci.empty.v1+json", digest: EMPTY_DIGEST, size: 2 },
        layers: [{ mediaType: "application/vnd.oci.empty.v1+json", digest: EMPTY_DIGEST, size: 2 }],
        annotations: recordAnnotations(record),
      });
      const res = await registryFetch(ref.host, `/v2/${ref.name}/manifests/${ref.reference}`, { method: "PUT", headers: { "Content-Type": OCI_MANIFEST }, body: manifest });
      if (res.status !== 201) throw new Error(`${ref.host} refused the build record ${ref.name}:${ref.reference} (${res.status}: ${(await res.text()).slice(0, 200)})`);
    },
  };
}
