import { describe, expect, it } from "vitest";
import { pulumiFailure } from "../../cli/pulumi-failure";

// CommandError messages as the Automation API (@pulumi/pulumi 3.248) printed them on this machine.
const MISSING = "code: -2\n stdout: \n stderr: Command failed with ENOENT: pulumi version\nspawn pulumi ENOENT\n err?: Error: Command failed with ENOENT: pulumi version\nspawn pulumi ENOENT\n";
const NO_DOWNLOAD =
  "code: -2\n stdout: \n stderr: Command failed with exit code 1: pulumi version\nDownloading pulumi v3.265.0...\npulumi: fetch failed\n err?: Error: Command failed with exit code 1: pulumi version\nDownloading pulumi v3.265.0...\npulumi: fetch failed\n";
const FAILED = "code: 255\n stdout: \n stderr: Command failed with exit code 255: pulumi stack ls --json\nerror: could not read backend: permission denied\n err?: Error: Command failed with exit code 255: pulumi stack ls --json\nerror: could not read backend: permission denied\n";

describe("a failed Pulumi CLI call in one line", () => {
  it("says the CLI is not installed, and how to get it", () => {
    const line = pulumiFailure(MISSING);
    expect(line.split("\n")).toHaveLength(1);
    expect(line).toMatch(/^the Pulumi CLI is not installed: `pulumi` is not on PATH\. Run through `npx gantry`/);
  });

  it("says the CLI could not be downloaded, with the version and the reason", () => {
    expect(pulumiFailure(NO_DOWNLOAD)).toBe("the Pulumi CLI v3.265.0 could not be downloaded (fetch failed): install it (https://www.pulumi.com/docs/install/) or let this machine reach get.pulumi.com");
  });

  it("gives any other failure once: the command, its exit status and what it said", () => {
    expect(pulumiFailure(FAILED)).toBe("`pulumi stack ls --json` failed (exit code 255): error: could not read backend: permission denied");
  });
});
