// What migrate tells the user about the Dockerfile's build beyond what buildpacks do (build-steps.ts): OS packages,
// packages installed by name, package scripts, custom commands and copied files. Hand-made contexts, hand-written
// expectations.
import { describe, expect, it } from "vitest";
import { compareBuildSteps } from "../../migrate/build-steps";
import type { RunCommand } from "../../migrate/run-steps";
import type { Check, CompareContext } from "../../migrate/types";

interface Copy {
  stage?: number;
  line?: number;
  keyword?: "COPY" | "ADD";
  from?: string | null;
  sources: string[];
  dest: string;
}

interface Opts {
  runs?: Partial<RunCommand>[];
  imageStages?: number[];
  language?: string | null;
  family?: string;
  requirements?: { names: string[]; file: string | null };
  packageJson?: { scripts?: Record<string, string>; dependencies?: string[] } | null;
  copies?: Copy[];
  workdir?: string;
  entrypoint?: string;
  cmd?: string;
  stages?: { name: string | null }[];
}

function ctx(o: Opts): CompareContext {
  const runs = (o.runs ?? []).map((r) => ({ stage: 0, line: 5, text: "x", ...r })) as RunCommand[];
  const pj = o.packageJson === undefined ? null : o.packageJson && { scripts: o.packageJson.scripts ?? {}, engines: null, dependencies: new Set(o.packageJson.dependencies ?? []) };
  return {
    service: { sourceDir: "/repo/app", spec: { source: "./app" } },
    builder: { family: o.family ?? "google" },
    docker: { context: "/repo" },
    parsed: {
      stages: (o.stages ?? [{ name: null }]).map((s, index) => ({ index, name: s.name })),
      config: { workdir: o.workdir ?? "/app", entrypoint: o.entrypoint ? { text: o.entrypoint } : null, cmd: o.cmd ? { text: o.cmd } : null },
      copies: (o.copies ?? []).map((c) => ({ stage: 0, line: 8, keyword: "COPY", from: null, ...c })),
    },
    detected: { language: o.language === undefined ? "python" : o.language },
    facts: { pythonDeps: { names: new Set(o.requirements?.names ?? []), file: o.requirements?.file ?? null }, packageJson: pj },
    runs,
    imageStages: new Set(o.imageStages ?? [0]),
  } as unknown as CompareContext;
}

const checks = (o: Opts): Check[] => compareBuildSteps(ctx(o)).checks;
const texts = (o: Opts): string[] => checks(o).map((c) => c.text);

const RUNTIME_NOTE = ": a language runtime or its package manager, which the builder installs itself (its runtime buildpacks), at the version the app pins";
const FINE_NOTE = ": nothing to carry over (the builder's images have compilers, certificates and time zones, and its launcher stands in for an init)";

describe("OS packages", () => {
  it("a package no builder image has is a blocker: a custom run image when it is in the image", () => {
    expect(checks({ runs: [{ kind: "system-packages", manager: "apt-get", packages: ["ffmpeg"], line: 4 }] })).toEqual([
      { aspect: "packages", kind: "blocker", line: 4, text: "ffmpeg (apt-get install): buildpacks install no OS packages and the builder's run image does not have it, so this needs a custom run image" },
    ]);
  });

  it("installed in a build stage, it needs a custom build image", () => {
    expect(texts({ imageStages: [1], runs: [{ kind: "system-packages", manager: "apk", packages: ["ffmpeg"], stage: 0 }] })).toEqual([
      "ffmpeg (apk install): buildpacks install no OS packages and the builder's build image does not have it, so this needs a custom build image",
    ]);
  });

  it("names the way out where there is one", () => {
    expect(texts({ runs: [{ kind: "system-packages", manager: "apt-get", packages: ["libpq-dev"] }] })).toEqual([
      "libpq-dev (apt-get install): buildpacks install no OS packages and the builder's run image does not have it, so this needs a custom run image; or drop it: psycopg2-binary (or psycopg[binary]), which bundles libpq, needs neither",
    ]);
  });

  it("language runtimes and packages the images have are one note each, each name once, after the blockers", () => {
    const runs: Partial<RunCommand>[] = [
      { kind: "system-packages", manager: "apt-get", packages: ["python3", "gcc", "tzdata"] },
      { kind: "system-packages", manager: "apt-get", packages: ["python3", "nodejs", "gcc", "ffmpeg"], line: 6 },
    ];
    expect(checks({ runs })).toEqual([
      { aspect: "packages", kind: "blocker", line: 6, text: "ffmpeg (apt-get install): buildpacks install no OS packages and the builder's run image does not have it, so this needs a custom run image" },
      { aspect: "packages", kind: "note", text: `python3, nodejs${RUNTIME_NOTE}` },
      { aspect: "packages", kind: "note", text: `gcc, tzdata${FINE_NOTE}` },
    ]);
  });

  it("a package harmless only in the image needs an image when a build stage installs it", () => {
    expect(texts({ imageStages: [1], runs: [{ kind: "system-packages", manager: "apt-get", packages: ["tzdata"] }] })).toEqual([
      "tzdata (apt-get install): buildpacks install no OS packages and the builder's build image does not have it, so this needs a custom build image",
    ]);
  });

  it("only system-package commands are read as OS packages", () => {
    expect(checks({ runs: [{ kind: "housekeeping", packages: ["ffmpeg"] }, { kind: "system-packages", manager: "apt-get" }] })).toEqual([]);
  });
});

