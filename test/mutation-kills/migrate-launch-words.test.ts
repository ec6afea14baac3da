// launch.ts's word-level readers on hand-written inputs: which argv is the launch, what an init wrapper and
// `sh -c` leave, how paths are rewritten for /workspace, and which spellings count as the same command.
import { describe, expect, it } from "vitest";
import { type ImageConfig, parseDockerfile } from "../../dockerfile/parse";
import { commandLine, comparable, launchOf, rewriteForWorkspace } from "../../migrate/launch";

const cmd = (text: string) => launchOf(parseDockerfile(`FROM python:3.12\n${text}\n`).config);

describe("the launch argv", () => {
  it("an empty exec form launches nothing", () => {
    // (parseDockerfile reads `CMD []` as shell form, so the config is written out here.)
    expect(launchOf({ cmd: { argv: [], shell: false, line: 2 } } as unknown as ImageConfig)).toBeNull();
    expect(launchOf({ entrypoint: { argv: [], shell: false, line: 2 } } as unknown as ImageConfig)).toBeNull();
  });

  it("only tini and dumb-init (bare or in a bin folder) are init wrappers", () => {
    expect(cmd('ENTRYPOINT ["/sbin/tini", "--", "node", "a.js"]')).toMatchObject({ init: "tini", argv: ["node", "a.js"], command: "node a.js" });
    expect(cmd('CMD ["mytini", "serve"]')).toMatchObject({ init: null, command: "mytini serve" });
    expect(cmd('CMD ["tinify", "serve"]')).toMatchObject({ init: null, command: "tinify serve" });
  });
});

describe("sh -c is the line it runs", () => {
  it("a shell by bare name or path, with options before -c, is unwrapped and trimmed", () => {
    expect(commandLine(["sh", "-c", "python app.py"])).toBe("python app.py");
    expect(commandLine(["/bin/bash", "-eo", "pipefail", "-c", "  node a.js  "])).toBe("node a.js");
    expect(commandLine(["sh", "-c"])).toBe("");
  });

  it("anything else keeps its words", () => {
    expect(commandLine(["mysh", "-c", "x"])).toBe("mysh -c x");
    expect(commandLine(["shelly", "-c", "x"])).toBe("shelly -c x");
    expect(commandLine(["python", "-c", "pass"])).toBe("python -c pass");
    expect(commandLine(["sh", "start.sh"])).toBe("sh start.sh");
    expect(commandLine(["sh", "start.sh", "-c", "x"])).toBe("sh start.sh -c x");
  });
});

describe("paths rewritten for /workspace", () => {
  const rewrite = (dockerfile: string, command: string, opts: { stages?: number[]; context?: string; sourceDir?: string } = {}) => {
    const parsed = parseDockerfile(dockerfile);
    return rewriteForWorkspace(command, parsed, new Set(opts.stages ?? [0]), opts.context ?? "/ctx", opts.sourceDir ?? "/ctx");
  };

  it("the WORKDIR prefix goes, keeping what stood before it; with no WORKDIR paths stay", () => {
    expect(rewrite("FROM python:3.12\nWORKDIR /app\n", "python /app/main.py --config=/app/c.yaml")).toBe("python main.py --config=c.yaml");
    expect(rewrite("FROM python:3.12\n", "python //srv/app.py")).toBe("python //srv/app.py");
    expect(rewrite("FROM python:3.12\n", "  python x.py ")).toBe("python x.py");
  });

  it("a script copied onto the PATH (/bin, /usr/bin, /usr/local/bin) runs from the source, by name or path", () => {
    expect(rewrite("FROM python:3.12\nCOPY run.sh /bin/\n", "run.sh")).toBe("./run.sh");
    expect(rewrite("FROM python:3.12\nCOPY run.sh /usr/bin/\n", "exec run.sh")).toBe("exec ./run.sh");
    expect(rewrite("FROM python:3.12\nCOPY scripts/run.sh /usr/local/bin/run\n", "run")).toBe("./scripts/run.sh");
    expect(rewrite("FROM python:3.12\nCOPY scripts/run.sh /usr/local/bin/run\n", "exec /usr/local/bin/run --x")).toBe("exec ./scripts/run.sh --x");
  });

  it("off the PATH only the full destination is rewritten", () => {
    expect(rewrite("FROM python:3.12\nCOPY run.sh /srv/run.sh\n", "exec /srv/run.sh")).toBe("exec ./run.sh");
    expect(rewrite("FROM python:3.12\nCOPY run.sh /opt/bin/\n", "run.sh")).toBe("run.sh");
  });

  it("copies that are not one source file of the image, from the source folder, are left alone", () => {
    const build = "FROM golang:1.22 AS build\nCOPY start.sh /usr/local/bin/\nFROM python:3.12\n";
    expect(rewrite(build + "COPY --from=build start.sh /usr/local/bin/\n", "start.sh", { stages: [1] })).toBe("start.sh");
    expect(rewrite(build, "start.sh", { stages: [1] })).toBe("start.sh");
    expect(rewrite("FROM python:3.12\nCOPY a.sh start.sh /usr/local/bin/\n", "start.sh")).toBe("start.sh");
    expect(rewrite("FROM python:3.12\nCOPY start.s? /usr/local/bin/start.sh\n", "start.sh")).toBe("start.sh");
    expect(rewrite("FROM python:3.12\nCOPY . /srv/run\n", "/srv/run")).toBe("/srv/run");
    expect(rewrite("FROM python:3.12\nCOPY bin/ /srv/tool\n", "/srv/tool")).toBe("/srv/tool");
    expect(rewrite("FROM python:3.12\nCOPY start.sh bin/start.sh\n", "bin/start.sh")).toBe("bin/start.sh");
    expect(rewrite("FROM python:3.12\nCOPY other/run.sh /usr/local/bin/\n", "run.sh", { context: "/ctx", sourceDir: "/ctx/svc" })).toBe("run.sh");
  });
});

