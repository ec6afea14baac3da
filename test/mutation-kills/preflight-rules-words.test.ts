// Node.js and Python rules added with issue 15, word for word and by what they key on: the ASGI app on gunicorn's
// sync worker (where the framework is read from, which worker classes and configs speak ASGI, where the finding
// points), the Functions Framework checks, and the messages of the start-command rules a user follows.
import { afterAll, describe, expect, it } from "vitest";
import { detect, type DetectResult } from "../../preflight";
import { GOOGLE, PAKETO as PAKETO_BUILDER, removeTempApps, tempApp } from "../preflight/helpers";

afterAll(removeTempApps);

const run = (files: Record<string, string>, buildEnv: Record<string, string> = {}): DetectResult => detect({ dir: tempApp(files), builder: GOOGLE, buildEnv });
const codes = (r: DetectResult): string[] => r.findings.map((f) => f.code);
const asgi = (r: DetectResult) => r.findings.filter((f) => f.code === "asgi-on-sync-worker");
const FASTAPI = "from fastapi import FastAPI\n\napp = FastAPI()\n";

describe("an ASGI app on gunicorn's sync worker", () => {
  it("from a Procfile: the module file, the framework, the uvicorn line to use, and the Procfile line", () => {
    const r = run({ "app/main.py": FASTAPI, "app/__init__.py": "", "requirements.txt": "fastapi\ngunicorn\n", Procfile: "# the web server\nweb: gunicorn --bind :$PORT app.main:app\n" });
    expect(asgi(r)).toEqual([
      {
        severity: "error",
        code: "asgi-on-sync-worker",
        message: "The Procfile's web process is `gunicorn --bind :$PORT app.main:app`, but app/main.py is a FastAPI (ASGI) app, and gunicorn's default sync worker calls it as WSGI: every request fails.",
        fix: "Add a Procfile line `web: uvicorn app.main:app --host 0.0.0.0 --port $PORT` (with uvicorn in requirements.txt), or run gunicorn with `-k uvicorn.workers.UvicornWorker`.",
        file: "Procfile",
        line: 2,
      },
    ]);
  });

  it("from the builder's default entrypoint: the 3.13 way out is offered", () => {
    const r = run({ "main.py": FASTAPI, "requirements.txt": "fastapi\nuvicorn\n" }, { GOOGLE_PYTHON_VERSION: "3.12" });
    expect(asgi(r)).toEqual([
      {
        severity: "error",
        code: "asgi-on-sync-worker",
        message: "The builder's default entrypoint is `gunicorn -b :8080 main:app`, but main.py is a FastAPI (ASGI) app, and gunicorn's default sync worker calls it as WSGI: every request fails.",
        fix: 'Add a Procfile line `web: uvicorn main:app --host 0.0.0.0 --port $PORT` (with uvicorn in requirements.txt), or run gunicorn with `-k uvicorn.workers.UvicornWorker`, or build with Python 3.13 or later (GOOGLE_PYTHON_VERSION: "3.13"), where the default starts uvicorn when uvicorn or fastapi[standard] is listed and gunicorn is not.',
      },
    ]);
  });

  it("from GOOGLE_ENTRYPOINT: named as such, and no Procfile line pointed at though a Procfile is there", () => {
    const r = run({ "main.py": FASTAPI, "requirements.txt": "fastapi\ngunicorn\n", Procfile: "worker: python w.py\n" }, { GOOGLE_ENTRYPOINT: "gunicorn -b :8080 main:app" });
    expect(asgi(r).map((f) => [f.message.split(",")[0], f.file])).toEqual([["GOOGLE_ENTRYPOINT is `gunicorn -b :8080 main:app`", undefined]]);
  });

  it.each(["FastAPI", "Starlette", "Quart", "Litestar"])("%s is recognised in the module's source, with a space before the call", (framework) => {
    const r = run({ "main.py": `app = ${framework} ()\n`, "requirements.txt": "gunicorn\n", Procfile: "web: gunicorn main:app\n" });
    expect(asgi(r).map((f) => f.message)).toEqual([`The Procfile's web process is \`gunicorn main:app\`, but main.py is a ${framework} (ASGI) app, and gunicorn's default sync worker calls it as WSGI: every request fails.`]);
  });

  it.each([
    ["fastapi", "FastAPI"],
    ["quart", "Quart"],
    ["litestar", "Litestar"],
  ])("with no module file to read, %s in the dependencies makes it a %s app", (pkg, framework) => {
    const r = run({ "requirements.txt": `${pkg}\ngunicorn\n`, "main.py": "", Procfile: "web: gunicorn server:app\n" });
    expect(asgi(r).map((f) => f.message)).toEqual([`The Procfile's web process is \`gunicorn server:app\`, but the app is a ${framework} (ASGI) app, and gunicorn's default sync worker calls it as WSGI: every request fails.`]);
  });

  it.each(["flask", "bottle", "pyramid", "falcon"])("with no module file, %s beside fastapi means it may be WSGI: no finding", (wsgi) => {
    expect(asgi(run({ "requirements.txt": `fastapi\n${wsgi}\ngunicorn\n`, "main.py": "", Procfile: "web: gunicorn server:app\n" }))).toEqual([]);
  });

  it("with no module file and no ASGI package, no finding", () => {
    expect(codes(run({ "requirements.txt": "gunicorn\n", "main.py": "", Procfile: "web: gunicorn server:app\n" }))).toEqual([]);
  });

  it("an app factory is a target; pyproject.toml is where uvicorn goes when the dependencies are there", () => {
    const pyproject = '[project]\nname = "svc"\nversion = "1"\ndependencies = ["fastapi", "gunicorn"]\n';
    const r = run({ "main.py": "from fastapi import FastAPI\n\ndef create_app():\n    return FastAPI()\n", "pyproject.toml": pyproject, Procfile: "web: gunicorn main:create_app()\n" });
    expect(asgi(r).map((f) => [f.message, f.fix.includes("(with uvicorn in pyproject.toml)")])).toEqual([
      ["The Procfile's web process is `gunicorn main:create_app()`, but main.py is a FastAPI (ASGI) app, and gunicorn's default sync worker calls it as WSGI: every request fails.", true],
    ]);
  });

  it("ASGI worker classes: spaced, quoted, or set in a config file without spaces", () => {
    const files = { "main.py": FASTAPI, "requirements.txt": "fastapi\ngunicorn\nuvicorn\n" };
    expect(codes(run({ ...files, Procfile: "web: gunicorn -k  uvicorn.workers.UvicornWorker main:app\n" }))).toEqual([]);
    expect(codes(run({ ...files, Procfile: "web: gunicorn -k 'uvicorn.workers.UvicornWorker' main:app\n" }))).toEqual([]);
    expect(codes(run({ ...files, "conf/g.py": "worker_class='my.asgi.Worker'\n", Procfile: "web: gunicorn -c  conf/g.py main:app\n" }))).toEqual([]);
    // A config that names a sync worker class leaves the finding.
    expect(codes(run({ ...files, "conf/g.py": "worker_class='sync'\n", Procfile: "web: gunicorn -c conf/g.py main:app\n" }))).toEqual(["asgi-on-sync-worker"]);
  });

  it("a Procfile with no web line is reported as such, not read for ASGI", () => {
    expect(codes(run({ "main.py": FASTAPI, "requirements.txt": "fastapi\ngunicorn\n", Procfile: "worker: gunicorn main:app\n" }))).toEqual(["procfile-missing-web"]);
  });
});

