import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import * as pulumi from "@pulumi/pulumi";
import { version as sdkVersion } from "@pulumi/pulumi/version";
import { distance } from "fastest-levenshtein";
import * as semver from "semver";
import * as YAML from "yaml";
import { z } from "zod";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";

import {
  DYNAMIC_PROVIDER_KEY,
  UNKNOWN,
  dynamicUrn,
  isSecret,
  reveal,
  secret,
  serializeProvider,
  serializedProviderOf,
  startProviderHost,
  type ProviderHost,
  type SerializedDynamicResource,
  type StartOptions,
} from "./support/provider-host";
import { SampleResource } from "./support/sample-provider";
import { alive, waitFor } from "./support/processes";

let workDir: string;
const openHosts: ProviderHost[] = [];

async function host(opts: StartOptions = {}): Promise<ProviderHost> {
  const h = await startProviderHost(opts);
  openHosts.push(h);
  return h;
}

/** One SampleResource, serialized by the SDK under mocks. */
async function sampleResource(name: string, args: { path: string; content: string; token?: string }): Promise<SerializedDynamicResource> {
  const serialized = await serializedProviderOf(() => {
    new SampleResource(name, {
      path: args.path,
      content: args.content,
      ...(args.token === undefined ? {} : { token: pulumi.secret(args.token) }),
    });
  });
  const resource = serialized.get(name);
  if (!resource) throw new Error(`${name} was not registered`);
  return resource;
}

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-provider-host-"));
});

afterEach(async () => {
  await Promise.all(openHosts.splice(0).map((h) => h.close()));
});

afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
});

describe("serializing with the SDK under mocks", () => {
  test("captures the __provider module text the SDK serialized, with inputs in wire form", async () => {
    const r = await sampleResource("cfg", { path: path.join(workDir, "cfg.txt"), content: "x", token: "s3cr3t" });

    expect(r.type).toBe("pulumi-nodejs:dynamic:Resource");
    expect(r.urn).toBe("urn:pulumi:stack::project::pulumi-nodejs:dynamic:Resource::cfg");
    expect(r.provider).toMatch(/^exports\.handler = __f0;/);
    expect(r.inputs[DYNAMIC_PROVIDER_KEY]).toBe(r.provider);
    expect(r.inputs["token"]).toEqual(secret("s3cr3t"));
    // Output-only properties are declared as undefined inputs and never reach the monitor.
    expect(Object.keys(r.inputs).sort()).toEqual([DYNAMIC_PROVIDER_KEY, "content", "path", "token"]);
  });

  test("in a preview, an input that depends on an unresolved output arrives as the unknown sentinel", async () => {
    const serialized = await serializedProviderOf(
      () => {
        const first = new SampleResource("first", { path: path.join(workDir, "first.txt"), content: "a" });
        new SampleResource("second", { path: path.join(workDir, "second.txt"), content: first.size.apply(String) });
      },
      { preview: true },
    );
    expect(serialized.get("second")?.inputs["content"]).toBe(UNKNOWN);
  });
});

