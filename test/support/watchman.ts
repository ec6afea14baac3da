// A private Watchman server (Debian's `watchman` package) for one test file or benchmark: its own socket, state and
// log under a temporary directory, so it never touches a Watchman the machine may already run, and is shut down
// (then killed if it lingers) by stop().
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureDebianPackage } from "./debian";

export const WATCHMAN_BINARY = "/usr/bin/watchman";

export function ensureWatchmanInstalled(): void {
  ensureDebianPackage("watchman", WATCHMAN_BINARY);
}

export interface RunningWatchman {
  sockname: string;
  /** The server's log (useful when a test fails). */
  logfile: string;
  /** Runs a watchman CLI command against this server and returns its parsed JSON answer. */
  cli(args: string[]): Record<string, unknown>;
  stop(): void;
}

/** @param globalConfig the server's global configuration (what /etc/watchman.json would hold), if any */
export function startWatchman(globalConfig?: object): RunningWatchman {
  ensureWatchmanInstalled();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-watchman-"));
  const env = { ...process.env };
  if (globalConfig) {
    env.WATCHMAN_CONFIG_FILE = path.join(dir, "watchman.json");
    fs.writeFileSync(env.WATCHMAN_CONFIG_FILE, JSON.stringify(globalConfig));
  }
  const sockname = path.join(dir, "sock");
  const logfile = path.join(dir, "log");
  const pidfile = path.join(dir, "pid");
  const base = [`--sockname=${sockname}`, `--statefile=${path.join(dir, "state")}`, `--logfile=${logfile}`, `--pidfile=${pidfile}`, "--no-save-state", "--no-pretty"];
  const cli = (args: string[]): Record<string, unknown> => {
    const r = spawnSync(WATCHMAN_BINARY, [...base, ...args], { encoding: "utf8", timeout: 60_000, env });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`watchman ${args.join(" ")} exited with ${r.status ?? r.signal}: ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  // The first command spawns the server (it daemonizes).
  const got = cli(["get-sockname"]);
  if (got.sockname !== sockname) throw new Error(`watchman answered on ${String(got.sockname)}, not ${sockname}`);
  let stopped = false;
  return {
    sockname,
    logfile,
    cli,
    stop() {
      if (stopped) return;
      stopped = true;
      let pid: number | undefined;
      try {
        pid = Number(fs.readFileSync(pidfile, "utf8").trim()) || undefined;
      } catch {
        pid = undefined;
      }
      spawnSync(WATCHMAN_BINARY, [...base, "shutdown-server"], { timeout: 30_000, stdio: "ignore", env });
      if (pid !== undefined) {
        for (let i = 0; i < 50 && alive(pid); i++) spawnSync("sleep", ["0.1"]);
        if (alive(pid)) process.kill(pid, "SIGKILL");
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
