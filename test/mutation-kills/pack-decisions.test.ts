// What the pack provider decides and what it hands the builder, one behaviour per case. Every call is made inside a
// test (not at collection time), and expected values are written out, never computed with the function under test.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyUploadSet, creatorArgs, groupBuildpacks, platformEnv, rebaserArgs } from "../../components/pack/engines/lifecycle";
import { builderIsTrusted, cacheArgs, packBuildArgs, packRebaseArgs, parseBuildpacks } from "../../components/pack/engines/pack";
import { formatDuration, imageTag, phaseOf, planChange, splitImageRef, parseDigest } from "../../components/pack/provider";
import { BUILDER, plainPackInputs, REPO, RUN_IMAGE } from "../support/pack-inputs";
import { removeTempTrees, tempDir, tempTree as tree, withSocket } from "./temp-tree";

const D1 = `sha256:${"ab".repeat(32)}`;
const D2 = `sha256:${"cd".repeat(32)}`;

describe("planChange: what makes a build", () => {
  it.each([
    ["source", { source: "sha256:bbb" }],
    ["builder", { builder: `gcr.io/buildpacks/builder@sha256:${"3".repeat(64)}` }],
    ["projectToml", { projectToml: "[_]\nschema-version = \"0.2\"\n" }],
    ["defaultProcess", { defaultProcess: "worker" }],
  ])("builds when %s changes, naming it", (reason, change) => {
    expect(planChange(plainPackInputs(), plainPackInputs(change))).toEqual({ action: "build", reasons: [reason] });
  });

  it("builds when a secret build env name is added, removed or renamed", () => {
    expect(planChange(plainPackInputs({ secretEnv: [] }), plainPackInputs({ secretEnv: ["NPM_TOKEN"] }))).toEqual({ action: "build", reasons: ["secretEnv"] });
    expect(planChange(plainPackInputs({ secretEnv: ["NPM_TOKEN"] }), plainPackInputs({ secretEnv: [] }))).toEqual({ action: "build", reasons: ["secretEnv"] });
    expect(planChange(plainPackInputs({ secretEnv: ["NPM_TOKEN"] }), plainPackInputs({ secretEnv: ["PIP_TOKEN"] }))).toEqual({ action: "build", reasons: ["secretEnv"] });
    // Two names are not their concatenation.
    expect(planChange(plainPackInputs({ secretEnv: ["AB"] }), plainPackInputs({ secretEnv: ["A", "B"] }))).toEqual({ action: "build", reasons: ["secretEnv"] });
  });

  it("builds when an env value changes under the same keys, or a key is renamed with the same value", () => {
    expect(planChange(plainPackInputs({ env: { BP_LOG_LEVEL: "INFO" } }), plainPackInputs({ env: { BP_LOG_LEVEL: "DEBUG" } }))).toEqual({ action: "build", reasons: ["env"] });
    expect(planChange(plainPackInputs({ env: { A: "1" } }), plainPackInputs({ env: { B: "1" } }))).toEqual({ action: "build", reasons: ["env"] });
    expect(planChange(plainPackInputs({ env: { A: "1", B: "2" } }), plainPackInputs({ env: { A: "2", B: "1" } }))).toEqual({ action: "build", reasons: ["env"] });
  });

  it("names every reason, in a fixed order", () => {
    expect(planChange(plainPackInputs(), plainPackInputs({ defaultProcess: "web", source: "s2", secretEnv: ["T"], env: { A: "1" } }))).toEqual({
      action: "build",
      reasons: ["source", "env", "secretEnv", "defaultProcess"],
    });
  });

  it("does nothing when env holds the same entries in another order", () => {
    const orders = [{ C: "3", A: "1", B: "2" }, { B: "2", C: "3", A: "1" }, { A: "1", B: "2", C: "3" }, { C: "3", B: "2", A: "1" }];
    for (const a of orders) for (const b of orders) expect(planChange(plainPackInputs({ env: a }), plainPackInputs({ env: b }))).toEqual({ action: "none", reasons: [] });
  });

  it("counts an entry that is undefined as absent", () => {
    const olds = plainPackInputs({ env: { A: "1", B: undefined as unknown as string } });
    expect(planChange(olds, plainPackInputs({ env: { A: "1" } }))).toEqual({ action: "none", reasons: [] });
  });

  it("does nothing for tags, cache, timeouts, paths or logs", () => {
    const news = plainPackInputs({ tags: ["abc"], cache: { format: "bind", source: "/c" }, timeoutSeconds: 5, path: "/elsewhere", logDir: "/l", maxParallelBuilds: 8 });
    expect(planChange(plainPackInputs(), news)).toEqual({ action: "none", reasons: [] });
  });
});

