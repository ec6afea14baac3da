import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../../catalog/load";
import { problemLines } from "../../cli/commands/migrate";
import { migrateService, type ServiceMigration } from "../../migrate";
import { catalogOf } from "../support/catalog-fixture";

/*
 * `gantry migrate` on a corpus of Dockerfiles that carry the facts of real public ones (sample and starter
 * repositories: their stages, bases, package installs, ports and commands), each written for this repository.
 * A fixture (test/fixtures/migrate-corpus/*.txt) holds its expected verdict, the words its one-line reason must
 * hold, and where the builder's behaviour behind that verdict is written down; then its files, each after a
 * `--- <path>` line. Beyond each verdict, every suggestion of every fixture is held to what works in a buildpacks
 * image (see "every suggested change").
 */

const CORPUS = path.resolve(__dirname, "..", "fixtures", "migrate-corpus");

interface Fixture {
  name: string;
  expect: "ready" | "needs" | "blocked";
  reason: string[];
  cite: string;
  /** A port the app hard-codes, which a step must name. */
  port: number | null;
  files: Record<string, string>;
}

function readFixture(file: string): Fixture {
  const text = fs.readFileSync(path.join(CORPUS, file), "utf8");
  const [head, ...sections] = text.split(/^--- /m);
  const meta = (key: string): string[] => [...head!.matchAll(new RegExp(`^# ${key}: (.*)$`, "gm"))].map((m) => m[1]!.trim());
  const files: Record<string, string> = {};
  for (const s of sections) {
    const nl = s.indexOf("\n");
    files[s.slice(0, nl).trim()] = s.slice(nl + 1);
  }
  const name = file.replace(/\.txt$/, "");
  const expected = meta("expect")[0];
  if (expected !== "ready" && expected !== "needs" && expected !== "blocked") throw new Error(`${file}: # expect: ready|needs|blocked`);
  return { name, expect: expected, reason: meta("reason"), cite: meta("cite").join(" "), port: meta("port")[0] ? Number(meta("port")[0]) : null, files };
}

const fixtures = fs.readdirSync(CORPUS).filter((f) => f.endsWith(".txt")).sort().map(readFixture);
const roots: string[] = [];

function migrate(f: Fixture): { result: ServiceMigration; dir: string } {
  const yaml = f.files["service.yaml"] ?? `name: ${f.name}\nkind: service\nbuild:\n  dockerfile: Dockerfile\n`;
  const c = catalogOf({ [f.name]: yaml });
  roots.push(c.root);
  const dir = path.join(c.root, "services", f.name);
  fs.writeFileSync(path.join(dir, ".dockerignore"), "service.yaml\n");
  for (const [rel, body] of Object.entries(f.files)) {
    if (rel === "service.yaml") continue;
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), body);
  }
  const reloaded = loadCatalog({ projectDir: c.root, cwd: c.root });
  const errors = reloaded.problems.filter((p) => p.severity === "error");
  if (errors.length > 0) throw new Error(`${f.name}: ${JSON.stringify(errors)}`);
  const service = reloaded.services.dev![0]!;
  return { result: migrateService(service, reloaded.platforms.dev!.builder, c.root)!, dir };
}

afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

describe("the corpus", () => {
  it("has at least 40 fixtures, each with a verdict, a reason and a citation", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
    for (const f of fixtures) {
      expect(f.reason.length, f.name).toBeGreaterThan(0);
      expect(f.cite, f.name).not.toBe("");
      expect(Object.keys(f.files), f.name).toContain("Dockerfile");
    }
    const count = (v: Fixture["expect"]) => fixtures.filter((f) => f.expect === v).length;
    expect(count("ready")).toBeGreaterThanOrEqual(5);
    expect(count("needs")).toBeGreaterThanOrEqual(10);
    expect(count("blocked")).toBeGreaterThanOrEqual(10);
  });
});

// Start commands must not carry what belongs elsewhere: checks (CI) and build steps (build time).
const NOT_AT_START = /\b(flake8|pylint|black|isort|mypy|ruff|pytest|eslint|prettier|jest|collectstatic|npm run build|yarn build|pnpm build|mvn|gradle|pip install|npm ci|npm install)\b/;
const CHECK_PACKAGES = /^add `(flake8|pylint|black|isort|mypy|ruff|pytest|coverage|bandit|tox)[`=<>]/;

