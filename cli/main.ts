import { Command } from "commander";
import { registerValidate } from "./commands/validate";
import { registerDetect } from "./commands/detect";
import { registerMigrate } from "./commands/migrate";
import { registerPlan } from "./commands/plan";
import { registerBuild } from "./commands/build";
import { registerPreview } from "./commands/preview";
import { registerInit } from "./commands/init";
import { registerCompletion } from "./commands/completion";
import { registerRollback } from "./commands/rollback";

const { version } = require("../package.json") as { version: string };

const program = new Command()
  .name("gantry")
  .description("Services declared in services/<name>/service.yaml, built with Cloud Native Buildpacks, deployed by Pulumi.")
  .version(`gantry ${version}`, "-V, --version", "print the version")
  // A usage mistake (unknown option or command, missing argument) exits 2, as Gantry's own usage errors do, so a
  // script can tell it from an invalid catalog (1). Subcommands inherit this from the program.
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

registerValidate(program);
registerDetect(program);
registerMigrate(program);
registerPlan(program);
registerBuild(program);
registerPreview(program);
registerInit(program);
registerRollback(program);
registerCompletion(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  // Users' mistakes are reported by the commands themselves; anything reaching here is a Gantry bug.
  console.error(`gantry: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(70);
});