describe("driving Pulumi's dynamic-provider host over gRPC", () => {
  test("Configure, Check, Diff, Create, Update, Read, Delete against the real host", async () => {
    const file = path.join(workDir, "lifecycle.txt");
    const r = await sampleResource("lifecycle", { path: file, content: "hello" });
    const h = await host({ project: "gantry" });

    expect((await h.getPluginInfo()).version).toBe(sdkVersion);

    // The host answers like a provider that understands neither secrets nor previews; the engine
    // (and this harness) adapt the following calls to that.
    expect(await h.configure({ "gantry:owner": secret("platform-team") })).toEqual({
      acceptSecrets: false,
      acceptResources: false,
      supportsPreview: false,
      acceptOutputs: false,
    });

    const rejected = await h.check(r.urn, {}, { ...r.inputs, path: "" });
    expect(rejected.failures).toEqual([{ property: "path", reason: "path must be a non-empty string" }]);

    const checked = await h.check(r.urn, {}, r.inputs);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs[DYNAMIC_PROVIDER_KEY]).toBe(r.provider);

    const created = await h.create(r.urn, checked.inputs);
    expect(created.id).toBe(file);
    expect(fs.readFileSync(file, "utf8")).toBe("hello");
    expect(created.properties).toMatchObject({ path: file, content: "hello", size: 5, tokenLength: 0 });
    // configure() ran inside the host with the unwrapped config; `owner` resolved as gantry:owner.
    expect(created.properties["owner"]).toBe("platform-team");
    // The host adds the provider text to every result, so it lands in the resource's state.
    expect(created.properties[DYNAMIC_PROVIDER_KEY]).toBe(r.provider);
    // The host's stdout is a pipe read as it comes: on a busy machine the line can trail the create's answer.
    await waitFor(() => h.logs.stdout.includes(`sample-provider: wrote ${file}`), 10_000, "the provider's line on stdout").catch(() => undefined);
    expect(h.logs.stdout).toContain(`sample-provider: wrote ${file}`);

    const news = { ...checked.inputs, content: "hello again" };
    expect(await h.diff(created.id, r.urn, created.properties, checked.inputs)).toMatchObject({ changes: "none" });
    const diff = await h.diff(created.id, r.urn, created.properties, news);
    expect(diff).toEqual({
      changes: "some",
      replaces: [],
      // The provider returned stables: ["path"] and a detailedDiff naming `content`; the host
      // forwards only changes, replaces and deleteBeforeReplace.
      stables: [],
      deleteBeforeReplace: false,
      diffs: [],
      detailedDiff: undefined,
    });
    // Replacement is the only per-property signal that survives.
    const moved = await h.diff(created.id, r.urn, created.properties, { ...news, path: `${file}.moved` });
    expect(moved).toMatchObject({ changes: "some", replaces: ["path"], deleteBeforeReplace: true });

    const updated = await h.update(created.id, r.urn, created.properties, news);
    expect(updated.properties).toMatchObject({ content: "hello again", size: 11 });
    expect(fs.readFileSync(file, "utf8")).toBe("hello again");

    fs.writeFileSync(file, "edited out of band");
    const read = await h.read(created.id, r.urn, updated.properties);
    expect(read.id).toBe(file);
    // What read() returns replaces the state wholesale (plus __provider); no inputs unless the
    // provider returns some.
    expect(read.properties).toMatchObject({ content: "edited out of band", size: 18 });
    expect(read.inputs).toBeUndefined();

    await h.delete(created.id, r.urn, read.properties);
    expect(fs.existsSync(file)).toBe(false);

    // A provider signals "gone" with an empty id; the host still attaches __provider.
    expect(await h.read(created.id, r.urn, read.properties)).toEqual({
      id: "",
      properties: { [DYNAMIC_PROVIDER_KEY]: r.provider },
      inputs: undefined,
    });

    await h.cancel();
  });

  test("a secret input reaches the provider as plain text and comes back marked secret", async () => {
    const file = path.join(workDir, "secret.txt");
    const r = await sampleResource("secret", { path: file, content: "c", token: "s3cr3t" });
    const h = await host();

    const checked = await h.check(r.urn, {}, r.inputs);
    expect(checked.inputs["token"]).toEqual(secret("s3cr3t"));

    const created = await h.create(r.urn, checked.inputs);
    // 6 proves the provider saw the string, not the {sig, value} wrapper.
    expect(created.properties["tokenLength"]).toBe(6);
    expect(isSecret(created.properties["token"])).toBe(true);
    expect(reveal(created.properties["token"])).toBe("s3cr3t");
    // Secretness is re-applied by property name only: a value derived from a secret is not secret.
    expect(isSecret(created.properties["tokenLength"])).toBe(false);

    const read = await h.read(created.id, r.urn, created.properties);
    expect(read.properties["token"]).toEqual(secret("s3cr3t"));

    await h.delete(created.id, r.urn, read.properties);
  });

  test("previews: Create is not sent to the host, and unknowns reach the provider as the sentinel string", async () => {
    const r = await sampleResource("preview", { path: path.join(workDir, "preview.txt"), content: "p" });
    const h = await host();

    const created = await h.create(r.urn, { ...r.inputs, content: UNKNOWN }, { preview: true });
    expect(created).toEqual({ id: "", properties: { ...r.inputs, content: UNKNOWN }, sentToHost: false });
    expect(fs.existsSync(path.join(workDir, "preview.txt"))).toBe(false);

    // Check runs during previews; a dynamic provider gets no help telling an unknown from a string.
    const checked = await h.check(r.urn, {}, { ...r.inputs, content: UNKNOWN }, { preview: true });
    expect(checked.failures).toEqual([]);
    expect(checked.inputs["content"]).toBe(UNKNOWN);
  });

  test("provider errors come back as rejections carrying the host's message", async () => {
    const r = await sampleResource("errors", { path: path.join(workDir, "no-such-dir", "x.txt"), content: "e" });
    const h = await host();

    await expect(h.create(r.urn, r.inputs)).rejects.toMatchObject({
      name: "ProviderHostError",
      method: "Create",
      codeName: "UNKNOWN",
      message: expect.stringMatching(/^ENOENT: no such file or directory, open '.*no-such-dir/),
    });

    // Outputs containing `undefined` cannot be put in a protobuf Struct.
    const undefinedOuts = await serializeProvider({
      async create() {
        return { id: "u", outs: { missing: undefined } };
      },
    });
    await expect(h.create(dynamicUrn("undefined-outs"), { [DYNAMIC_PROVIDER_KEY]: undefinedOuts.text })).rejects.toThrow(
      /^Unexpected struct type\.$/,
    );

    // A provider text that does not compile fails every call with only the parser's message.
    await expect(h.check(dynamicUrn("garbage"), {}, { [DYNAMIC_PROVIDER_KEY]: "exports.handler = (" })).rejects.toThrow(
      /^Unexpected end of input$/,
    );
    expect(h.logs.stderr.join("\n")).toContain("SyntaxError: Unexpected end of input");
  });

  test("neither the request timeout nor a client deadline stops provider code that is already running", async () => {
    const marker = path.join(workDir, "slow.txt");
    const slow = await serializeProvider({
      async create(inputs: Record<string, unknown>) {
        await new Promise((resolve) => setTimeout(resolve, Number(inputs["delayMs"])));
        process.getBuiltinModule("node:fs").writeFileSync(String(inputs["marker"]), "done");
        return { id: "slow", outs: {} };
      },
    });
    const h = await host();
    const props = { [DYNAMIC_PROVIDER_KEY]: slow.text, marker, delayMs: 1_000 };

    // CreateRequest.timeout (customTimeouts, in seconds) is ignored by the dynamic host.
    await expect(h.create(dynamicUrn("slow"), props, { timeout: 0.05 })).resolves.toMatchObject({ id: "slow" });
    fs.rmSync(marker);

    await expect(h.create(dynamicUrn("slow"), props, { deadlineMs: 100 })).rejects.toMatchObject({
      codeName: "DEADLINE_EXCEEDED",
    });
    await h.cancel(); // Cancel is a no-op in this host.
    expect(fs.existsSync(marker)).toBe(false);
    await waitFor(() => fs.existsSync(marker));
  });

  test("pulumi.log inside a provider goes to stdout unless the host is given PULUMI_NODEJS_ENGINE", async () => {
    const logging = await serializeProvider({
      async create() {
        const sdk = require("@pulumi/pulumi") as typeof pulumi;
        await sdk.log.info("hello from the provider");
        return { id: "log", outs: {} };
      },
    });
    const props = { [DYNAMIC_PROVIDER_KEY]: logging.text };

    const plain = await host();
    await plain.create(dynamicUrn("log"), props);
    // The line reaches the host's stdout pipe on its own schedule: create's answer can come first on a busy machine.
    await waitFor(() => plain.logs.stdout.includes("info: [runtime] hello from the provider"), 10_000, "the log line on stdout").catch(() => undefined);
    expect(plain.logs.stdout).toContain("info: [runtime] hello from the provider");
    expect(plain.logs.engine).toEqual([]);

    const wired = await host({ exposeEngineToProvider: true });
    await wired.create(dynamicUrn("log"), props);
    expect(wired.logs.engine).toEqual([
      { severity: "info", message: "hello from the provider", urn: "", streamId: 0, ephemeral: false },
    ]);
  });

  test("a host that cannot start rejects with what it printed", async () => {
    await expect(startProviderHost({ env: { NODE_OPTIONS: "--require /nonexistent-preload.js" } })).rejects.toThrow(
      /exited \(1\) before printing a port[\s\S]*nonexistent-preload\.js/,
    );
  });

  test("close() stops the host and everything the provider spawned; kill() signals it", async () => {
    const spawner = await serializeProvider({
      async create() {
        const child = process.getBuiltinModule("node:child_process").spawn("sleep", ["300"], { stdio: "ignore" });
        child.unref();
        return { id: String(child.pid), outs: {} };
      },
    });
    const h = await host();
    const { id: sleeperPid } = await h.create(dynamicUrn("spawner"), { [DYNAMIC_PROVIDER_KEY]: spawner.text });
    expect(alive(h.pid)).toBe(true);
    expect(alive(Number(sleeperPid))).toBe(true);

    const exit = await h.close();
    expect(exit).toEqual({ code: null, signal: "SIGTERM" });
    expect(alive(h.pid)).toBe(false);
    await waitFor(() => !alive(Number(sleeperPid)));

    const killed = await host();
    expect(killed.kill("SIGKILL")).toBe(true);
    expect(await killed.exited).toEqual({ code: null, signal: "SIGKILL" });
    await killed.close();
    expect(alive(killed.pid)).toBe(false);
  });
});

