import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { moduleProvider } from "../../components/pack/module-provider";
import { packProvider, toProps, type PackImageInputs } from "../../components/pack/provider";
import { plainPackInputs } from "../support/pack-inputs";

const REPO = path.resolve(__dirname, "..", "..");
const PROVIDER_FILE = path.join(REPO, "components", "pack", "provider.ts");
// What the dynamic-provider host does with a resource's __provider (@pulumi/pulumi/cmd/dynamic-provider): the
// serialized text through require-from-string, then handler(). Run in a process of its own, in a folder of the
// test's choosing, as the engine starts the host in the project's root.
const REQUIRE_FROM_STRING = require.resolve("require-from-string", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] });

const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) fs.rmSync(t, { recursive: true, force: true });
});
function temp(parent = os.tmpdir()): string {
  const dir = fs.mkdtempSync(path.join(parent, "gantry-module-provider-"));
  temps.push(dir);
  return dir;
}

async function serialized(provider: pulumi.dynamic.ResourceProvider): Promise<string> {
  return (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
}

/** Calls check() of the serialized provider as the host would, in `cwd`; its answer or its error message. */
function checkInHost(text: string, cwd: string, news: unknown, env: NodeJS.ProcessEnv = process.env): { result?: { failures?: Array<{ property: string; reason: string }> }; error?: string } {
  const dir = temp();
  fs.writeFileSync(path.join(dir, "provider.js"), text);
  const script = `
    const p = require(${JSON.stringify(REQUIRE_FROM_STRING)})(require("fs").readFileSync(${JSON.stringify(path.join(dir, "provider.js"))}, "utf8")).handler();
    Promise.resolve().then(() => p.check({}, ${JSON.stringify(news)})).then((result) => process.stdout.write(JSON.stringify({ result })), (e) => process.stdout.write(JSON.stringify({ error: e.message })));
  `;
  const r = spawnSync(process.execPath, ["-e", script], { cwd, env, encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`host stand-in exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const BAD = { ...plainPackInputs(), repository: "europe-docker.pkg.dev/p/r/svc:latest", trust: "root" };

describe("a provider that travels as a reference to its module", () => {
  it("is a loader of about two kilobytes that carries none of the provider's code", async () => {
    const full = await serialized(packProvider);
    const reference = await serialized(moduleProvider(PROVIDER_FILE, "packProvider", packProvider));
    expect(full.length).toBeGreaterThan(40_000);
    expect(reference.length).toBeLessThan(3_000);
    expect(reference).not.toContain("pack rebase");
    expect(reference).toContain('"components/pack/provider.ts"');
  });

  it("loads the module from the checkout it was declared in, when the host runs elsewhere, and answers as that provider", async () => {
    const text = await serialized(moduleProvider(PROVIDER_FILE, "packProvider", packProvider));
    const elsewhere = temp();
    const { result, error } = checkInHost(text, elsewhere, BAD);
    expect(error).toBeUndefined();
    const theirs = await packProvider.check!(toProps(plainPackInputs()), toProps(BAD as unknown as PackImageInputs));
    expect(result?.failures).toEqual(theirs.failures);
    expect(result?.failures?.map((f) => f.property)).toEqual(expect.arrayContaining(["repository", "trust"]));
  });

  it("writes nothing to the temp folder, which an agent shares between pull requests' builds and trusted ones", async () => {
    const text = await serialized(moduleProvider(PROVIDER_FILE, "packProvider", packProvider));
    const tmp = temp();
    const { error } = checkInHost(text, temp(), BAD, { ...process.env, TMPDIR: tmp });
    expect(error).toBeUndefined();
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it("prefers the module of the checkout the host runs in (a Jenkins workspace at another path) over the declared path", async () => {
    const text = await serialized(moduleProvider(PROVIDER_FILE, "packProvider", packProvider));
    const workspace = temp();
    fs.mkdirSync(path.join(workspace, "components", "pack"), { recursive: true });
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(workspace, "node_modules"));
    fs.copyFileSync(path.join(REPO, "components", "pack", "load-module-provider.cjs"), path.join(workspace, "components", "pack", "load-module-provider.cjs"));
    fs.writeFileSync(
      path.join(workspace, "components", "pack", "provider.ts"),
      `export const packProvider = { async check(_o: unknown, n: { serviceName: string }) { return { inputs: n, failures: [{ property: "workspace", reason: "this checkout's " + n.serviceName }] }; } };\n`,
    );
    const { result } = checkInHost(text, workspace, plainPackInputs());
    expect(result?.failures).toEqual([{ property: "workspace", reason: `this checkout's ${plainPackInputs().serviceName}` }]);
  });

  it("says where it looked and what to do when neither checkout has the module", async () => {
    const gone = temp(path.join(REPO, "test"));
    const file = path.join(gone, "provider.ts");
    fs.writeFileSync(file, "export const p = { async check() { return { failures: [] }; } };\n");
    const text = await serialized(moduleProvider(file, "p", { async check() { return { inputs: {}, failures: [] }; }, async create() { return { id: "x" }; } }));
    fs.rmSync(gone, { recursive: true });
    const { error } = checkInHost(text, temp(), {});
    expect(error).toContain(`neither `);
    expect(error).toContain(file);
    expect(error).toContain("run pulumi from the root of the platform repository");
  });

  it("names a module that no longer exports the provider, or a method it lost", async () => {
    const dir = temp(path.join(REPO, "test"));
    const file = path.join(dir, "provider.ts");
    fs.writeFileSync(file, "export const renamed = {};\nexport const p = { };\n");
    const declared: pulumi.dynamic.ResourceProvider = { async check() { return { inputs: {}, failures: [] }; }, async create() { return { id: "x" }; } };
    const missing = checkInHost(await serialized(moduleProvider(file, "q", declared)), temp(), {});
    expect(missing.error).toBe(`${file} exports no provider named q`);
    const lost = checkInHost(await serialized(moduleProvider(file, "p", declared)), temp(), {});
    expect(lost.error).toBe(`p in ${path.relative(REPO, file)} has no check() any more`);
  });

  it("has exactly the methods of the provider it stands for", async () => {
    const ref = moduleProvider(PROVIDER_FILE, "packProvider", { async create() { return { id: "x" }; } });
    expect(Object.keys(ref)).toEqual(["create"]);
  });

  it("refuses a module outside the Gantry checkout, whose path no other checkout would have", () => {
    expect(() => moduleProvider(path.join(os.tmpdir(), "provider.ts"), "p", packProvider)).toThrow(/must live in the Gantry checkout/);
  });
});