describe("Python functions", () => {
  it("no main.py and no GOOGLE_FUNCTION_SOURCE, word for word", () => {
    const r = run({ "fn.py": "def f(request):\n    return 'ok'\n", "requirements.txt": "" }, { GOOGLE_FUNCTION_TARGET: "f" });
    expect(r.outcome).toBe("build-error");
    expect(r.findings).toEqual([
      {
        severity: "error",
        code: "function-source-missing",
        message: 'The Functions Framework buildpack loads the function from main.py, which is not here; it stops with "missing main.py and GOOGLE_FUNCTION_SOURCE not specified".',
        fix: "Put the function in main.py, or set GOOGLE_FUNCTION_SOURCE under build.env to the file that holds it.",
      },
    ]);
  });

  it("a GOOGLE_FUNCTION_SOURCE that is not there stops the build; one that is there does not", () => {
    const files = { "fn.py": "def f(request):\n    return 'ok'\n", "requirements.txt": "" };
    const r = run(files, { GOOGLE_FUNCTION_TARGET: "f", GOOGLE_FUNCTION_SOURCE: "nope.py" });
    expect(r.outcome).toBe("build-error");
    expect(r.findings).toEqual([
      { severity: "error", code: "function-source-missing", message: "GOOGLE_FUNCTION_SOURCE (service build env) names nope.py, which is not here; the build stops on it.", fix: "Point GOOGLE_FUNCTION_SOURCE at the file that defines the function." },
    ]);
    expect(run(files, { GOOGLE_FUNCTION_TARGET: "f", GOOGLE_FUNCTION_SOURCE: "./fn.py" }).findings).toEqual([]);
  });

  it("installing from pyproject.toml without functions-framework stops the build; with it, or with pip, it does not", () => {
    const fn = { "main.py": "def f(request):\n    return 'ok'\n" };
    const pyproject = (deps: string) => `[project]\nname = "fn"\nversion = "1"\ndependencies = [${deps}]\n`;
    const r = run({ ...fn, "pyproject.toml": pyproject('"requests"'), "uv.lock": "" }, { GOOGLE_FUNCTION_TARGET: "f" });
    expect(r.outcome).toBe("build-error");
    expect(r.findings.filter((f) => f.code === "function-framework-missing")).toEqual([
      {
        severity: "error",
        code: "function-framework-missing",
        message: 'This function installs from pyproject.toml, where the buildpack does not add the framework; it stops with "you have not included the Functions Framework in your dependencies".',
        fix: "Add functions-framework to the dependencies in pyproject.toml.",
        file: "pyproject.toml",
      },
    ]);
    expect(codes(run({ ...fn, "pyproject.toml": pyproject('"requests", "functions-framework"'), "uv.lock": "" }, { GOOGLE_FUNCTION_TARGET: "f" }))).not.toContain("function-framework-missing");
    expect(codes(run({ ...fn, "requirements.txt": "requests\n" }, { GOOGLE_FUNCTION_TARGET: "f" }))).toEqual([]);
  });
});

