// What compareLaunch tells the user about the start command, on hand-made services: the Procfile step, the note that
// the builder's own command already serves the app, the packages a Procfile makes the app list, the Go, Java and
// Functions Framework settings, and a privileged port moved to $PORT.
import { afterAll, describe, expect, it } from "vitest";
import { compareLaunch } from "../../migrate/launch";
import { removeTempTrees } from "./temp-tree";
import { PY, run, service } from "./launch-context";

afterAll(removeTempTrees);

describe("no CMD or ENTRYPOINT", () => {
  it("asks for a Procfile line, naming the builder's command when there is one", () => {
    expect(run(PY, { language: "python", processes: { worker: "python w.py" }, defaultProcess: "worker" })).toEqual({
      comparison: { dockerfile: null, buildpacks: "python w.py", same: false, after: "python w.py" },
      checks: [{ aspect: "launch", kind: "step", text: "the Dockerfile sets no CMD or ENTRYPOINT, so the image runs whatever its base image starts; add a Procfile line `web: <the command that starts the service>` unless the builder's `python w.py` is it" }],
    });
    expect(run(PY, { processes: {}, defaultProcess: "worker" })).toEqual({
      comparison: { dockerfile: null, buildpacks: null, same: false, after: null },
      checks: [{ aspect: "launch", kind: "step", text: "the Dockerfile sets no CMD or ENTRYPOINT, so the image runs whatever its base image starts; add a Procfile line `web: <the command that starts the service>`" }],
    });
  });

  it("a framework base image's own server is a Procfile line only for a Python app", () => {
    expect(run("FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11\n", { language: "nodejs" }).checks[0]!.text).toMatch(/^the Dockerfile sets no CMD/);
  });
});

describe("a framework base image (tiangolo's and the like)", () => {
  const ASGI = "FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11\nCOPY ./app /app/app\n";
  const WSGI = "FROM tiangolo/meinheld-gunicorn-flask:python3.9\nCOPY . /app\n";

  it("gunicorn with uvicorn workers serving app/main.py, and both packages to list", () => {
    const r = run(ASGI, { files: { "app/main.py": "x" }, web: "python main.py" });
    expect(r.comparison).toEqual({ dockerfile: null, buildpacks: "python main.py", same: false, after: "gunicorn -k uvicorn.workers.UvicornWorker -b :$PORT app.main:app" });
    expect(r.checks).toEqual([
      { aspect: "launch", kind: "step", line: 1, text: "add a Procfile line `web: gunicorn -k uvicorn.workers.UvicornWorker -b :$PORT app.main:app` (FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11 starts gunicorn with uvicorn workers from a start script of the image's own on port 80)" },
      { aspect: "launch", kind: "step", text: "add `gunicorn` to requirements.txt: with a Procfile the builder installs only what the app lists" },
      { aspect: "launch", kind: "step", text: "add `uvicorn` to requirements.txt: with a Procfile the builder installs only what the app lists" },
    ]);
  });

  it("uvicorn already listed or installed by name is not asked for; the listing file is named", () => {
    expect(run(ASGI, { files: { "main.py": "x" }, pythonDeps: ["uvicorn"], pythonFile: "pyproject.toml" }).checks.map((c) => c.text)).toEqual([
      "add a Procfile line `web: gunicorn -k uvicorn.workers.UvicornWorker -b :$PORT main:app` (FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11 starts gunicorn with uvicorn workers from a start script of the image's own on port 80)",
      "add `gunicorn` to pyproject.toml: with a Procfile the builder installs only what the app lists",
    ]);
    expect(run(ASGI, {}, ["uvicorn", "gunicorn"]).checks.map((c) => c.text)).toEqual([
      "add a Procfile line `web: gunicorn -k uvicorn.workers.UvicornWorker -b :$PORT app:app` (FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11 starts gunicorn with uvicorn workers from a start script of the image's own on port 80)",
    ]);
  });

  it("a WSGI base is plain gunicorn and asks for no uvicorn", () => {
    const r = run(WSGI, { procfileWeb: "python app.py" });
    expect(r.comparison.after).toBe("gunicorn -b :$PORT app:app");
    expect(r.checks.map((c) => c.text)).toEqual([
      "change the Procfile's web line from `web: python app.py` to `web: gunicorn -b :$PORT app:app` (FROM tiangolo/meinheld-gunicorn-flask:python3.9 starts its server from a start script of the image's own on port 80)",
      "add `gunicorn` to requirements.txt: with a Procfile the builder installs only what the app lists",
    ]);
  });
});

