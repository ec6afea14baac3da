import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { builderUserProblem, copyUploadSet, creatorArgs, groupBuildpacks, lifecycleEngine, platformEnv, rebaserArgs } from "../../components/pack/engines/lifecycle";
import { listUploadSet } from "../../components/pack/fingerprint/walk";
import { packInputs } from "../support/pack-inputs";

/*
 * The lifecycle engine's own decisions, without a lifecycle: its arguments, the platform env it writes, the buildpacks
 * it reads back, and the upload set it copies. The engine runs for real in test/real/lifecycle-engine.real.test.ts.
 */

const inputs = packInputs({
  env: { BP_LOG_LEVEL: "DEBUG" },
  defaultProcess: "worker",
  trustedBuilders: [],
  engine: "lifecycle",
  buildEnv: { GOOGLE_PYTHON_VERSION: "3.12" },
  uploadFilterModule: require.resolve("ignore"),
});

const paths = { tag: "g-1", appDir: "/workspace", layersDir: "/layers", platformDir: "/s/platform", reportPath: "/s/report/report.toml" };

describe("creator arguments", () => {
  it("publish the tag with the pinned run image, the default process, extra tags and the cache folder", () => {
    expect(creatorArgs(inputs, paths)).toEqual([
      "-app", "/workspace", "-layers", "/layers", "-platform", "/s/platform",
      "-run-image", inputs.runImage, "-report", "/s/report/report.toml",
      "-cache-dir", "/var/cache/pack/api",
      "-process-type", "worker",
      "-tag", `${inputs.repository}:3f2a9c1`,
      "-log-level", "info", "-no-color", `${inputs.repository}:g-1`,
    ]);
  });

  it("use a cache image when the cache is one, and drop to the builder's user only when asked", () => {
    const args = creatorArgs({ ...inputs, cache: { format: "image", name: "r/api-cache" }, defaultProcess: "", tags: [] }, { ...paths, user: { uid: "1000", gid: "1001" } });
    expect(args.join(" ")).toContain("-cache-image r/api-cache");
    expect(args).not.toContain("-cache-dir");
    expect(args).not.toContain("-process-type");
    expect(args.join(" ")).toContain("-uid 1000 -gid 1001");
    expect(args.at(-1)).toBe(`${inputs.repository}:g-1`);
  });
});

describe("rebaser arguments", () => {
  it("rebase the previous image by digest onto the pinned run image, in the registry", () => {
    const previousImage = `${inputs.repository}@sha256:${"9".repeat(64)}`;
    expect(rebaserArgs(inputs, { tag: "g-2", previousImage, reportPath: "/r/report.toml" })).toEqual([
      "-run-image", inputs.runImage, "-previous-image", previousImage, "-report", "/r/report.toml", "-force",
      "-log-level", "info", "-no-color", `${inputs.repository}:g-2`,
    ]);
  });
});

describe("platform env", () => {
  it("holds project.toml's build env, the plain env over it, and secret values read from the environment", () => {
    const env = platformEnv({ ...inputs, env: { GOOGLE_PYTHON_VERSION: "3.13", BP_LOG_LEVEL: "DEBUG" } }, { PIP_INDEX_TOKEN: "t0ken", OTHER: "x" });
    expect(env).toEqual({ files: { GOOGLE_PYTHON_VERSION: "3.13", BP_LOG_LEVEL: "DEBUG", PIP_INDEX_TOKEN: "t0ken" }, missing: [] });
  });

  it("names a secret that is not set instead of building without it", () => {
    expect(platformEnv(inputs, {}).missing).toEqual(["PIP_INDEX_TOKEN"]);
  });
});

describe("the detected group", () => {
  it("is read from group.toml in order", () => {
    const toml = '[[group]]\n  id = "google.python.runtime"\n  version = "0.9.1"\n  api = "0.8"\n\n[[group]]\n  id = "google.config.entrypoint"\n  version = "0.9.0"\n';
    expect(groupBuildpacks(toml)).toEqual([
      { id: "google.python.runtime", version: "0.9.1" },
      { id: "google.config.entrypoint", version: "0.9.0" },
    ]);
    expect(groupBuildpacks("")).toEqual([]);
  });
});