describe("Python start-command messages", () => {
  it("no entrypoint: the fix", () => {
    expect(run({ "lib.py": "", "requirements.txt": "" }).findings.map((f) => [f.code, f.fix])).toEqual([["python-no-entrypoint", "Add a Procfile with a web line (for example `web: gunicorn -b :$PORT mymodule:app`), or rename the module that creates `app` to main.py."]]);
  });

  it("pyproject.toml with no script and no main.py, word for word", () => {
    const r = run({ "lib.py": "", "pyproject.toml": '[project]\nname = "svc"\nversion = "1"\n' });
    expect(r.findings).toEqual([
      {
        severity: "error",
        code: "python-no-entrypoint",
        message: 'The builder cannot infer how to start this app: "for Python with pyproject.toml, provide a main.py or app.py file or a script command in pyproject.toml or set an entrypoint with "GOOGLE_ENTRYPOINT" env var or by creating a "Procfile" file".',
        fix: "Add a `start` entry under [project.scripts] in pyproject.toml, a main.py, or a Procfile with a web line.",
        file: "pyproject.toml",
      },
    ]);
  });

  it("a requested Python that is not a version: the fix, and the .python-version line only when it came from there", () => {
    const files = { "main.py": "", "requirements.txt": "" };
    const fromFile = run({ ...files, ".python-version": "3.12.x\n" }).findings.find((f) => f.code === "python-version-not-a-version");
    expect(fromFile).toMatchObject({ fix: 'Ask for a version such as 3.12, 3.12.* or 3.12.4 (not a range, and not "3.12.x"), or add a Procfile with the web command.', file: ".python-version", line: 1 });
    const fromEnv = run(files, { GOOGLE_PYTHON_VERSION: "3.12.x" }).findings.find((f) => f.code === "python-version-not-a-version");
    expect(fromEnv).toBeDefined();
    expect([fromEnv!.file, fromEnv!.line]).toEqual([undefined, undefined]);
  });
});