describe("spellings of the same command", () => {
  it("python3 and python3.x are python; other pythons are not", () => {
    expect(comparable("python3 app.py", {})).toEqual(["python", "app.py"]);
    expect(comparable("python3.12 app.py", {})).toEqual(["python", "app.py"]);
    expect(comparable("/usr/bin/python3 app.py", {})).toEqual(["/usr/bin/python3", "app.py"]);
    expect(comparable("python3-config x", {})).toEqual(["python3-config", "x"]);
  });

  it("`python -m` drops only before a known server", () => {
    for (const server of ["gunicorn", "uvicorn", "hypercorn", "daphne", "waitress-serve", "streamlit", "flask"]) {
      expect(comparable(`python -m ${server} app`, {})).toEqual([server, "app"]);
    }
    expect(comparable("python -m mymodule", {})).toEqual(["python", "-m", "mymodule"]);
    expect(comparable("python app.py gunicorn", {})).toEqual(["python", "app.py", "gunicorn"]);
    expect(comparable("pypy -m gunicorn app", {})).toEqual(["pypy", "-m", "gunicorn", "app"]);
    expect(comparable("node app.js", {})).toEqual(["node", "app.js"]);
  });

  it("`<pm> start`, `<pm> run start` and `npm run-script start` are the start script, nothing near them is", () => {
    const scripts = { start: "node a.js" };
    expect(comparable("npm run start", scripts)).toEqual(["node", "a.js"]);
    expect(comparable("npm run-script start", scripts)).toEqual(["node", "a.js"]);
    expect(comparable("yarn start", scripts)).toEqual(["node", "a.js"]);
    expect(comparable("npm start", {})).toEqual(["node", "server.js"]);
    expect(comparable("yarn run-script start", scripts)).toEqual(["yarn", "run-script", "start"]);
    expect(comparable("node start", scripts)).toEqual(["node", "start"]);
    expect(comparable("npm install", scripts)).toEqual(["npm", "install"]);
    expect(comparable("npm start --prod", scripts)).toEqual(["npm", "start", "--prod"]);
    expect(comparable("npm run build", scripts)).toEqual(["npm", "run", "build"]);
    expect(comparable("npm run start -- --port 3000", scripts)).toEqual(["npm", "run", "start", "--", "--port", "3000"]);
  });

  it("a start script that starts itself stops after three rounds", () => {
    expect(comparable("npm start", { start: "npm start" })).toEqual(["npm", "start"]);
  });

  it("bind and port spellings", () => {
    expect(comparable("uvicorn app --port=8080", {})).toEqual(["uvicorn", "app", "--port", "8080"]);
    expect(comparable("gunicorn --bind=0.0.0.0:${PORT} app", {})).toEqual(["gunicorn", "-b", ":$PORT", "app"]);
    expect(comparable("gunicorn -b 10.0.0.0:80 app", {})).toEqual(["gunicorn", "-b", "10.0.0.0:80", "app"]);
    expect(comparable("gunicorn --sub-b=2 app", {})).toEqual(["gunicorn", "--sub-b=2", "app"]);
    expect(comparable("app 0.0.0.0:80", {})).toEqual(["app", "0.0.0.0:80"]);
    expect(comparable("app --port ${PORT}", {})).toEqual(["app", "--port", "$PORT"]);
    expect(comparable("node dist/./main.js", {})).toEqual(["node", "dist/./main.js"]);
  });
});
