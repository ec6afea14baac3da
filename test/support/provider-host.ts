// Test harness that runs Pulumi's own Node.js dynamic-provider host
// (@pulumi/pulumi/cmd/dynamic-provider) as a child process and drives it over gRPC the way the Pulumi
// engine does, so a dynamic provider can be proven without the Pulumi CLI.
//
// Property maps crossing this API are in Pulumi's wire form (what the engine's JSON looks like):
// secrets are `{ [SIG_KEY]: SECRET_SIG, value }` objects and unknowns are the UNKNOWN sentinel string.

import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as readline from "node:readline";

import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import * as engrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engproto from "@pulumi/pulumi/proto/engine_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";

export type PropertyMap = Record<string, unknown>;

export const SIG_KEY = rpc.specialSigKey;
export const SECRET_SIG = rpc.specialSecretSig;
/** The string the engine puts on the wire for a value that is not known yet (previews only). */
export const UNKNOWN = rpc.unknownValue;
/** Every dynamic resource's type starts with this; the module/type suffix is optional. */
export const DYNAMIC_TYPE_PREFIX = "pulumi-nodejs:dynamic";
export const DYNAMIC_PROVIDER_KEY = "__provider";
const MAX_RPC_MESSAGE_SIZE = 400 * 1024 * 1024;

export interface SecretValue<T = unknown> {
  [SIG_KEY]: typeof SECRET_SIG;
  value: T;
}

export function secret<T>(value: T): SecretValue<T> {
  return { [SIG_KEY]: SECRET_SIG, value } as SecretValue<T>;
}

export function isSecret(value: unknown): value is SecretValue {
  return rpc.isRpcSecret(value);
}

/** Deeply strips secret markers, e.g. to compare a result with plain expectations. */
export function reveal(value: unknown): unknown {
  if (rpc.isRpcSecret(value)) return reveal(rpc.unwrapRpcSecret(value));
  if (Array.isArray(value)) return value.map(reveal);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
  return value;
}

export function dynamicUrn(name: string, opts: { project?: string; stack?: string; type?: string } = {}): string {
  return `urn:pulumi:${opts.stack ?? "stack"}::${opts.project ?? "project"}::${opts.type ?? `${DYNAMIC_TYPE_PREFIX}:Resource`}::${name}`;
}

// ---------------------------------------------------------------------------------------------
// Serialization: what the SDK produces for a dynamic resource
// ---------------------------------------------------------------------------------------------

export interface SerializedDynamicResource {
  name: string;
  type: string;
  /** The URN the mock monitor assigns (same formula as the engine for a parentless resource). */
  urn: string;
  /** Inputs as the engine would store them, in wire form, including `__provider`. */
  inputs: PropertyMap;
  /** The provider module text (unwrapped when the closure captured a secret and the SDK marked it secret). */
  provider: string;
}

export interface SerializeOptions {
  project?: string;
  stack?: string;
  /** Runs the declarations as a preview, so unresolved outputs reach the mocks as unknowns. */
  preview?: boolean;
}

/**
 * Runs resource declarations under `pulumi.runtime.setMocks` and returns, per resource name, what the
 * SDK sent to the resource monitor for each dynamic resource — including the `__provider` module text
 * the SDK's closure serializer produced.
 *
 * Rejects with the serializer's own message when a provider closure cannot be serialized. Not
 * reentrant: mocks are process-global.
 */
