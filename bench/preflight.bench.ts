/**
 * preflight-corpus: the preflight over every app of test/fixtures/preflight-corpus (over 100 apps of every
 * language), against reading every file of the same folders once, the floor any prediction from the files has.
 * ratio = t(predict all) / t(read all); medians of interleaved warm runs. The detail line also gives the absolute
 * time, which the budget (a held-out set of real apps in under 2 seconds) is about.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { detect } from "../preflight";
import { CORPUS } from "../test/fixtures/preflight-corpus/apps";
import { formatSeconds, log, median, type Bench } from "./bench";

const REPS = 5;

function readAll(dir: string): number {
  let bytes = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    bytes += e.isDirectory() ? readAll(p) : fs.readFileSync(p).length;
  }
  return bytes;
}

function predictAll(root: string): number {
  let web = 0;
  for (const app of CORPUS) {
    const builder = app.builder === "paketo" ? "paketobuildpacks/builder-jammy-base" : app.builder === "google-24" ? "gcr.io/buildpacks/builder:google-24" : "gcr.io/buildpacks/builder";
    const r = detect({ dir: path.join(root, app.id, app.dir ?? ""), builder, ...(app.env ? { buildEnv: app.env } : {}), ...(app.exclude ? { exclude: app.exclude } : {}) });
    if (r.outcome === "web") web++;
  }
  return web;
}

const ms = (f: () => unknown): number => {
  const start = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - start) / 1e6;
};

export const benches: Bench[] = [
  {
    id: "preflight-corpus",
    async run() {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-bench-corpus-"));
      try {
        for (const app of CORPUS) {
          for (const [rel, text] of Object.entries(app.files)) {
            const file = path.join(root, app.id, rel);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, text);
          }
        }
        predictAll(root);
        readAll(root);
        const predict: number[] = [];
        const read: number[] = [];
        for (let i = 0; i < REPS; i++) {
          predict.push(ms(() => predictAll(root)));
          read.push(ms(() => readAll(root)));
          log(`preflight-corpus: rep ${i + 1}/${REPS}`);
        }
        const tp = median(predict);
        const tr = median(read);
        return { measured: tp / tr, target: { op: "<=", value: 25 }, detail: `${CORPUS.length} apps predicted in ${formatSeconds(tp)} (budget 2 s), files read in ${formatSeconds(tr)}` };
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  },
];
