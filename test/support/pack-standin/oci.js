'use strict';
// Image references, a plain-HTTP Registry API v2 client, and deterministic app-layer archives
// for the pack stand-in. Only loopback registries are ever contacted.

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const zlib = require('node:zlib');

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const MANIFEST_ACCEPT = [
  OCI_MANIFEST,
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

const DEFAULT_REGISTRY = 'index.docker.io';
const REPO_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_-./';
const TAG_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.';

function sha256(buf) {
  return 'sha256:' + crypto.createHash('sha256').update(buf).digest('hex');
}

// ---- go-containerregistry name parsing (WeakValidation) ----
function parseRepository(name) {
  let registry = DEFAULT_REGISTRY;
  let repo = name;
  const slash = name.indexOf('/');
  if (slash >= 0) {
    const first = name.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      repo = name.slice(slash + 1);
    }
  }
  if (registry === 'docker.io') registry = DEFAULT_REGISTRY;
  if (repo.length === 0) throw new Error('a repository name must be specified');
  for (const ch of repo) {
    if (!REPO_CHARS.includes(ch)) {
      throw new Error(`repository can only contain the characters \`${REPO_CHARS}\`: ${repo}`);
    }
  }
  if (registry === DEFAULT_REGISTRY && !repo.includes('/')) repo = `library/${repo}`;
  return { registry, repository: repo };
}

// name.NewTag
function newTag(input) {
  let base = input;
  let tag = 'latest';
  const colon = input.lastIndexOf(':');
  if (colon > input.lastIndexOf('/')) {
    base = input.slice(0, colon);
    tag = input.slice(colon + 1);
  }
  if (tag.length === 0 || tag.length > 128 || [...tag].some((c) => !TAG_CHARS.includes(c)) || tag[0] === '.' || tag[0] === '-') {
    throw new Error(`tag can only contain the characters \`${TAG_CHARS}\`: ${tag}`);
  }
  const repo = parseRepository(base);
  return { kind: 'tag', original: input, ...repo, tag, identifier: tag, context: `${repo.registry}/${repo.repository}` };
}

// name.NewDigest
function newDigest(input) {
  const at = input.indexOf('@');
  if (at < 0) throw new Error('a digest must contain exactly one \'@\' separator (e.g. registry/repository@digest)');
  const base = input.slice(0, at);
  const digest = input.slice(at + 1);
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`invalid checksum digest format`);
  const repo = parseRepository(base);
  return { kind: 'digest', original: input, ...repo, digest, identifier: digest, context: `${repo.registry}/${repo.repository}` };
}

// name.ParseReference
function parseReference(input) {
  try {
    return newTag(input);
  } catch {
    try {
      return newDigest(input);
    } catch {
      throw new Error(`could not parse reference: ${input}`);
    }
  }
}

// pack's parseTagReference (pkg/client/common.go)
function parseTagReference(input) {
  if (input === '') throw new Error('image is a required parameter');
  let parsed;
  try {
    parsed = parseReference(input);
  } catch (err) {
    throw new Error(`'${input}' is not a valid tag reference: ${err.message}`);
  }
  if (parsed.kind !== 'tag') throw new Error(`'${input}' is not a tag reference`);
  return parsed;
}

function refName(ref) {
  return ref.kind === 'tag' ? `${ref.context}:${ref.tag}` : `${ref.context}@${ref.digest}`;
}

