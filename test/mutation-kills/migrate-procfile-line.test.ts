// procfile-line.ts's decisions: the Procfile line migrate suggests for a start command (wrappers and absolute
// paths to PATH programs removed, bare scripts run from the app folder) and what that line names that a buildpacks
// image does not have; and whether a Python file runs anything when started as a script.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { procfileLine, pythonRunsAsScript } from "../../migrate/procfile-line";
import { removeTempTrees, tempDir, tempTree } from "./temp-tree";

afterAll(removeTempTrees);

const empty = tempTree([]);
const line = (command: string, dir = empty, deps?: Set<string>) => procfileLine(command, dir, deps);

describe("wrappers that only find the virtualenv are dropped", () => {
  it("uv, poetry, pipenv, pdm and rye `run`, with their flags", () => {
    expect(line("uv run --frozen gunicorn app:app")).toEqual({ command: "gunicorn app:app", missing: [] });
    expect(line("poetry run gunicorn app:app")).toEqual({ command: "gunicorn app:app", missing: [] });
    expect(line("pipenv run gunicorn app:app")).toEqual({ command: "gunicorn app:app", missing: [] });
    expect(line("pdm run gunicorn app:app")).toEqual({ command: "gunicorn app:app", missing: [] });
    expect(line("rye run gunicorn app:app")).toEqual({ command: "gunicorn app:app", missing: [] });
    expect(line("/root/.local/bin/uv run -q --no-sync uvicorn main:app")).toEqual({ command: "uvicorn main:app", missing: [] });
  });

  it("only a wrapper followed by `run` is dropped; other commands keep every word", () => {
    expect(line("gunicorn app:app")).toEqual({ command: "gunicorn app:app", missing: [] });
    expect(line("poetry install")).toEqual({ command: "poetry install", missing: ["poetry"] });
  });

  it("a wrapper with nothing but flags after `run` leaves an empty line", () => {
    expect(line("uv run --frozen")).toEqual({ command: "", missing: [] });
  });

  it("quoted flag values and extra spaces are dropped whole", () => {
    expect(line("uv run --env-file='.env local' gunicorn app:app")).toEqual({ command: "gunicorn app:app", missing: [] });
    expect(line('uv run --env-file=".env local" gunicorn app:app')).toEqual({ command: "gunicorn app:app", missing: [] });
    expect(line("uv  run   gunicorn app:app")).toEqual({ command: "gunicorn app:app", missing: [] });
    expect(line("  poetry run gunicorn app:app")).toEqual({ command: "gunicorn app:app", missing: [] });
  });
});

describe("absolute paths to programs on PATH", () => {
  it("are shortened to the program, after a shell word or at the end", () => {
    expect(line("exec /usr/local/bin/gunicorn app:app")).toEqual({ command: "exec gunicorn app:app", missing: [] });
    expect(line("bundle exec /usr/local/bin/puma")).toEqual({ command: "bundle exec puma", missing: [] });
    expect(line("/opt/venv/bin/python3.12 -m http.server")).toEqual({ command: "python3.12 -m http.server", missing: [] });
  });

  it("a program not on PATH keeps its path, which is missing", () => {
    expect(line("/opt/app/bin/server --port 8080")).toEqual({ command: "/opt/app/bin/server --port 8080", missing: ["/opt/app/bin/server"] });
  });
});

describe("the program the line runs", () => {
  it("the runtime's programs are on PATH, pip with or without its version", () => {
    expect(line("pip install -r requirements.txt")).toEqual({ command: "pip install -r requirements.txt", missing: [] });
    expect(line("pip3 install -r requirements.txt").missing).toEqual([]);
    expect(line("pip3.12 install -r requirements.txt").missing).toEqual([]);
  });

  it("a program whose name only starts or ends like one on PATH is not", () => {
    expect(line("nodemon server.js").missing).toEqual(["nodemon"]);
    expect(line("mynode server.js").missing).toEqual(["mynode"]);
  });

  it("the run image's shell and coreutils are there", () => {
    for (const cmd of ["sh -c 'gunicorn app:app'", "bash -c 'gunicorn app:app'", "env PORT=8080 gunicorn app:app", "sleep 5", "echo ready", "cat /etc/hosts", "test -n \"$PORT\"", "[ -n \"$PORT\" ]"]) {
      expect(line(cmd).missing, cmd).toEqual([]);
    }
  });

  it("the program is the first word after the environment assignments and exec", () => {
    expect(line("WEB_CONCURRENCY=2 gunicorn app:app")).toEqual({ command: "WEB_CONCURRENCY=2 gunicorn app:app", missing: [] });
    expect(line("WEB_CONCURRENCY=2 myserver")).toEqual({ command: "WEB_CONCURRENCY=2 myserver", missing: ["myserver"] });
    expect(line("exec myserver --fast")).toEqual({ command: "exec myserver --fast", missing: ["myserver"] });
    expect(line("DEBUG=0")).toEqual({ command: "DEBUG=0", missing: [] });
  });

  it("a dependency's console script is on PATH, by its name in any case", () => {
    expect(line("Celery -A tasks worker", empty, new Set(["celery"])).missing).toEqual([]);
  });
});

