import type { Command } from "commander";
import * as path from "node:path";
import { hasErrors, loadCatalog, type LoadedService } from "../../catalog/load";
import { formatProblem } from "../../catalog/problems";
import type { PlatformConfig } from "../../catalog/schema/platform";
import { backendUrl } from "../../environments/backend";
import { parseStackRef, projectName } from "../../environments/promotion";
import { parseReleases, type ReleaseHistory } from "../../environments/releases";
import { abort, advance, pinFor, rollbackTarget } from "../../environments/rollback";
import { editStackConfig } from "../../environments/stack-config";
import { lastDeployment, readDeploymentFile, type Lookup } from "../../plan/last-deployment";
import { table } from "../../output/table";
import { projectRoot } from "../project-root";

/*
 * gantry history | rollback | unpin | rollout advance|abort: each reads the stack's release history (its
 * `releases` output, from --outputs or a file backend's checkpoint) and the rollback and rollout commands write
 * one key of Pulumi.<stack>.yaml. Nothing is deployed here: commit the change and `pulumi up` applies it.
 */

class UserError extends Error {}

interface StackOpts {
  stack: string;
  outputs?: string;
  sourceOutputs?: string;
  services?: string;
}

interface Context {
  projectDir: string;
  platform: PlatformConfig;
  service: LoadedService;
  own: ReleaseHistory;
  source?: ReleaseHistory;
  /** Where the history was read, for messages. */
  from: string;
}

function fail(command: string, err: unknown): void {
  if (!(err instanceof UserError) && !(err instanceof Error && /^[^\n]*: (not JSON|expected the JSON)|ENOENT/.test(err.message))) throw err;
  console.error(`gantry ${command}: ${err.message}`);
  process.exitCode = 1;
}

/** The stack's config and the named service as loaded for it; a catalog or config error stops here, listed. */
function load(name: string, opts: StackOpts): { projectDir: string; platform: PlatformConfig; service: LoadedService } {
  const projectDir = projectRoot();
  const catalog = loadCatalog({ projectDir, stacks: [opts.stack], ...(opts.services ? { servicesDir: path.resolve(opts.services) } : {}), only: [name] });
  if (hasErrors(catalog.problems)) {
    throw new UserError(`the service catalog or Pulumi.${opts.stack}.yaml has problems; nothing was changed:\n${catalog.problems.filter((p) => p.severity === "error").map(formatProblem).join("\n")}`);
  }
  const platform = catalog.platforms[opts.stack]!;
  const service = catalog.services[opts.stack]!.find((s) => s.spec.name === name || path.basename(s.dir) === name)!;
  return { projectDir, platform, service };
}

function historyOf(lookup: Lookup, what: string): { releases: ReleaseHistory; from: string } {
  if (!lookup.found) throw new UserError(`no release history of ${what}: ${lookup.looked}; pass --outputs <file> from \`pulumi stack output --json --stack ${what}\``);
  return { releases: parseReleases(lookup.found.releases), from: lookup.found.from };
}

function context(name: string, opts: StackOpts, withSource: boolean): Context {
  const { projectDir, platform, service } = load(name, opts);
  const project = projectName(projectDir) ?? "gantry";
  const backend = backendUrl(projectDir, process.env);
  const own = historyOf(opts.outputs ? { found: readDeploymentFile(opts.outputs), looked: opts.outputs } : lastDeployment(backend, project, opts.stack), opts.stack);
  let source: ReleaseHistory | undefined;
  if (withSource && platform.promoteFrom) {
    const ref = parseStackRef(platform.promoteFrom);
    if (opts.sourceOutputs) source = historyOf({ found: readDeploymentFile(opts.sourceOutputs), looked: opts.sourceOutputs }, ref.stack).releases;
    else if (ref.project === project) {
      const found = lastDeployment(backend, project, ref.stack);
      if (found.found) source = parseReleases(found.found.releases);
    }
  }
  return { projectDir, platform, service, own: own.releases, ...(source ? { source } : {}), from: own.from };
}

const stackOptions = (cmd: Command) =>
  cmd
    .requiredOption("--stack <name>", "the stack (dev, staging, prod)")
    .option("--outputs <file>", "the stack's outputs: `pulumi stack output --json` or `pulumi stack export` (default: read from a file:// state backend)")
    .option("--services <dir>", "catalog folder (default: services/ of the project)");