export async function serializedProviderOf(
  resourceFactory: () => unknown,
  opts: SerializeOptions = {},
): Promise<Map<string, SerializedDynamicResource>> {
  const project = opts.project ?? "project";
  const stack = opts.stack ?? "stack";
  const captured = new Map<string, SerializedDynamicResource>();
  const pending: Promise<void>[] = [];
  const captureErrors: unknown[] = [];

  // A provider that fails to serialize never resolves its resource's URN; the SDK reports the failure
  // only as an unhandled rejection. vitest would turn that into a failed run, so while the
  // declarations run we take over the event and hand anything unrelated back to the old listeners.
  const serializationErrors: unknown[] = [];
  const previousListeners = process.listeners("unhandledRejection");
  const onRejection = (reason: unknown, promise: Promise<unknown>): void => {
    if (isSerializationError(reason)) {
      serializationErrors.push(reason);
      return;
    }
    for (const listener of previousListeners) listener(reason, promise);
  };
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", onRejection);

  try {
    await pulumi.runtime.setMocks(
      {
        newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
          if (args.type.startsWith(DYNAMIC_TYPE_PREFIX)) {
            pending.push(
              toWireForm(args.inputs).then((inputs) => {
                const providerValue = inputs[DYNAMIC_PROVIDER_KEY];
                const provider = rpc.unwrapRpcSecret(providerValue);
                if (typeof provider !== "string") {
                  throw new Error(`resource ${args.name} reached the monitor without a ${DYNAMIC_PROVIDER_KEY} string`);
                }
                captured.set(args.name, {
                  name: args.name,
                  type: args.type,
                  urn: dynamicUrn(args.name, { project, stack, type: args.type }),
                  inputs,
                  provider,
                });
              }).catch((err: unknown) => {
                captureErrors.push(err);
              }),
            );
          }
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
          return args.inputs;
        },
      },
      project,
      stack,
      opts.preview ?? false,
    );

    await resourceFactory();
    await waitForPulumiRpcs();
    // Unhandled rejections are reported after the microtask queue drains, i.e. on a later macrotask.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all(pending);
  } finally {
    process.removeListener("unhandledRejection", onRejection);
    for (const listener of previousListeners) process.on("unhandledRejection", listener);
  }

  const [firstError] = [...serializationErrors, ...captureErrors];
  if (firstError !== undefined) throw firstError;
  return captured;
}

/**
 * Serializes a provider exactly as `pulumi.dynamic.Resource` does (`serializeFunction(() => provider,
 * { allowSecrets: true })`), without declaring a resource. Rejects cleanly on failure.
 */
export async function serializeProvider(
  provider: pulumi.dynamic.ResourceProvider,
): Promise<{ text: string; containsSecrets: boolean }> {
  const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return { text: serialized.text, containsSecrets: serialized.containsSecrets };
}

function isSerializationError(reason: unknown): boolean {
  return reason instanceof Error && reason.message.includes(`error serializing property "${DYNAMIC_PROVIDER_KEY}"`);
}

async function waitForPulumiRpcs(): Promise<void> {
  // waitForRPCs is @internal (absent from the typings) but is what the SDK itself uses to drain
  // outstanding registrations before disconnecting.
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  if (typeof runtime.waitForRPCs !== "function") {
    throw new Error("@pulumi/pulumi no longer exposes runtime.waitForRPCs; update serializedProviderOf");
  }
  await runtime.waitForRPCs();
}

async function toWireForm(inputs: PropertyMap): Promise<PropertyMap> {
  // The mocks hand over deserialized inputs (secrets as rpc secret objects, unknowns as the SDK's
  // `unknown` marker); serializeProperty is the SDK's own inverse of that.
  const wire: PropertyMap = {};
  for (const [key, value] of Object.entries(inputs)) {
    const serialized: unknown = await rpc.serializeProperty(`inputs.${key}`, value);
    if (serialized !== undefined) wire[key] = serialized;
  }
  return wire;
}

// ---------------------------------------------------------------------------------------------
// Running the host
// ---------------------------------------------------------------------------------------------

export type LogSeverity = "debug" | "info" | "warning" | "error";

export interface EngineLogEntry {
  severity: LogSeverity;
  message: string;
  urn: string;
  streamId: number;
  ephemeral: boolean;
}

export interface HostLogs {
  /** Lines the host printed on stdout after its port line. */
  readonly stdout: string[];
  readonly stderr: string[];
  /** Log calls the host made to the fake engine. */
  readonly engine: EngineLogEntry[];
  /** Everything above, one line each, for failure messages. */
  text(): string;
}

