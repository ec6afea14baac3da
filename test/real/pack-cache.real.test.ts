import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cacheFor, type BuildCacheConfig } from "../../components/pack/cache";
import type { CacheSpec } from "../../components/pack/provider";
import { up, type UpResult } from "../support/pack-up";
import { startDepsServer, type DepsServer } from "../support/real/deps-server";
import { docker } from "../support/real/docker-engine";
import { crane, makeApp, realArgs, startRealPackHost, type RealPackHost } from "../support/real/real-pack";
import { describeReal } from "../support/real/tier";
import type { RealWorld } from "../support/real/world";
import { deleteManifest } from "../support/registry";

/*
 * pack's dependency cache, each way gantry:buildCache offers it (the spec cacheFor makes of that config), with the
 * real lifecycle restoring and saving it: a rebuild with unchanged dependencies fetches none of them and is faster
 * by the download it skipped; with the cache wiped it fetches them all again and is slow again. The package server
 * is paced, as an index over a real network is, so the download is a known, measurable share of a cold build.
 */

/** Each dependency takes about 4 s to download (1 MiB at 256 KiB/s), so a cold build spends about 12 s fetching. */
const DEP_BYTES = 1024 * 1024;
const DEP_SPEED = 256 * 1024;
const FETCH_MS = 3 * (DEP_BYTES / DEP_SPEED) * 1000;

interface Mode {
  name: "volume" | "bind" | "image";
  /** gantry:buildCache as a stack's config gives it. */
  config(bindRoot: string): BuildCacheConfig;
  /** Whatever a platform engineer would do to clear that cache. */
  wipe(world: RealWorld, spec: CacheSpec): Promise<void>;
  /** The cache is where it should be, outside any container. */
  present(world: RealWorld, spec: CacheSpec): boolean;
}

const modes: Mode[] = [
  {
    name: "volume",
    config: () => ({ mode: "volume" }),
    wipe: async (w, spec) => void docker(w.engine, ["volume", "rm", (spec as { name: string }).name]),
    present: (w, spec) => docker(w.engine, ["volume", "ls", "-q"]).split("\n").includes((spec as { name: string }).name),
  },
  {
    name: "bind",
    config: (bindRoot) => ({ mode: "bind", mountPath: bindRoot }),
    wipe: async (_w, spec) => {
      const dir = (spec as { source: string }).source;
      for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
    },
    present: (_w, spec) => fs.readdirSync((spec as { source: string }).source, { recursive: true }).length > 0,
  },
  {
    name: "image",
    config: () => ({ mode: "image" }),
    wipe: async (w, spec) => {
      const ref = (spec as { name: string }).name;
      const digest = crane(w, ["digest", ref]).trim();
      expect(await deleteManifest(w.registry.host, "gantry/cache-image-cache", digest)).toBe(202);
    },
    present: (w, spec) => /^sha256:/.test(crane(w, ["digest", (spec as { name: string }).name]).trim()),
  },
];

describeReal("real pack: the dependency cache survives between builds", (world) => {
  let deps: DepsServer;
  let ph: RealPackHost;
  let bindRoot: string;

  beforeAll(async () => {
    deps = await startDepsServer({ bytesPerDep: DEP_BYTES, bytesPerSecond: DEP_SPEED });
    ph = await startRealPackHost(world());
    bindRoot = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-cache-disk-"));
  });
  afterAll(async () => {
    await ph?.close();
    await deps?.close();
    if (bindRoot) fs.rmSync(bindRoot, { recursive: true, force: true });
  });

  for (const mode of modes) {
    describe(`cache mode ${mode.name}`, () => {
      const service = `cache-${mode.name}`;
      let app: string;
      let state: UpResult;
      let spec: CacheSpec;
      const took: Record<"cold" | "warm" | "wiped", number> = { cold: 0, warm: 0, wiped: 0 };
      const fetched = () => deps.requests().filter((r) => r.path.startsWith(`/${mode.name}-`)).length;
      const edit = (text: string) => fs.writeFileSync(path.join(app, "public", "index.html"), text);
      const build = async (kind: keyof typeof took) => {
        const t0 = performance.now();
        state = await up(ph.host, service, realArgs(world(), ph, service, app, { buildEnv: { DEPS_URL: deps.url }, cache: spec }), state);
        took[kind] = performance.now() - t0;
        return fs.readFileSync(String(state.outputs.logPath), "utf8");
      };

      beforeAll(() => {
        app = makeApp({ deps: [`${mode.name}-torch==2.5.1`, `${mode.name}-numpy==2.1.0`, `${mode.name}-pandas==2.2.3`] });
        spec = cacheFor(mode.config(bindRoot), service, `${world().registry.host}/gantry`);
        expect(spec.format).toBe(mode.name);
        if (spec.format === "bind") fs.mkdirSync(spec.source, { recursive: true });
      });
      afterAll(() => {
        if (app) fs.rmSync(app, { recursive: true, force: true });
      });

      it("a cold build fetches every dependency and leaves the cache behind", async () => {
        const log = await build("cold");
        expect(state.step).toBe("create");
        expect(fetched()).toBe(3);
        expect(log).toContain(`Fetching ${mode.name}-torch==2.5.1`);
        expect(mode.present(world(), spec)).toBe(true);
      });

      it("a rebuild with unchanged dependencies restores them from the cache and fetches none", async () => {
        edit("warm\n");
        const log = await build("warm");
        expect(state.step).toBe("update");
        expect(state.outputs.lastOperation).toBe("build");
        expect(fetched()).toBe(3);
        expect(log).toContain("Reusing 3 cached dependencies");
        expect(log).not.toContain("Fetching");
        // Measurably faster: by at least half the download the cache saved (the rest is slack for a busy machine).
        expect(took.cold - took.warm, `cold ${Math.round(took.cold)} ms, warm ${Math.round(took.warm)} ms`).toBeGreaterThan(FETCH_MS / 2);
      });

      it("with the cache wiped, the rebuild takes the slow path again", async () => {
        await mode.wipe(world(), spec);
        edit("cold again\n");
        const log = await build("wiped");
        expect(fetched()).toBe(6);
        expect(log).toContain(`Fetching ${mode.name}-pandas==2.2.3`);
        expect(took.wiped - took.warm, `wiped ${Math.round(took.wiped)} ms, warm ${Math.round(took.warm)} ms`).toBeGreaterThan(FETCH_MS / 2);
      });
    });
  }
});
