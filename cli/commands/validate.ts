import type { Command } from "commander";
import { hasErrors, type Catalog, type LoadedService } from "../../catalog/load";
import type { PlatformConfig } from "../../catalog/schema/platform";
import { launchCommands } from "../../preflight/catalog";
import { readCatalog, reportProblems, withCatalogOptions, type CatalogOptions } from "../catalog-options";
import { table } from "../../output/table";
import { progress } from "../progress";

interface ValidateOptions extends CatalogOptions {
  json?: boolean;
}

export function registerValidate(program: Command): void {
  withCatalogOptions(
    program.command("validate").description("Check every service.yaml and the platform config of each stack against the schema and the cloud's rules."),
  )
    .option("--json", "print the services and every problem as JSON on stdout, for tools")
    .action((opts: ValidateOptions) => {
      const catalog = readCatalog(opts, progress(!opts.json));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(validationJson(catalog), null, 2)}\n`);
        if (hasErrors(catalog.problems)) process.exitCode = 1;
        return;
      }
      const failed = reportProblems(catalog);
      if (failed) {
        process.exitCode = 1;
        return;
      }
      const launch = launchCommands(catalog);
      for (const stack of catalog.stacks) {
        const platform = catalog.platforms[stack]!;
        console.log(`\nstack ${stack} (project ${platform.project}, ${platform.region})`);
        const rows = catalog.services[stack]!.map((s) => serviceRow(s, platform, launch[stack]?.[s.spec.name]));
        console.log(indent(table(HEADER, rows)));
      }
      const count = new Set(catalog.stacks.flatMap((s) => catalog.services[s]!.map((x) => x.spec.name))).size;
      console.log(`\n${count} service${count === 1 ? "" : "s"} valid in ${catalog.stacks.join(", ")}.`);
    });
}

// LAUNCH is what the buildpacks builder will start (the preflight's prediction): the decision a reviewer checks.
const HEADER = ["NAME", "KIND", "TARGET", "CPU", "MEMORY", "SCALING", "LAUNCH"];

/** The table's rows as objects, and the problems with their locations: what a tool needs, and nothing it must parse. */
function validationJson(catalog: Catalog) {
  const ok = !hasErrors(catalog.problems);
  const launch = ok ? launchCommands(catalog) : {};
  return {
    ok,
    stacks: catalog.stacks.map((stack) => {
      const platform = catalog.platforms[stack];
      const services = ok && platform ? catalog.services[stack]!.map((s) => ({ ...rowObject(serviceRow(s, platform, launch[stack]?.[s.spec.name])), file: s.file })) : [];
      return { stack, ...(platform ? { project: platform.project, region: platform.region } : {}), services };
    }),
    problems: catalog.problems,
  };
}

function rowObject(row: string[]): Record<string, string> {
  return Object.fromEntries(HEADER.map((h, i) => [h.toLowerCase(), row[i]!]));
}

function serviceRow(service: LoadedService, platform: PlatformConfig, launch: string | null | undefined): string[] {
  return [...resourceColumns(service, platform), service.spec.build?.dockerfile !== undefined ? `(${service.spec.build.dockerfile}: its ENTRYPOINT/CMD)` : (launch ?? "(none)")];
}

function resourceColumns({ spec }: LoadedService, platform: PlatformConfig): string[] {
  switch (spec.kind) {
    case "service": {
      const min = spec.minInstances ?? platform.scaling.minInstances;
      const max = spec.maxInstances ?? platform.scaling.maxInstances;
      const concurrency = spec.concurrency ?? (spec.cpu < 1 ? 1 : 80);
      const exposure = spec.public ? "public" : spec.ingress === "all" ? "ingress all, private" : `ingress ${spec.ingress}`;
      return [spec.name, "service", `Cloud Run service (${exposure})`, String(spec.cpu), spec.memory, `${min}-${max} instances x${concurrency}`];
    }
    case "job": {
      const parallel = spec.parallelism ? ` x${spec.parallelism}` : "";
      const when = spec.schedule ? `, "${spec.schedule.cron}" ${spec.schedule.timeZone}` : ", on demand";
      return [spec.name, "job", `Cloud Run job (${spec.process ?? "default process"})`, String(spec.cpu), spec.memory, `${spec.tasks} tasks${parallel}${when}`];
    }
    case "gke": {
      const ns = spec.namespace ?? "default";
      const scaling = spec.autoscaling
        ? `${spec.autoscaling.minReplicas ?? Math.max(1, spec.replicas)}-${spec.autoscaling.maxReplicas} replicas @${spec.autoscaling.targetCPUUtilization}% cpu`
        : `${spec.replicas} replicas`;
      return [spec.name, "gke", `GKE ${ns}/${spec.name} (${spec.serviceType})`, spec.cpu, spec.memory, scaling];
    }
  }
}

const indent = (text: string) => text.replace(/^/gm, "  ");
