import type { BuildpackRef, CacheSpec, PackImageInputs } from "../provider";
import type { BuildEngine, EngineContext, EngineOutcome } from "./engine";

/*
 * The pack engine: `pack build --publish` and `pack rebase --publish`, for agents with a Docker engine (pack runs the
 * lifecycle in containers even when it publishes). Serialized with the provider: see ./engine.ts for the rules.
 */

/** `--cache` values in pack's grammar (pkg/cache/cache_opts.go): one `;`-separated record, never a trailing `;`. */
export function cacheArgs(cache: CacheSpec): string[] {
  switch (cache.format) {
    case "bind":
      return ["--cache", `type=build;format=bind;source=${cache.source}`];
    case "volume":
      return cache.name ? ["--cache", `type=build;format=volume;name=${cache.name}`] : [];
    case "image":
      return ["--cache-image", cache.name];
  }
}

/** The builder's repository, without tag or digest, as pack's trusted-builders config matches it. */
function builderRepository(builder: string): string {
  const noDigest = builder.split("@")[0]!;
  const lastSlash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
}

export function builderIsTrusted(builder: string, trusted: readonly string[]): boolean {
  const repo = builderRepository(builder);
  return trusted.some((t) => t === builder || t === repo);
}

export function packBuildArgs(inputs: PackImageInputs, ctx: { tag: string; descriptorFile: string; reportDir: string; sbomDir: string }): string[] {
  const args = [
    "build",
    `${inputs.repository}:${ctx.tag}`,
    "--builder",
    inputs.builder,
    "--run-image",
    inputs.runImage,
    "--publish",
    "--path",
    inputs.path,
    "--descriptor",
    ctx.descriptorFile,
    "--report-output-dir",
    ctx.reportDir,
    "--sbom-output-dir",
    ctx.sbomDir,
    // The builder and run image are pinned by digest, so a cached copy is always the right one.
    "--pull-policy",
    "if-not-present",
  ];
  if (inputs.defaultProcess) args.push("--default-process", inputs.defaultProcess);
  for (const [k, v] of Object.entries(inputs.env).sort(([a], [b]) => (a < b ? -1 : 1))) args.push("--env", `${k}=${v}`);
  for (const name of [...inputs.secretEnv].sort()) args.push("--env", name);
  args.push(...cacheArgs(inputs.cache));
  for (const t of inputs.tags) args.push("--tag", `${inputs.repository}:${t}`);
  const trusted = inputs.trustBuilder && builderIsTrusted(inputs.builder, inputs.trustedBuilders);
  if (trusted) args.push("--trust-builder");
  // pack ignores (with a warning) a lifecycle image for a trusted builder: the builder's own lifecycle runs.
  else if (inputs.lifecycleImage) args.push("--lifecycle-image", inputs.lifecycleImage);
  if (inputs.network) args.push("--network", inputs.network);
  args.push("--no-color");
  return args;
}

export function packRebaseArgs(inputs: PackImageInputs, ctx: { tag: string; previousImage: string; reportDir: string }): string[] {
  return [
    "rebase",
    `${inputs.repository}:${ctx.tag}`,
    "--previous-image",
    ctx.previousImage,
    "--run-image",
    inputs.runImage,
    "--publish",
    "--report-output-dir",
    ctx.reportDir,
    "--pull-policy",
    "if-not-present",
    "--no-color",
  ];
}

/** Buildpacks that passed detection, as the lifecycle's detector lists them (`<id> <version>` lines). */
export function parseBuildpacks(output: string): BuildpackRef[] {
  const found: BuildpackRef[] = [];
  let inDetect = false;
  for (const raw of output.split("\n")) {
    const line = raw.replace(/^\[[a-z ()]+\] /, "").trim();
    const phase = /^===> ([A-Z]+)/.exec(line)?.[1];
    if (phase) {
      inDetect = phase === "DETECTING";
      continue;
    }
    if (!inDetect) continue;
    const m = /^([a-z0-9][\w.\-/]*)(?:\s+|@)(\d+\.\d+[\w.\-+]*)$/i.exec(line);
    if (m && !found.some((b) => b.id === m[1])) found.push({ id: m[1]!, version: m[2]! });
  }
  return found;
}

async function packRun(ctx: EngineContext, args: string[]): Promise<EngineOutcome> {
  const run = await ctx.run(ctx.inputs.packCommand, args);
  return { run, buildpacks: parseBuildpacks(run.output) };
}

export function packEngine(): BuildEngine {
  return {
    describe: (op) => `pack ${op}`,
    // Each pack process has containers of its own: as many as the platform allows.
    parallelism: (inputs) => inputs.maxParallelBuilds,
    check(inputs) {
      const failures: Array<{ property: string; reason: string }> = [];
      if (inputs.trustBuilder && !builderIsTrusted(inputs.builder, inputs.trustedBuilders)) {
        failures.push({ property: "trustBuilder", reason: `builder ${inputs.builder} is not on the trusted-builders allow-list (${inputs.trustedBuilders.join(", ") || "empty"}); a trusted builder receives registry credentials` });
      }
      return failures;
    },
    async build(ctx) {
      const fs = process.getBuiltinModule("node:fs");
      const path = process.getBuiltinModule("node:path");
      const descriptorFile = path.join(ctx.dir, "project.toml");
      fs.writeFileSync(descriptorFile, ctx.inputs.projectToml);
      return packRun(ctx, packBuildArgs(ctx.inputs, { tag: ctx.tag, descriptorFile, reportDir: ctx.reportDir, sbomDir: ctx.sbomDir }));
    },
    rebase(ctx) {
      return packRun(ctx, packRebaseArgs(ctx.inputs, { tag: ctx.tag, previousImage: ctx.previousImage, reportDir: ctx.reportDir }));
    },
  };
}
