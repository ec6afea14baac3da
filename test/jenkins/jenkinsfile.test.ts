import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PROJECT_DIR } from "../service/harness";

/*
 * The Jenkinsfile parses as Groovy, checked by a real Groovy compiler (Debian's `groovy` package), without
 * running it: GroovyShell.parse compiles the script to a class, so a syntax error, an unbalanced block or a
 * bad annotation fails here, while Jenkins' own steps (pipeline, sh, lock ...) are only method calls to it.
 *
 * Groovy is installed on first use when this process is root; otherwise the test fails saying how to install
 * it. The install is a one-off that can take minutes, hence the hook's own timeout; the parse takes seconds.
 */

const GROOVY = "/usr/bin/groovy";
const JENKINSFILE = path.join(PROJECT_DIR, "Jenkinsfile");
const INSTALL = "apt-get update && apt-get install -y --no-install-recommends groovy";

function run(cmd: string, args: string[], timeout: number) {
  return spawnSync(cmd, args, { encoding: "utf8", timeout, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
}

function ensureGroovy(): void {
  if (fs.existsSync(GROOVY)) return;
  if (typeof process.getuid !== "function" || process.getuid() !== 0) {
    throw new Error(`${GROOVY} is missing and this process is not root, so it cannot install it. Run as root: ${INSTALL}`);
  }
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", "groovy"]]) {
    const r = run("apt-get", args, 600_000);
    if (r.error || r.status !== 0) {
      const tail = `${r.stdout ?? ""}\n${r.stderr ?? ""}`.trim().split("\n").slice(-20).join("\n");
      throw new Error(`could not install Groovy to check the Jenkinsfile (apt-get ${args.join(" ")}: ${r.error?.message ?? `exit ${r.status}`}):\n${tail}`);
    }
  }
  if (!fs.existsSync(GROOVY)) throw new Error(`apt-get installed groovy but ${GROOVY} is still missing`);
}

/**
 * Debian's groovy script looks for Java in JAVA_HOME, default /usr/lib/jvm/default-java, which only
 * default-jre-headless provides; a machine that already had another JDK satisfies the package without it.
 */
function javaHome(): string {
  const candidates = [process.env.JAVA_HOME, "/usr/lib/jvm/default-java"];
  const onPath = spawnSync("sh", ["-c", "command -v java"], { encoding: "utf8" }).stdout.trim();
  if (onPath) candidates.push(path.dirname(path.dirname(fs.realpathSync(onPath))));
  const home = candidates.find((h) => h && fs.existsSync(path.join(h, "bin", "java")));
  if (!home) throw new Error(`no Java runtime for Groovy: install one (apt-get install -y --no-install-recommends default-jre-headless) or set JAVA_HOME`);
  return home;
}

/** Compiles a file with GroovyShell.parse; never runs it. */
function parseGroovy(file: string) {
  const r = spawnSync(GROOVY, ["-e", "new GroovyShell().parse(new File(args[0]))", file], { encoding: "utf8", timeout: 60_000, env: { ...process.env, JAVA_HOME: javaHome() } });
  if (r.error) throw new Error(`${GROOVY} failed to run: ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

beforeAll(() => ensureGroovy(), 900_000);

describe("Jenkinsfile", () => {
  it("parses as Groovy", () => {
    const { status, output } = parseGroovy(JENKINSFILE);
    expect(output).not.toMatch(/MultipleCompilationErrorsException|unexpected token|expecting/);
    expect(status, output).toBe(0);
  });

  it("is checked for real: the same parse rejects a Jenkinsfile with one brace missing", () => {
    const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gantry-groovy-")), "Jenkinsfile");
    const text = fs.readFileSync(JENKINSFILE, "utf8");
    const head = "void withStagingAgent(String slot, Closure body) {";
    expect(text).toContain(head);
    const cut = text.indexOf(head) + head.length;
    fs.writeFileSync(broken, `${text.slice(0, cut - 1)}${text.slice(cut)}`);
    const { status, output } = parseGroovy(broken);
    expect(status).not.toBe(0);
    expect(output).toMatch(/Jenkinsfile: \d+: /);
  });
});
