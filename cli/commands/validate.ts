import type { Command } from "commander";

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("Validate the service catalog and the platform config for one stack or every stack.")
    .option("--stack <name>", "validate one stack only")
    .option("--services <dir>", "catalog folder", "services")
    .action(() => {
      throw new Error("validate: not wired yet");
    });
}