describe("planChange: rebase and replace", () => {
  it("rebases when only the run image changed", () => {
    expect(planChange(plainPackInputs(), plainPackInputs({ runImage: `r/run@${D2}` }))).toEqual({ action: "rebase", reasons: ["runImage"] });
  });

  it("replaces on a new repository, before looking at anything else", () => {
    expect(planChange(plainPackInputs(), plainPackInputs({ repository: "r/other", runImage: "x" }))).toEqual({ action: "replace", reasons: ["repository"] });
  });

  it("builds (does not replace) when there was no previous repository", () => {
    expect(planChange({}, plainPackInputs())).toEqual({ action: "build", reasons: ["source", "builder", "env", "secretEnv", "projectToml", "defaultProcess"] });
    const { repository: _gone, ...withoutRepository } = plainPackInputs();
    expect(planChange(withoutRepository, plainPackInputs({ repository: "r/new" }))).toEqual({ action: "none", reasons: [] });
  });
});

describe("phases, tags, durations and image references", () => {
  it("reads a phase header only when the whole line is one", () => {
    expect(phaseOf("===> DETECTING")).toBe("DETECTING");
    expect(phaseOf("[creator] ===> EXPORTING   ")).toBe("EXPORTING");
    expect(phaseOf("[analyzer] ===> ANALYZING\t")).toBe("ANALYZING");
    expect(phaseOf("x ===> BUILDING")).toBeUndefined();
    expect(phaseOf("===> BUILDING now")).toBeUndefined();
    expect(phaseOf("===> BUILDING.")).toBeUndefined();
  });

  it("tags an image by fingerprint and run image, 16 hex digits after g-", () => {
    const tag = imageTag("sha256:fff", "r1");
    // Pinned: a different derivation would move every image to a new tag. (printf 'sha256:fff\nr1' | sha256sum)
    expect(tag).toBe("g-c42ceff0ce99129c");
    expect(imageTag("sha256:ffe", "r1")).not.toBe(tag);
    expect(imageTag("sha256:fff", "r2")).not.toBe(tag);
  });

  it("writes whole hours and minutes as such", () => {
    expect(formatDuration(3600)).toBe("1h");
    expect(formatDuration(7200)).toBe("2h");
    expect(formatDuration(1800)).toBe("30m");
    expect(formatDuration(60)).toBe("1m");
    expect(formatDuration(3660)).toBe("61m");
    expect(formatDuration(90)).toBe("90s");
    expect(formatDuration(3601)).toBe("3601s");
  });

  it("splits registry, name and digest, and refuses anything but a digest reference", () => {
    const hex = "0123456789abcdef".repeat(4);
    expect(splitImageRef(`localhost:5000/acme/api@sha256:${hex}`)).toEqual({ host: "localhost:5000", name: "acme/api", digest: `sha256:${hex}` });
    expect(splitImageRef(`${REPO}@sha256:${hex}`)).toEqual({ host: "europe-west1-docker.pkg.dev", name: "acme/services/api", digest: `sha256:${hex}` });
    expect(splitImageRef(`api@sha256:${hex}`)).toBeUndefined();
    expect(splitImageRef(`r/api@sha256:${hex.slice(1)}`)).toBeUndefined();
    expect(splitImageRef(`r/api@sha256:${hex}0`)).toBeUndefined();
    expect(splitImageRef(`r/api@sha256:${hex.toUpperCase()}`)).toBeUndefined();
    expect(splitImageRef(`r/api:v1@sha256:${hex}x`)).toBeUndefined();
    expect(splitImageRef(`/r/api@sha256:${hex}`)).toBeUndefined();
    expect(splitImageRef(`x r/api@sha256:${hex}`)).toEqual({ host: "x r", name: "api", digest: `sha256:${hex}` });
  });
});