describe("the upload set the lifecycle engine copies", () => {
  function tree(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-upload-"));
    const files = ["main.py", "requirements.txt", "service.yaml", "src/app.py", "src/util/x.py", "tests/test_x.py", "tests/data/a.json", ".git/HEAD", "build/out.txt", "docs/readme.md", "logs/today.log"];
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), f);
    }
    fs.chmodSync(path.join(dir, "main.py"), 0o755);
    fs.symlinkSync("src/app.py", path.join(dir, "app-link.py"));
    fs.mkdirSync(path.join(dir, "empty"));
    return dir;
  }

  function copied(dir: string): Array<{ type: string; path: string }> {
    const out: Array<{ type: string; path: string }> = [];
    for (const rel of (fs.readdirSync(dir, { recursive: true }) as string[]).sort()) {
      const st = fs.lstatSync(path.join(dir, rel));
      out.push({ type: st.isSymbolicLink() ? "symlink" : st.isDirectory() ? "dir" : "file", path: rel.split(path.sep).join("/") });
    }
    return out;
  }

  const cases: Array<{ include?: string[]; exclude?: string[] }> = [
    { exclude: [".git/", "/service.yaml"] },
    { exclude: [".git/", "/service.yaml", "tests/", "*.log", "build"] },
    { include: ["src/", "main.py", "requirements.txt"] },
    { include: ["**/*.py"] },
    {},
  ];
  for (const upload of cases) {
    it(`is exactly the fingerprint's upload set for ${JSON.stringify(upload)}`, () => {
      const src = tree();
      const dest = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-app-"));
      copyUploadSet(src, dest, upload, require.resolve("ignore"));
      const expected = listUploadSet(src, upload).map((e) => ({ type: e.type, path: e.path }));
      // Folders the walk keeps empty are made too; in include mode the walk lists only folders a pattern names.
      const got = copied(dest).filter((e) => e.type !== "dir" || expected.some((x) => x.path === e.path));
      expect(got).toEqual([...expected].sort((a, b) => (a.path < b.path ? -1 : 1)));
      // Modes and links arrive as they are: an executable stays one, a symlink stays a link to the same text.
      if (expected.some((e) => e.path === "main.py")) expect(fs.statSync(path.join(dest, "main.py")).mode & 0o777).toBe(0o755);
      if (expected.some((e) => e.path === "app-link.py")) expect(fs.readlinkSync(path.join(dest, "app-link.py"))).toBe("src/app.py");
    });
  }
});

describe("a lifecycle build that cannot start", () => {
  const ctx = (over: Partial<typeof inputs> = {}) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-lc-"));
    const ran: string[][] = [];
    return {
      ran,
      ctx: {
        inputs: { ...inputs, ...over },
        tag: "g-1",
        dir,
        reportDir: dir,
        sbomDir: dir,
        read: () => undefined,
        run: async (command: string, args: string[]) => {
          ran.push([command, ...args]);
          return { code: 0, signal: null, timedOut: false, output: "", tail: [] };
        },
      },
    };
  };

  it("says where it must run when the builder's /workspace and /layers are not here, and runs nothing", async () => {
    const before = { app: process.env.CNB_APP_DIR, layers: process.env.CNB_LAYERS_DIR };
    process.env.CNB_APP_DIR = "/nonexistent/workspace";
    process.env.CNB_LAYERS_DIR = "/nonexistent/layers";
    try {
      const c = ctx({ secretEnv: [] });
      const outcome = await lifecycleEngine().build(c.ctx);
      expect(outcome.run.code).toBe(1);
      expect(outcome.run.tail.join("\n")).toMatch(/\/nonexistent\/workspace and \/nonexistent\/layers not found: the lifecycle engine runs inside the builder image/);
      expect(c.ran).toEqual([]);
    } finally {
      for (const [k, v] of [["CNB_APP_DIR", before.app], ["CNB_LAYERS_DIR", before.layers]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it("names a secret build env that is not set, and runs nothing", async () => {
    const c = ctx({ secretEnv: ["GANTRY_TEST_UNSET_SECRET"] });
    delete process.env.GANTRY_TEST_UNSET_SECRET;
    const outcome = await lifecycleEngine().build(c.ctx);
    expect(outcome.run.tail).toEqual(["secret build env GANTRY_TEST_UNSET_SECRET is not set where pulumi up runs"]);
    expect(c.ran).toEqual([]);
  });

  it("says so when it runs as neither root nor the builder's user, who owns /workspace and /layers", () => {
    expect(builderUserProblem(1001, { CNB_USER_ID: "1000" })).toBe(
      "running as uid 1001, but the builder's user is CNB_USER_ID=1000, who owns /workspace and /layers: run the build container as that user (runAsUser in the pod template)",
    );
    expect(builderUserProblem(1000, { CNB_USER_ID: "1000" })).toBeUndefined();
    // Root drops to the builder's user; a builder that names no user leaves nothing to compare.
    expect(builderUserProblem(0, { CNB_USER_ID: "1000" })).toBeUndefined();
    expect(builderUserProblem(1001, {})).toBeUndefined();
  });

  it("refuses a Docker volume cache at check time", () => {
    expect(lifecycleEngine().check({ ...inputs, cache: { format: "volume", name: "v" } })).toEqual([
      { property: "cache", reason: expect.stringContaining("the lifecycle engine has no Docker volumes") },
    ]);
    expect(lifecycleEngine().check(inputs)).toEqual([]);
  });
});
