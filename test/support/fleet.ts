import * as fs from "node:fs";
import * as path from "node:path";

/*
 * A generated fleet for benchmarks and size tests: a project with stack "bench" and N services, six in ten Cloud
 * Run services (Python), three jobs (scheduled, Procfile), one GKE workload (Node.js), each with an env var and
 * a secret.
 */

export function fleetName(i: number): string {
  return `svc-${String(i).padStart(3, "0")}`;
}

export function writeFleet(root: string, services: number): void {
  fs.writeFileSync(path.join(root, "Pulumi.yaml"), "name: gantry\nruntime: nodejs\n");
  fs.writeFileSync(
    path.join(root, "Pulumi.bench.yaml"),
    "config:\n  gantry:project: acme-bench\n  gantry:region: europe-west1\n  gantry:gke:\n    context: bench\n",
  );
  for (let i = 0; i < services; i++) {
    const name = fleetName(i);
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

/**
 * Twenty changes a busy week brings, four of each kind, spread over the fleet: a service made public, min
 * instances raised, a secret re-pointed, a source edit, and a service folder deleted.
 */
export function changeFleet(root: string): void {
  const file = (i: number, f: string) => path.join(root, "services", fleetName(i), f);
  const edit = (f: string, from: string, to: string) => fs.writeFileSync(f, fs.readFileSync(f, "utf8").replace(from, to));
  // Cloud Run services are i % 10 < 6.
  for (const i of [0, 100, 200, 300]) edit(file(i, "service.yaml"), "kind: service\n", "kind: service\npublic: true\ningress: all\n");
  for (const i of [11, 111, 211, 311]) edit(file(i, "service.yaml"), "minInstances: 0", "minInstances: 3");
  for (const i of [22, 122, 222, 322]) edit(file(i, "service.yaml"), `DB_PASSWORD: ${fleetName(i)}-db`, `DB_PASSWORD:\n    secret: ${fleetName(i)}-db\n    version: "4"`);
  for (const i of [33, 133, 233, 333]) fs.appendFileSync(file(i, "main.py"), "\n# edited\n");
  for (const i of [44, 144, 244, 344]) fs.rmSync(path.join(root, "services", fleetName(i)), { recursive: true });
}