describe("pack build and rebase arguments", () => {
  const ctx = { tag: "g-1", descriptorFile: "/w/project.toml", reportDir: "/w/report", sbomDir: "/l/sbom" };
  const base = [
    "build", `${REPO}:g-1`, "--builder", BUILDER, "--run-image", RUN_IMAGE, "--publish", "--path", "/src/api",
    "--descriptor", "/w/project.toml", "--report-output-dir", "/w/report", "--sbom-output-dir", "/l/sbom", "--pull-policy", "if-not-present",
  ];

  it("is exactly the base arguments when nothing optional is set", () => {
    expect(packBuildArgs(plainPackInputs(), ctx)).toEqual([...base, "--no-color"]);
  });

  it("adds the process, sorted env with values, sorted secret names, the cache, tags, trust and network in that order", () => {
    const secretEnv = ["Z_TOKEN", "A_TOKEN"];
    const inputs = plainPackInputs({
      defaultProcess: "web",
      env: { ZED: "1", ALPHA: "2", MID: "3" },
      secretEnv,
      cache: { format: "bind", source: "/c" },
      tags: ["abc", "def"],
      trustBuilder: true,
      trustedBuilders: ["gcr.io/buildpacks/builder"],
      network: "host",
    });
    expect(packBuildArgs(inputs, ctx)).toEqual([
      ...base,
      "--default-process", "web",
      "--env", "ALPHA=2", "--env", "MID=3", "--env", "ZED=1",
      "--env", "A_TOKEN", "--env", "Z_TOKEN",
      "--cache", "type=build;format=bind;source=/c",
      "--tag", `${REPO}:abc`, "--tag", `${REPO}:def`,
      "--trust-builder",
      "--network", "host",
      "--no-color",
    ]);
    // Sorting is of a copy: the inputs Pulumi keeps are not reordered.
    expect(secretEnv).toEqual(["Z_TOKEN", "A_TOKEN"]);
  });

  it("passes the lifecycle image only to an untrusted builder", () => {
    const lifecycleImage = `buildpacksio/lifecycle@${D1}`;
    expect(packBuildArgs(plainPackInputs({ lifecycleImage }), ctx)).toEqual([...base, "--lifecycle-image", lifecycleImage, "--no-color"]);
    const trusted = plainPackInputs({ lifecycleImage, trustBuilder: true, trustedBuilders: ["gcr.io/buildpacks/builder"] });
    expect(packBuildArgs(trusted, ctx)).toEqual([...base, "--trust-builder", "--no-color"]);
    // Asked to trust, but not on the allow-list: runs untrusted, with the pinned lifecycle.
    expect(packBuildArgs(plainPackInputs({ lifecycleImage, trustBuilder: true, trustedBuilders: ["other/builder"] }), ctx)).toEqual([...base, "--lifecycle-image", lifecycleImage, "--no-color"]);
  });

  it("rebases in the registry with the previous image and the run image", () => {
    expect(packRebaseArgs(plainPackInputs(), { tag: "g-2", previousImage: `${REPO}@${D1}`, reportDir: "/r" })).toEqual([
      "rebase", `${REPO}:g-2`, "--previous-image", `${REPO}@${D1}`, "--run-image", RUN_IMAGE, "--publish", "--report-output-dir", "/r", "--pull-policy", "if-not-present", "--no-color",
    ]);
  });

  it("maps each cache to pack's grammar, and an unnamed volume to pack's default", () => {
    expect(cacheArgs({ format: "volume" })).toEqual([]);
    expect(cacheArgs({ format: "volume", name: "v" })).toEqual(["--cache", "type=build;format=volume;name=v"]);
    expect(cacheArgs({ format: "image", name: "r/c" })).toEqual(["--cache-image", "r/c"]);
  });
});

describe("trusted builders", () => {
  it("matches the repository of a tagged or pinned builder, or the exact reference", () => {
    expect(builderIsTrusted(`builder@${D1}`, ["builder"])).toBe(true);
    expect(builderIsTrusted("builder:v1", ["builder"])).toBe(true);
    expect(builderIsTrusted("builder", ["builder"])).toBe(true);
    expect(builderIsTrusted("localhost:5000/b", ["localhost:5000/b"])).toBe(true);
    expect(builderIsTrusted("localhost:5000/b:v1", ["localhost:5000/b:v1"])).toBe(true);
    expect(builderIsTrusted("localhost:5000/b:v1", ["localhost:5000/b:v2"])).toBe(false);
    expect(builderIsTrusted("localhost:5000/b", ["localhost"])).toBe(false);
  });

  it("takes any entry of the allow-list, and none of an empty one", () => {
    expect(builderIsTrusted("r/b:v1", ["r/a", "r/b", "r/c"])).toBe(true);
    expect(builderIsTrusted("r/b:v1", [])).toBe(false);
    expect(builderIsTrusted("r/bb:v1", ["r/b"])).toBe(false);
  });
});