describe("packages installed by name", () => {
  it("a Python package the requirements do not list is a step naming the file", () => {
    expect(checks({ runs: [{ kind: "python-packages", packages: ["gunicorn==21.2", "Flask_Login"], line: 7 }], requirements: { names: ["flask-login"], file: "pyproject.toml" } })).toEqual([
      { aspect: "build", kind: "step", line: 7, text: "add `gunicorn==21.2` to pyproject.toml: the Dockerfile installs it by name, and the builder installs only what pyproject.toml lists" },
    ]);
    expect(texts({ runs: [{ kind: "python-packages", packages: ["gunicorn"] }] })).toEqual([
      "add `gunicorn` to requirements.txt: the Dockerfile installs it by name, and the builder installs only what requirements.txt lists",
    ]);
  });

  it("linters and test runners, and specs without a name, are no run-time dependency", () => {
    expect(checks({ runs: [{ kind: "python-packages", packages: ["pytest", "black==24.1", "==1.0"] }] })).toEqual([]);
  });

  it("the Python packages installed by name are returned normalized", () => {
    const r = compareBuildSteps(ctx({ runs: [{ kind: "python-packages", packages: ["Flask_Login==0.6", "gunicorn", "==1"] }, { kind: "node-packages", packages: ["sharp"] }] }));
    expect([...r.explicitPython]).toEqual(["flask-login", "gunicorn"]);
  });

  it("a Node.js package package.json does not list is a step, its version aside", () => {
    const runs: Partial<RunCommand>[] = [{ kind: "node-packages", packages: ["sharp@0.33", "@nestjs/cli@10", "@types/node", "express", "yarn", "npm@10", "pnpm", "corepack"], line: 3 }];
    expect(checks({ language: "nodejs", runs, packageJson: { dependencies: ["express"] } })).toEqual(
      ["sharp", "@nestjs/cli", "@types/node"].map((name) => ({
        aspect: "build",
        kind: "step",
        line: 3,
        text: `add \`${name}\` to dependencies in package.json: the Dockerfile installs it by name, and the builder installs only what package.json lists`,
      })),
    );
  });

  it("without a package.json every named package is a step", () => {
    expect(texts({ runs: [{ kind: "node-packages", packages: ["serve"] }] })).toEqual([
      "add `serve` to dependencies in package.json: the Dockerfile installs it by name, and the builder installs only what package.json lists",
    ]);
  });
});