export function registerRollback(program: Command): void {
  stackOptions(
    program
      .command("history <service>")
      .description("The service's releases in a stack, oldest first: digest, when, commit, fingerprint, traffic share, and which is serving, from the stack's `releases` output.")
      .option("--json", "print JSON"),
  ).action((name: string, opts: StackOpts & { json?: boolean }) => {
    try {
      const c = context(name, opts, false);
      const releases = c.own[c.service.spec.name] ?? [];
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(releases, null, 2)}\n`);
        return;
      }
      if (releases.length === 0) {
        console.log(`${c.service.spec.name} has no releases on record in stack ${opts.stack} (${c.from}).`);
        return;
      }
      const pin = c.platform.pins[c.service.spec.name];
      const rows = releases.map((r, i) => [
        String(i + 1),
        r.deployedAt.replace(/\.\d{3}Z$/, "Z"),
        r.digest.slice(0, 19),
        r.commit?.slice(0, 12) ?? "-",
        r.traffic === undefined ? (r.aborted ? "0 %" : "100 %") : `${r.traffic} %`,
        [i === releases.length - 1 ? "current" : "", r.pinned ? "pinned (rollback)" : "", r.aborted ? "canary aborted" : r.traffic !== undefined && r.traffic < 100 ? "canary" : ""].filter(Boolean).join(", "),
      ]);
      console.log(table(["#", "DEPLOYED", "DIGEST", "COMMIT", "TRAFFIC", ""], rows));
      if (pin) console.log(`\nPulumi.${opts.stack}.yaml pins ${c.service.spec.name} to ${pin.image}${pin.reason ? ` (${pin.reason})` : ""}.`);
    } catch (err) {
      fail("history", err);
    }
  });

  stackOptions(
    program
      .command("rollback <service>")
      .description(
        "Pin the service to an earlier release in Pulumi.<stack>.yaml (gantry:pins): `pulumi up` then deploys that digest without building, all traffic at once. Only a digest this stack, or the stack it promotes from, deployed, and that is still in the registry. Commit the change to roll back; `gantry unpin` ends it.",
      )
      .option("--to <digest>", "the release to go back to: sha256:<hex>, at least 12 hex digits (as `gantry history` shows)")
      .option("--previous", "the newest earlier release that served all traffic")
      .option("--reason <text>", "why, kept with the pin for the reviewer")
      .option("--source-outputs <file>", "a promoting stack's source outputs, to roll back to a digest only the source deployed")
      .option("--no-registry-check", "do not ask the registry whether the image still exists (offline)"),
  ).action(async (name: string, opts: StackOpts & { to?: string; previous?: boolean; reason?: string; registryCheck: boolean }) => {
    if ((opts.to === undefined) === !opts.previous) {
      console.error("gantry rollback: give --to <digest> or --previous (one of them)");
      process.exitCode = 2;
      return;
    }
    try {
      const c = context(name, opts, true);
      const target = rollbackTarget({ service: c.service.spec.name, stack: opts.stack, own: c.own, ...(c.source ? { source: c.source, sourceName: c.platform.promoteFrom! } : {}), ...(opts.to !== undefined ? { to: opts.to } : {}) });
      if ("error" in target) throw new UserError(target.error);
      const image = target.ok.release.image;
      if (opts.registryCheck) {
        const { manifestExists } = require("../../components/pack/provider") as typeof import("../../components/pack/provider");
        let exists: boolean;
        try {
          exists = await manifestExists(image);
        } catch (err) {
          throw new UserError(`cannot ask the registry whether ${image} still exists: ${err instanceof Error ? err.message : String(err)}; --no-registry-check skips the check`);
        }
        if (!exists) throw new UserError(`${image} is no longer in the registry (its cleanup policy may have deleted it): it cannot be deployed again`);
      }
      const pin = pinFor(target.ok, opts.reason);
      const file = editStackConfig(c.projectDir, opts.stack, ["gantry:pins", c.service.spec.name], pin);
      console.log(`${path.relative(process.cwd(), file) || file}: gantry:pins.${c.service.spec.name} = ${image}`);
      console.log(`  ${pin.reason}${target.ok.from === "source" ? ` (deployed by ${c.platform.promoteFrom})` : ""}`);
      console.log(`Commit this change; \`pulumi up\` on ${opts.stack} then deploys that image without building. \`gantry unpin ${c.service.spec.name} --stack ${opts.stack}\` ends the pin.`);
    } catch (err) {
      fail("rollback", err);
    }
  });

  program
    .command("unpin <service>")
    .description("Remove the service's pin from Pulumi.<stack>.yaml: the next `pulumi up` builds (or promotes) it again.")
    .requiredOption("--stack <name>", "the stack (dev, staging, prod)")
    .option("--services <dir>", "catalog folder (default: services/ of the project)")
    .action((name: string, opts: StackOpts) => {
      try {
        const { projectDir, platform, service } = load(name, opts);
        if (!platform.pins[service.spec.name]) throw new UserError(`${service.spec.name} is not pinned in Pulumi.${opts.stack}.yaml`);
        const file = editStackConfig(projectDir, opts.stack, ["gantry:pins", service.spec.name], undefined);
        console.log(`${path.relative(process.cwd(), file) || file}: gantry:pins.${service.spec.name} removed. Commit it; the next \`pulumi up\` on ${opts.stack} builds or promotes ${service.spec.name} again.`);
      } catch (err) {
        fail("unpin", err);
      }
    });

  const rollout = program.command("rollout").description("Move a Cloud Run canary (rollout: {strategy: canary}) along its steps, or abort it, as a change to Pulumi.<stack>.yaml (gantry:rollouts) that `pulumi up` applies.");
  for (const [verb, decide, words] of [
    ["advance", advance, "Give the canary the next step's share of the traffic (the last step, 100, completes it)."],
    ["abort", abort, "Send all traffic back to the previous revision; the canary keeps its tag URL and no traffic."],
  ] as const) {
    stackOptions(rollout.command(`${verb} <service>`).description(words)).action((name: string, opts: StackOpts) => {
      try {
        const c = context(name, opts, false);
        const decided = decide({ service: c.service, platform: c.platform, stack: opts.stack, own: c.own });
        if ("error" in decided) throw new UserError(decided.error);
        const { digest, percent } = decided.ok;
        const file = editStackConfig(c.projectDir, opts.stack, ["gantry:rollouts", c.service.spec.name], "aborted" in decided.ok ? { digest, percent, aborted: true } : { digest, percent });
        const what = "aborted" in decided.ok ? `canary of ${decided.ok.digest.slice(0, 19)} aborted: all traffic back on the previous revision` : `canary of ${decided.ok.digest.slice(0, 19)}: ${decided.ok.from} % -> ${decided.ok.percent} %`;
        console.log(`${path.relative(process.cwd(), file) || file}: gantry:rollouts.${c.service.spec.name}: ${what}. Commit it; \`pulumi up\` on ${opts.stack} applies it.`);
      } catch (err) {
        fail(`rollout ${verb}`, err);
      }
    });
  }
}
