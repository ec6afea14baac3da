import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadCatalog, type Catalog } from "../../catalog/load";
import { formatProblem } from "../../catalog/problems";

export const PLATFORM_YAML = (stack: string, extra = "") => `config:
  gantry:project: acme-${stack}-proj
  gantry:region: europe-west1
${extra}`;

/** Writes a throwaway project (stack configs + services/<dir>/service.yaml) and loads it like `gantry validate` does. */
export function catalogOf(services: Record<string, string>, stacks: Record<string, string> = { dev: PLATFORM_YAML("dev"), prod: PLATFORM_YAML("prod") }): Catalog & { root: string; lines: string[] } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-catalog-"));
  for (const [stack, yaml] of Object.entries(stacks)) fs.writeFileSync(path.join(root, `Pulumi.${stack}.yaml`), yaml);
  fs.mkdirSync(path.join(root, "services"));
  for (const [dir, yaml] of Object.entries(services)) {
    fs.mkdirSync(path.join(root, "services", dir), { recursive: true });
    fs.writeFileSync(path.join(root, "services", dir, "service.yaml"), yaml);
  }
  const catalog = loadCatalog({ projectDir: root, cwd: root });
  return { ...catalog, root, lines: catalog.problems.map(formatProblem) };
}

/** A minimal valid document of each kind, to which a test adds the fields it is about. */
export const BASE = {
  service: "name: api\nkind: service\n",
  job: "name: batch\nkind: job\n",
  gke: "name: web\nkind: gke\n",
};

export function errorsOf(kind: keyof typeof BASE, extra: string): string[] {
  const base = /^name:/m.test(extra) ? BASE[kind].replace(/^name:.*\n/, "") : BASE[kind];
  return catalogOf({ svc: base + extra }).problems.filter((p) => p.severity === "error").map(formatProblem);
}