export interface StartOptions {
  /** Working directory of the host; `require` calls inside provider code resolve from here. Default: process.cwd(). */
  cwd?: string;
  /** Added to the inherited environment, as the engine passes its own environment through. */
  env?: Record<string, string>;
  /** Sets PULUMI_NODEJS_PROJECT, which the host uses to qualify un-namespaced provider config keys. */
  project?: string;
  stack?: string;
  /**
   * Also put the fake engine's address in PULUMI_NODEJS_ENGINE, so `pulumi.log.*` inside provider code
   * reaches the fake engine. The host only receives the address as argv, which it does not use.
   */
  exposeEngineToProvider?: boolean;
  /** How long to wait for the host to print its port. Default 30 s. */
  startTimeoutMs?: number;
  /**
   * Runs the host through another program, e.g. inside a container: given the node command line and the
   * environment the host must see (the options' env and the Pulumi project and stack), returns what to spawn.
   */
  wrap?: (command: string, args: string[], env: Record<string, string>) => { command: string; args: string[] };
  /** gRPC deadline for each call unless the call overrides it. Default 120 s. */
  callTimeoutMs?: number;
}

export interface CallOptions {
  /** gRPC deadline for this call. The host keeps running the provider code after a deadline passes. */
  deadlineMs?: number;
}

export interface ConfigureResult {
  acceptSecrets: boolean;
  acceptResources: boolean;
  supportsPreview: boolean;
  acceptOutputs: boolean;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface CheckResult {
  inputs: PropertyMap;
  failures: CheckFailure[];
}

export type DiffKind = "add" | "add-replace" | "delete" | "delete-replace" | "update" | "update-replace";

export interface DiffResult {
  changes: "unknown" | "none" | "some";
  replaces: string[];
  stables: string[];
  deleteBeforeReplace: boolean;
  diffs: string[];
  /** Undefined when the response did not set hasDetailedDiff. */
  detailedDiff: Record<string, { kind: DiffKind; inputDiff: boolean }> | undefined;
}

export interface CreateResult {
  id: string;
  properties: PropertyMap;
  /** False when the engine would not have called the provider (a preview against a host without preview support). */
  sentToHost: boolean;
}

export interface UpdateResult {
  properties: PropertyMap;
  sentToHost: boolean;
}

export interface ReadResult {
  /** Empty when the provider reports that the resource no longer exists. */
  id: string;
  properties: PropertyMap;
  /** Only present when the provider returned inputs. */
  inputs: PropertyMap | undefined;
}

export interface HostExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ProviderHostError extends Error {
  constructor(
    readonly method: string,
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(details);
    this.name = "ProviderHostError";
  }

  get codeName(): string {
    return grpc.status[this.code] ?? String(this.code);
  }
}

export interface ProviderHost {
  readonly pid: number;
  readonly port: number;
  /** Address of the fake engine, passed to the host as its only argument. */
  readonly engineAddress: string;
  readonly logs: HostLogs;
  /** Settles when the host process exits. */
  readonly exited: Promise<HostExit>;
  /** The host's ConfigureResponse, once configure() has run. */
  readonly configuration: ConfigureResult | undefined;

