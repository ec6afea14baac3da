import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { dockerfileLaunch } from "../../components/docker/launch";
import { secretsEntrypoint, secretsEntrypointSh } from "../../components/service/targets/gke";

/** A GKE workload built from a Dockerfile reads its mounted secrets with POSIX sh, then runs the image's own command. */

describe("the sh secrets wrapper", () => {
  it("exports every secret file exactly (trailing newlines, quotes, $) and execs the image's argv untouched", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-secrets-"));
    fs.writeFileSync(path.join(dir, "DB_URL"), "postgres://u:p@db/x\n\n");
    fs.writeFileSync(path.join(dir, "TOKEN"), `a'b"c $HOME \`x\``);
    const argv = secretsEntrypointSh(["DB_URL", "TOKEN"], ["node", "-e", "process.stdout.write(JSON.stringify([process.env.DB_URL, process.env.TOKEN, process.argv.slice(1)]))", "--", "two words"], dir);
    // Real POSIX shells: dash (Debian's /bin/sh) and busybox-like behaviour is what alpine images have.
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", env: { PATH: process.env.PATH } });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual(["postgres://u:p@db/x\n\n", `a'b"c $HOME \`x\``, ["two words"]]);
  });
});

describe("what the wrappers interpolate", () => {
  it("reads from a folder whose name holds spaces, quotes and a command substitution, running none of it", () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-quote-"));
    const dir = path.join(parent, "it's $(touch pwned) `touch pwned2` dir");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "TOKEN"), "t0k3n");
    const argv = secretsEntrypointSh(["TOKEN"], ["node", "-e", "process.stdout.write(process.env.TOKEN)"], dir);
    const r = spawnSync(argv[0]!, argv.slice(1), { cwd: parent, encoding: "utf8", env: { PATH: process.env.PATH } });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("t0k3n");
    expect(fs.readdirSync(parent).sort()).toEqual([path.basename(dir)]);
  });

  it("runs a buildpacks process whose name would be shell syntax as one word", () => {
    const [, , script] = secretsEntrypoint(["A"], "web; touch pwned");
    expect(script).toContain("exec '/cnb/process/web; touch pwned'");
  });

  it("refuses a variable name that is not a shell name instead of writing it into the script", () => {
    expect(() => secretsEntrypointSh(["A; touch pwned"], ["true"])).toThrow(/is not a shell variable name/);
    expect(() => secretsEntrypoint(["$(x)"], "web")).toThrow(/is not a shell variable name/);
  });
});

describe("the image's own command", () => {
  function dockerfile(text: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-launch-"));
    fs.writeFileSync(path.join(dir, "Dockerfile"), text);
    return path.join(dir, "Dockerfile");
  }
  it("combines an exec-form ENTRYPOINT with CMD, as Docker does", () => {
    expect(dockerfileLaunch({ dockerfile: dockerfile('FROM node:20\nENTRYPOINT ["/usr/bin/tini", "--"]\nCMD ["npm", "start"]\n'), context: ".", args: {} })).toEqual(["/usr/bin/tini", "--", "npm", "start"]);
  });
  it("takes the built stage's command, and a shell-form CMD through the shell", () => {
    const file = dockerfile('FROM python:3.12 AS build\nCMD ["python", "build.py"]\nFROM python:3.12-slim AS runtime\nCMD gunicorn -b :8080 app:app\n');
    expect(dockerfileLaunch({ dockerfile: file, context: ".", args: {} })).toEqual(["/bin/sh", "-c", "gunicorn -b :8080 app:app"]);
    expect(dockerfileLaunch({ dockerfile: file, context: ".", target: "build", args: {} })).toEqual(["python", "build.py"]);
  });
  it("is unknown when the Dockerfile declares none", () => {
    expect(dockerfileLaunch({ dockerfile: dockerfile("FROM node:20\n"), context: ".", args: {} })).toBeUndefined();
  });
});