function isLoopbackRegistry(registry) {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : registry.split(':')[0];
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

// ---- Registry API v2 over plain HTTP ----
class RegistryError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

class RegistryClient {
  constructor(registry) {
    if (!isLoopbackRegistry(registry)) {
      throw new RegistryError(`Get "https://${registry}/v2/": dial tcp: lookup ${registry.split(':')[0]}: no such host`, 0);
    }
    this.registry = registry;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  }

  close() {
    this.agent.destroy();
  }

  url(p) {
    return p.startsWith('http://') || p.startsWith('https://') ? p : `http://${this.registry}${p}`;
  }

  request(method, p, { headers = {}, body } = {}) {
    const target = new URL(this.url(p));
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          method,
          host: target.hostname.replace(/^\[|\]$/g, ''),
          port: target.port || 80,
          path: target.pathname + target.search,
          headers: { ...headers, ...(body ? { 'Content-Length': body.length } : {}) },
          agent: this.agent,
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.setTimeout(15000, () => req.destroy(new Error(`${method} ${target.href}: timeout`)));
      req.on('error', (err) => reject(new RegistryError(`${method} ${target.href}: ${err.code === 'ECONNREFUSED' ? `dial tcp ${target.host}: connect: connection refused` : err.message}`, 0)));
      if (body) req.end(body);
      else req.end();
    });
  }

  async ping() {
    const res = await this.request('GET', '/v2/');
    if (res.status !== 200 && res.status !== 401) throw new RegistryError(`GET ${this.url('/v2/')}: unexpected status code ${res.status}`, res.status);
  }

  async getManifest(repo, reference) {
    const res = await this.request('GET', `/v2/${repo}/manifests/${reference}`, { headers: { Accept: MANIFEST_ACCEPT } });
    if (res.status === 404) return null;
    if (res.status !== 200) throw new RegistryError(`GET ${this.url(`/v2/${repo}/manifests/${reference}`)}: unexpected status code ${res.status}: ${res.body.toString().trim()}`, res.status);
    return { body: res.body, digest: res.headers['docker-content-digest'] || sha256(res.body), json: JSON.parse(res.body.toString('utf8')) };
  }

  async getBlob(repo, digest) {
    let res = await this.request('GET', `/v2/${repo}/blobs/${digest}`);
    for (let hops = 0; res.status >= 300 && res.status < 400 && res.headers.location && hops < 3; hops++) {
      res = await this.request('GET', res.headers.location);
    }
    if (res.status !== 200) throw new RegistryError(`GET blob ${digest}: unexpected status code ${res.status}`, res.status);
    return res.body;
  }

  async hasBlob(repo, digest) {
    const res = await this.request('HEAD', `/v2/${repo}/blobs/${digest}`);
    return res.status === 200;
  }

  async pushBlob(repo, buf, digest = sha256(buf)) {
    if (await this.hasBlob(repo, digest)) return digest;
    const start = await this.request('POST', `/v2/${repo}/blobs/uploads/`, { body: Buffer.alloc(0) });
    if (start.status !== 202 || !start.headers.location) {
      throw new RegistryError(`POST /v2/${repo}/blobs/uploads/: unexpected status code ${start.status}: ${start.body.toString().trim()}`, start.status);
    }
    const loc = start.headers.location;
    const sep = loc.includes('?') ? '&' : '?';
    const put = await this.request('PUT', `${loc}${sep}digest=${encodeURIComponent(digest)}`, {
      headers: { 'Content-Type': 'application/octet-stream' },
      body: buf,
    });
    if (put.status !== 201) throw new RegistryError(`PUT blob ${digest}: unexpected status code ${put.status}: ${put.body.toString().trim()}`, put.status);
    return digest;
  }

  async putManifest(repo, reference, buf, mediaType = OCI_MANIFEST) {
    const res = await this.request('PUT', `/v2/${repo}/manifests/${reference}`, { headers: { 'Content-Type': mediaType }, body: buf });
    if (res.status !== 201) throw new RegistryError(`PUT manifest ${repo}:${reference}: unexpected status code ${res.status}: ${res.body.toString().trim()}`, res.status);
    return res.headers['docker-content-digest'] || sha256(buf);
  }
}

// ---- Source tree collection ----
// Returns entries [{ rel, type: 'file'|'dir'|'symlink', mode, data?, linkname? }] sorted by rel.
function isZipFile(file) {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(4);
    const n = fs.readSync(fd, b, 0, 4, 0);
    return n === 4 && b.equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  } finally {
    fs.closeSync(fd);
  }
}