  getPluginInfo(opts?: CallOptions): Promise<{ version: string }>;
  /** Keys are full config keys (`project:key`); values may be secret(). */
  configure(vars?: PropertyMap, opts?: CallOptions): Promise<ConfigureResult>;
  check(urn: string, olds: PropertyMap, news: PropertyMap, opts?: CallOptions & { preview?: boolean }): Promise<CheckResult>;
  diff(
    id: string,
    urn: string,
    olds: PropertyMap,
    news: PropertyMap,
    opts?: CallOptions & { preview?: boolean; oldInputs?: PropertyMap; ignoreChanges?: string[] },
  ): Promise<DiffResult>;
  create(urn: string, props: PropertyMap, opts?: CallOptions & { preview?: boolean; timeout?: number }): Promise<CreateResult>;
  update(
    id: string,
    urn: string,
    olds: PropertyMap,
    news: PropertyMap,
    opts?: CallOptions & { preview?: boolean; timeout?: number; oldInputs?: PropertyMap; ignoreChanges?: string[] },
  ): Promise<UpdateResult>;
  read(id: string, urn: string, props: PropertyMap, opts?: CallOptions & { inputs?: PropertyMap }): Promise<ReadResult>;
  delete(id: string, urn: string, props: PropertyMap, opts?: CallOptions & { timeout?: number; oldInputs?: PropertyMap }): Promise<void>;
  cancel(opts?: CallOptions): Promise<void>;
  /** Signals the host's whole process group (the host plus anything the provider spawned). */
  kill(signal?: NodeJS.Signals): boolean;
  /** Closes the client, stops the host (SIGTERM, then SIGKILL after a grace period) and the fake engine. */
  close(): Promise<HostExit>;
}

const liveHosts = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last line of defence against orphans when a test forgets close() or the worker exits early.
  process.on("exit", () => {
    for (const child of liveHosts) killGroup(child, "SIGKILL");
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return false;
  try {
    // The host is spawned detached, so its pid is also its process-group id.
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return child.kill(signal);
  }
}

/** Resolves the host from the host's working directory first, so it is the SDK copy that directory's code would load. */
function resolveHostEntry(cwd: string): string {
  const entry = "@pulumi/pulumi/cmd/dynamic-provider/index.js";
  try {
    return createRequire(path.join(cwd, "package.json")).resolve(entry);
  } catch {
    return createRequire(path.join(process.cwd(), "package.json")).resolve(entry);
  }
}

async function startFakeEngine(logs: EngineLogEntry[]): Promise<{ server: grpc.Server; address: string }> {
  const severities: Record<number, LogSeverity> = {
    [engproto.LogSeverity.DEBUG]: "debug",
    [engproto.LogSeverity.INFO]: "info",
    [engproto.LogSeverity.WARNING]: "warning",
    [engproto.LogSeverity.ERROR]: "error",
  };
  const unimplemented = (name: string) => (_call: unknown, callback: grpc.sendUnaryData<never>) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: `${name} is not implemented by the test engine` }, null);