describe("Node.js start-command messages", () => {
  it("yarn with no start script: the fix and where", () => {
    const r = run({ "package.json": '{"name":"a"}', "yarn.lock": "" });
    expect(r.findings.map((f) => [f.code, f.message, f.fix, f.file])).toEqual([
      ["node-start-script-missing", 'The yarn buildpack starts the app with `yarn run start`, but package.json has no "start" script; the container would exit at once.', 'Add `"scripts": {"start": "node <your entry file>"}` to package.json, or a Procfile with the web command.', "package.json"],
    ]);
  });

  it("pnpm with no start script and no server.js", () => {
    expect(run({ "package.json": '{"name":"a"}', "pnpm-lock.yaml": "" }).findings.map((f) => f.message)).toEqual(['The pnpm buildpack starts the app with `pnpm run start`, but package.json has no "start" script and there is no server.js; the container would exit at once.']);
  });

  it("a missing main, and no main at all, word for word", () => {
    expect(run({ "package.json": '{"name":"a","main":"dist/server.js"}' }).findings.map((f) => [f.message, f.fix])).toEqual([
      ['The builder would start `node dist/server.js` (package.json "main"), but dist/server.js is not in the folder and no build script creates it; the container would crash on start.', 'Add a "start" script to package.json, fix "main", or add a Procfile with the web command.'],
    ]);
    expect(run({ "package.json": '{"name":"a"}', "lib.js": "" }).findings.map((f) => [f.message, f.fix])).toEqual([
      [
        'package.json has no "start" script, no "main" and there is no server.js, so the builder falls back to `node index.js` — and index.js does not exist; the container would crash on start.',
        'Add `"scripts": {"start": "node <your entry file>"}` to package.json, or add a Procfile with the web command.',
      ],
    ]);
  });

  it("a main folder with a trailing slash is found by its index.js", () => {
    expect(run({ "package.json": '{"name":"a","main":"app/"}', "app/index.js": "" }).findings).toEqual([]);
  });
});