describe("package scripts", () => {
  const script = (s: string, line = 5): Partial<RunCommand> => ({ kind: "node-script", script: s, line });

  it("Google's builder runs build on its own: one build script needs nothing", () => {
    expect(checks({ language: "nodejs", runs: [script("build")], packageJson: { scripts: { build: "tsc" } } })).toEqual([]);
    expect(checks({ language: "nodejs", runs: [script("gcp-build")], packageJson: { scripts: { "gcp-build": "tsc", build: "x" } } })).toEqual([]);
  });

  it("with a gcp-build script, Google's builder runs that instead, so build must be named", () => {
    expect(checks({ language: "nodejs", runs: [script("build", 6)], packageJson: { scripts: { "gcp-build": "tsc" } } })).toEqual([
      { aspect: "build", kind: "step", line: 6, text: 'set `GOOGLE_NODE_RUN_SCRIPTS: "build"` under build.env in service.yaml (the Dockerfile runs `npm run build`)' },
    ]);
  });

  it("other scripts, or more than one, are named in the order the Dockerfile runs them, each once, at the first one's line", () => {
    expect(checks({ language: "nodejs", runs: [script("build", 6), script("start", 7), script("assets", 8), script("build", 9), script("test", 10)], packageJson: { scripts: { build: "x" } } })).toEqual([
      { aspect: "build", kind: "step", line: 6, text: 'set `GOOGLE_NODE_RUN_SCRIPTS: "build,assets"` under build.env in service.yaml (the Dockerfile runs `npm run build`, `npm run assets`)' },
    ]);
    expect(texts({ language: "nodejs", runs: [script("assets")] })).toEqual(['set `GOOGLE_NODE_RUN_SCRIPTS: "assets"` under build.env in service.yaml (the Dockerfile runs `npm run assets`)']);
  });

  it("Paketo's builder runs no script unless told, build included", () => {
    expect(texts({ language: "nodejs", family: "paketo", runs: [script("build")], packageJson: { scripts: { build: "x" } } })).toEqual([
      'set `BP_NODE_RUN_SCRIPTS: "build"` under build.env in service.yaml (the Dockerfile runs `npm run build`)',
    ]);
  });

  it("start, test, an empty script name, or a language other than Node.js need nothing", () => {
    expect(checks({ language: "nodejs", runs: [script("start"), script("test"), script("")] })).toEqual([]);
    expect(checks({ language: "python", runs: [script("assets")] })).toEqual([]);
  });
});

describe("checks and custom commands", () => {
  it("checks of the code are one note, each command once, at the first one's line", () => {
    expect(checks({ runs: [{ kind: "check", text: "flake8 .", line: 4 }, { kind: "check", text: "pytest", line: 5 }, { kind: "check", text: "flake8 .", line: 6 }] })).toEqual([
      { aspect: "build", kind: "note", line: 4, text: "`flake8 .`, `pytest`: checks of the code, not part of the image; run them in CI before the build (a buildpacks build runs no tests or linters)" },
    ]);
  });

  it("for Node.js, custom commands become one package.json script, after npm run build when the Dockerfile runs it", () => {
    const runs: Partial<RunCommand>[] = [{ kind: "node-script", script: "build", line: 3 }, { kind: "custom", text: "./gen.sh", line: 4 }, { kind: "custom", text: "node x.js", line: 5 }];
    expect(checks({ language: "nodejs", runs, packageJson: { scripts: { build: "tsc" } } })).toEqual([
      { aspect: "build", kind: "step", line: 4, text: 'add `"gcp-build": "npm run build && ./gen.sh && node x.js"` to the scripts in package.json: Google\'s builder runs gcp-build instead of build, and nothing else of the Dockerfile\'s RUN lines' },
    ]);
    expect(texts({ language: "nodejs", family: "paketo", runs, packageJson: { scripts: { build: "tsc" } } })).toEqual([
      'set `BP_NODE_RUN_SCRIPTS: "build"` under build.env in service.yaml (the Dockerfile runs `npm run build`)',
      'add `"gantry-build": "npm run build && ./gen.sh && node x.js"` to the scripts in package.json and set `BP_NODE_RUN_SCRIPTS: "gantry-build"` under build.env in service.yaml',
    ]);
  });

  it("npm run build is left out when package.json has no build script, or the Dockerfile runs none", () => {
    const custom: Partial<RunCommand> = { kind: "custom", text: "./gen.sh", line: 4 };
    expect(texts({ language: "nodejs", runs: [{ kind: "node-script", script: "build" }, custom], packageJson: { scripts: {} } })).toContain(
      'add `"gcp-build": "./gen.sh"` to the scripts in package.json: Google\'s builder runs gcp-build instead of build, and nothing else of the Dockerfile\'s RUN lines',
    );
    expect(texts({ language: "nodejs", runs: [custom], packageJson: { scripts: { build: "tsc" } } })).toEqual([
      'add `"gcp-build": "./gen.sh"` to the scripts in package.json: Google\'s builder runs gcp-build instead of build, and nothing else of the Dockerfile\'s RUN lines',
    ]);
    expect(texts({ language: "nodejs", runs: [{ kind: "node-script", script: "assets" }, custom], packageJson: { scripts: { build: "tsc", assets: "x" } } })[1]).toBe(
      'add `"gcp-build": "./gen.sh"` to the scripts in package.json: Google\'s builder runs gcp-build instead of build, and nothing else of the Dockerfile\'s RUN lines',
    );
  });

  it("elsewhere, each custom command is a step of its own to run in CI; go generate's output is committed", () => {
    const runs: Partial<RunCommand>[] = [{ kind: "custom", text: "go generate ./...", line: 4 }, { kind: "custom", text: "make assets", line: 5 }, { kind: "custom", text: "go generated", line: 6 }, { kind: "custom", text: "xgo generate", line: 7 }];
    expect(checks({ language: "go", runs })).toEqual([
      { aspect: "build", kind: "step", line: 4, text: "commit the files `go generate ./...` writes: the Go buildpack compiles the source as it is and runs no go generate" },
      { aspect: "build", kind: "step", line: 5, text: "run `make assets` in CI before the build, so what it writes is in the source folder the builder gets: the Go buildpack runs no build commands of the app's" },
      { aspect: "build", kind: "step", line: 6, text: "run `go generated` in CI before the build, so what it writes is in the source folder the builder gets: the Go buildpack runs no build commands of the app's" },
      { aspect: "build", kind: "step", line: 7, text: "run `xgo generate` in CI before the build, so what it writes is in the source folder the builder gets: the Go buildpack runs no build commands of the app's" },
    ]);
    expect(texts({ language: null, runs: [{ kind: "custom", text: "make" }] })).toEqual([
      "run `make` in CI before the build, so what it writes is in the source folder the builder gets: the language buildpack runs no build commands of the app's",
    ]);
  });

  it("checks come after the other findings, custom steps after them", () => {
    expect(checks({ runs: [{ kind: "custom", text: "make", line: 9 }, { kind: "check", text: "pytest", line: 8 }, { kind: "system-packages", manager: "apt-get", packages: ["gcc"] }] }).map((c) => `${c.aspect}:${c.kind}`)).toEqual([
      "packages:note",
      "build:note",
      "build:step",
    ]);
  });
});

