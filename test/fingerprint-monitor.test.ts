// Source fingerprints with a file-system monitor: a real Watchman server (Debian's package), private to this file.
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  defaultMonitor,
  fingerprintSource,
  monitorRecordPath,
  resetDefaultMonitor,
  shutdownFingerprintWorkers,
  WatchmanMonitor,
  type FsMonitor,
} from "../components/pack/fingerprint";
import { startWatchman, type RunningWatchman } from "./support/watchman";

let wm: RunningWatchman;
const tmpRoots: string[] = [];
const monitors: WatchmanMonitor[] = [];

beforeAll(() => {
  wm = startWatchman();
});

afterAll(async () => {
  for (const m of monitors) m.close();
  await shutdownFingerprintWorkers();
  wm?.stop();
  for (const d of tmpRoots) fs.rmSync(d, { recursive: true, force: true });
});

function monitor(sockname = wm.sockname): WatchmanMonitor {
  const m = new WatchmanMonitor(sockname);
  monitors.push(m);
  return m;
}

/** A repository (marked as a Watchman project root) with `services/<name>/` folders, and a cache folder beside it. */
function repo(services: string[], watchmanconfig: object = {}): { root: string; svc: (n: string) => string; cache: (n: string) => string } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-fpmon-"));
  tmpRoots.push(base);
  const root = path.join(base, "repo");
  fs.mkdirSync(root);
  fs.writeFileSync(path.join(root, ".watchmanconfig"), JSON.stringify(watchmanconfig));
  for (const s of services) {
    const d = path.join(root, "services", s);
    fs.mkdirSync(path.join(d, "src", "lib"), { recursive: true });
    fs.writeFileSync(path.join(d, "main.py"), `print("${s}")\n`);
    fs.writeFileSync(path.join(d, "src", "lib", "util.py"), "X = 1\n");
    fs.writeFileSync(path.join(d, "run.sh"), "#!/bin/sh\n", { mode: 0o644 });
    fs.symlinkSync("main.py", path.join(d, "entry"));
  }
  return {
    root,
    svc: (n) => path.join(root, "services", n),
    cache: (n) => path.join(base, "cache", `${n}.json`),
  };
}