describe("Node.js functions", () => {
  it("the function file: package.json main, else index.js, else function.js", () => {
    const viaMain = run({ "package.json": '{"name":"f","main":"dist/fn.js","dependencies":{"@google-cloud/functions-framework":"^3"}}' }, { GOOGLE_FUNCTION_TARGET: "hello" });
    expect(viaMain.outcome).toBe("build-error");
    expect(viaMain.findings).toEqual([
      {
        severity: "error",
        code: "function-source-missing",
        message: 'GOOGLE_FUNCTION_TARGET is hello, and the Functions Framework buildpack loads the function from dist/fn.js (package.json "main"), which is not here; it stops with "dist/fn.js does not exist".',
        fix: 'Fix "main" in package.json, or add a gcp-build script that compiles dist/fn.js.',
        file: "package.json",
      },
    ]);
    const none = run({ "package.json": '{"name":"f"}', "lib.js": "" }, { GOOGLE_FUNCTION_TARGET: "hello" });
    expect(none.findings.map((f) => [f.message, f.fix])).toEqual([
      ['GOOGLE_FUNCTION_TARGET is hello, and the Functions Framework buildpack loads the function from function.js, which is not here; it stops with "function.js does not exist".', 'Put the function in index.js, or point package.json "main" at its file.'],
    ]);
    expect(run({ "package.json": '{"name":"f"}', "function.js": "" }, { GOOGLE_FUNCTION_TARGET: "hello" }).findings).toEqual([]);
  });

  it.each([
    ["pnpm-lock.yaml", "pnpm"],
    ["bun.lockb", "bun"],
  ])("%s without the framework as a dependency: %s add it", (lock, pm) => {
    const r = run({ "package.json": '{"name":"f","dependencies":{}}', "index.js": "", [lock]: "" }, { GOOGLE_FUNCTION_TARGET: "hello" });
    expect(r.findings).toEqual([
      {
        severity: "error",
        code: "function-framework-missing",
        message: `This project uses ${pm}, and the Functions Framework buildpack only injects the framework for npm and node_modules installs; it stops with "you have not included the Functions Framework in your dependencies".`,
        fix: `Add it: \`${pm} add @google-cloud/functions-framework\`.`,
        file: "package.json",
      },
    ]);
  });

  it("Yarn Plug'n'Play is named and fixed with yarn; yarn with node_modules needs nothing", () => {
    const berry = { "package.json": '{"name":"f","dependencies":{}}', "index.js": "", "yarn.lock": "__metadata:\n  version: 8\n" };
    expect(run({ ...berry, ".yarnrc.yml": "nodeLinker: pnp\n" }, { GOOGLE_FUNCTION_TARGET: "hello" }).findings.map((f) => [f.message.split(",")[0], f.fix])).toEqual([["This project uses Yarn Plug'n'Play", "Add it: `yarn add @google-cloud/functions-framework`."]]);
    expect(run({ ...berry, ".yarnrc.yml": "nodeLinker: node-modules\n" }, { GOOGLE_FUNCTION_TARGET: "hello" }).findings).toEqual([]);
  });
});

