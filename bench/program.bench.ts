import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatSeconds, log, median, type Bench } from "./bench";

/*
 * program-overhead: the real program (catalog, validation, preflight, fingerprints, components) over 500
 * generated services, against a program that declares the same custom resources directly, each evaluated under
 * Pulumi's mock runtime in a process of its own.
 */

const SERVICES = 500;
const RUNS = 3;

function writeCatalog(root: string): void {
  fs.writeFileSync(path.join(root, "Pulumi.yaml"), "name: gantry\nruntime: nodejs\n");
  fs.writeFileSync(
    path.join(root, "Pulumi.bench.yaml"),
    "config:\n  gantry:project: acme-bench\n  gantry:region: europe-west1\n  gantry:gke:\n    context: bench\n",
  );
  for (let i = 0; i < SERVICES; i++) {
    const name = `svc-${String(i).padStart(3, "0")}`;
    const dir = path.join(root, "services", name);
    fs.mkdirSync(dir, { recursive: true });
    const kind = i % 10 < 6 ? "service" : i % 10 < 9 ? "job" : "gke";
    const common = `name: ${name}\nkind: ${kind}\nenv:\n  LOG_LEVEL: info\nsecrets:\n  DB_PASSWORD: ${name}-db\n`;
    if (kind === "service") {
      fs.writeFileSync(path.join(dir, "service.yaml"), `${common}cpu: 1\nmemory: 1Gi\nminInstances: 0\nmaxInstances: 5\nstartupProbe:\n  path: /healthz\n`);
      fs.writeFileSync(path.join(dir, "main.py"), "from flask import Flask\napp = Flask(__name__)\n");
      fs.writeFileSync(path.join(dir, "requirements.txt"), "flask==3.1.2\n");
    } else if (kind === "job") {
      fs.writeFileSync(path.join(dir, "service.yaml"), `${common}process: job\ntasks: 2\nschedule: "0 3 * * *"\n`);
      fs.writeFileSync(path.join(dir, "Procfile"), "web: python -m http.server 8080\njob: python job.py\n");
      fs.writeFileSync(path.join(dir, "job.py"), "print('done')\n");
      fs.writeFileSync(path.join(dir, "requirements.txt"), "requests==2.32.3\n");
    } else {
      fs.writeFileSync(path.join(dir, "service.yaml"), `${common}namespace: apps\ncpu: 250m\nmemory: 256Mi\nautoscaling:\n  maxReplicas: 4\n`);
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, scripts: { start: "node server.js" } }));
      fs.writeFileSync(path.join(dir, "server.js"), "require('node:http').createServer((q, s) => s.end('ok')).listen(process.env.PORT);\n");
    }
  }
}

interface Sample {
  ms: number;
  resources: number;
  maxRssMiB: number;
}

function evaluate(args: string[]): Sample {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "program-worker.ts"), ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`program-worker ${args[0]} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Sample;
}

const programOverhead: Bench = {
  id: "program-overhead",
  async run() {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-bench-program-"));
    try {
      writeCatalog(root);
      const capture = path.join(root, "declared.json");
      // A first evaluation fills the fingerprint stat cache, as any earlier `pulumi up` on the agent would have.
      evaluate(["gantry", root, capture]);
      const ours: Sample[] = [];
      const raw: Sample[] = [];
      for (let i = 0; i < RUNS; i++) {
        ours.push(evaluate(["gantry", root]));
        raw.push(evaluate(["raw", capture]));
      }
      const oursMs = median(ours.map((s) => s.ms));
      const rawMs = median(raw.map((s) => s.ms));
      const rss = (xs: Sample[]) => Math.max(...xs.map((s) => s.maxRssMiB)).toFixed(0);
      log(`program-overhead: ${SERVICES} services, ${ours[0]!.resources} registrations (raw: ${raw[0]!.resources})`);
      return {
        measured: oursMs / rawMs,
        target: { op: "<=", value: 1.3 },
        detail: `gantry ${formatSeconds(oursMs)} peak ${rss(ours)} MiB, direct ${formatSeconds(rawMs)} peak ${rss(raw)} MiB; median of ${RUNS}`,
      };
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  },
};

export const benches: Bench[] = [programOverhead];