describe.each(fixtures.map((f) => [f.name, f] as const))("%s", (_name, f) => {
  let result: ServiceMigration;
  let dir: string;

  it(`is ${f.expect}, for the reason the builder's source gives`, () => {
    ({ result, dir } = migrate(f));
    expect({ verdict: result.verdict, steps: result.steps, blockers: result.blockers }).toMatchObject({ verdict: f.expect });
    for (const words of f.reason) expect(result.reason).toContain(words);
    if (f.expect === "ready") expect(result.steps).toEqual([]);
    if (f.expect !== "blocked") expect(result.blockers).toEqual([]);
  });

  it("suggests only changes that work in a buildpacks image", () => {
    const steps = result.steps;
    for (const step of steps) {
      const procfile = /Procfile(?: line|'s web line from `[^`]*` to) `web: ([^`]*)`/.exec(step)?.[1];
      if (procfile !== undefined) {
        // Only the app folder (/workspace, the working directory) and what every image has may be named.
        for (const word of procfile.split(/\s+/)) {
          const p = word.replace(/^[\w-]*=/, "");
          if (p.startsWith("/")) expect(p, step).toMatch(/^\/(workspace|tmp|dev)(\/|$)/);
          if (/^(\.\/)?[\w./-]+\.(py|sh)$/.test(p)) expect(fs.existsSync(path.join(dir, p)), `${step}: ${p} in the source folder`).toBe(true);
        }
        expect(procfile, step).not.toMatch(NOT_AT_START);
        const first = procfile.split(/\s+/)[0]!;
        if (!first.includes("/") && !first.includes("$")) expect(fs.existsSync(path.join(dir, first)), `${step}: a bare ${first} is a program on PATH, not a file of the app`).toBe(false);
      }
      expect(step, "a check tool is no run-time dependency").not.toMatch(CHECK_PACKAGES);
      expect(step, "the Java buildpack fetches dependencies itself").not.toMatch(/commit what `(mvn|gradle|\.\/mvnw)/);
      expect(step, "a version step names a version the builder offers").not.toMatch(/Java 3\b|engines": \{"node": "(19|21|23)\.x"/);
    }
    if (f.port !== null) {
      // Found, and either a step that makes the app reach $PORT (or declares its port), or a note that it no longer applies.
      const named = result.checks.filter((c) => new RegExp(`\\b${f.port}\\b`).test(c.text) && /\$PORT|`port: /.test(c.text));
      expect(named.length, `a finding names port ${f.port}: ${JSON.stringify(result.checks.map((c) => c.text))}`).toBeGreaterThan(0);
    }
  });
});

describe("warnings of a run", () => {
  const inContext = (file: string) => ({
    file,
    line: 3,
    column: 3,
    field: "build.dockerfile",
    severity: "warning" as const,
    message: `service.yaml is inside the build context and .dockerignore does not exclude it, so editing service.yaml (scaling, env) rebuilds the image; add \`service.yaml\` to ${file.replace("service.yaml", ".dockerignore")}`,
  });

  it("says the service.yaml-in-the-context warning once for every service it concerns", () => {
    const lines = problemLines([inContext("services/a/service.yaml"), inContext("services/b/service.yaml")]);
    expect(lines).toEqual([
      "warning: 2 services send their service.yaml with the Docker build context, so a scaling or env edit rebuilds the image (services/a/service.yaml, services/b/service.yaml); `npx gantry validate` names the .dockerignore line to add",
    ]);
    expect(problemLines([inContext("services/a/service.yaml")])).toEqual([
      "warning: services/a/service.yaml sends its service.yaml with the Docker build context, so a scaling or env edit rebuilds the image; `npx gantry validate` names the .dockerignore line to add",
    ]);
  });

  it("keeps every other problem on its own line", () => {
    const other = { file: "services/a/service.yaml", line: 2, column: 1, field: "memory", severity: "error" as const, message: "bad" };
    expect(problemLines([other])).toEqual(["services/a/service.yaml:2:1 memory: bad"]);
    expect(problemLines([])).toEqual([]);
  });
});