describe("the Dockerfile's command against the builder's", () => {
  it("an init wrapper is dropped with a note", () => {
    const r = run(PY + 'ENTRYPOINT ["tini", "--"]\nCMD ["gunicorn", "app:app"]\n', { web: "gunicorn app:app", pythonDeps: ["gunicorn"] });
    expect(r).toEqual({
      comparison: { dockerfile: "gunicorn app:app", buildpacks: "gunicorn app:app", same: true, after: "gunicorn app:app" },
      checks: [{ aspect: "launch", kind: "note", line: 2, text: "tini is dropped: the buildpacks launcher starts the process itself, and Cloud Run and GKE deliver signals to it" }],
    });
  });

  it("a different command is a Procfile step, and for Python the servers it needs listed", () => {
    const r = run(PY + 'CMD ["waitress-serve", "--port=8080", "app:app"]\n', { web: "gunicorn app:app" });
    expect(r).toEqual({
      comparison: { dockerfile: "waitress-serve --port=8080 app:app", buildpacks: "gunicorn app:app", same: false, after: "waitress-serve --port=8080 app:app" },
      checks: [
        { aspect: "launch", kind: "step", line: 2, text: "add a Procfile line `web: waitress-serve --port=8080 app:app`" },
        { aspect: "launch", kind: "step", line: 2, text: "add `waitress` to requirements.txt: with a Procfile the builder installs only what the app lists" },
      ],
    });
    expect(run(PY + 'CMD ["waitress-serve", "app:app"]\n', { pythonDeps: ["waitress"] }).checks.map((c) => c.text)).toEqual(["add a Procfile line `web: waitress-serve app:app`"]);
    expect(run(PY + 'CMD ["gunicorn", "app:app"]\n', {}, ["gunicorn"]).checks.map((c) => c.text)).toEqual(["add a Procfile line `web: gunicorn app:app`"]);
    expect(run("FROM node:20\nCMD [\"gunicorn\", \"app:app\"]\n", { language: "nodejs" }).checks.map((c) => c.text)).toEqual(["add a Procfile line `web: gunicorn app:app`"]);
  });

  it("a program the app's manifest lists is on PATH; one it does not list is missing", () => {
    expect(run(PY + 'CMD ["mkdocs", "serve"]\n', { pythonDeps: ["mkdocs"] }).checks.map((c) => c.text)).toEqual(["add a Procfile line `web: mkdocs serve`"]);
    expect(run("FROM node:20\nCMD [\"next\", \"start\"]\n", { language: "nodejs", nodeDeps: ["next"] }).checks.map((c) => c.text)).toEqual(["add a Procfile line `web: next start`"]);
    expect(run(PY + 'CMD ["mkdocs", "serve"]\n', { web: "gunicorn app:app" })).toEqual({
      comparison: { dockerfile: "mkdocs serve", buildpacks: "gunicorn app:app", same: false, after: null },
      checks: [{ aspect: "launch", kind: "step", line: 2, text: "write a Procfile web line that starts the app from the source folder: the Dockerfile's `mkdocs serve` uses `mkdocs`, which a buildpacks image does not have (the app is in /workspace, the runtime and dependencies on PATH); the builder's own `gunicorn app:app` may already do it" }],
    });
    expect(run(PY + 'CMD ["mkdocs", "serve", "-f", "/etc/mk.yml"]\n').checks.map((c) => c.text)).toEqual([
      "write a Procfile web line that starts the app from the source folder: the Dockerfile's `mkdocs serve -f /etc/mk.yml` uses `mkdocs`, `/etc/mk.yml`, which a buildpacks image does not have (the app is in /workspace, the runtime and dependencies on PATH)",
    ]);
  });

  it("a Python script that starts nothing gives way to the builder's command", () => {
    const files = { "app.py": "import flask\nx = 1\n" };
    const note = (command: string, script = "app.py") => ({
      comparison: { dockerfile: command, buildpacks: "gunicorn app:app", same: false, after: "gunicorn app:app" },
      checks: [{ aspect: "launch", kind: "note", line: 2, text: `\`${command}\` starts nothing (${script} has no __main__ block and calls no run()); the builder's \`gunicorn app:app\` serves the app, so no Procfile line is needed` }],
    });
    expect(run(PY + "CMD python app.py\n", { web: "gunicorn app:app", files })).toEqual(note("python app.py"));
    expect(run(PY + "CMD python3 app.py\n", { web: "gunicorn app:app", files })).toEqual(note("python3 app.py"));
    expect(run(PY + "CMD python3.11 app.py\n", { web: "gunicorn app:app", files })).toEqual(note("python3.11 app.py"));
    expect(run(PY + 'CMD ["sh", "-c", "python  app.py"]\n', { web: "gunicorn app:app", files })).toEqual(note("python  app.py"));
    expect(run(PY + "CMD python src/app.py\n", { web: "gunicorn app:app", files: { "src/app.py": "x = 1\n" } })).toEqual(note("python src/app.py", "src/app.py"));
    // Not a bare `python <file>.py`: a Procfile line, or a missing program.
    expect(run(PY + "CMD python app.py --debug\n", { web: "gunicorn app:app", files }).checks.map((c) => c.text)).toEqual(["add a Procfile line `web: python app.py --debug`"]);
    expect(run(PY + "CMD python app.pyc\n", { web: "gunicorn app:app", files }).checks.map((c) => c.text)).toEqual(["add a Procfile line `web: python app.pyc`"]);
    expect(run(PY + "CMD ipython app.py\n", { web: "gunicorn app:app", files }).checks[0]!.text).toMatch(/^write a Procfile web line .* uses `ipython`/);
    // No builder command to give way to, or a script that does start a server.
    expect(run(PY + "CMD python app.py\n", { files }).checks.map((c) => c.text)).toEqual(["add a Procfile line `web: python app.py`"]);
    expect(run(PY + "CMD python app.py\n", { web: "gunicorn app:app", files: { "app.py": "if __name__ == '__main__':\n  main()\n" } }).checks.map((c) => c.text)).toEqual(["add a Procfile line `web: python app.py`"]);
  });
});

