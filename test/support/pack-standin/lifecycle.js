'use strict';
// Simulated CNB lifecycle for the pack stand-in: which buildpacks "detect" for a source tree,
// what each prints while building, which launch processes result, and each phase's failure text.
// Output never includes build-time environment values.

const FAMILIES = {
  paketo: {
    buildpacks: {
      ca: { id: 'paketo-buildpacks/ca-certificates', version: '3.8.6', name: 'Paketo Buildpack for CA Certificates', layer: 'helper' },
      node: { id: 'paketo-buildpacks/node-engine', version: '4.1.12', name: 'Paketo Buildpack for Node Engine', layer: 'node', cache: true },
      npm: { id: 'paketo-buildpacks/npm-install', version: '1.5.3', name: 'Paketo Buildpack for NPM Install', layer: 'launch-modules', cache: true },
      nodeStart: { id: 'paketo-buildpacks/node-start', version: '1.1.10', name: 'Paketo Buildpack for Node Start', process: (s) => ['node', s.nodeMain] },
      npmStart: { id: 'paketo-buildpacks/npm-start', version: '2.1.3', name: 'Paketo Buildpack for NPM Start', process: () => ['npm', 'start'] },
      goDist: { id: 'paketo-buildpacks/go-dist', version: '2.6.1', name: 'Paketo Buildpack for Go Distribution', layer: 'go', cache: true },
      goBuild: { id: 'paketo-buildpacks/go-build', version: '4.1.4', name: 'Paketo Buildpack for Go Build', layer: 'targets', process: () => ['/layers/paketo-buildpacks_go-build/targets/bin/app'] },
      cpython: { id: 'paketo-buildpacks/cpython', version: '1.13.4', name: 'Paketo Buildpack for CPython', layer: 'cpython', cache: true },
      pip: { id: 'paketo-buildpacks/pip', version: '0.21.3', name: 'Paketo Buildpack for Pip', layer: 'pip' },
      pipInstall: { id: 'paketo-buildpacks/pip-install', version: '0.6.5', name: 'Paketo Buildpack for Pip Install', layer: 'packages', cache: true },
      pythonStart: { id: 'paketo-buildpacks/python-start', version: '0.14.15', name: 'Paketo Buildpack for Python Start', process: () => ['python'] },
      procfile: { id: 'paketo-buildpacks/procfile', version: '5.10.1', name: 'Paketo Buildpack for Procfile' },
      labels: { id: 'paketo-buildpacks/image-labels', version: '4.7.3', name: 'Paketo Buildpack for Image Labels' },
    },
    groups: { node: ['ca', 'node', 'npm', 'npmStart'], nodePlain: ['ca', 'node', 'nodeStart'], go: ['ca', 'goDist', 'goBuild'], python: ['ca', 'cpython', 'pip', 'pipInstall', 'pythonStart'], procfile: ['ca', 'procfile'], generic: ['ca', 'labels'] },
    procfile: 'paketo',
  },
  google: {
    buildpacks: {
      node: { id: 'google.nodejs.runtime', version: '1.0.0', name: 'Node.js Runtime', layer: 'node', cache: true },
      npm: { id: 'google.nodejs.npm', version: '1.1.0', name: 'npm', layer: 'npm_modules', cache: true, process: () => ['npm', 'start'] },
      go: { id: 'google.go.runtime', version: '0.9.1', name: 'Go Runtime', layer: 'go', cache: true },
      goBuild: { id: 'google.go.build', version: '0.9.0', name: 'Go Build', layer: 'bin', process: () => ['/layers/google.go.build/bin/main'] },
      python: { id: 'google.python.runtime', version: '0.9.1', name: 'Python Runtime', layer: 'python', cache: true },
      pip: { id: 'google.python.pip', version: '0.9.2', name: 'Python pip', layer: 'pip', cache: true, process: () => ['python3', 'main.py'] },
      entrypoint: { id: 'google.config.entrypoint', version: '0.9.0', name: 'Config Entrypoint' },
      label: { id: 'google.utils.label-image', version: '0.0.2', name: 'Utils Label Image' },
    },
    groups: { node: ['node', 'npm', 'entrypoint', 'label'], nodePlain: ['node', 'npm', 'entrypoint', 'label'], go: ['go', 'goBuild', 'entrypoint', 'label'], python: ['python', 'pip', 'entrypoint', 'label'], procfile: ['entrypoint', 'label'], generic: ['label'] },
    procfile: 'google',
  },
  heroku: {
    buildpacks: {
      node: { id: 'heroku/nodejs', version: '3.4.2', name: 'Heroku Node.js', layer: 'dist', cache: true, process: () => ['npm', 'start'] },
      go: { id: 'heroku/go', version: '0.5.1', name: 'Heroku Go', layer: 'go_target', cache: true, process: () => ['/layers/heroku_go/go_target/bin/app'] },
      python: { id: 'heroku/python', version: '0.20.1', name: 'Heroku Python', layer: 'venv', cache: true },
      procfile: { id: 'heroku/procfile', version: '4.1.2', name: 'Heroku Procfile' },
    },
    groups: { node: ['node'], nodePlain: ['node'], go: ['go'], python: ['python'], procfile: ['procfile'], generic: ['procfile'] },
    procfile: 'heroku',
  },
};