describe("a script the Dockerfile ran by bare name", () => {
  it("is run from the app folder when the source has it", () => {
    const dir = tempTree(["start.sh"]);
    expect(line("start.sh --prod", dir)).toEqual({ command: "./start.sh --prod", missing: [] });
    expect(line("  start.sh --prod", dir)).toEqual({ command: "./start.sh --prod", missing: [] });
  });

  it("is missing when the source does not have it", () => {
    expect(line("start.sh --prod")).toEqual({ command: "start.sh --prod", missing: ["start.sh"] });
  });

  it("a trailing space is not part of the line", () => {
    expect(line("gunicorn app:app ")).toEqual({ command: "gunicorn app:app", missing: [] });
  });
});

describe("absolute paths the line names", () => {
  it("outside /workspace and the system's places, as a word, a flag value or an assignment, are missing", () => {
    expect(line("gunicorn --pid /app/tmp/gunicorn.pid app:app").missing).toEqual(["/app/tmp/gunicorn.pid"]);
    expect(line("APP_CONFIG=/etc/app/config.yml gunicorn app:app").missing).toEqual(["/etc/app/config.yml"]);
    expect(line("gunicorn --config=/etc/gunicorn.conf.py app:app").missing).toEqual(["/etc/gunicorn.conf.py"]);
    const dir = tempTree(["server"]);
    expect(line("./server -config=/etc/app/config.yaml", dir).missing).toEqual(["/etc/app/config.yaml"]);
  });

  it("the system's places and /workspace are there", () => {
    expect(line("/bin/sh -c 'gunicorn app:app'").missing).toEqual([]);
    expect(line("gunicorn --worker-tmp-dir /dev/shm app:app").missing).toEqual([]);
    const dir = tempTree(["bin/start.sh"]);
    expect(line("/workspace/bin/start.sh", dir).missing).toEqual([]);
  });
});

describe("relative scripts and Python files must be in the source", () => {
  it("present: nothing missing; absent: missing", () => {
    const dir = tempTree(["main.py", "scripts/run.sh"]);
    expect(line("python main.py", dir).missing).toEqual([]);
    expect(line("sh ./scripts/run.sh", dir).missing).toEqual([]);
    expect(line("python app.py", dir).missing).toEqual(["app.py"]);
  });

  it("a file the build may make (a .pyz zipapp) is not held to it", () => {
    expect(line("python app.pyz").missing).toEqual([]);
  });
});

describe("whether a Python file runs as a script", () => {
  function runs(text: string): boolean | null {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "main.py"), text);
    return pythonRunsAsScript(dir, "main.py");
  }

  it("a __main__ block, however it is spaced", () => {
    expect(runs('def f():\n    pass\n\nif __name__ == "__main__":\n    f()\n')).toBe(true);
    expect(runs("if  __name__=='__main__':\n    f()\n")).toBe(true);
  });

  it("top-level code that starts a server", () => {
    expect(runs("app = Flask(__name__)\napp.run(host='0.0.0.0')\n")).toBe(true);
    expect(runs("import uvicorn\nuvicorn.run(app)\n")).toBe(true);
    expect(runs("def main():\n    pass\n\nmain()\n")).toBe(true);
  });

  it("a module that only defines, or comments out, what would run: no", () => {
    expect(runs("def start():\n    app.run()\n    uvicorn.run(app)\n    asyncio.run(main())\n    main()\n")).toBe(false);
    expect(runs('# if __name__ == "__main__":\n#     app.run()\n')).toBe(false);
    expect(runs("from flask import Flask\napp = Flask(__name__)\n")).toBe(false);
  });

  it("a file that is not there: unknown", () => {
    expect(pythonRunsAsScript(empty, "nope.py")).toBeNull();
  });
});