describe("Node.js: what package.json, the lockfiles and .yarnrc.yml decide", () => {
  it.each(["null", "[]", '"app"'])("a package.json whose top level is %s is invalid, with the fix", (json) => {
    expect(run({ "package.json": json }).findings).toEqual([
      { severity: "error", code: "package-json-invalid", message: 'package.json is not valid JSON (top level is not an object); the builder fails with "unmarshalling package.json".', fix: "Fix the JSON syntax in package.json.", file: "package.json" },
    ]);
  });

  it.each(['"node x.js"', "null"])("scripts that are %s are no scripts", (scripts) => {
    expect(run({ "package.json": `{"main":"x.js","scripts":${scripts}}`, "x.js": "" })).toMatchObject({ findings: [], processes: { web: "node x.js" } });
  });

  it("with no engines the builder's default Node.js stands", () => {
    expect(run({ "package.json": '{"scripts":{"start":"node x.js"}}' }).runtimeVersion?.source).toBe("builder default (google-22)");
  });

  it("yarn.lock wins over GOOGLE_PACKAGE_MANAGER; the lockfile or the variable is named in detectedBy", () => {
    expect(run({ "package.json": '{"scripts":{"start":"x"}}', "yarn.lock": "" }, { GOOGLE_PACKAGE_MANAGER: "pnpm" }).packageManager).toBe("yarn");
    expect(run({ "package.json": '{"scripts":{"start":"x"}}', "pnpm-lock.yaml": "" }).detectedBy).toBe("package.json and pnpm-lock.yaml");
    expect(run({ "package.json": '{"scripts":{"start":"x"}}', "bun.lock": "" }).detectedBy).toBe("package.json and bun.lock");
    expect(run({ "package.json": '{"scripts":{"start":"x"}}' }, { GOOGLE_PACKAGE_MANAGER: "bun" }).detectedBy).toBe("package.json and GOOGLE_PACKAGE_MANAGER=bun");
    expect(run({ "package.json": '{"scripts":{"start":"x"}}', "package-lock.json": "{}" }).detectedBy).toBe("package.json");
    expect(run({ "package.json": '{"scripts":{"start":"x"}}', "yarn.lock": "__metadata:  \n  version: 8\n" }).detectedBy).toBe("package.json and yarn.lock (Yarn 2+)");
  });

  it("root .js files with a Procfile and no package.json", () => {
    expect(run({ "server.js": "", Procfile: "web: node server.js\n" }).detectedBy).toBe("*.js files (server.js) with an explicit entrypoint");
  });

  it("a main folder deeper than one level is found by its index.js", () => {
    expect(run({ "package.json": '{"main":"lib/app/"}', "lib/app/index.js": "" }).findings).toEqual([]);
  });

  it("build scripts: gcp-build or build may create main; an empty gcp-build stands for none and hides build", () => {
    const pkg = (scripts: string) => ({ "package.json": `{"main":"dist/x.js","scripts":{${scripts}}}` });
    expect(codes(run(pkg('"gcp-build":"tsc"')))).toEqual([]);
    expect(codes(run(pkg('"build":"tsc"')))).toEqual([]);
    expect(codes(run(pkg('"gcp-build":"","build":"tsc"')))).toEqual(["node-entrypoint-missing"]);
  });

  it("GOOGLE_NODE_RUN_SCRIPTS: blank entries are no scripts; yarn ignores the variable and the build script", () => {
    const npm = { "package.json": '{"main":"dist/x.js"}' };
    expect(codes(run(npm, { GOOGLE_NODE_RUN_SCRIPTS: " , " }))).toEqual(["node-entrypoint-missing"]);
    expect(codes(run(npm, { GOOGLE_NODE_RUN_SCRIPTS: "" }))).toEqual(["node-entrypoint-missing"]);
    expect(codes(run(npm, { GOOGLE_NODE_RUN_SCRIPTS: "compile" }))).toEqual([]);
    const yarnFn = (scripts: string) => ({ "package.json": `{"main":"dist/fn.js","scripts":{${scripts}},"dependencies":{"@google-cloud/functions-framework":"^3"}}`, "yarn.lock": "" });
    expect(codes(run(yarnFn(""), { GOOGLE_FUNCTION_TARGET: "f", GOOGLE_NODE_RUN_SCRIPTS: "build" }))).toEqual(["function-source-missing"]);
    expect(codes(run(yarnFn('"build":"tsc"'), { GOOGLE_FUNCTION_TARGET: "f" }))).toEqual(["function-source-missing"]);
    expect(codes(run(yarnFn('"gcp-build":"tsc"'), { GOOGLE_FUNCTION_TARGET: "f" }))).toEqual([]);
  });

  it("Plug'n'Play: classic yarn never, berry unless .yarnrc.yml sets another linker however it is written", () => {
    const fn = { "package.json": '{"dependencies":{}}', "index.js": "" };
    const berry = { ...fn, "yarn.lock": "__metadata:\n  version: 8\n" };
    const missing = (files: Record<string, string>) => codes(run(files, { GOOGLE_FUNCTION_TARGET: "f" })).includes("function-framework-missing");
    expect(missing({ ...fn, "yarn.lock": "# yarn lockfile v1\n" })).toBe(false);
    expect(missing({ ...berry, ".yarnrc.yml": "nodeLinker: pnp\n" })).toBe(true);
    expect(missing({ ...berry, ".yarnrc.yml": "# nodeLinker: pnp\nnodeLinker: node-modules\n" })).toBe(false);
    expect(missing({ ...berry, ".yarnrc.yml": "nodeLinker:node-modules\n" })).toBe(false);
    expect(missing({ ...berry, ".yarnrc.yml": 'nodeLinker: "node-modules"\n' })).toBe(false);
  });

  it("dependencies that are null hold no framework", () => {
    expect(codes(run({ "package.json": '{"dependencies":null}', "index.js": "", "pnpm-lock.yaml": "" }, { GOOGLE_FUNCTION_TARGET: "f" }))).toEqual(["function-framework-missing"]);
  });
});

