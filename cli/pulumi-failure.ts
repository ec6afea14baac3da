/**
 * One readable line for a failed Pulumi CLI call. The Automation API's CommandError message repeats the same
 * failure under "stderr:" and "err?:", with "code: -2" for a missing binary: nothing a user should have to read.
 */
export function pulumiFailure(message: string): string {
  const stderr = /\n\s*stderr: ([\s\S]*?)(?:\n\s*err\?: |$)/.exec(message)?.[1] ?? message;
  if (/ENOENT/.test(message)) {
    return "the Pulumi CLI is not installed: `pulumi` is not on PATH. Run through `npx gantry` (the `pulumi` npm package puts a launcher there that downloads it) or install it: https://www.pulumi.com/docs/install/";
  }
  const download = /Downloading pulumi (v\d+(?:\.\d+)*)[\s\S]*?\npulumi: ([^\n]+)/.exec(stderr);
  if (download) {
    return `the Pulumi CLI ${download[1]} could not be downloaded (${download[2]!.trim()}): install it (https://www.pulumi.com/docs/install/) or let this machine reach get.pulumi.com`;
  }
  const command = /Command failed with (exit code \d+|[A-Z]+): (pulumi [^\n]*)/.exec(stderr);
  const rest = stderr
    .split("\n")
    .filter((l) => l.trim() !== "" && !/^Command failed with /.test(l))
    .slice(-5)
    .join("\n")
    .trim();
  if (command) return `\`${command[2]}\` failed (${command[1]})${rest ? `: ${rest}` : ""}`;
  return stderr.trim() || message;
}
