import { Command } from "commander";
import { registerValidate } from "./commands/validate";
import { registerDetect } from "./commands/detect";

const program = new Command()
  .name("gantry")
  .description("Services declared in services/<name>/service.yaml, built with Cloud Native Buildpacks, deployed by Pulumi.");

registerValidate(program);
registerDetect(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  // Users' mistakes are reported by the commands themselves; anything reaching here is a Gantry bug.
  console.error(`gantry: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(70);
});