describe("reading pack's output", () => {
  it("takes report.toml's image digest, indented or not, not a key that ends in digest", () => {
    expect(parseDigest(`[image]\n  digest = "${D1}"\n`, "")).toBe(D1);
    expect(parseDigest(`[image]\ndigest="${D1}"\n`, "")).toBe(D1);
    expect(parseDigest(`[image]\nconfig-digest = "${D2}"\ndigest = "${D1}"\n`, "")).toBe(D1);
    expect(parseDigest(`[image]\n  run-digest = "${D2}"\n  digest = "${D1}"\n`, "")).toBe(D1);
  });

  it("prefers the report over the output, then the exporter line over the rebase line", () => {
    expect(parseDigest(`digest = "${D1}"`, `*** Images (${D2}):`)).toBe(D1);
    expect(parseDigest(undefined, `*** Images (${D1}):\nRebased Image: 'r/api@${D2}'`)).toBe(D1);
    expect(parseDigest("", `Rebased Image: 'r/api:g-1@${D2}'\n`)).toBe(D2);
  });

  it("reads nothing from a short or malformed digest", () => {
    expect(parseDigest(undefined, "Rebased Image: 'r/api@sha256:abc'")).toBeUndefined();
    expect(parseDigest(undefined, `Rebased Image: '@${D1}'`)).toBe(D1);
    expect(parseDigest(undefined, `Rebased Image: 'r/api@sha256:${"AB".repeat(32)}'`)).toBeUndefined();
    expect(parseDigest(undefined, "")).toBeUndefined();
  });

  it("lists buildpacks from the DETECTING phase only, once each, with CRLF and prefixes", () => {
    const out = [
      "early.bp 9.9.9",
      "===> DETECTING",
      "[detector] google.python.runtime   0.9.1\r",
      "[detector] google.python.pip@0.10.0",
      "[detector] google.python.runtime 0.9.1",
      "[detector] 3 of 5 buildpacks participating",
      "[detector] google.utils.label 1",
      "[detector] paketo-buildpacks/node 12.3.4-rc.1 extra",
      "[detector] paketo-buildpacks/go-dist 2.10.3",
      "[detector] paketo-buildpacks/nodejs 12.10.1",
      "===> ANALYZING",
      "late.bp 1.0.0",
    ].join("\n");
    expect(parseBuildpacks(out)).toEqual([
      { id: "google.python.runtime", version: "0.9.1" },
      { id: "google.python.pip", version: "0.10.0" },
      { id: "paketo-buildpacks/go-dist", version: "2.10.3" },
      { id: "paketo-buildpacks/nodejs", version: "12.10.1" },
    ]);
  });

  it("lists nothing when there is no DETECTING phase", () => {
    expect(parseBuildpacks("google.python.runtime 0.9.1\n===> BUILDING\ngoogle.python.pip 0.9.2")).toEqual([]);
  });
});