  const server = new grpc.Server();
  server.addService(engrpc.EngineService, {
    log(call: grpc.ServerUnaryCall<engproto.LogRequest, emptyproto.Empty>, callback: grpc.sendUnaryData<emptyproto.Empty>) {
      const req = call.request;
      logs.push({
        severity: severities[req.getSeverity()] ?? "info",
        message: req.getMessage(),
        urn: req.getUrn(),
        streamId: req.getStreamid(),
        ephemeral: req.getEphemeral(),
      });
      callback(null, new emptyproto.Empty());
    },
    getRootResource(_call: unknown, callback: grpc.sendUnaryData<engproto.GetRootResourceResponse>) {
      callback(null, new engproto.GetRootResourceResponse());
    },
    setRootResource(_call: unknown, callback: grpc.sendUnaryData<engproto.SetRootResourceResponse>) {
      callback(null, new engproto.SetRootResourceResponse());
    },
    startDebugging: unimplemented("StartDebugging"),
    requirePulumiVersion(_call: unknown, callback: grpc.sendUnaryData<engproto.RequirePulumiVersionResponse>) {
      callback(null, new engproto.RequirePulumiVersionResponse());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { server, address: `127.0.0.1:${port}` };
}

function shutdownServer(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, 1_000);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

/**
 * Starts `node <sdk>/cmd/dynamic-provider/index.js <engineAddress>` (the program behind the engine's
 * `pulumi-nodejs` resource plugin), waits for the port it prints on its first stdout line and connects
 * a ResourceProvider client to it.
 */
export async function startProviderHost(opts: StartOptions = {}): Promise<ProviderHost> {
  const cwd = opts.cwd ?? process.cwd();
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  const callTimeoutMs = opts.callTimeoutMs ?? 120_000;
  const project = opts.project ?? "project";
  const stack = opts.stack ?? "stack";

  const stdout: string[] = [];
  const stderr: string[] = [];
  const engineLogs: EngineLogEntry[] = [];
  const logs: HostLogs = {
    stdout,
    stderr,
    engine: engineLogs,
    text: () =>
      [
        ...stdout.map((l) => `[stdout] ${l}`),
        ...stderr.map((l) => `[stderr] ${l}`),
        ...engineLogs.map((l) => `[engine:${l.severity}] ${l.message}`),
      ].join("\n"),
  };

  const engine = await startFakeEngine(engineLogs);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_NODEJS_PROJECT: project,
    PULUMI_NODEJS_STACK: stack,
    ...opts.env,
  };
  if (opts.exposeEngineToProvider) env["PULUMI_NODEJS_ENGINE"] = engine.address;
  else if (opts.env?.["PULUMI_NODEJS_ENGINE"] === undefined) delete env["PULUMI_NODEJS_ENGINE"];

  installExitHook();
  const hostEnv: Record<string, string> = { PULUMI_NODEJS_PROJECT: project, PULUMI_NODEJS_STACK: stack, ...opts.env };
  const launch = opts.wrap ? opts.wrap(process.execPath, [resolveHostEntry(cwd), engine.address], hostEnv) : { command: process.execPath, args: [resolveHostEntry(cwd), engine.address] };
  const child = spawn(launch.command, launch.args, {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    // Own process group, so kill() also reaches whatever the provider spawned (e.g. image builds).
    detached: true,
  });
  liveHosts.add(child);

  const exited = new Promise<HostExit>((resolve) => {
    child.once("exit", (code, signal) => {
      liveHosts.delete(child);
      resolve({ code, signal });
    });
  });

  readline.createInterface({ input: child.stderr! }).on("line", (line) => stderr.push(line));
  const stderrClosed = new Promise<void>((resolve) => child.stderr!.once("close", () => resolve()));
  const stdoutLines = readline.createInterface({ input: child.stdout! });

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`provider host printed no port within ${startTimeoutMs} ms\n${logs.text()}`)),
        startTimeoutMs,
      );
      let first = true;
      stdoutLines.on("line", (line) => {
        if (!first) {
          stdout.push(line);
          return;
        }
        first = false;
        clearTimeout(timer);
        const parsed = Number(line.trim());
        if (Number.isInteger(parsed) && parsed > 0) resolve(parsed);
        else reject(new Error(`provider host printed ${JSON.stringify(line)} instead of a port\n${logs.text()}`));
      });
      child.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      void exited.then(async (exit) => {
        clearTimeout(timer);
        // 'exit' can beat the last stderr lines, which are the useful part of this message.
        await Promise.race([stderrClosed, new Promise((r) => setTimeout(r, 500))]);
        reject(new Error(`provider host exited (${exit.code ?? exit.signal}) before printing a port\n${logs.text()}`));
      });
    });
  } catch (err) {
    killGroup(child, "SIGKILL");
    await shutdownServer(engine.server);
    throw err;
  }

  const client = new provrpc.ResourceProviderClient(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
    // Same limit the SDK and engine use; a serialized provider that captured a large module by value
    // can run to megabytes and travels in every request.
    { "grpc.max_receive_message_length": MAX_RPC_MESSAGE_SIZE, "grpc.max_send_message_length": MAX_RPC_MESSAGE_SIZE },
  );

  const deadline = (o?: CallOptions): grpc.CallOptions => ({
    deadline: new Date(Date.now() + (o?.deadlineMs ?? callTimeoutMs)),
  });

  // grpc-js generated clients take (request, metadata, options, callback); wrap that into a promise
  // whose rejection message is the host's status details.
  function unary<Req, Res>(
    method: string,
    invoke: (req: Req, md: grpc.Metadata, o: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Res) => void) => unknown,
    req: Req,
    o?: CallOptions,
  ): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      invoke.call(client, req, new grpc.Metadata(), deadline(o), (err, res) => {
        if (err) reject(new ProviderHostError(method, err.code, err.details || err.message));
        else if (res === undefined) reject(new Error(`${method} returned neither a response nor an error`));
        else resolve(res);
      });
    });
  }

  let configuration: ConfigureResult | undefined;

  // The engine waits for Configure before any resource call; mirror that if a test skips it.
  async function ensureConfigured(): Promise<ConfigureResult> {
    return configuration ?? host.configure({});
  }

  // With acceptSecrets=false (what this host answers) the engine strips secret markers before sending
  // and re-applies them afterwards by property name.
  const outbound = (props: PropertyMap, cfg: ConfigureResult, keepUnknowns: boolean): structproto.Struct =>
    structproto.Struct.fromJavaScript(marshal(props, { keepSecrets: cfg.acceptSecrets, keepUnknowns }) as never);
  const inbound = (struct: structproto.Struct | undefined, sent: PropertyMap | undefined, cfg: ConfigureResult): PropertyMap => {
    const props = (struct?.toJavaScript() ?? {}) as PropertyMap;
    if (!cfg.acceptSecrets && sent !== undefined) annotateSecrets(props, sent);
    return props;
  };

  const providerUrn = `urn:pulumi:${stack}::${project}::pulumi:providers:pulumi-nodejs::default`;

  const host: ProviderHost = {
    pid: child.pid!,
    port,
    engineAddress: engine.address,
    logs,
    exited,
    get configuration() {
      return configuration;
    },

    async getPluginInfo(o) {
      const res = await unary<emptyproto.Empty, plugproto.PluginInfo>("GetPluginInfo", client.getPluginInfo, new emptyproto.Empty(), o);
      return { version: res.getVersion() };
    },

    async configure(vars = {}, o) {
      const req = new provproto.ConfigureRequest();
      // The engine always sends the full inputs (secrets and unknowns intact) in `args`, plus the
      // legacy string map in `variables`; this host reads only `args`.
      req.setArgs(structproto.Struct.fromJavaScript(marshal(vars, { keepSecrets: true, keepUnknowns: true }) as never));
      const variables = req.getVariablesMap();
      for (const [key, value] of Object.entries(vars)) {
        const plain = reveal(value);
        variables.set(`pulumi-nodejs:config:${key}`, typeof plain === "string" ? plain : JSON.stringify(plain));
      }
      req.setAcceptsecrets(true);
      req.setAcceptresources(true);
      req.setSendsOldInputs(true);
      req.setSendsOldInputsToDelete(true);
      req.setUrn(providerUrn);
      req.setName("default");
      req.setType("pulumi:providers:pulumi-nodejs");
      const res = await unary<provproto.ConfigureRequest, provproto.ConfigureResponse>("Configure", client.configure, req, o);
      configuration = {
        acceptSecrets: res.getAcceptsecrets(),
        acceptResources: res.getAcceptresources(),
        supportsPreview: res.getSupportspreview(),
        acceptOutputs: res.getAcceptoutputs(),
      };
      return configuration;
    },

    async check(urn, olds, news, o) {
      const cfg = await ensureConfigured();
      const keepUnknowns = o?.preview ?? false;
      const req = new provproto.CheckRequest();
      req.setUrn(urn);
      req.setName(nameFromUrn(urn));
      req.setType(typeFromUrn(urn));
      req.setOlds(outbound(olds, cfg, keepUnknowns));
      req.setNews(outbound(news, cfg, keepUnknowns));
      const res = await unary<provproto.CheckRequest, provproto.CheckResponse>("Check", client.check, req, o);
      return {
        inputs: inbound(res.getInputs(), news, cfg),
        failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },

    async diff(id, urn, olds, news, o) {
      const cfg = await ensureConfigured();
      const keepUnknowns = o?.preview ?? false;
      const req = new provproto.DiffRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setName(nameFromUrn(urn));
      req.setType(typeFromUrn(urn));
      req.setOlds(outbound(olds, cfg, keepUnknowns));
      req.setNews(outbound(news, cfg, keepUnknowns));
      if (o?.oldInputs) req.setOldInputs(outbound(o.oldInputs, cfg, keepUnknowns));
      req.setIgnorechangesList(o?.ignoreChanges ?? []);
      const res = await unary<provproto.DiffRequest, provproto.DiffResponse>("Diff", client.diff, req, o);
      return decodeDiff(res);
    },

    async create(urn, props, o) {
      const cfg = await ensureConfigured();
      const preview = o?.preview ?? false;
      if (preview && !cfg.supportsPreview) return { id: "", properties: props, sentToHost: false };
      const req = new provproto.CreateRequest();
      req.setUrn(urn);
      req.setName(nameFromUrn(urn));
      req.setType(typeFromUrn(urn));
      req.setProperties(outbound(props, cfg, preview));
      req.setTimeout(o?.timeout ?? 0);
      req.setPreview(preview);
      const res = await unary<provproto.CreateRequest, provproto.CreateResponse>("Create", client.create, req, o);
      // The engine's own check: a provider whose create returns no id fails the step.
      if (!preview && res.getId() === "") {
        throw new Error(`plugin for package 'pulumi-nodejs' returned empty resource.ID from create '${urn}'`);
      }
      return { id: res.getId(), properties: inbound(res.getProperties(), props, cfg), sentToHost: true };
    },

    async update(id, urn, olds, news, o) {
      const cfg = await ensureConfigured();
      const preview = o?.preview ?? false;
      if (preview && !cfg.supportsPreview) return { properties: news, sentToHost: false };
      const req = new provproto.UpdateRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setName(nameFromUrn(urn));
      req.setType(typeFromUrn(urn));
      req.setOlds(outbound(olds, cfg, preview));
      req.setNews(outbound(news, cfg, preview));
      if (o?.oldInputs) req.setOldInputs(outbound(o.oldInputs, cfg, preview));
      req.setIgnorechangesList(o?.ignoreChanges ?? []);
      req.setTimeout(o?.timeout ?? 0);
      req.setPreview(preview);
      const res = await unary<provproto.UpdateRequest, provproto.UpdateResponse>("Update", client.update, req, o);
      return { properties: inbound(res.getProperties(), news, cfg), sentToHost: true };
    },

    async read(id, urn, props, o) {
      const cfg = await ensureConfigured();
      const req = new provproto.ReadRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setName(nameFromUrn(urn));
      req.setType(typeFromUrn(urn));
      req.setProperties(outbound(props, cfg, false));
      if (o?.inputs) req.setInputs(outbound(o.inputs, cfg, false));
      const res = await unary<provproto.ReadRequest, provproto.ReadResponse>("Read", client.read, req, o);
      return {
        id: res.getId(),
        properties: inbound(res.getProperties(), props, cfg),
        inputs: res.hasInputs() ? inbound(res.getInputs(), o?.inputs, cfg) : undefined,
      };
    },

    async delete(id, urn, props, o) {
      const cfg = await ensureConfigured();
      const req = new provproto.DeleteRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setName(nameFromUrn(urn));
      req.setType(typeFromUrn(urn));
      req.setProperties(outbound(props, cfg, false));
      if (o?.oldInputs) req.setOldInputs(outbound(o.oldInputs, cfg, false));
      req.setTimeout(o?.timeout ?? 0);
      await unary<provproto.DeleteRequest, emptyproto.Empty>("Delete", client.delete, req, o);
    },

    async cancel(o) {
      await unary<emptyproto.Empty, emptyproto.Empty>("Cancel", client.cancel, new emptyproto.Empty(), o);
    },

    kill(signal = "SIGTERM") {
      return killGroup(child, signal);
    },

    close() {
      closing ??= shutdown();
      return closing;
    },
  };

  let closing: Promise<HostExit> | undefined;
  async function shutdown(): Promise<HostExit> {
    client.close();
    if (killGroup(child, "SIGTERM")) {
      const grace = setTimeout(() => killGroup(child, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(grace);
    }
    // The group may outlive its leader if the provider spawned something that ignores SIGTERM.
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // Already gone: the normal case.
    }
    await shutdownServer(engine.server);
    return exited;
  }

  return host;
}

// ---------------------------------------------------------------------------------------------
// Wire-form helpers (mirroring the engine's MarshalProperties / annotateSecrets)
// ---------------------------------------------------------------------------------------------

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSpecial(value: Record<string, unknown>): boolean {
  return SIG_KEY in value;
}

/**
 * Turns a wire-form property value into what the engine would send: secrets kept or reduced to their
 * value, unknowns kept or dropped, `undefined` dropped (protobuf Struct cannot carry it).
 */
function marshal(value: unknown, o: { keepSecrets: boolean; keepUnknowns: boolean }): unknown {
  if (value === UNKNOWN) return o.keepUnknowns ? UNKNOWN : undefined;
  if (rpc.isRpcSecret(value)) {
    const inner = marshal(rpc.unwrapRpcSecret(value), o);
    if (!o.keepSecrets) return inner;
    return secret(inner === undefined ? null : inner);
  }
  if (Array.isArray(value)) return value.map((v) => marshal(v, o) ?? null);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const m = marshal(v, o);
      if (m !== undefined) out[k] = m;
    }
    return out;
  }
  return value;
}

