/**
 * catalog-linear: `gantry validate`'s loader (read, parse, locate, validate) on one service.yaml with 200,000 env
 * keys, against four times the same file with 50,000. ratio = t(200k) / (4 × t(50k)); linear work gives about 1,
 * and the quadratic duplicate-key check this replaced gave about 4 (523 s against 37 s). Medians of interleaved runs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadCatalog } from "../catalog/load";
import { formatSeconds, log, median, type Bench } from "./bench";

const REPS = 3;

function projectWith(keys: number): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-bench-catalog-"));
  fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), "config:\n  gantry:project: acme-bench-1\n  gantry:region: europe-west1\n");
  fs.mkdirSync(path.join(root, "services", "big"), { recursive: true });
  const env = Array.from({ length: keys }, (_, i) => `  K${i}: v${i}\n`).join("");
  fs.writeFileSync(path.join(root, "services", "big", "service.yaml"), `name: big\nkind: service\nenv:\n${env}`);
  return root;
}

/** Milliseconds to load and validate the catalog. */
function timeLoad(root: string): number {
  const start = process.hrtime.bigint();
  const catalog = loadCatalog({ projectDir: root, cwd: root });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (!catalog.problems.some((p) => /environment variables; a container allows at most 1000/.test(p.message))) throw new Error("the loader did not refuse the file");
  return ms;
}

export const benches: Bench[] = [
  {
    id: "catalog-linear",
    async run() {
      const small = projectWith(50_000);
      const large = projectWith(200_000);
      try {
        timeLoad(small);
        const s: number[] = [];
        const l: number[] = [];
        for (let i = 0; i < REPS; i++) {
          s.push(timeLoad(small));
          l.push(timeLoad(large));
          log(`catalog-linear: rep ${i + 1}/${REPS}`);
        }
        const ts = median(s);
        const tl = median(l);
        return { measured: tl / (4 * ts), target: { op: "<=", value: 1.5 }, detail: `200k keys ${formatSeconds(tl)}, 50k keys ${formatSeconds(ts)}` };
      } finally {
        fs.rmSync(small, { recursive: true, force: true });
        fs.rmSync(large, { recursive: true, force: true });
      }
    },
  },
];
