// `npm run mutation [--baseline] [--fresh] [--concurrency=N] [group...]`: StrykerJS over the modules that decide,
// one module group at a time, each with the tests that cover it. Writes HTML and JSON reports under .mutation/<group>/ (gitignored) and prints one
// `MUTATION <module> score=...` line per module. Kept out of `npm test`: a full run takes tens of minutes.
//
// Stryker's vitest runner runs every test file in one worker thread (it overrides the project's `pool: "forks"`), so
// each group names its covering tests explicitly instead of letting vitest find related files: tests that need
// Pulumi's process-global mock runtime or the dynamic-provider host in a separate process are left out, and the note
// of the group says what is measured with a narrower set and why.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import ts from "typescript";

interface Group {
  name: string;
  /** Files (globs) mutated whole, or `file#fn1,fn2` to mutate only those top-level functions. */
  mutate: string[];
  testFiles: string[];
  /** Why the covering set is narrower than every test that reaches the module, when it is. */
  note?: string;
}

const PREFLIGHT_TESTS = [...["builder", "builder-gaps", "corpus", "go", "java", "nodejs", "procfile", "python", "rules"].map((t) => `test/preflight/${t}.test.ts`), "test/mutation-kills/preflight-*.test.ts"];
const MIGRATE_TESTS = [...["fixtures", "parse", "model", "corpus"].map((t) => `test/migrate/${t}.test.ts`), "test/mutation-kills/migrate-*.test.ts"];
const CLI_NOTE = (dir: string) => `without test/${dir}/cli.test.ts, which runs bin/gantry in a child process Stryker does not instrument`;
const MIGRATE_NOTE = `${CLI_NOTE("migrate")}, and without plan-summary.test.ts, which runs the plan under Pulumi's mock runtime and times out in the runner's thread`;

const GROUPS: Group[] = [
  {
    name: "pack",
    mutate: [
      "components/pack/provider.ts#buildTriggers,sameValue,canonicalJson,planChange,parseDigest,phaseOf,imageTag,splitImageRef,formatDuration,toProps,toState,fromProps",
      "components/pack/engines/pack.ts#cacheArgs,builderRepository,builderIsTrusted,packBuildArgs,packRebaseArgs,parseBuildpacks",
      "components/pack/engines/lifecycle.ts#creatorArgs,rebaserArgs,platformEnv,groupBuildpacks,copyUploadSet",
    ],
    testFiles: ["test/pack/args.test.ts", "test/pack/lifecycle-engine.test.ts", "test/pack/props.test.ts", "test/mutation-kills/pack-*.test.ts"],
    note: "the pure functions only: the runner (process groups, slots, timeouts) is exercised by provider.host.test.ts and pack-standin.test.ts through Pulumi's dynamic-provider host, a separate process Stryker's instrumented code does not reach",
  },
  {
    name: "catalog-rules",
    mutate: ["catalog/rules/*.ts"],
    testFiles: ["test/catalog/rules.test.ts", "test/catalog/dockerfile-build.test.ts", "test/catalog/rollout.test.ts", "test/catalog/secret-ownership.test.ts", "test/catalog/trust-boundaries.test.ts", "test/mutation-kills/catalog-*.test.ts"],
    note: "without hostile-input.test.ts (the YAML reader's limits, not the rules')",
  },
  {
    name: "catalog-schema",
    mutate: ["catalog/schema/fields.ts"],
    // json-schema.test.ts holds the committed service.schema.json against the zod schema: descriptions are what an
    // editor shows, so a changed one is a changed behaviour.
    testFiles: ["test/catalog/rules.test.ts", "test/catalog/json-schema.test.ts", "test/mutation-kills/catalog-*.test.ts"],
    note: "every mutant here is static (zod schemas are built when the module loads), so each one runs the whole set: the slowest group",
  },
  {
    name: "preflight",
    mutate: ["preflight/nodejs.ts", "preflight/python.ts"],
    testFiles: PREFLIGHT_TESTS,
    note: CLI_NOTE("preflight"),
  },
  {
    name: "preflight-others",
    mutate: ["preflight/go.ts", "preflight/java.ts", "preflight/procfile.ts"],
    testFiles: PREFLIGHT_TESTS,
    note: CLI_NOTE("preflight"),
  },
  {
    name: "migrate",
    mutate: ["migrate/compare.ts", "migrate/verdict.ts"],
    testFiles: MIGRATE_TESTS,
    note: MIGRATE_NOTE,
  },
  // migrate's step readers are split three ways so that each part reports (and can be re-run) on its own: as one
  // group they were 3,685 mutants and hours of a single worker before a first report.
  {
    name: "migrate-launch",
    mutate: ["migrate/launch.ts", "migrate/procfile-line.ts", "migrate/listen.ts", "migrate/port.ts"],
    testFiles: MIGRATE_TESTS,
    note: MIGRATE_NOTE,
  },
  {
    name: "migrate-build",
    mutate: ["migrate/build-steps.ts", "migrate/run-steps.ts", "migrate/packages.ts", "migrate/env.ts"],
    testFiles: MIGRATE_TESTS,
    note: MIGRATE_NOTE,
  },
  {
    name: "migrate-base",
    mutate: ["migrate/runtime.ts", "migrate/base-image.ts", "dockerfile/bases.ts"],
    testFiles: MIGRATE_TESTS,
    note: MIGRATE_NOTE,
  },
  {
    name: "fingerprint-filter",
    mutate: ["components/pack/fingerprint/walk.ts#compileUploadFilter,compileFilter,uploadSetContains,sortEntries,compareStrings,walkUploadSet"],
    testFiles: ["test/fingerprint.test.ts", "test/pack/lifecycle-engine.test.ts", "test/mutation-kills/fingerprint-*.test.ts"],
    note: "walk.ts, the include/exclude logic, only: the stat cache and the Watchman monitor are not measured",
  },
  {
    name: "build-cache",
    mutate: ["components/pack/build-record.ts#recordReference,recordAnnotations,recordFromAnnotations,judgeRecord,parseChallenge", "build/shard.ts", "components/pack/provider.ts#slotPriority"],
    testFiles: ["test/pack/build-record.test.ts", "test/build/shard.test.ts", "test/mutation-kills/build-cache.test.ts"],
    note: "the pure functions only: the registry client and the shard runs are exercised through the dynamic-provider host and a real registry (adoption.host.test.ts, shards.host.test.ts)",
  },
  {
    name: "plan",
    mutate: ["plan/decide.ts"],
    testFiles: ["test/plan/decide.test.ts", "test/mutation-kills/plan-*.test.ts"],
    note: "without test/plan/plan.test.ts and last-deployment.test.ts, which run Pulumi programs under its process-global mock runtime",
  },
];

