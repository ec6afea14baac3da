import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { progress } from "../../cli/progress";
import { ensureDebianPackage } from "../support/debian";

const root = path.join(__dirname, "..", "..");
const bin = path.join(root, "bin", "gantry.js");

function gantry(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: opts.cwd ?? root, encoding: "utf8", env: opts.env ?? process.env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A throwaway project: Pulumi.yaml, one stack and the given files. */
function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-cli-"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: gantry\nruntime: nodejs\n");
  fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config:\n  gantry:project: acme-dev-1\n  gantry:region: europe-west1\n");
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe("gantry CLI conventions", () => {
  it("prints its version", () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
    const r = gantry(["--version"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`gantry ${version}`);
  });

  it("a usage mistake exits 2, apart from an invalid catalog's 1; help exits 0", () => {
    for (const [args, said] of [
      [["validate", "--bogus"], "error: unknown option '--bogus'"],
      [["nosuch"], "error: unknown command 'nosuch'"],
      [["completion"], "error: missing required argument 'shell'"],
      [[], "Usage: gantry [options] [command]"],
    ] as const) {
      const r = gantry([...args]);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(said);
    }
    expect(gantry(["validate", "--help"]).status).toBe(0);
    expect(gantry(["help", "plan"]).status).toBe(0);
  });

  it("validate --json gives the services and no problems on a valid catalog, and located problems with exit 1 otherwise", () => {
    const ok = gantry(["validate", "--json", "--stack", "dev"]);
    expect(ok.status).toBe(0);
    expect(ok.stderr).toBe("");
    const parsed = JSON.parse(ok.stdout) as { ok: boolean; stacks: { stack: string; services: { name: string; kind: string; file: string }[] }[]; problems: unknown[] };
    expect(parsed.ok).toBe(true);
    expect(parsed.problems).toEqual([]);
    expect(parsed.stacks.map((s) => s.stack)).toEqual(["dev"]);
    expect(parsed.stacks[0]!.services.map((s) => [s.name, s.kind, s.file])).toEqual([
      ["catalog-api", "gke", "services/catalog-api/service.yaml"],
      ["nightly-report", "job", "services/nightly-report/service.yaml"],
      ["storefront", "service", "services/storefront/service.yaml"],
    ]);

    const bad = gantry(["validate", "--json", "--services", "test/fixtures/catalogs/broken"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe("");
    const problems = (JSON.parse(bad.stdout) as { ok: boolean; problems: { file: string; line: number; column: number; message: string }[] }).problems;
    expect(problems).toContainEqual(expect.objectContaining({ file: "test/fixtures/catalogs/broken/api/service.yaml", line: 5, column: 1, field: "minInstance", message: 'unknown field (did you mean "minInstances"?)' }));
  });

  it("--service validates one service by name, and names a missing one with a suggestion", () => {
    const one = gantry(["validate", "--stack", "dev", "--service", "storefront"]);
    expect(one.status).toBe(0);
    expect(one.stdout).toContain("1 service valid in dev.");
    expect(one.stdout).not.toContain("catalog-api");
    const missing = gantry(["validate", "--service", "storfront"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('services:1:1 no service named "storfront" (did you mean "storefront"?); services are catalog-api, nightly-report, storefront');
  });

  it("finds the project root from a subfolder, as git and pulumi do", () => {
    const r = gantry(["validate", "--stack", "dev", "--service", "storefront"], { cwd: path.join(root, "services", "storefront") });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("1 service valid in dev.");
  });

  it("detect and plan take --service", () => {
    const d = gantry(["detect", "--service", "storefront", "--json"]);
    expect(d.status).toBe(0);
    const results = JSON.parse(d.stdout) as { dir: string; language: string }[];
    expect(results.map((x) => [x.dir, x.language])).toEqual([["services/storefront", "python"]]);

    const p = gantry(["plan", "--stack", "dev", "--service", "storefront", "--json"]);
    expect(p.stderr).toBe("");
    const plan = JSON.parse(p.stdout) as { services: { name: string }[]; resources: { name: string }[] };
    expect(plan.services.map((s) => s.name)).toEqual(["storefront"]);
    expect(plan.resources.length).toBeGreaterThan(0);
    for (const r of plan.resources) expect(r.name).toMatch(/^storefront(-|$)/);
  });

  it("shows progress on a terminal only, and clears it before the result", () => {
    const written: string[] = [];
    const stream = (isTTY: boolean) => ({ isTTY, columns: 40, write: (s: string) => written.push(s) }) as unknown as NodeJS.WriteStream;
    const tty = progress(true, stream(true));
    tty("checking services/storefront/service.yaml (1/3)");
    tty.done();
    expect(written).toEqual(["\r\x1b[Kchecking services/storefront/service.y…", "\r\x1b[K"]);
    written.length = 0;
    const pipe = progress(true, stream(false));
    pipe("reading Pulumi.dev.yaml");
    pipe.done();
    const json = progress(false, stream(true));
    json("reading Pulumi.dev.yaml");
    expect(written).toEqual([]);
    // Through the CLI, stderr is a pipe here: nothing but the result.
    expect(gantry(["validate", "--stack", "dev"]).stderr).toBe("");
  });

  it("validate on a terminal says what it reads and checks, then clears the line before the table; --json stays quiet", () => {
    // `script` gives the command a pseudo-terminal, as a developer's shell would (stdout and stderr both land in it),
    // 200 columns wide: its default of none would cut every status line to 20 characters.
    const onTerminal = (args: string) =>
      spawnSync("script", ["-qec", `stty cols 200 rows 50; ${JSON.stringify(process.execPath)} bin/gantry.js ${args}`, "/dev/null"], { cwd: root, encoding: "utf8", env: process.env });
    const r = onTerminal("validate --stack dev");
    expect(r.status).toBe(0);
    for (const step of ["reading Pulumi.dev.yaml", "checking services/catalog-api/service.yaml (1/3)", "checking services/storefront/service.yaml (3/3)", "preflight: what the builder would detect for 3 services"]) {
      expect(r.stdout).toContain(`\r\x1b[K${step}`);
    }
    // The last status line is cleared before the result, so the table starts on a clean line.
    expect(r.stdout).toMatch(/preflight: [^\r]*\r\x1b\[K\r?\n+stack dev \(project acme-gantry-dev, europe-west1\)/);
    const json = onTerminal("validate --stack dev --json");
    expect(json.status).toBe(0);
    expect(json.stdout).not.toContain("\x1b[K");
    expect(json.stdout.trimStart().startsWith("{")).toBe(true);
  });

  it("says in one line that the Pulumi CLI is missing", () => {
    const dir = project({});
    // As on a workstation: on a CI agent the checkout-local backend would be refused before the CLI is looked for.
    const r = gantry(["preview", "list"], { cwd: dir, env: { ...process.env, CI: "", JENKINS_URL: "", PATH: path.dirname(process.execPath) } });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^gantry preview: the Pulumi CLI is not installed: `pulumi` is not on PATH\./)]);
  });

  it("refuses a held-out set of bad catalogs, each with a located error, exit 1 and no stack trace", () => {
    const bad: Record<string, string> = {
      "services/bomb/service.yaml": "name: bomb\nkind: service\na: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
      "services/multi/service.yaml": "name: multi\nkind: service\n---\nname: other\n",
      "services/secret/service.yaml": 'name: secret\nkind: service\nenv: {DB_PASSWORD: "Hunter2!"}\n',
      "services/echo/service.yaml": 'name: echo\nkind: service\nsecrets: {KEY: "plain text secret"}\n',
      "services/newline/service.yaml": 'name: newline\nkind: service\nsecrets: {KEY: "a\\nb"}\n',
      "services/jobport/service.yaml": "name: jobport\nkind: job\nport: 8080\n",
      "services/ratio/service.yaml": "name: ratio\nkind: gke\ncpu: 250m\nmemory: 64Gi\n",
      "services/zero/service.yaml": "name: zero\nkind: gke\ncpu: '0'\n",
      "services/huge/service.yaml": "name: huge\nkind: gke\nreplicas: 99999999999\n",
      "services/megabytes/service.yaml": "name: megabytes\nkind: service\nmemory: 512M\n",
      "services/buildsecret/service.yaml": "name: buildsecret\nkind: service\nbuild: {env: {NPM_TOKEN: npm_abcdefghijklmnopqrstuvwxyz0123456789}}\n",
      "services/typo/servcie.yaml": "name: typo\nkind: service\n",
      "services/typo/main.py": "",
    };
    const dir = project({ ...bad, "services/ok/service.yaml": "name: ok\nkind: service\n", "services/ok/main.py": "" });
    fs.mkdirSync(path.join(dir, "services", "latin1"));
    fs.writeFileSync(path.join(dir, "services", "latin1", "service.yaml"), Buffer.concat([Buffer.from("name: latin1\nkind: service\ndescription: caf"), Buffer.from([0xe9, 0x0a])]), { flag: "w" });
    const r = gantry(["validate"], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toMatch(/Hunter2|plain text secret|npm_abc|internal error/);
    for (const folder of [...new Set(Object.keys(bad).map((f) => f.split("/")[1]!)), "latin1"]) {
      expect(r.stderr, folder).toMatch(new RegExp(`^services/${folder}/[\\w.]+:\\d+:\\d+ \\S`, "m"));
    }
    expect(r.stderr).not.toMatch(/^services\/ok\//m);
  });
});

describe("gantry init", () => {
  it("writes a service.yaml from what the builder would detect, with the schema modeline, and never overwrites it", () => {
    const dir = project({ "services/shop-web/main.py": "from flask import Flask\napp = Flask(__name__)\n", "services/shop-web/requirements.txt": "flask\n", "services/service.schema.json": "{}" });
    const folder = path.join(dir, "services", "shop-web");
    const r = gantry(["init"], { cwd: folder });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const written = fs.readFileSync(path.join(folder, "service.yaml"), "utf8");
    expect(written.split("\n")[0]).toBe("# yaml-language-server: $schema=../service.schema.json");
    expect(written).toMatch(/^name: shop-web$/m);
    expect(written).toMatch(/^kind: service$/m);
    expect(written).toMatch(/python/);
    expect(gantry(["validate", "--service", "shop-web"], { cwd: folder }).status).toBe(0);

    fs.appendFileSync(path.join(folder, "service.yaml"), "# mine\n");
    const again = gantry(["init"], { cwd: folder });
    expect(again.status).toBe(1);
    expect(again.stderr).toContain("service.yaml already exists; it is left as it is");
    expect(fs.readFileSync(path.join(folder, "service.yaml"), "utf8")).toBe(`${written}# mine\n`);
  });

  it("refuses a folder that is not services/<name>, where a service.yaml would never be deployed", () => {
    const dir = project({ "tools/report/main.py": "print(1)\n", "services/shop/app/main.py": "print(1)\n", "services/ok/main.py": "print(1)\n" });
    const outside = gantry(["init", "tools/report"], { cwd: dir });
    expect(outside.status).toBe(1);
    expect(outside.stderr).toBe("gantry init: tools/report is not a folder of the service catalog services, so a service.yaml there would not be deployed: run gantry init on services/<name> (its source may stay where it is: source: in service.yaml points at it)\n");
    const deep = gantry(["init"], { cwd: path.join(dir, "services", "shop", "app") });
    expect(deep.status).toBe(1);
    expect(deep.stderr).toMatch(/^gantry init: \S*app is deeper than one folder under the service catalog /);
    expect(fs.existsSync(path.join(dir, "tools", "report", "service.yaml"))).toBe(false);
    expect(fs.existsSync(path.join(dir, "services", "shop", "app", "service.yaml"))).toBe(false);
    expect(gantry(["init", "services/ok"], { cwd: dir }).status).toBe(0);
  });

  it("makes a job of source with no web process", () => {
    const dir = project({ "services/report/Procfile": "job: python report.py\n", "services/report/report.py": "print(1)\n", "services/report/requirements.txt": "\n" });
    const r = gantry(["init", "services/report"], { cwd: dir });
    expect(r.status).toBe(0);
    const written = fs.readFileSync(path.join(dir, "services", "report", "service.yaml"), "utf8");
    expect(written).toMatch(/^kind: job$/m);
    expect(written).toMatch(/^process: job$/m);
  });
});

describe("gantry completion", () => {
  it("bash completes commands, options and stack names", () => {
    const script = gantry(["completion", "bash"]).stdout;
    const complete = (line: string) => {
      const words = line.split(" ");
      const cmd = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _gantry; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = spawnSync("bash", ["-c", cmd], { cwd: root, encoding: "utf8" });
      expect(r.stderr).toBe("");
      return r.stdout.trim().split("\n").filter(Boolean).sort();
    };
    expect(complete("gantry va")).toEqual(["validate"]);
    expect(complete("gantry validate --s")).toEqual(["--service", "--services", "--stack"]);
    expect(complete("gantry preview d")).toEqual(["destroy"]);
    expect(complete("gantry plan --stack ")).toEqual(["dev", "prod", "staging"]);
    expect(complete("gantry validate --service store")).toEqual(["storefront"]);
    // After an option's value or a command's argument, the options still complete.
    expect(complete("gantry validate --stack dev --s")).toEqual(["--service", "--services", "--stack"]);
    expect(complete("gantry detect services/storefront --j")).toEqual(["--json"]);
    expect(complete("gantry preview up --pr 12 --b")).toEqual(["--base"]);
    expect(complete("gantry history storefront --stack prod --o")).toEqual(["--outputs"]);
  });

  // The lines every shell must complete alike, and what each gives.
  const EXPECTED: Array<[string, string[]]> = [
    ["gantry va", ["validate"]],
    ["gantry validate --s", ["--service", "--services", "--stack"]],
    ["gantry plan --stack ", ["dev", "prod", "staging"]],
    ["gantry validate --service store", ["storefront"]],
    ["gantry validate --stack dev --s", ["--service", "--services", "--stack"]],
    ["gantry detect services/storefront --j", ["--json"]],
  ];

  it("zsh completes as bash does, through zsh's own bashcompinit", () => {
    ensureDebianPackage("zsh", "/usr/bin/zsh");
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gantry-zsh-")), "gantry.zsh");
    try {
      fs.writeFileSync(script, gantry(["completion", "zsh"]).stdout);
      // What bashcompinit's _bash_complete sets before it runs compgen -F (zsh's 1-based words, CURRENT); the
      // widget's compadd then keeps the candidates that start with the word typed, as the filter below does.
      const harness = `autoload -U compinit && compinit -u -D
source ${script}
words=( \${(z)1} ); [[ $1 == *' ' ]] && words+=( '' )
CURRENT=\${#words}
COMP_CWORD=$(( CURRENT - 1 ))
COMP_WORDS=( "\${words[@]}" )
compgen -F _gantry -- "\${words[CURRENT]}"`;
      for (const [line, want] of EXPECTED) {
        const r = spawnSync("zsh", ["-f", "-c", harness, "zsh", line], { cwd: root, encoding: "utf8" });
        expect(r.stderr, line).toBe("");
        const typed = line.endsWith(" ") ? "" : line.split(" ").pop()!;
        expect(r.stdout.split("\n").filter((w) => w && w.startsWith(typed)).sort(), line).toEqual(want);
      }
    } finally {
      fs.rmSync(path.dirname(script), { recursive: true, force: true });
    }
  });

  it("fish completes as bash does", () => {
    ensureDebianPackage("fish", "/usr/bin/fish");
    const script = gantry(["completion", "fish"]).stdout;
    for (const [line, want] of EXPECTED) {
      const r = spawnSync("fish", ["--no-config", "-c", `${script}\ncomplete --do-complete ${sqFish(line)}`], { cwd: root, encoding: "utf8" });
      expect(r.stderr, line).toBe("");
      expect(r.stdout.split("\n").filter(Boolean).map((w) => w.split("\t")[0]).sort(), line).toEqual(want);
    }
  });

  it("an unknown shell is a usage error", () => {
    const r = gantry(["completion", "tcsh"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("expected bash, zsh or fish");
  });
});

/** A fish single-quoted string. */
function sqFish(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}