function readZipEntries(file) {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('zip: not a valid zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('zip: not a valid zip file');
    const method = buf.readUInt16LE(p + 10);
    const compSize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const external = buf.readUInt32LE(p + 38);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(dataStart, dataStart + compSize);
    const unixMode = external >>> 16;
    const rel = name.replace(/\/+$/, '');
    if (!rel) continue;
    if (name.endsWith('/')) {
      entries.push({ rel, type: 'dir', mode: unixMode & 0o7777 || 0o755 });
    } else {
      const data = method === 0 ? Buffer.from(raw) : method === 8 ? zlib.inflateRawSync(raw) : null;
      if (!data) throw new Error(`zip: unsupported compression method ${method}`);
      entries.push({ rel, type: 'file', mode: unixMode & 0o7777 || 0o644, data });
    }
  }
  return entries.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

function readDirEntries(root) {
  const entries = [];
  const walk = (dir, relDir) => {
    const names = fs.readdirSync(dir).sort();
    for (const name of names) {
      const abs = path.join(dir, name);
      const rel = relDir ? `${relDir}/${name}` : name;
      const st = fs.lstatSync(abs);
      if (st.isSymbolicLink()) {
        entries.push({ rel, type: 'symlink', mode: 0o777, linkname: fs.readlinkSync(abs) });
      } else if (st.isDirectory()) {
        entries.push({ rel, type: 'dir', mode: st.mode & 0o7777 });
        walk(abs, rel);
      } else if (st.isFile()) {
        entries.push({ rel, type: 'file', mode: st.mode & 0o7777, data: fs.readFileSync(abs) });
      }
    }
  };
  walk(root, '');
  return entries;
}

// ---- Deterministic tar ----
const TAR_EPOCH = 315532801; // 1980-01-01T00:00:01Z, imgutil NormalizedDateTime

function octal(n, width) {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function tarHeader(name, { type, mode, size = 0, uid, gid, linkname = '' }) {
  const h = Buffer.alloc(512);
  const write = (str, off, len) => h.write(str, off, Math.min(Buffer.byteLength(str), len), 'utf8');
  let prefix = '';
  let short = name;
  if (Buffer.byteLength(name) > 100) {
    const idx = name.lastIndexOf('/', name.length - 1);
    for (let i = idx; i > 0; i = name.lastIndexOf('/', i - 1)) {
      if (Buffer.byteLength(name.slice(0, i)) <= 155 && Buffer.byteLength(name.slice(i + 1)) <= 100) {
        prefix = name.slice(0, i);
        short = name.slice(i + 1);
        break;
      }
    }
  }
  write(short, 0, 100);
  write(octal(mode, 8), 100, 8);
  write(octal(uid, 8), 108, 8);
  write(octal(gid, 8), 116, 8);
  write(octal(size, 12), 124, 12);
  write(octal(TAR_EPOCH, 12), 136, 12);
  h.fill(0x20, 148, 156);
  write(type, 156, 1);
  write(linkname, 157, 100);
  write('ustar\0', 257, 6);
  write('00', 263, 2);
  write(prefix, 345, 155);
  let sum = 0;
  for (const b of h) sum += b;
  write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return h;
}

function paxHeader(name, uid, gid) {
  const rec = (k, v) => {
    const body = ` ${k}=${v}\n`;
    let len = Buffer.byteLength(body) + 1;
    while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
    return `${len}${body}`;
  };
  const data = Buffer.from(rec('path', name), 'utf8');
  return [tarHeader('PaxHeaders/entry', { type: 'x', mode: 0o644, size: data.length, uid, gid }), pad512(data)];
}

function pad512(buf) {
  const rem = buf.length % 512;
  return rem === 0 ? buf : Buffer.concat([buf, Buffer.alloc(512 - rem)]);
}

// entries: [{ rel, type, mode, data?, linkname? }] relative to `prefixDir` (e.g. "workspace")
function buildTar(entries, { prefixDir, uid, gid }) {
  const parts = [];
  const add = (name, meta, data) => {
    if (Buffer.byteLength(name) > 100 && !tarHeader(name, { ...meta, uid, gid }).subarray(345, 346)[0]) {
      parts.push(...paxHeader(name, uid, gid));
    }
    parts.push(tarHeader(name, { ...meta, uid, gid }));
    if (data && data.length) parts.push(pad512(data));
  };
  if (prefixDir) add(`${prefixDir}/`, { type: '5', mode: 0o755 });
  for (const e of entries) {
    const name = prefixDir ? `${prefixDir}/${e.rel}` : e.rel;
    if (e.type === 'dir') add(`${name}/`, { type: '5', mode: e.mode });
    else if (e.type === 'symlink') add(name, { type: '2', mode: e.mode, linkname: e.linkname });
    else add(name, { type: '0', mode: e.mode, size: e.data.length }, e.data);
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

function gzipDeterministic(buf) {
  // zlib writes mtime 0 and a fixed OS byte, so equal input gives equal output.
  return zlib.gzipSync(buf, { level: 6 });
}

module.exports = {
  OCI_MANIFEST,
  OCI_CONFIG,
  OCI_LAYER_GZIP,
  RegistryClient,
  RegistryError,
  buildTar,
  gzipDeterministic,
  isLoopbackRegistry,
  isZipFile,
  newTag,
  parseReference,
  parseRepository,
  parseTagReference,
  readDirEntries,
  readZipEntries,
  refName,
  sha256,
  TAR_EPOCH,
};