const root = path.resolve(__dirname, "..");
const outRoot = path.join(root, ".mutation");

/** `file#a,b` to Stryker's `file:start-end` line ranges of those top-level functions. */
function mutateSpecs(spec: string): string[] {
  const [file, names] = spec.split("#") as [string, string | undefined];
  if (!names) return [file];
  const text = fs.readFileSync(path.join(root, file), "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const ranges: string[] = [];
  for (const name of names.split(",")) {
    const fn = source.statements.find((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === name);
    // A renamed or moved function must fail the run loudly, not quietly shrink what is measured.
    if (!fn) throw new Error(`mutation: ${file} has no top-level function ${name}`);
    const start = source.getLineAndCharacterOfPosition(fn.getStart()).line + 1;
    const end = source.getLineAndCharacterOfPosition(fn.getEnd()).line + 1;
    ranges.push(`${file}:${start}-${end}`);
  }
  return ranges;
}

interface MutantJson {
  status: string;
}
interface ReportJson {
  files: Record<string, { mutants: MutantJson[] }>;
}

interface Tally {
  detected: number;
  survived: number;
  noCoverage: number;
  errors: number;
}

function tally(mutants: MutantJson[]): Tally {
  const t: Tally = { detected: 0, survived: 0, noCoverage: 0, errors: 0 };
  for (const m of mutants) {
    if (m.status === "Killed" || m.status === "Timeout") t.detected++;
    else if (m.status === "Survived") t.survived++;
    else if (m.status === "NoCoverage") t.noCoverage++;
    else if (m.status === "CompileError" || m.status === "RuntimeError") t.errors++;
  }
  return t;
}

/** Stryker's mutation score: detected over detected and undetected (survived or not covered). */
function line(module: string, t: Tally): string {
  const valid = t.detected + t.survived + t.noCoverage;
  const score = valid === 0 ? "n/a" : `${((100 * t.detected) / valid).toFixed(1)}%`;
  return `MUTATION ${module} score=${score} killed=${t.detected} survived=${t.survived} no-coverage=${t.noCoverage}`;
}

function run(group: Group, concurrency: number, baseline: boolean, fresh: boolean): string[] {
  const dir = path.join(outRoot, baseline ? `${group.name}-baseline` : group.name);
  fs.mkdirSync(dir, { recursive: true });
  const config = {
    $schema: "../../node_modules/@stryker-mutator/core/schema/stryker-schema.json",
    packageManager: "npm",
    testRunner: "vitest",
    plugins: ["@stryker-mutator/vitest-runner"],
    vitest: { configFile: "vitest.mutation.config.mts", related: false },
    mutate: group.mutate.flatMap(mutateSpecs),
    // --baseline: what the module's own tests pin, without the tests written to kill its survivors.
    testFiles: baseline ? group.testFiles.filter((t) => !t.startsWith("test/mutation-kills/")) : group.testFiles,
    coverageAnalysis: "perTest",
    concurrency,
    incremental: true,
    incrementalFile: path.join(dir, "incremental.json"),
    reporters: ["html", "json", "progress"],
    htmlReporter: { fileName: path.join(dir, "report.html") },
    jsonReporter: { fileName: path.join(dir, "report.json") },
    tempDirName: path.join(".mutation", ".stryker-tmp"),
    cleanTempDir: "always",
    timeoutMS: 20_000,
    disableTypeChecks: "{catalog,components,migrate,plan,preflight}/**/*.ts",
  };
  // Stryker's incremental mode reuses a static mutant's result even when tests were added, so --fresh starts over.
  if (fresh) fs.rmSync(path.join(dir, "incremental.json"), { force: true });
  const configFile = path.join(dir, "stryker.config.json");
  fs.writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  if (group.note) process.stdout.write(`mutation ${group.name}: ${group.note}\n`);
  // Stryker ends and recycles its test workers without vitest's global teardown, which would have removed each
  // run's temp folder: everything they make lands in one folder of this group's, removed here (as bench/run.ts does).
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-mutation-"));
  const r = spawnSync(path.join(root, "node_modules", ".bin", "stryker"), ["run", configFile], {
    cwd: root,
    stdio: "inherit",
    // The real-builds tier starts a Docker engine and builds Go tools; no mutant is killed there.
    env: { ...process.env, GANTRY_REAL_TIER: "off", TMPDIR: tmp },
  });
  fs.rmSync(tmp, { recursive: true, force: true });
  if (r.status !== 0) return [`MUTATION ${group.name} FAILED (stryker exited ${r.status ?? r.signal})`];
  const report = JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8")) as ReportJson;
  const lines: string[] = [];
  const all: MutantJson[] = [];
  for (const [file, { mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    all.push(...mutants);
    lines.push(line(path.relative(root, path.resolve(root, file)), tally(mutants)));
  }
  if (Object.keys(report.files).length > 1) lines.push(line(`[${group.name}]`, tally(all)));
  return lines;
}

const args = process.argv.slice(2);
const concurrencyArg = args.find((a) => a.startsWith("--concurrency="));
// The machine is shared: one test worker unless asked for more.
const concurrency = concurrencyArg ? Number(concurrencyArg.split("=")[1]) : 1;
const baseline = args.includes("--baseline");
const fresh = args.includes("--fresh");
const wanted = args.filter((a) => !a.startsWith("--"));
const unknown = wanted.filter((w) => !GROUPS.some((g) => g.name === w));
if (unknown.length > 0) {
  process.stderr.write(`mutation: unknown group(s) ${unknown.join(", ")}; groups: ${GROUPS.map((g) => g.name).join(", ")}\n`);
  process.exit(2);
}
const results: string[] = [];
// In the order asked for, so a quick group can go before a slow one.
const chosen = wanted.length === 0 ? GROUPS : wanted.map((w) => GROUPS.find((g) => g.name === w)!);
for (const group of chosen) results.push(...run(group, concurrency, baseline, fresh));
process.stdout.write(`\n${results.join("\n")}\n`);
process.exit(results.some((r) => r.includes("FAILED")) ? 1 : 0);