function builderFamily(builder) {
  if (/^(gcr\.io\/buildpacks|gcr\.io\/serverless-runtimes)\//.test(builder)) return 'google';
  if (/^heroku\//.test(builder)) return 'heroku';
  return 'paketo';
}

function defaultRunImage(builder) {
  const family = builderFamily(builder);
  const bare = builder.replace(/:[^/:]+$/, '');
  if (family === 'google') {
    const m = /:(google-\d+)$/.exec(builder);
    return `gcr.io/buildpacks/${m ? m[1] : 'google-22'}/run:latest`;
  }
  if (family === 'heroku') {
    const m = /:(\d+)$/.exec(builder);
    return `heroku/heroku:${m ? m[1] : '24'}`;
  }
  const jammy = /^(?:docker\.io\/)?paketobuildpacks\/builder-jammy-(base|full|tiny|buildpackless-static)$/.exec(bare);
  if (jammy) return `index.docker.io/paketobuildpacks/run-jammy-${jammy[1] === 'buildpackless-static' ? 'static' : jammy[1]}:latest`;
  if (/ubuntu-noble-builder$/.test(bare)) return 'index.docker.io/paketobuildpacks/ubuntu-noble-run:latest';
  return `${bare}-run:latest`;
}

function parseProcfile(text) {
  const procs = [];
  for (const raw of text.split(/\r?\n/)) {
    const m = /^([A-Za-z0-9_-]+):\s*(.+)$/.exec(raw.trim());
    if (m) procs.push({ type: m[1], command: m[2].trim() });
  }
  return procs;
}

// Parse a buildpack locator (--buildpack / project.toml group / pre / post) into {id, version}.
function locatorToBuildpack(locator) {
  let s = locator.replace(/^urn:cnb:(builder|registry):/, '').replace(/^docker:\/\//, '');
  if (/^(\.{0,2}\/|[a-z]+:\/\/)/.test(s) || /\.(tgz|tar|tar\.gz|cnb)$/.test(s)) {
    const base = s.replace(/\/+$/, '').split('/').pop().replace(/\.(tgz|tar|tar\.gz|cnb)$/, '');
    return { id: base || 'buildpack', version: '0.0.1', name: base };
  }
  const at = s.lastIndexOf('@');
  if (at > 0) return { id: s.slice(0, at), version: s.slice(at + 1), name: s.slice(0, at) };
  const colon = s.lastIndexOf(':');
  if (colon > s.lastIndexOf('/')) return { id: s.slice(0, colon), version: s.slice(colon + 1), name: s.slice(0, colon) };
  return { id: s, version: 'latest', name: s };
}

// Decide the buildpack group and launch processes for a source tree.
function detect({ builder, entries, buildpacks, preBuildpacks, postBuildpacks }) {
  const family = FAMILIES[builderFamily(builder)];
  const files = new Map(entries.filter((e) => e.type === 'file').map((e) => [e.rel, e.data]));
  const has = (p) => files.has(p);
  const anyExt = (ext) => [...files.keys()].some((k) => k.endsWith(ext));
  let groupName = 'generic';
  if (has('package.json')) groupName = 'node';
  else if (has('go.mod')) groupName = 'go';
  else if (has('requirements.txt') || has('pyproject.toml') || has('Pipfile')) groupName = 'python';
  else if (anyExt('.js')) groupName = 'nodePlain';
  else if (anyExt('.go')) groupName = 'go';
  else if (anyExt('.py')) groupName = 'python';
  else if (has('Procfile')) groupName = 'procfile';

  const nodeMain = ['server.js', 'app.js', 'main.js', 'index.js'].find(has) || 'index.js';
  let group;
  let processes = [];
  if (buildpacks && buildpacks.length > 0) {
    group = buildpacks.map(locatorToBuildpack);
  } else {
    group = family.groups[groupName].map((key) => ({ ...family.buildpacks[key] }));
    if (has('Procfile') && family.procfile === 'paketo' && !group.some((b) => b.id.endsWith('/procfile'))) {
      group.push({ ...family.buildpacks.procfile });
    }
    if (has('Procfile') && family.procfile === 'heroku' && !group.some((b) => b.id === 'heroku/procfile')) {
      group.push({ ...family.buildpacks.procfile });
    }
  }
  group = [...(preBuildpacks || []).map(locatorToBuildpack), ...group, ...(postBuildpacks || []).map(locatorToBuildpack)];

  for (const bp of group) {
    if (bp.process) processes = [{ type: 'web', command: bp.process({ nodeMain }), args: [], direct: true, buildpackID: bp.id }];
  }
  if (processes.length === 0 && buildpacks && buildpacks.length > 0 && groupName !== 'generic' && groupName !== 'procfile') {
    // Explicit buildpacks (e.g. a composite like paketo-buildpacks/nodejs) launch the app the way the
    // builder's own group for this language would.
    const starter = family.groups[groupName].map((key) => family.buildpacks[key]).reverse().find((b) => b.process);
    const last = group[group.length - 1 - (postBuildpacks || []).length] || group[group.length - 1];
    if (starter) processes = [{ type: 'web', command: starter.process({ nodeMain }), args: [], direct: true, buildpackID: last.id }];
  }
  if (has('Procfile')) {
    let procs = parseProcfile(files.get('Procfile').toString('utf8'));
    const owner = group.find((b) => /procfile|config\.entrypoint/.test(b.id));
    if (family.procfile === 'google') procs = procs.filter((p) => p.type === 'web');
    if (procs.length > 0) {
      const byType = new Map(processes.map((p) => [p.type, p]));
      for (const p of procs) {
        byType.set(p.type, { type: p.type, command: ['bash', '-c', p.command], args: [], direct: false, buildpackID: owner ? owner.id : group[group.length - 1].id });
      }
      processes = [...byType.values()];
    }
  }
  // Buildpack-declared default: web, else worker (paketo), single process (heroku).
  let buildpackDefault = processes.find((p) => p.type === 'web') ? 'web' : null;
  if (!buildpackDefault && family.procfile === 'paketo' && processes.some((p) => p.type.toLowerCase() === 'worker')) buildpackDefault = processes.find((p) => p.type.toLowerCase() === 'worker').type;
  if (!buildpackDefault && family.procfile === 'heroku' && processes.length === 1) buildpackDefault = processes[0].type;
  return { group, processes, buildpackDefault, optionalSkipped: buildpacks && buildpacks.length ? 0 : Math.max(0, 26 - group.length) };
}

function detectLines(group, total, verbose) {
  const lines = [];
  if (verbose) {
    lines.push('======== Results ========');
    for (const bp of group) lines.push(`pass: ${bp.id}@${bp.version}`);
    lines.push('Resolving plan... (try #1)');
  }
  lines.push(`${group.length} of ${total} buildpacks participating`);
  const width = Math.max(...group.map((b) => b.id.length)) + 1;
  for (const bp of group) lines.push(`${bp.id.padEnd(width)}${bp.version}`);
  return lines;
}

function buildLines(bp, processes = [], defaultType = '') {
  const url = bp.id.includes('/') ? `https://github.com/${bp.id}` : `https://github.com/GoogleCloudPlatform/buildpacks`;
  const lines = ['', `${bp.name || bp.id} ${bp.version}`, `  ${url}`];
  if (bp.layer) {
    lines.push(`  ${bp.layer[0].toUpperCase()}${bp.layer.slice(1)}: Contributing to layer`);
    lines.push(`    Writing /layers/${bp.id.replace(/\//g, '_')}/${bp.layer}`);
  }
  const own = processes.filter((p) => p.buildpackID === bp.id);
  if (own.length > 0) {
    lines.push('  Assigning launch processes:');
    for (const p of own) lines.push(`    ${p.type}${p.type === defaultType ? ' (default)' : ''}: ${p.command.join(' ')}`);
  } else if (!bp.layer) {
    lines.push('  No layers contributed');
  }
  return lines;
}

function layerKey(bp) {
  return bp.layer ? `${bp.id}:${bp.layer}` : null;
}

const PHASES = ['ANALYZING', 'DETECTING', 'RESTORING', 'BUILDING', 'EXPORTING'];
const PHASE_CONTAINER = { ANALYZING: 'analyzer', DETECTING: 'detector', RESTORING: 'restorer', BUILDING: 'builder', EXPORTING: 'exporter' };

function failureLines(phase, code, ctx) {
  switch (phase) {
    case 'ANALYZING':
      if (code === 1) {
        return [`ERROR: failed to initialize analyzer: validating registry write access: failed to ensure registry read/write access to ${ctx.image}: UNAUTHORIZED: authentication required`];
      }
      return [`ERROR: failed to analyze: failed to fetch previous image: GET http://${ctx.registry}/v2/${ctx.repository}/manifests/${ctx.tag}: unexpected status code 500 Internal Server Error`];
    case 'DETECTING':
      if (code === 20) {
        return ['ERROR: No buildpack groups passed detection.', 'ERROR: Please check that you are running against the correct path.', 'ERROR: failed to detect: no buildpacks participating'];
      }
      return [`err:  ${ctx.firstBuildpack} (${code === 21 ? '1' : '100'})`, 'ERROR: failed to detect: buildpack(s) failed with err'];
    case 'RESTORING':
      return ['ERROR: failed to restore: restoring layer metadata: reading cache metadata: unexpected end of JSON input'];
    case 'BUILDING':
      return ['  Running build command', '    exit status 1', '', 'ERROR: failed to build: exit status 1'];
    case 'EXPORTING':
      return [`ERROR: failed to export: failed to write image to the following tags: [${ctx.image}: PUT http://${ctx.registry}/v2/${ctx.repository}/manifests/${ctx.tag}: unexpected status code 500]`];
    default:
      return [];
  }
}

module.exports = { PHASES, PHASE_CONTAINER, builderFamily, defaultRunImage, detect, detectLines, buildLines, layerKey, failureLines, locatorToBuildpack };