/** A unix-socket proxy to Watchman that forwards requests at once and, while `hold` is set, keeps the answers back. */
async function answerGate(target: string): Promise<{ sockname: string; hold: boolean; heldBytes: number; release(): void; close(): void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-wm-gate-"));
  tmpRoots.push(dir);
  const held: { to: net.Socket; data: Buffer }[] = [];
  const sockets: net.Socket[] = [];
  const gate = {
    sockname: path.join(dir, "sock"),
    hold: false,
    heldBytes: 0,
    release(): void {
      gate.hold = false;
      for (const h of held.splice(0)) h.to.write(h.data);
    },
    close(): void {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    sockets.push(client, upstream);
    client.on("data", (d) => upstream.write(d));
    upstream.on("data", (d) => {
      if (gate.hold) {
        held.push({ to: client, data: d });
        gate.heldBytes += d.length;
      } else client.write(d);
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(gate.sockname, resolve));
  return gate;
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((res) => setTimeout(res, 5));
  if (!cond()) throw new Error("condition not met in 10 s");
}

async function fp(dir: string, statCachePath: string, m: FsMonitor | null, exclude: string[] = [".git/"]) {
  return fingerprintSource(dir, { statCachePath, monitor: m, exclude });
}

describe("fingerprint with Watchman", () => {
  it("answers an unchanged tree from the monitor alone, without touching the tree or the stat cache", async () => {
    const r = repo(["api"]);
    const m = monitor();
    const first = await fp(r.svc("api"), r.cache("api"), m);
    expect(first.via).toBe("tree");
    expect(fs.existsSync(monitorRecordPath(r.cache("api")))).toBe(true);

    // Without the stat cache, anything but the monitor path would have to read every file and rewrite the cache.
    fs.rmSync(r.cache("api"));
    const second = await fp(r.svc("api"), r.cache("api"), m);
    expect(second).toEqual({ ...first, reread: 0, via: "monitor" });
    expect(fs.existsSync(r.cache("api"))).toBe(false);
    expect(second.digest).toBe((await fingerprintSource(r.svc("api"), { exclude: [".git/"] })).digest);
  });

  const edits: [string, (d: string) => void][] = [
    ["same-size edit in place with the mtime put back", (d) => {
      const f = path.join(d, "src", "lib", "util.py");
      const st = fs.statSync(f);
      fs.writeFileSync(f, "X = 2\n");
      fs.utimesSync(f, st.atime, st.mtime);
    }],
    ["exec bit", (d) => fs.chmodSync(path.join(d, "run.sh"), 0o755)],
    ["new file", (d) => fs.writeFileSync(path.join(d, "src", "new.py"), "")],
    ["deleted file", (d) => fs.rmSync(path.join(d, "main.py"))],
    ["renamed directory", (d) => fs.renameSync(path.join(d, "src", "lib"), path.join(d, "src", "pkg"))],
    ["new empty directory", (d) => fs.mkdirSync(path.join(d, "assets"))],
    ["symlink retargeted", (d) => {
      fs.rmSync(path.join(d, "entry"));
      fs.symlinkSync("run.sh", path.join(d, "entry"));
    }],
  ];
  for (const [what, edit] of edits) {
    it(`sees a ${what} and reads the tree again, giving the digest of a cold run`, async () => {
      const r = repo(["api"]);
      const m = monitor();
      const before = await fp(r.svc("api"), r.cache("api"), m);
      expect((await fp(r.svc("api"), r.cache("api"), m)).via).toBe("monitor");
      edit(r.svc("api"));
      const after = await fp(r.svc("api"), r.cache("api"), m);
      expect(after.via).toBe("tree");
      expect(after.digest).not.toBe(before.digest);
      expect(after.digest).toBe((await fingerprintSource(r.svc("api"), { exclude: [".git/"] })).digest);
      // ...and trusts the monitor again from the new clock on.
      expect(await fp(r.svc("api"), r.cache("api"), m)).toEqual({ ...after, reread: 0, via: "monitor" });
    });
  }

  it("keeps answering a service from the monitor when only a sibling changed", async () => {
    const r = repo(["api", "worker"]);
    const m = monitor();
    await fp(r.svc("api"), r.cache("api"), m);
    await fp(r.svc("worker"), r.cache("worker"), m);
    fs.writeFileSync(path.join(r.svc("worker"), "main.py"), "print('changed')\n");
    expect((await fp(r.svc("api"), r.cache("api"), m)).via).toBe("monitor");
    expect((await fp(r.svc("worker"), r.cache("worker"), m)).via).toBe("tree");
  });

  it("ignores changes that pack would not upload (excluded directories and files), but not their neighbours", async () => {
    const r = repo(["web"]);
    const exclude = [".git/", "node_modules/", "*.log"];
    const m = monitor();
    fs.mkdirSync(path.join(r.svc("web"), "node_modules", "left-pad"), { recursive: true });
    const first = await fp(r.svc("web"), r.cache("web"), m, exclude);
    fs.writeFileSync(path.join(r.svc("web"), "node_modules", "left-pad", "index.js"), "module.exports = 1;\n");
    fs.rmSync(path.join(r.svc("web"), "node_modules", "left-pad"), { recursive: true });
    fs.writeFileSync(path.join(r.svc("web"), "src", "debug.log"), "noise\n");
    const quiet = await fp(r.svc("web"), r.cache("web"), m, exclude);
    expect(quiet).toEqual({ ...first, reread: 0, via: "monitor" });
    expect(quiet.digest).toBe((await fingerprintSource(r.svc("web"), { exclude })).digest);

    fs.writeFileSync(path.join(r.svc("web"), "src", "debug.txt"), "kept\n");
    const loud = await fp(r.svc("web"), r.cache("web"), m, exclude);
    expect(loud.via).toBe("tree");
    expect(loud.digest).not.toBe(first.digest);
  });

  it("shares one Watchman query among services fingerprinted together", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `svc${i}`);
    const r = repo(names);
    const m = monitor();
    await Promise.all(names.map((n) => fp(r.svc(n), r.cache(n), m)));
    // Their records may hold different clocks of the same Watchman: one query since the oldest answers them all.
    const before = m.sent.query ?? 0;
    const again = await Promise.all(names.map((n) => fp(r.svc(n), r.cache(n), m)));
    expect(again.every((x) => x.via === "monitor")).toBe(true);
    expect((m.sent.query ?? 0) - before).toBe(1);
    expect(m.sent["watch-project"]).toBe(names.length);
  });

  it("never hands a caller an answer that predates its call", async () => {
    // Watchman's answers pass through a proxy that can hold them back: the first call's answer is computed before
    // the edit but delivered after the second call started. The second call must not take it.
    const proxy = await answerGate(wm.sockname);
    try {
      const r = repo(["api"]);
      const m = monitor(proxy.sockname);
      await fp(r.svc("api"), r.cache("api"), m);
      proxy.hold = true;
      const first = fp(r.svc("api"), r.cache("api"), m);
      await until(() => proxy.heldBytes > 0);
      fs.writeFileSync(path.join(r.svc("api"), "main.py"), "print('late edit')\n");
      const second = fp(r.svc("api"), r.cache("api"), m);
      for (let i = 0; i < 5; i++) await new Promise((res) => setImmediate(res));
      proxy.release();
      expect((await first).via).toBe("monitor");
      const got = await second;
      expect(got.via).toBe("tree");
      expect(got.digest).toBe((await fingerprintSource(r.svc("api"), { exclude: [".git/"] })).digest);
    } finally {
      proxy.close();
    }
  });

  it("treats a clock from before a Watchman restart as unknown (fresh instance)", async () => {
    const r = repo(["api"]);
    const own = startWatchman();
    try {
      const m1 = monitor(own.sockname);
      const first = await fp(r.svc("api"), r.cache("api"), m1);
      m1.close();
      own.stop();
      const again = startWatchman();
      try {
        const m2 = monitor(again.sockname);
        // Nothing changed, but the new server cannot vouch for that: read the tree (the stat cache still helps).
        const second = await fp(r.svc("api"), r.cache("api"), m2);
        expect(second.via).toBe("tree");
        expect(second.digest).toBe(first.digest);
        expect((await fp(r.svc("api"), r.cache("api"), m2)).via).toBe("monitor");
      } finally {
        again.stop();
      }
    } finally {
      own.stop();
    }
  });

  it("falls back to the tree, silently and correctly, when Watchman cannot be reached", async () => {
    const r = repo(["api"]);
    const m = monitor(path.join(os.tmpdir(), "gantry-no-such-watchman.sock"));
    const got = await fp(r.svc("api"), r.cache("api"), m);
    expect(got.via).toBe("tree");
    expect(got.digest).toBe((await fingerprintSource(r.svc("api"), { exclude: [".git/"] })).digest);
    expect(m.failure).toMatch(/ENOENT/);
    expect((await fp(r.svc("api"), r.cache("api"), m)).via).toBe("tree");
  });

  it("reads the tree of a directory Watchman refuses to watch, and keeps using Watchman for the others", async () => {
    const strict = startWatchman({ enforce_root_files: true });
    try {
      const m = monitor(strict.sockname);
      const loose = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-fpmon-loose-"));
      tmpRoots.push(loose);
      fs.writeFileSync(path.join(loose, "main.py"), "print(1)\n");
      const cache = path.join(loose + "-cache", "loose.json");
      tmpRoots.push(loose + "-cache");
      await fp(loose, cache, m);
      expect((await fp(loose, cache, m)).via).toBe("tree");
      expect(m.failure).toBeUndefined();
      const r = repo(["api"]);
      await fp(r.svc("api"), r.cache("api"), m);
      expect((await fp(r.svc("api"), r.cache("api"), m)).via).toBe("monitor");
    } finally {
      strict.stop();
    }
  });

  it("does not trust the monitor where Watchman is blind (ignore_dirs) unless the upload filter excludes that place", async () => {
    const r = repo(["api"], { ignore_dirs: ["services/api/generated"] });
    fs.mkdirSync(path.join(r.svc("api"), "generated"));
    fs.writeFileSync(path.join(r.svc("api"), "generated", "pb.py"), "A = 1\n");
    const m = monitor();
    await fp(r.svc("api"), r.cache("api"), m);
    expect((await fp(r.svc("api"), r.cache("api"), m)).via).toBe("tree");
    fs.writeFileSync(path.join(r.svc("api"), "generated", "pb.py"), "A = 2\n");
    const seen = await fp(r.svc("api"), r.cache("api"), m);
    expect(seen.digest).toBe((await fingerprintSource(r.svc("api"), { exclude: [".git/"] })).digest);

    const excluded = [".git/", "generated/"];
    await fp(r.svc("api"), r.cache("api"), m, excluded);
    expect((await fp(r.svc("api"), r.cache("api"), m, excluded)).via).toBe("monitor");
  });

  it("does not trust the monitor for an app at the watch root whose VCS directory may be uploaded", async () => {
    const r = repo([]);
    fs.mkdirSync(path.join(r.root, ".git"));
    fs.writeFileSync(path.join(r.root, "app.py"), "print(1)\n");
    const m = monitor();
    const cache = r.cache("root");
    const include = ["*.py", ".git/"];
    await fingerprintSource(r.root, { statCachePath: cache, monitor: m, include });
    expect((await fingerprintSource(r.root, { statCachePath: cache, monitor: m, include })).via).toBe("tree");
    // With .git excluded (the default descriptor) and no .hg/.svn, the root app is safe to answer from the monitor...
    await fp(r.root, cache, m);
    const quiet = await fp(r.root, cache, m);
    expect(quiet.via).toBe("monitor");
    // ...and a VCS directory appearing later (whose contents Watchman would not report) is noticed by its creation.
    fs.mkdirSync(path.join(r.root, ".hg"));
    fs.writeFileSync(path.join(r.root, ".hg", "dirstate"), "x");
    const loud = await fp(r.root, cache, m);
    expect(loud.via).toBe("tree");
    expect(loud.digest).not.toBe(quiet.digest);
    fs.writeFileSync(path.join(r.root, ".hg", "dirstate"), "y");
    expect((await fp(r.root, cache, m)).via).toBe("tree");
  });

  it("does not reuse a record made with another include/exclude filter", async () => {
    const r = repo(["api"]);
    const m = monitor();
    await fp(r.svc("api"), r.cache("api"), m);
    const other = await fp(r.svc("api"), r.cache("api"), m, [".git/", "src/"]);
    expect(other.via).toBe("tree");
    expect(other.files).toBe(2);
  });
});

describe("a program using the monitor", () => {
  it("exits on its own when done: the idle Watchman connection keeps nothing alive", async () => {
    const r = repo(["api"]);
    const script = `
      require("tsx/cjs");
      const { fingerprintSource, WatchmanMonitor } = require(${JSON.stringify(path.resolve(__dirname, "../components/pack/fingerprint/index.ts"))});
      const monitor = new WatchmanMonitor(process.argv[1]);
      (async () => {
        const opts = { statCachePath: process.argv[3], monitor, exclude: [".git/"] };
        const a = await fingerprintSource(process.argv[2], opts);
        const b = await fingerprintSource(process.argv[2], opts);
        console.log(JSON.stringify([a.via, b.via, a.digest === b.digest]));
      })();`;
    const { spawnSync } = await import("node:child_process");
    const res = spawnSync(process.execPath, ["-e", script, wm.sockname, r.svc("api"), r.cache("api")], {
      cwd: path.resolve(__dirname, ".."),
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(res.error).toBeUndefined();
    expect(res.stderr).toBe("");
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual(["tree", "monitor", true]);
  });
});

describe("defaultMonitor", () => {
  const saved = { mode: process.env.GANTRY_FSMONITOR, sock: process.env.WATCHMAN_SOCK };
  afterAll(() => {
    process.env.GANTRY_FSMONITOR = saved.mode;
    if (saved.sock === undefined) delete process.env.WATCHMAN_SOCK;
    else process.env.WATCHMAN_SOCK = saved.sock;
    resetDefaultMonitor();
  });

  it("is off with GANTRY_FSMONITOR=off, and Watchman when asked for or when WATCHMAN_SOCK is set", () => {
    process.env.GANTRY_FSMONITOR = "off";
    resetDefaultMonitor();
    expect(defaultMonitor()).toBeNull();
    process.env.GANTRY_FSMONITOR = "watchman";
    resetDefaultMonitor();
    expect(defaultMonitor()?.name).toBe("watchman");
    process.env.GANTRY_FSMONITOR = "auto";
    process.env.WATCHMAN_SOCK = wm.sockname;
    resetDefaultMonitor();
    expect(defaultMonitor()?.name).toBe("watchman");
  });

  it("with auto and no Watchman anywhere, is off", () => {
    process.env.GANTRY_FSMONITOR = "auto";
    delete process.env.WATCHMAN_SOCK;
    const savedPath = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      resetDefaultMonitor();
      expect(defaultMonitor()).toBeNull();
    } finally {
      process.env.PATH = savedPath;
    }
  });
});