describe("copied files", () => {
  it("a tool copied from an image the builder brings itself is a note", () => {
    const from = ["ghcr.io/astral-sh/uv:0.4", "astral-sh/uv", "ghcr.io/astral-sh/uv@sha256:ab"];
    for (const f of from) {
      expect(checks({ copies: [{ from: f, sources: ["/uv"], dest: "/bin/" }] }), f).toEqual([
        { aspect: "files", kind: "note", line: 8, text: `COPY --from=${f}: uv: Google's builder installs uv itself when the source has uv.lock (its python/uv buildpack, GoogleCloudPlatform/buildpacks cmd/python/uv)` },
      ]);
    }
    for (const f of ["composer:2", "composer", "docker.io/library/composer:2", "library/composer@sha256:ab", "docker.io/composer"]) {
      expect(texts({ copies: [{ from: f, sources: ["/usr/bin/composer"], dest: "/usr/bin/" }] }), f).toEqual([
        `COPY --from=${f}: composer: Google's builder installs Composer itself for a composer.json (its php/composer buildpacks)`,
      ]);
    }
  });

  it("files from another image are a blocker; from a stage, nothing", () => {
    const blocker = (f: string) => ({
      aspect: "files",
      kind: "blocker",
      line: 8,
      text: `COPY --from=${f} takes /a, /b from another image; buildpacks cannot add files from an image, so this needs a custom run image`,
    });
    for (const f of ["astral-sh/uvx", "evil/astral-sh/uv", "composerx:2", "mycomposer", "nginx:1.27", "2"]) {
      expect(checks({ copies: [{ from: f, sources: ["/a", "/b"], dest: "/srv/" }] }), f).toEqual([blocker(f)]);
    }
    expect(checks({ stages: [{ name: "build" }, { name: null }], copies: [{ from: "build", sources: ["/out"], dest: "/srv/" }, { from: "0", sources: ["/out"], dest: "/srv/" }] })).toEqual([]);
  });

  it("a download is a step to commit the file", () => {
    expect(checks({ copies: [{ keyword: "ADD", sources: ["https://example.com/a.tgz", "http://example.com/b"], dest: "/app/" }] })).toEqual([
      { aspect: "files", kind: "step", line: 8, text: "commit the file ADD downloads from https://example.com/a.tgz to the source folder: buildpacks fetch nothing at build time" },
      { aspect: "files", kind: "step", line: 8, text: "commit the file ADD downloads from http://example.com/b to the source folder: buildpacks fetch nothing at build time" },
    ]);
  });

  it("a file from outside the source folder is a step to move it in", () => {
    expect(checks({ copies: [{ sources: ["shared/lib.py", "app/main.py", "ftp://x"], dest: "/app/" }] })).toEqual([
      { aspect: "files", kind: "step", line: 8, text: "move shared/lib.py into the service's source folder (or point source at a folder that holds both): the Dockerfile copies it from outside, and buildpacks see only ./app" },
      { aspect: "files", kind: "step", line: 8, text: "move ftp://x into the service's source folder (or point source at a folder that holds both): the Dockerfile copies it from outside, and buildpacks see only ./app" },
    ]);
  });

  const elsewhere = (sources: string, dest: string) => ({
    aspect: "files",
    kind: "step",
    line: 8,
    text: `make the app read ${sources} from the app folder (/workspace) instead of ${dest}: buildpacks put the source folder in /workspace and nothing elsewhere in the image`,
  });

  it("a file copied outside the workdir and /tmp of the image is a step to read it from the app folder", () => {
    for (const dest of ["/etc/app/", "/application", "/tmpx", "/", "/app-data"]) {
      expect(checks({ copies: [{ sources: ["app/a.yaml", "app/b.yaml"], dest }] }), dest).toEqual([elsewhere("app/a.yaml, app/b.yaml", dest)]);
    }
  });

  it("the workdir, below it, /tmp, a relative destination or a build stage need nothing", () => {
    for (const dest of ["/app", "/app/", "/app//", "/app/conf/", "/tmp", "/tmp/", "/tmp/x", "conf/"]) expect(checks({ copies: [{ sources: ["app/a.yaml"], dest }] }), dest).toEqual([]);
    expect(checks({ workdir: "/", copies: [{ sources: ["app/a.yaml"], dest: "/etc/app/" }] })).toEqual([]);
    expect(checks({ imageStages: [1], copies: [{ sources: ["app/a.yaml"], dest: "/etc/app/" }] })).toEqual([]);
  });

  it("a file the launch command starts from where it was copied is left to the launch rewrite", () => {
    expect(checks({ entrypoint: "/usr/local/bin/entry.sh", copies: [{ sources: ["app/entry.sh"], dest: "/usr/local/bin/" }] })).toEqual([]);
    expect(checks({ cmd: "/opt/tool/run --x", copies: [{ sources: ["app/bin"], dest: "/opt/tool" }] })).toEqual([]);
    expect(checks({ cmd: "python main.py", entrypoint: "tini --", copies: [{ sources: ["app/conf.yaml"], dest: "/etc/app/" }] })).toEqual([elsewhere("app/conf.yaml", "/etc/app/")]);
  });
});

describe("edges of the copy and script rules", () => {
  it("a copy is left to the launch rewrite when any one of its files is started, even from PATH", () => {
    expect(checks({ entrypoint: "entry.sh", copies: [{ sources: ["app/entry.sh"], dest: "/usr/local/bin/" }] })).toEqual([]);
    expect(checks({ entrypoint: "/usr/local/bin/entry.sh", copies: [{ sources: ["app/entry.sh", "app/entry.conf"], dest: "/usr/local/etc/" }] })).toEqual([]);
  });

  it("without a package.json, custom Node.js commands are the whole gcp-build script", () => {
    expect(texts({ language: "nodejs", packageJson: null, runs: [{ kind: "node-script", script: "build" }, { kind: "custom", text: "./gen.sh" }] })).toEqual([
      'add `"gcp-build": "./gen.sh"` to the scripts in package.json: Google\'s builder runs gcp-build instead of build, and nothing else of the Dockerfile\'s RUN lines',
    ]);
  });
});