function containsSecrets(value: unknown): boolean {
  if (rpc.isRpcSecret(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecrets);
  if (isPlainObject(value)) return Object.values(value).some(containsSecrets);
  return false;
}

/**
 * Port of the engine's annotateSecrets (pkg/resource/plugin/provider_plugin.go): an output whose
 * input of the same name contained a secret becomes secret; objects present on both sides recurse.
 * Outputs with new names (derived values) are NOT marked.
 */
function annotateSecrets(outs: Record<string, unknown>, ins: Record<string, unknown>): void {
  for (const [key, inValue] of Object.entries(ins)) {
    if (!(key in outs)) continue;
    const outValue = outs[key];
    if (isPlainObject(outValue) && !isSpecial(outValue) && isPlainObject(inValue) && !isSpecial(inValue)) {
      annotateSecrets(outValue, inValue);
    } else if (!rpc.isRpcSecret(outValue) && containsSecrets(inValue)) {
      outs[key] = secret(outValue);
    }
  }
}

const diffKinds: Record<provproto.PropertyDiff.Kind, DiffKind> = {
  [provproto.PropertyDiff.Kind.ADD]: "add",
  [provproto.PropertyDiff.Kind.ADD_REPLACE]: "add-replace",
  [provproto.PropertyDiff.Kind.DELETE]: "delete",
  [provproto.PropertyDiff.Kind.DELETE_REPLACE]: "delete-replace",
  [provproto.PropertyDiff.Kind.UPDATE]: "update",
  [provproto.PropertyDiff.Kind.UPDATE_REPLACE]: "update-replace",
};

const diffChanges: Record<provproto.DiffResponse.DiffChanges, DiffResult["changes"]> = {
  [provproto.DiffResponse.DiffChanges.DIFF_UNKNOWN]: "unknown",
  [provproto.DiffResponse.DiffChanges.DIFF_NONE]: "none",
  [provproto.DiffResponse.DiffChanges.DIFF_SOME]: "some",
};

function decodeDiff(res: provproto.DiffResponse): DiffResult {
  let detailedDiff: DiffResult["detailedDiff"];
  if (res.getHasdetaileddiff()) {
    detailedDiff = {};
    res.getDetaileddiffMap().forEach((d, key) => {
      // The engine treats kinds it does not know as plain updates.
      detailedDiff![key] = { kind: diffKinds[d.getKind()] ?? "update", inputDiff: d.getInputdiff() };
    });
  }
  return {
    changes: diffChanges[res.getChanges()] ?? "unknown",
    replaces: res.getReplacesList(),
    stables: res.getStablesList(),
    deleteBeforeReplace: res.getDeletebeforereplace(),
    diffs: res.getDiffsList(),
    detailedDiff,
  };
}

function nameFromUrn(urn: string): string {
  return urn.split("::").at(-1) ?? "";
}

function typeFromUrn(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").at(-1) ?? "";
}