describe("Node.js on Paketo", () => {
  it("main.js is a start file; with none there is no web process", () => {
    const paketo = (files: Record<string, string>) => detect({ dir: tempApp(files), builder: PAKETO_BUILDER });
    expect(paketo({ "main.js": "" })).toMatchObject({ detectedBy: "main.js", processes: { web: "node main.js" } });
    expect(paketo({ "package.json": "{}" }).processes).toEqual({});
  });
});

describe("Python dependencies as pip and the TOML readers take them (seen through Python 3.13's default command)", () => {
  const UVICORN_313 = "uvicorn main:app --port 8080 --host 0.0.0.0";
  const web313 = (files: Record<string, string>) => run({ "main.py": "", ...files }, { GOOGLE_PYTHON_VERSION: "3.13" }).processes["web"];

  it("requirements.txt: a local path, a trailing comment, an indented -r, an editable install with two spaces", () => {
    expect(web313({ "requirements.txt": "./vendor/x.whl\nuvicorn  # the ASGI server\n" })).toBe(UVICORN_313);
    expect(web313({ "requirements.txt": "  -r base.txt\n", "base.txt": "uvicorn\n" })).toBe(UVICORN_313);
    expect(web313({ "requirements.txt": "-e  git+https://github.com/encode/uvicorn#egg=uvicorn\n" })).toBe(UVICORN_313);
  });

  it("pyproject.toml: a dependency that is not a string is skipped; poetry extras are all read", () => {
    expect(web313({ "pyproject.toml": '[project]\nname = "svc"\nversion = "1"\ndependencies = [1, "uvicorn"]\n' })).toBe(UVICORN_313);
    expect(web313({ "pyproject.toml": '[tool.poetry]\nname = "svc"\n\n[tool.poetry.dependencies]\npython = "^3.13"\nfastapi = { version = "*", extras = ["all", "standard"] }\n' })).toBe(UVICORN_313);
  });
});

describe(".python-version files", () => {
  const versionFile = (text: string) => run({ "main.py": "", "requirements.txt": "", ".python-version": text }).findings.filter((f) => f.code === "python-version-file-unreadable");

  it("comment lines and several versions are told apart", () => {
    expect(versionFile("# uv pin\n3.12\n").map((f) => f.message)).toEqual([".python-version has comment lines; pyenv and uv skip them, but Google Cloud's builder reads the whole file as one version string and the Python install fails on it."]);
    expect(versionFile("3.12\n3.11\n").map((f) => f.message)).toEqual([".python-version has more than one line; pyenv and uv skip the rest, but Google Cloud's builder reads the whole file as one version string and the Python install fails on it."]);
  });

  it("a file of comments only names no version in its fix", () => {
    expect(versionFile("# 3.12").map((f) => f.fix)).toEqual(["Write the version alone into .python-version."]);
    expect(versionFile("# a\n# b\n").map((f) => f.fix)).toEqual(["Write the version alone into .python-version."]);
  });

  it("Paketo: the version asked for and the BP_CPYTHON_VERSION to set, past comment lines and spaces", () => {
    const paketo = (text: string) => detect({ dir: tempApp({ "main.py": "", "requirements.txt": "", ".python-version": text }), builder: PAKETO_BUILDER }).findings.filter((f) => f.code === "python-version-file-ignored");
    expect(paketo("# uv 0.4\n 3.11 \n")).toEqual([
      {
        severity: "warning",
        code: "python-version-file-ignored",
        message: ".python-version asks for 3.11, but Paketo's CPython buildpack does not read that file and installs its default Python.",
        fix: 'Set BP_CPYTHON_VERSION under build.env (for example "3.11.*").',
        file: ".python-version",
        line: 1,
      },
    ]);
    expect(paketo("# no version here\n").map((f) => [f.message, f.fix])).toEqual([
      [".python-version asks for # no version here, but Paketo's CPython buildpack does not read that file and installs its default Python.", 'Set BP_CPYTHON_VERSION under build.env (for example "3.12.*").'],
    ]);
  });
});