describe("provider closures that capture imported modules (under vitest)", () => {
  test("a captured `yaml` import fails to serialize: the serializer cannot require yaml's internals", async () => {
    await expect(
      serializedProviderOf(() => {
        class CapturesYaml extends pulumi.dynamic.Resource {}
        new CapturesYaml(
          {
            async create() {
              return { id: YAML.stringify({ a: 1 }) };
            },
          },
          "captures-yaml",
          {},
        );
      }),
    ).rejects.toThrow(`error serializing property "__provider": package.json export path for "yaml/dist/nodes/identity.js" not found`);
  });

  test("even a captured builtin import (`import * as fs from \"node:fs\"`) fails: vitest hands the serializer a namespace copy", async () => {
    const failure = serializeProvider({
      async create() {
        fs.writeFileSync(path.join(workDir, "never"), "x");
        return { id: "fs" };
      },
    });
    await expect(failure).rejects.toThrow(/variable '__vite_ssr_import_\d+__'[\s\S]*it was a native code function/);
  });

  test("a captured `zod` import serializes by value but the host cannot load it", async () => {
    const serialized = await serializeProvider({
      async create() {
        return { id: z.string().parse("zod") };
      },
    });
    expect(serialized.text.length).toBeGreaterThan(100_000);
    const h = await host();
    await expect(h.create(dynamicUrn("zod"), { [DYNAMIC_PROVIDER_KEY]: serialized.text })).rejects.toThrow(
      "Symbol.prototype [ @@toPrimitive ] requires that 'this' be a Symbol",
    );
  });

  test("a captured `semver` import becomes require('semver/functions/valid.js'), which only resolves from the project directory", async () => {
    const serialized = await serializeProvider({
      async create() {
        return { id: semver.valid("1.2.3") ?? "invalid" };
      },
    });
    expect(serialized.text).toContain(`require("semver/functions/valid.js")`);
    const props = { [DYNAMIC_PROVIDER_KEY]: serialized.text };

    await expect((await host()).create(dynamicUrn("semver"), props)).resolves.toMatchObject({ id: "1.2.3" });
    const elsewhere = await host({ cwd: workDir });
    await expect(elsewhere.create(dynamicUrn("semver"), props)).rejects.toThrow(
      /^Cannot find module 'semver\/functions\/valid\.js'/,
    );
  });

  test("a captured `fastest-levenshtein` import works but copies a 64k-entry table into the provider text", async () => {
    const serialized = await serializeProvider({
      async create() {
        return { id: String(distance("kitten", "sitting")) };
      },
    });
    // This text is stored in the state of every resource of this type.
    expect(serialized.text.length).toBeGreaterThan(1_000_000);
    await expect((await host()).create(dynamicUrn("lev"), { [DYNAMIC_PROVIDER_KEY]: serialized.text })).resolves.toMatchObject({
      id: "3",
    });
  });

  test("require() inside the function body is left alone by the serializer and resolves in the host", async () => {
    const serialized = await serializeProvider({
      async create() {
        const yaml = require("yaml") as typeof YAML;
        return { id: yaml.stringify({ a: 1 }).trim() };
      },
    });
    expect(serialized.text.length).toBeLessThan(2_000);
    await expect((await host()).create(dynamicUrn("in-body"), { [DYNAMIC_PROVIDER_KEY]: serialized.text })).resolves.toMatchObject({
      id: "a: 1",
    });
  });
});
