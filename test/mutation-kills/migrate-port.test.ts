// port.ts's decisions: the port a start command names, where migrate says the app listens, and the step or note it
// gives for each mismatch with the port service.yaml declares. Expected texts are the steps a user follows.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { comparePort, literalPort } from "../../migrate/port";
import type { CompareContext } from "../../migrate/types";
import { removeTempTrees, tempDir } from "./temp-tree";

afterAll(removeTempTrees);

function source(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

interface Setup {
  spec?: { kind: "service" | "gke" | "job"; port?: number; env?: Record<string, string> };
  expose?: { port: number; protocol?: string; line: number }[];
  env?: { name: string; value: string; line: number }[];
  entrypoint?: number;
  cmd?: number;
  dir?: string;
}

function ctx(s: Setup = {}): CompareContext {
  const spec = s.spec ?? { kind: "service", port: 8080 };
  return {
    service: { spec, sourceDir: s.dir ?? source({}) },
    parsed: {
      config: {
        entrypoint: s.entrypoint ? { line: s.entrypoint } : null,
        cmd: s.cmd ? { line: s.cmd } : null,
        env: s.env ?? [],
        expose: (s.expose ?? []).map((e) => ({ protocol: "tcp", ...e })),
      },
    },
  } as unknown as CompareContext;
}

describe("the port a start command names", () => {
  it("gunicorn's -b/--bind with a host (IPv6 in brackets too), quoted, or with extra spaces", () => {
    expect(literalPort("hypercorn --bind [::]:8000 main:app")).toBe(8000);
    expect(literalPort("gunicorn -b 0.0.0.0:9000 app:app")).toBe(9000);
    expect(literalPort("gunicorn --bind=127.0.0.1:7000 app:app")).toBe(7000);
    expect(literalPort('gunicorn --bind "0.0.0.0:9001" app:app')).toBe(9001);
    expect(literalPort("gunicorn --bind '[::]:9002' app:app")).toBe(9002);
    expect(literalPort("gunicorn -b   0.0.0.0:9003 app:app")).toBe(9003);
    // a flag that only ends in -b is not gunicorn's bind
    expect(literalPort("tool --verb-b 0.0.0.0:9004")).toBeNull();
  });

  it("--port with = or spaces, two to five digits", () => {
    expect(literalPort("uvicorn main:app --port 9000")).toBe(9000);
    expect(literalPort("uvicorn main:app --port   9005")).toBe(9005);
    expect(literalPort("uvicorn main:app --port=10")).toBe(10);
    expect(literalPort("uvicorn main:app --port 65535")).toBe(65535);
    // one digit is just under the limit, six digits just over
    expect(literalPort("uvicorn main:app --port 9")).toBeNull();
    expect(literalPort("uvicorn main:app --port 123456")).toBeNull();
    expect(literalPort("uvicorn main:app --port abc")).toBeNull();
  });

  it("streamlit's --server.port", () => {
    expect(literalPort("streamlit run app.py --server.port 8600")).toBe(8600);
    expect(literalPort("streamlit run app.py --server.port  8601")).toBe(8601);
    expect(literalPort("streamlit run app.py --server.port=8602")).toBe(8602);
  });

  it("--listen with a host, IPv6 in brackets too", () => {
    expect(literalPort("waitress-serve --listen 0.0.0.0:6543 app:app")).toBe(6543);
    expect(literalPort("waitress-serve --listen  *:6544 app:app".replace("*", "127.0.0.1"))).toBe(6544);
    expect(literalPort("waitress-serve --listen=[::]:6545 app:app")).toBe(6545);
  });

  it("-p as a word of its own", () => {
    expect(literalPort("php -S 0.0.0.0 -p 8000")).toBe(8000);
    expect(literalPort("serve -p  5001")).toBe(5001);
    expect(literalPort("serve -p=5002")).toBe(5002);
    expect(literalPort("serve --no-p 5003")).toBeNull();
  });

  it("Django's runserver with or without an address", () => {
    expect(literalPort("python manage.py runserver 0.0.0.0:8001")).toBe(8001);
    expect(literalPort("python manage.py runserver 8002")).toBe(8002);
    expect(literalPort("python manage.py runserver  8003")).toBe(8003);
    expect(literalPort("python manage.py myrunserver 8004")).toBeNull();
  });

  it("uWSGI's --socket and --http-socket", () => {
    expect(literalPort("uwsgi --http-socket 0.0.0.0:9090 --module app")).toBe(9090);
    expect(literalPort("uwsgi --socket=127.0.0.1:3031 --module app")).toBe(3031);
    expect(literalPort("uwsgi --http-socket  :9091 --module app")).toBe(9091);
    expect(literalPort("uwsgi --my--socket :9092")).toBeNull();
  });

  it("Spring's -Dserver.port", () => {
    expect(literalPort("java -Dserver.port=9100 -jar app.jar")).toBe(9100);
    expect(literalPort("java -Xmx1g-Dserver.port=9101 -jar app.jar")).toBeNull();
  });
});

describe("where migrate says the app listens, and the step it gives", () => {
  it("a port the command names that is not the declared one: set it in service.yaml, at the launch line", () => {
    const r = comparePort(ctx({ cmd: 7 }), "gunicorn -b 0.0.0.0:9000 app:app");
    expect(r.comparison).toEqual({ expose: [], service: 8080, builderDefault: 8080, listens: 9000 });
    expect(r.checks).toEqual([{ aspect: "port", kind: "step", line: 7, text: "set `port: 9000` in service.yaml: the command listens on 9000, and traffic goes to the declared port 8080" }]);
  });

  it("the launch line is the ENTRYPOINT's when there is one, else the CMD's, and absent with neither", () => {
    expect(comparePort(ctx({ entrypoint: 5, cmd: 6 }), "gunicorn -b :9000 app:app").checks[0]!.line).toBe(5);
    expect(comparePort(ctx({ cmd: 6 }), "gunicorn -b :9000 app:app").checks[0]!.line).toBe(6);
    expect("line" in comparePort(ctx({}), "gunicorn -b :9000 app:app").checks[0]!).toBe(false);
  });

  it("the declared port named in the command: nothing to do", () => {
    expect(comparePort(ctx({ cmd: 7 }), "gunicorn -b :8080 app:app").checks).toEqual([]);
  });

  it("a port below 1024 cannot be bound by the non-root user; 1023 is refused, 1024 is not", () => {
    expect(comparePort(ctx({ cmd: 3 }), "gunicorn -b :1023 app:app").checks).toEqual([
      {
        aspect: "port",
        kind: "step",
        line: 3,
        text: "make the app listen on $PORT and keep `port: 8080` in service.yaml: the command binds port 1023, and buildpacks images run as a non-root user, which cannot bind a port below 1024",
      },
    ]);
    expect(comparePort(ctx({ cmd: 3 }), "gunicorn -b :1024 app:app").checks).toEqual([
      { aspect: "port", kind: "step", line: 3, text: "set `port: 1024` in service.yaml: the command listens on 1024, and traffic goes to the declared port 8080" },
    ]);
  });

  it("a server's own default port, when the command gives none: read $PORT or declare it", () => {
    const r = comparePort(ctx({ cmd: 4 }), "flask run --host 0.0.0.0");
    expect(r.comparison.listens).toBe(5000);
    expect(r.checks).toEqual([
      {
        aspect: "port",
        kind: "step",
        line: 4,
        text: "make the app read $PORT (Cloud Run sets it to the service's port 8080), or set `port: 5000` in service.yaml: `flask` by default (the command gives no port) listens on 5000, not on 8080",
      },
    ]);
  });

  it("a port written in the source, when the command names none, with the file and line", () => {
    const dir = source({ "server.js": "const express = require('express');\nconst app = express();\napp.listen(3000);\n" });
    const r = comparePort(ctx({ dir, cmd: 9 }), "node server.js");
    expect(r.comparison.listens).toBe(3000);
    expect(r.checks).toEqual([
      {
        aspect: "port",
        kind: "step",
        line: 9,
        text: "make the app read $PORT (Cloud Run sets it to the service's port 8080), or set `port: 3000` in service.yaml: the app (server.js:3) listens on 3000, not on 8080",
      },
    ]);
  });

  it("a source port below 1024 names the file", () => {
    const dir = source({ "server.js": "app.listen(80);\n" });
    expect(comparePort(ctx({ dir }), "node server.js").checks[0]!.text).toBe(
      "make the app listen on $PORT and keep `port: 8080` in service.yaml: the app (server.js:1) binds port 80, and buildpacks images run as a non-root user, which cannot bind a port below 1024",
    );
  });

  it("a source that also reads PORT follows Cloud Run: no step", () => {
    const dir = source({ "server.js": "app.listen(process.env.PORT || 3000);\nserver.listen(3000);\n" });
    const r = comparePort(ctx({ dir }), "node server.js");
    expect(r.comparison.listens).toBeNull();
    expect(r.checks).toEqual([]);
  });

  it("a command that passes $PORT is not second-guessed from the source", () => {
    const dir = source({ "server.js": "app.listen(3000);\n" });
    for (const cmd of ["node server.js --port $PORT", "node server.js --port ${PORT}"]) {
      const r = comparePort(ctx({ dir }), cmd);
      expect(r.comparison.listens).toBeNull();
      expect(r.checks).toEqual([]);
    }
  });

  it("a server's default wins over the source", () => {
    const dir = source({ "app.py": "app.run(port=7000)\n" });
    expect(comparePort(ctx({ dir }), "flask run").comparison.listens).toBe(5000);
  });

  it("with no command, the source decides", () => {
    const dir = source({ "server.js": "app.listen(3000);\n" });
    expect(comparePort(ctx({ dir }), null).comparison.listens).toBe(3000);
  });

  it("a declared port below 1024 with nothing listening on it: listen on 8080 instead; 1024 is fine", () => {
    expect(comparePort(ctx({ spec: { kind: "service", port: 80 }, cmd: 2 }), "node server.js").checks).toEqual([
      { aspect: "port", kind: "step", text: "listen on 8080 and set `port: 8080` in service.yaml: buildpacks images run as a non-root user, which cannot bind port 80" },
    ]);
    expect(comparePort(ctx({ spec: { kind: "service", port: 1023 } }), "node server.js").checks).toHaveLength(1);
    expect(comparePort(ctx({ spec: { kind: "service", port: 1024 } }), "node server.js").checks).toEqual([]);
  });

  it("a job has no port: no checks", () => {
    const r = comparePort(ctx({ spec: { kind: "job" }, expose: [{ port: 9000, line: 2 }], env: [{ name: "PORT", value: "9000", line: 3 }] }), "gunicorn -b :80 app:app");
    expect(r.comparison.service).toBeNull();
    expect(r.checks).toEqual([]);
  });
});

describe("ENV PORT", () => {
  it("on GKE, an ENV PORT service.yaml does not repeat must be added under env", () => {
    const c = ctx({ spec: { kind: "gke", port: 8080 }, env: [{ name: "PORT", value: "8080", line: 6 }] });
    expect(comparePort(c, "node server.js").checks).toEqual([
      { aspect: "port", kind: "step", line: 6, text: 'add `PORT: "8080"` under env in service.yaml: the Dockerfile sets it (ENV), and GKE does not' },
    ]);
    const same = ctx({ spec: { kind: "gke", port: 8080, env: { PORT: "8080" } }, env: [{ name: "PORT", value: "8080", line: 6 }] });
    expect(comparePort(same, "node server.js").checks).toEqual([]);
    // GKE does not set PORT itself: an ENV PORT service.yaml repeats is kept, and is no Cloud Run note either
    const other = ctx({ spec: { kind: "gke", port: 8080, env: { PORT: "5000" } }, env: [{ name: "PORT", value: "5000", line: 6 }] });
    expect(comparePort(other, "node server.js").checks).toEqual([]);
  });

  it("on Cloud Run, an ENV PORT other than the service's port is a note; the same port says nothing", () => {
    expect(comparePort(ctx({ env: [{ name: "PORT", value: "5000", line: 4 }] }), "node server.js").checks).toEqual([
      { aspect: "port", kind: "note", line: 4, text: "ENV PORT=5000 never applied on Cloud Run, which sets PORT to the service's port 8080" },
    ]);
    expect(comparePort(ctx({ env: [{ name: "PORT", value: "8080", line: 4 }] }), "node server.js").checks).toEqual([]);
  });

  it("other ENV names are not PORT", () => {
    expect(comparePort(ctx({ env: [{ name: "APP_PORT", value: "5000", line: 4 }] }), "node server.js").checks).toEqual([]);
  });
});

describe("EXPOSE", () => {
  it("an EXPOSEd port other than the service's is a note at its line, when nothing else says where the app listens", () => {
    const c = ctx({ expose: [{ port: 8080, line: 3 }, { port: 9000, line: 5 }, { port: 9001, line: 6 }, { port: 9000, line: 8 }] });
    const r = comparePort(c, "node server.js");
    expect(r.comparison.expose).toEqual([8080, 9000, 9001]);
    expect(r.checks).toEqual([
      {
        aspect: "port",
        kind: "note",
        line: 5,
        text: "EXPOSE 9000 9001 is not the service's port 8080; EXPOSE has no effect on Cloud Run or GKE, which send traffic to 8080 and set $PORT to it: the app must listen there, with or without the Dockerfile",
      },
    ]);
  });

  it("on GKE the note does not say $PORT is set", () => {
    const c = ctx({ spec: { kind: "gke", port: 8080 }, expose: [{ port: 9000, line: 5 }] });
    expect(comparePort(c, "node server.js").checks).toEqual([
      {
        aspect: "port",
        kind: "note",
        line: 5,
        text: "EXPOSE 9000 is not the service's port 8080; EXPOSE has no effect on Cloud Run or GKE, which send traffic to 8080: the app must listen there, with or without the Dockerfile",
      },
    ]);
  });

  it("a UDP EXPOSE is not a port the app serves on", () => {
    const r = comparePort(ctx({ expose: [{ port: 9000, protocol: "udp", line: 5 }] }), "node server.js");
    expect(r.comparison.expose).toEqual([]);
    expect(r.checks).toEqual([]);
  });

  it("when the command names its port, the port step speaks and EXPOSE says nothing", () => {
    const r = comparePort(ctx({ expose: [{ port: 9000, line: 5 }] }), "gunicorn -b :8080 app:app");
    expect(r.checks).toEqual([]);
  });
});
