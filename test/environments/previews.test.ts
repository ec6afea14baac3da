import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadCatalog } from "../../catalog/load";
import { makePlan } from "../../plan/run";
import { previewDestroy, previewGc, previewList, previewUp, parseAge, formatAge } from "../../environments/previews";
import { PROJECT_DIR } from "../service/harness";

/*
 * `gantry preview` through the real Automation API against test/support/pulumi-standin, a stand-in for the
 * pulumi CLI that records every command and answers like the real one with a file backend. The real CLI is
 * not run here.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const STANDIN_ROOT = path.join(ROOT, "test", "support", "pulumi-standin");
const HOUR = 3_600_000;

let dir: string;
let backend: string;
let log: string;
let home: string;
let outputs: string;

/** The commands the stand-in was given, each without the --non-interactive every Automation API call adds. */
function commands(): string[] {
  if (!fs.existsSync(log)) return [];
  return fs
    .readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .map((l) => (JSON.parse(l) as { argv: string[] }).argv.filter((a) => a !== "--non-interactive").join(" "));
}

/** As on a workstation (no CI variables): the tests below keep their state in a file backend. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, CI: "", JENKINS_URL: "", PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_STANDIN_LOG: log, PULUMI_HOME: home, PULUMI_STANDIN_OUTPUTS: outputs, ...extra };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-previews-"));
  for (const f of fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\.(?:[a-z]+\.)?yaml$/.test(f))) fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(dir, f));
  fs.cpSync(path.join(PROJECT_DIR, "services"), path.join(dir, "services"), { recursive: true });
  backend = path.join(dir, ".gantry", "state");
  log = path.join(dir, "pulumi-calls.jsonl");
  home = path.join(dir, "pulumi-home");
  outputs = path.join(dir, "outputs.json");
  // What the program's `services` output would be for a preview stack (the stand-in deploys nothing).
  fs.writeFileSync(
    outputs,
    JSON.stringify({
      services: {
        storefront: { kind: "service", url: "https://storefront-{stack}-h4sh-ew.a.run.app", image: "x" },
        "nightly-report": { kind: "job", jobName: "nightly-report-{stack}", image: "x" },
        "catalog-api": { kind: "gke", url: "http://catalog-api-{stack}.shop-{stack}.svc.cluster.local", image: "x" },
      },
    }),
  );
  // The Automation API runs the CLI with this process's environment plus the workspace's variables.
  process.env.PULUMI_STANDIN_LOG = log;
  process.env.PULUMI_HOME = home;
  process.env.PULUMI_STANDIN_OUTPUTS = outputs;
  delete process.env.PULUMI_STANDIN_NOW;
});

const standin = () => PulumiCommand.get({ root: STANDIN_ROOT });
const opts = async () => ({ projectDir: dir, pulumiCommand: await standin(), env: env() });

describe("gantry preview up", () => {
  it("creates pr-7 without selecting it, writes its config from dev's, runs up and answers with the URLs as markdown", async () => {
    const comment = await previewUp({ ...(await opts()), pr: 7, base: "dev" });
    expect(commands()).toEqual([
      "version",
      "stack ls --json",
      "stack init pr-7 --no-select",
      "up --yes --skip-preview --exec-kind auto.local --stack pr-7",
      "stack output --json --stack pr-7",
      "stack output --json --show-secrets --stack pr-7",
      "stack history --json --show-secrets --page-size 1 --page 1 --stack pr-7",
    ]);
    // No stack was ever made current: the workspace file pulumi/pulumi#8186 is about was never written.
    expect(fs.existsSync(path.join(home, "workspaces"))).toBe(false);
    // Every call but `pulumi version` (PulumiCommand.get, before any workspace) runs in the project, on its backend.
    const calls = fs.readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { argv: string[] });
    for (const call of calls.filter((c) => c.argv[0] !== "version")) expect(call).toMatchObject({ cwd: dir, backend: `file://${backend}`, passphraseSet: true, automation: true });

    const written = parse(fs.readFileSync(path.join(dir, "Pulumi.pr-7.yaml"), "utf8")) as { encryptionsalt: string; config: Record<string, unknown> };
    expect(written.encryptionsalt).toMatch(/^v1:/);
    expect(written.config).toMatchObject({
      "gantry:project": "acme-gantry-dev",
      "gantry:nameSuffix": "pr-7",
      "gantry:baseStack": "dev",
      "gantry:deletionProtection": false,
      "gantry:scaling": { minInstances: 0, minInstancesCap: 0, maxInstances: 5 },
      "gantry:registry": { repository: "services-pr-7" },
    });
    expect(fs.existsSync(path.join(backend, ".pulumi", "stacks", "gantry", "pr-7.json"))).toBe(true);

    // The file the Automation API wrote is a stack the catalog and the plan accept, with dev's overrides.
    const catalog = loadCatalog({ projectDir: dir, stacks: ["pr-7"] });
    expect(catalog.problems).toEqual([]);
    expect(catalog.services["pr-7"]!.find((x) => x.spec.name === "nightly-report")!.spec).toMatchObject({ tasks: 1, parallelism: 1 });
    const plan = await makePlan({ stack: "pr-7", projectDir: dir, cwd: dir, env: env() });
    expect(plan.services.map((x) => [x.name, x.deployedAs, x.action])).toEqual([
      ["catalog-api", "catalog-api-pr-7", "build"],
      ["nightly-report", "nightly-report-pr-7", "build"],
      ["storefront", "storefront-pr-7", "build"],
    ]);

    expect(comment).toMatchInlineSnapshot(`
      "### Preview environment \`pr-7\`

      Deployed from this pull request with \`dev\`'s settings in project \`acme-gantry-dev\`; every name ends in \`-pr-7\`.

      | Service | Kind | Where |
      |---|---|---|
      | \`catalog-api\` | \`gke\` | \`http://catalog-api-pr-7.shop-pr-7.svc.cluster.local\` (inside the cluster) |
      | \`nightly-report\` | \`job\` | Cloud Run job \`nightly-report-pr-7\`: \`gcloud run jobs execute nightly-report-pr-7 --region europe-west1\` |
      | \`storefront\` | \`service\` | <https://storefront-pr-7-h4sh-ew.a.run.app> |

      Removed by \`npx gantry preview destroy --pr 7\` when the pull request closes, or by \`npx gantry preview gc\` once it goes unused.
      "
    `);
  });

  it("updates an existing preview in place, and refuses a preview as base", async () => {
    await previewUp({ ...(await opts()), pr: 7, base: "dev" });
    fs.rmSync(log);
    await previewUp({ ...(await opts()), pr: 7, base: "dev" });
    expect(commands().filter((c) => c.startsWith("stack "))).not.toContain("stack init pr-7 --no-select");
    expect(commands()).toContain("up --yes --skip-preview --exec-kind auto.local --stack pr-7");
    await expect(previewUp({ ...(await opts()), pr: 8, base: "pr-7" })).rejects.toThrow("--base pr-7: a preview is made from dev, staging or prod");
    await expect(previewUp({ ...(await opts()), pr: 8, base: "qa" })).rejects.toThrow('no stack config for the base stack "qa" (expected Pulumi.qa.yaml)');
  });

  it("copies the base's secrets decrypted and re-encrypted, only with a passphrase of the user's", async () => {
    const standinCli = path.join(STANDIN_ROOT, "bin", "pulumi");
    const run = (args: string[], extra: Record<string, string> = {}) => spawnSync(standinCli, args, { cwd: dir, env: env(extra), encoding: "utf8" });
    expect(run(["stack", "init", "dev", "--no-select"], { PULUMI_CONFIG_PASSPHRASE: "s3cret" }).status).toBe(0);
    expect(run(["config", "set-all", "--stack", "dev", "--secret", "app:token=hunter2"], { PULUMI_CONFIG_PASSPHRASE: "s3cret" }).status).toBe(0);

    await expect(previewUp({ ...(await opts()), pr: 9, base: "dev" })).rejects.toThrow("Pulumi.dev.yaml holds secrets (app:token); set PULUMI_CONFIG_PASSPHRASE");
    fs.rmSync(log);
    await previewUp({ ...(await opts()), env: env({ PULUMI_CONFIG_PASSPHRASE: "s3cret" }), pr: 9, base: "dev" });
    expect(commands()).toContain("config --show-secrets --json --stack dev");
    expect(commands()).toContain("config set-all --stack pr-9 --secret app:token=hunter2");
    const written = parse(fs.readFileSync(path.join(dir, "Pulumi.pr-9.yaml"), "utf8")) as { config: Record<string, unknown> };
    expect(written.config["app:token"]).toEqual({ secure: expect.stringMatching(/^v1:/) });
  });
});

describe("gantry preview destroy, list and gc", () => {
  it("destroy removes the stack and its config; a second destroy has nothing to do", async () => {
    await previewUp({ ...(await opts()), pr: 7, base: "dev" });
    fs.rmSync(log);
    expect(await previewDestroy({ ...(await opts()), pr: 7 })).toBe(true);
    expect(commands()).toEqual([
      "version",
      "stack ls --json",
      "destroy --yes --skip-preview --exec-kind auto.local --stack pr-7",
      "stack history --json --show-secrets --page-size 1 --page 1 --stack pr-7",
      "stack rm --yes pr-7",
    ]);
    expect(fs.existsSync(path.join(dir, "Pulumi.pr-7.yaml"))).toBe(false);
    expect(await previewDestroy({ ...(await opts()), pr: 7 })).toBe(false);
  });

  it("ups in parallel, lists previews with their age, and gc destroys only the stale ones, each in its own workspace", async () => {
    const at = (hoursAgo: number) => new Date(Date.parse("2026-03-10T12:00:00Z") - hoursAgo * HOUR).toISOString();
    const now = new Date("2026-03-10T12:00:00Z");
    // Three previews created at once, as three CI jobs would (pulumi/pulumi#8186 is about exactly this).
    await Promise.all(
      [
        [11, 100],
        [12, 80],
        [13, 2],
      ].map(async ([pr, hoursAgo]) => previewUp({ ...(await opts()), env: env({ PULUMI_STANDIN_NOW: at(hoursAgo!) }), pr: pr!, base: "dev" })),
    );
    expect(fs.existsSync(path.join(home, "workspaces"))).toBe(false);
    // A stack created but never deployed (a `preview up` starting right now) is never collected.
    spawnSync(path.join(STANDIN_ROOT, "bin", "pulumi"), ["stack", "init", "pr-14", "--no-select"], { cwd: dir, env: env({ PULUMI_CONFIG_PASSPHRASE: "" }) });

    const list = await previewList({ ...(await opts()), now });
    expect(list.map((p) => [p.stack, p.ageMs === undefined ? "-" : formatAge(p.ageMs), p.resourceCount ?? "-"])).toEqual([
      ["pr-11", "4d 4h", 4],
      ["pr-12", "3d 8h", 4],
      ["pr-13", "2h 0m", 4],
      ["pr-14", "-", "-"],
    ]);

    expect(await previewGc({ ...(await opts()), olderThanMs: parseAge("72h")!, now, dryRun: true })).toMatchObject({ destroyed: ["pr-11", "pr-12"] });
    expect(fs.existsSync(path.join(dir, "Pulumi.pr-11.yaml"))).toBe(true);

    fs.rmSync(log);
    const result = await previewGc({ ...(await opts()), olderThanMs: parseAge("72h")!, now });
    expect(result).toEqual({
      destroyed: ["pr-11", "pr-12"],
      failed: [],
      kept: [
        { stack: "pr-13", why: "updated 2h 0m ago" },
        { stack: "pr-14", why: "never deployed; remove it with `gantry preview destroy --pr 14`" },
      ],
    });
    expect(commands().filter((c) => /^(destroy|stack rm)/.test(c)).sort()).toEqual([
      "destroy --yes --skip-preview --exec-kind auto.local --stack pr-11",
      "destroy --yes --skip-preview --exec-kind auto.local --stack pr-12",
      "stack rm --yes pr-11",
      "stack rm --yes pr-12",
    ]);
    expect((await previewList({ ...(await opts()), now })).map((p) => p.stack)).toEqual(["pr-13", "pr-14"]);
  });

  it("gc in another checkout finds and destroys a preview created elsewhere, through a shared backend", async () => {
    const shared = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-shared-state-"));
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-other-checkout-"));
    fs.copyFileSync(path.join(dir, "Pulumi.yaml"), path.join(elsewhere, "Pulumi.yaml"));
    // A file backend outside both checkouts stands in for the gs:// bucket the Jenkinsfile names.
    const at = (extra: Record<string, string> = {}) => env({ ...extra, PULUMI_BACKEND_URL: `file://${shared}` });
    await previewUp({ projectDir: dir, pulumiCommand: await standin(), env: at({ PULUMI_STANDIN_NOW: "2026-03-01T00:00:00Z" }), pr: 31, base: "dev" });
    expect(fs.existsSync(path.join(elsewhere, "Pulumi.pr-31.yaml"))).toBe(false);

    const result = await previewGc({ projectDir: elsewhere, pulumiCommand: await standin(), env: at(), olderThanMs: parseAge("72h")!, now: new Date("2026-03-10T00:00:00Z") });
    expect(result).toEqual({ destroyed: ["pr-31"], failed: [], kept: [] });
    expect(await previewList({ projectDir: dir, pulumiCommand: await standin(), env: at() })).toEqual([]);
  });

  it("refuses, on a CI agent, a backend on the agent's own disk, before running anything", async () => {
    for (const ci of [{ CI: "true" }, { JENKINS_URL: "https://jenkins.example/" }] as Record<string, string>[]) {
      for (const url of [undefined, `file://${backend}`]) {
        const e = { ...env(ci), PULUMI_BACKEND_URL: url };
        if (fs.existsSync(log)) fs.rmSync(log);
        await expect(previewUp({ projectDir: dir, pulumiCommand: await standin(), env: e, pr: 8, base: "dev" })).rejects.toThrow(/on this agent's own disk: a preview made here could not be found or destroyed from another agent/);
        await expect(previewGc({ projectDir: dir, pulumiCommand: await standin(), env: e, olderThanMs: HOUR })).rejects.toThrow(/set PULUMI_BACKEND_URL to a shared backend/);
        // Only the version checks PulumiCommand.get() makes for each call: no stack was listed, made or touched.
        expect(commands().filter((c) => c !== "version")).toEqual([]);
      }
    }
  });

  it("reads ages", () => {
    expect(parseAge("72h")).toBe(72 * HOUR);
    expect(parseAge("3d")).toBe(72 * HOUR);
    expect(parseAge("1d12h30m")).toBe(36.5 * HOUR);
    for (const bad of ["", "h", "3x", "-1h", "72"]) expect(parseAge(bad)).toBeUndefined();
  });
});

/** The CLI as CI runs it, with the stand-in first on PATH (how LocalWorkspace finds `pulumi` by default). */
function gantry(args: string[], extra: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "gantry.js"), ...args], {
      cwd: dir,
      env: { ...env(extra), PATH: `${path.join(STANDIN_ROOT, "bin")}${path.delimiter}${process.env.PATH}`, PULUMI_BACKEND_URL: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("the preview commands", () => {
  it("up prints the PR comment, list shows it, destroy removes it, in the default backend .gantry/state", async () => {
    const up = await gantry(["preview", "up", "--pr", "21"]);
    expect(up.status).toBe(0);
    expect(up.stdout).toContain("### Preview environment `pr-21`");
    expect(up.stdout).toContain("| `storefront` | `service` | <https://storefront-pr-21-h4sh-ew.a.run.app> |");
    expect(up.stderr).toContain("Updating (pr-21)");
    // PULUMI_BACKEND_URL unset: Gantry's default file backend inside the project.
    expect(fs.existsSync(path.join(dir, ".gantry", "state", ".pulumi", "stacks", "gantry", "pr-21.json"))).toBe(true);
    expect(fs.existsSync(path.join(home, "workspaces"))).toBe(false);

    const list = await gantry(["preview", "list"]);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/^STACK\s+PR\s+LAST UPDATE\s+AGE\s+RESOURCES\n\s*pr-21\s+21\s+\S+\s+0m\s+4\s*$/);

    const gc = await gantry(["preview", "gc", "--older-than", "72h"]);
    expect(gc.stdout).toBe("pr-21: kept (updated 0m ago)\n");

    const destroy = await gantry(["preview", "destroy", "--pr", "21"]);
    expect(destroy.status).toBe(0);
    expect(destroy.stdout).toBe("pr-21: destroyed and removed.\n");
    expect((await gantry(["preview", "list"])).stdout).toBe("no preview stacks\n");
  });

  it("says what is wrong with bad arguments (exit 2) and a failing CLI (exit 1), without a stack trace", async () => {
    const pr = await gantry(["preview", "up", "--pr", "seven"]);
    expect(pr).toMatchObject({ status: 2, stderr: "gantry preview: --pr seven: expected a pull request number\n" });
    const age = await gantry(["preview", "gc", "--older-than", "3 days"]);
    expect(age).toMatchObject({ status: 2, stderr: "gantry preview: --older-than 3 days: expected an age such as 72h, 3d or 90m\n" });
    fs.rmSync(path.join(dir, "Pulumi.yaml"));
    const noProject = await gantry(["preview", "list"]);
    expect(noProject.status).toBe(1);
    expect(noProject.stderr).toContain("no Pulumi.yaml project file found");
    expect(noProject.stderr).not.toMatch(/^\s+at /m);
  });
});

describe("a base stack config that cannot be read", () => {
  it("is refused with its located problem before the Pulumi CLI is asked anything", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-preview-bomb-"));
    const bomb = "config:\n  gantry:project: acme-dev-1\n  a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
    fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), bomb);
    const pulumiCommand = { command: "/nonexistent/pulumi" } as unknown as PulumiCommand;
    // As on a workstation: on a CI agent the checkout-local backend is refused first (tested above).
    const env = { ...process.env, CI: "", JENKINS_URL: "" };
    await expect(previewUp({ projectDir: dir, pr: 3, base: "dev", pulumiCommand, env })).rejects.toThrow(/Pulumi\.dev\.yaml:4:10 aliases expand to more than 100 nodes/);
  });
});