describe("a port below 1024 moves to $PORT", () => {
  const step = (cmd: string) => run(PY + `CMD ${cmd}\n`, { pythonDeps: ["gunicorn", "uvicorn"], files: { "manage.py": "x" } }).checks.map((c) => c.text);
  const moved = (line: string, port: number) => [`add a Procfile line \`web: ${line}\` (port ${port} becomes $PORT: a buildpacks image runs as a non-root user, which cannot bind a port below 1024)`];
  const kept = (line: string) => [`add a Procfile line \`web: ${line}\``];

  it("--port, -p, -b/--bind and runserver, at the end or mid-line, 1023 but not 1024", () => {
    expect(step("uvicorn app:app --port 80")).toEqual(moved("uvicorn app:app --port $PORT", 80));
    expect(step("uvicorn app:app --port=1023 --x")).toEqual(moved("uvicorn app:app --port=$PORT --x", 1023));
    expect(step("uvicorn app:app --port  1000")).toEqual(moved("uvicorn app:app --port  $PORT", 1000));
    expect(step("uvicorn app:app --port 1024")).toEqual(kept("uvicorn app:app --port 1024"));
    expect(step("uvicorn app:app --port 8080")).toEqual(kept("uvicorn app:app --port 8080"));
    expect(step("uvicorn app:app -p 80")).toEqual(moved("uvicorn app:app -p $PORT", 80));
    expect(step("uvicorn app:app -p  443 --x")).toEqual(moved("uvicorn app:app -p  $PORT --x", 443));
    expect(step("uvicorn app:app -p 1024")).toEqual(kept("uvicorn app:app -p 1024"));
    expect(step("gunicorn -b 0.0.0.0:80 app:app")).toEqual(moved("gunicorn -b 0.0.0.0:$PORT app:app", 80));
    expect(step("gunicorn app:app --bind  :80")).toEqual(moved("gunicorn app:app --bind  :$PORT", 80));
    expect(step("gunicorn -b '0.0.0.0:80' app:app")).toEqual(moved("gunicorn -b '0.0.0.0:$PORT' app:app", 80));
    expect(step("gunicorn -b [::]:1023 app:app")).toEqual(moved("gunicorn -b [::]:$PORT app:app", 1023));
    expect(step("gunicorn -b :1024 app:app")).toEqual(kept("gunicorn -b :1024 app:app"));
    expect(step("python manage.py runserver 0.0.0.0:80")).toEqual(moved("python manage.py runserver 0.0.0.0:$PORT", 80));
    expect(step("python manage.py runserver  80 --noreload")).toEqual(moved("python manage.py runserver  $PORT --noreload", 80));
    expect(step("python manage.py runserver 1024")).toEqual(kept("python manage.py runserver 1024"));
  });
});
