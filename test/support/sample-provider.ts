import * as pulumi from "@pulumi/pulumi";

// A deliberately tiny dynamic provider whose only job is to prove the provider-host harness.
//
// Every function body fetches what it needs with process.getBuiltinModule(...) instead of using a
// top-level `import * as fs from "node:fs"`: Pulumi's closure serializer captures free variables, and
// under vitest a top-level import is a vite SSR module namespace object rather than a require.cache
// entry, so the serializer cannot turn it back into `require("fs")` (see provider-host.test.ts).
// Nothing here may reference anything from module scope except other values that serialize cleanly.

export interface SampleInputs {
  /** Absolute path of the file the resource manages; it is also the resource id. */
  path: string;
  content: string;
  /** Stands in for a credential, so tests can follow a secret through the host. */
  token?: string;
}

export interface SampleOutputs extends SampleInputs {
  size: number;
  tokenLength: number;
  /** The `owner` provider config value seen by configure(). */
  owner: string;
}

type Props = Record<string, unknown>;

// pulumi.dynamic.DiffResult has no detailedDiff, and the host forwards only changes, replaces and
// deleteBeforeReplace. The sample reports one anyway so the tests can pin down that it is dropped.
type DiffResultWithDetail = pulumi.dynamic.DiffResult & {
  detailedDiff: Record<string, { kind: string; inputDiff: boolean }>;
};

// Plain data captured by value: the serialized module gets one shared copy, so configure() can
// leave values here for the CRUD functions (the host calls configure once per provider text).
const settings = { owner: "" };

// What create and update report for the file. Serialized along with them (it only uses `settings`).
function fileOutputs(path: string, content: string, token: string | undefined): Props {
  // Outputs must not contain `undefined`: the host's Struct conversion rejects it ("Unexpected struct type.").
  const outs: Props = { path, content, size: Buffer.byteLength(content), tokenLength: token?.length ?? 0, owner: settings.owner };
  if (token !== undefined) outs["token"] = token;
  return outs;
}

export const sampleProvider: pulumi.dynamic.ResourceProvider = {
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    // An unqualified key is looked up as `<PULUMI_NODEJS_PROJECT of the host>:owner`.
    settings.owner = String(req.config.get("owner") ?? "");
  },

  async check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (typeof news["path"] !== "string" || news["path"] === "") {
      failures.push({ property: "path", reason: "path must be a non-empty string" });
    }
    if (typeof news["content"] !== "string") {
      failures.push({ property: "content", reason: "content must be a string" });
    }
    return { inputs: news, failures };
  },

  async diff(_id: string, olds: Props, news: Props): Promise<DiffResultWithDetail> {
    const detailedDiff: Record<string, { kind: string; inputDiff: boolean }> = {};
    const replaces: string[] = [];
    // The file's identity is its path, so moving it is a replacement; editing it in place is not.
    if (olds["path"] !== news["path"]) {
      replaces.push("path");
      detailedDiff["path"] = { kind: "update-replace", inputDiff: true };
    }
    for (const key of ["content", "token"]) {
      if (olds[key] !== news[key]) {
        detailedDiff[key] = { kind: olds[key] === undefined ? "add" : "update", inputDiff: true };
      }
    }
    return {
      changes: Object.keys(detailedDiff).length > 0,
      replaces,
      stables: replaces.length === 0 ? ["path"] : [],
      deleteBeforeReplace: replaces.length > 0,
      detailedDiff,
    };
  },

  async create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
    const fs = process.getBuiltinModule("node:fs");
    const path = String(inputs["path"]);
    const content = String(inputs["content"]);
    const token = typeof inputs["token"] === "string" ? inputs["token"] : undefined;
    fs.writeFileSync(path, content);
    console.log(`sample-provider: wrote ${path}`);
    return { id: path, outs: fileOutputs(path, content, token) };
  },

  async read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
    const fs = process.getBuiltinModule("node:fs");
    if (!fs.existsSync(id)) {
      // An empty id is how a provider tells the engine the resource is gone.
      return { id: "", props: {} };
    }
    const content = fs.readFileSync(id, "utf8");
    return { id, props: { ...props, path: id, content, size: Buffer.byteLength(content) } };
  },

  async update(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
    const fs = process.getBuiltinModule("node:fs");
    const path = String(news["path"]);
    const content = String(news["content"]);
    const token = typeof news["token"] === "string" ? news["token"] : undefined;
    fs.writeFileSync(path, content);
    if (olds["path"] !== path && typeof olds["path"] === "string") {
      fs.rmSync(olds["path"], { force: true });
    }
    return { outs: fileOutputs(path, content, token) };
  },

  async delete(id: string): Promise<void> {
    const fs = process.getBuiltinModule("node:fs");
    fs.rmSync(id, { force: true });
  },
};

export interface SampleResourceArgs {
  path: pulumi.Input<string>;
  content: pulumi.Input<string>;
  token?: pulumi.Input<string>;
}

export class SampleResource extends pulumi.dynamic.Resource {
  // `declare` matters: with target ES2022 a plain field declaration would be emitted as a class
  // field initialised to undefined after super() returns, wiping the outputs the base class set up.
  declare public readonly path: pulumi.Output<string>;
  declare public readonly content: pulumi.Output<string>;
  declare public readonly token: pulumi.Output<string | undefined>;
  declare public readonly size: pulumi.Output<number>;
  declare public readonly tokenLength: pulumi.Output<number>;
  declare public readonly owner: pulumi.Output<string>;

  constructor(name: string, args: SampleResourceArgs, opts?: pulumi.CustomResourceOptions) {
    // Output-only properties must be present (as undefined) for the SDK to create Outputs for them.
    super(sampleProvider, name, { ...args, size: undefined, tokenLength: undefined, owner: undefined }, opts);
  }
}