describe("the lifecycle engine's arguments and env", () => {
  const paths = { tag: "g-1", appDir: "/workspace", layersDir: "/layers", platformDir: "/p", reportPath: "/r/report.toml" };

  it("creates with no cache flag for a volume, no process, no tags and no user unless given", () => {
    expect(creatorArgs(plainPackInputs(), paths)).toEqual([
      "-app", "/workspace", "-layers", "/layers", "-platform", "/p", "-run-image", RUN_IMAGE, "-report", "/r/report.toml",
      "-log-level", "info", "-no-color", `${REPO}:g-1`,
    ]);
  });

  it("drops to the builder's user when given one", () => {
    expect(creatorArgs(plainPackInputs({ tags: ["t"] }), { ...paths, user: { uid: "1000", gid: "1001" } })).toEqual([
      "-app", "/workspace", "-layers", "/layers", "-platform", "/p", "-run-image", RUN_IMAGE, "-report", "/r/report.toml",
      "-tag", `${REPO}:t`, "-uid", "1000", "-gid", "1001", "-log-level", "info", "-no-color", `${REPO}:g-1`,
    ]);
    expect(rebaserArgs(plainPackInputs(), { tag: "g-2", previousImage: "p", reportPath: "/r", user: { uid: "1000", gid: "1001" } })).toEqual([
      "-run-image", RUN_IMAGE, "-previous-image", "p", "-report", "/r", "-force", "-uid", "1000", "-gid", "1001", "-log-level", "info", "-no-color", `${REPO}:g-2`,
    ]);
  });

  it("writes the plain env over the build env, and every missing secret by name", () => {
    const inputs = plainPackInputs({ buildEnv: { A: "build", B: "build" }, env: { A: "plain" }, secretEnv: ["S1", "S2", "S3"] });
    // An empty value is set (the user exported it empty); only an unset one is missing.
    expect(platformEnv(inputs, { S2: "two", S1: "" })).toEqual({ files: { A: "plain", B: "build", S1: "", S2: "two" }, missing: ["S3"] });
  });
});

describe("the detected group", () => {
  it("reads indented headers and keys, with or without spaces around =", () => {
    const toml = '  [[group]]  \n    id="a.b"\n    version="1.2.3"\n\n[[group]]\n  id = "c.d"\n  version = "4.5"\n';
    expect(groupBuildpacks(toml)).toEqual([
      { id: "a.b", version: "1.2.3" },
      { id: "c.d", version: "4.5" },
    ]);
  });

  it("ignores what comes before the first [[group]]", () => {
    expect(groupBuildpacks('id = "not.a.group"\nversion = "0.1"\n[[group]]\n  id = "a"\n  version = "1"\n')).toEqual([{ id: "a", version: "1" }]);
  });

  it("skips a block without an id or a version, and keys that only end in id or version", () => {
    const toml = '[[group]]\n  id = "only.id"\n[[group]]\n  version = "1.0"\n[[group]]\n  api-version = "0.8"\n  sbom-id = "x"\n  id = "e.f"\n  version = "2.0"\n';
    expect(groupBuildpacks(toml)).toEqual([{ id: "e.f", version: "2.0" }]);
  });
});

describe("the upload set the lifecycle engine copies", () => {
  afterAll(removeTempTrees);
  const ignoreModule = require.resolve("ignore");

  function listing(dir: string): string[] {
    return (fs.readdirSync(dir, { recursive: true }) as string[]).map((r) => r.split(path.sep).join("/")).sort();
  }

  function copy(src: string, upload: { include?: string[]; exclude?: string[] }): { dest: string; count: number } {
    const dest = tempDir();
    return { dest, count: copyUploadSet(src, dest, upload, ignoreModule) };
  }

  it("returns how many files it copied", () => {
    const { count } = copy(tree(["a", "b/c", "b/d/e"]), {});
    expect(count).toBe(3);
  });

  it("makes no folder for what an exclude or include leaves out", () => {
    const src = tree(["main.py", "src/app.py", "tests/t.py"]);
    expect(listing(copy(src, { exclude: ["tests/"] }).dest)).toEqual(["main.py", "src", "src/app.py"]);
    expect(listing(copy(src, { include: ["src/"] }).dest)).toEqual(["src", "src/app.py"]);
  });

  it("makes a folder an include names below one it does not, and an empty one it names", () => {
    const src = tree(["src/util/x.py", "src/other.py"], ["empty"]);
    expect(listing(copy(src, { include: ["util/", "empty/"] }).dest)).toEqual(["empty", "src", "src/util", "src/util/x.py"]);
  });

  it("applies a folder-only pattern to folders, not to a file of that name", () => {
    const src = tree(["out", "build/x"]);
    expect(listing(copy(src, { exclude: ["out/", "build/"] }).dest)).toEqual(["out"]);
  });

  it("matches case-sensitively, as the fingerprint does", () => {
    const src = tree(["a.log", "B.LOG"]);
    expect(listing(copy(src, { exclude: ["*.LOG"] }).dest)).toEqual(["a.log"]);
  });

  it("leaves special files out", async () => {
    const src = tree(["main.py"]);
    const { dest, count } = await withSocket(path.join(src, "app.sock"), () => copy(src, {}));
    expect(listing(dest)).toEqual(["main.py"]);
    expect(count).toBe(1);
  });
});
