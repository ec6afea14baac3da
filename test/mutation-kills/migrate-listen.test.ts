// listen.ts's decisions: the port an app's source writes where it listens (and where), whether it reads $PORT, and
// the port a start command's server listens on by default. Each case is a source or command written out by hand.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultPortOf, sourceListen } from "../../migrate/listen";
import { removeTempTrees, tempDir } from "./temp-tree";

afterAll(removeTempTrees);

function listen(files: Record<string, string>) {
  const dir = tempDir();
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return sourceListen(dir);
}

/** The port and place read from one file, and whether it reads PORT. */
function one(file: string, text: string): [number | null, string | null, boolean] {
  const r = listen({ [file]: text });
  return [r.port, r.where, r.readsPort];
}

describe("a port written where the app listens", () => {
  it("Flask's app.run and uvicorn.run, with spaces around =", () => {
    expect(one("app.py", 'from flask import Flask\napp = Flask(__name__)\napp.run(host="0.0.0.0", port = 5001)\n')).toEqual([5001, "app.py:3", false]);
    expect(one("main.py", 'import uvicorn\nuvicorn.run(app, host="0.0.0.0", port = 8001)\n')).toEqual([8001, "main.py:2", false]);
  });

  it("aiohttp's web.run_app, with or without spaces around =", () => {
    expect(one("server.py", 'web.run_app(app, host="0.0.0.0", port=8081)\n')).toEqual([8081, "server.py:1", false]);
    expect(one("server.py", "web.run_app(app, port = 8082)\n")).toEqual([8082, "server.py:1", false]);
    expect(one("server.py", "web.run_app(app, port=x)\n")).toEqual([null, null, false]);
  });

  it("Express's .listen(port, callback), and .listen({ port })", () => {
    expect(one("index.js", "const app = express();\napp.listen(3000 , () => console.log('up'));\n")).toEqual([3000, "index.js:2", false]);
    expect(one("index.js", "fastify.listen({port:3001})\n")).toEqual([3001, "index.js:1", false]);
    expect(one("index.js", "fastify.listen( { port: 3002, host: '0.0.0.0' })\n")).toEqual([3002, "index.js:1", false]);
    expect(one("index.js", "fastify.listen({ port: p })\n")).toEqual([null, null, false]);
  });

  it("Go's ListenAndServe and net.Listen with a host in the address", () => {
    expect(one("main.go", 'package main\n\nfunc main() {\n\tln, _ := net.Listen("tcp", "localhost:9000")\n}\n')).toEqual([9000, "main.go:4", false]);
    expect(one("main.go", 'http.ListenAndServe("0.0.0.0:9001", nil)\n')).toEqual([9001, "main.go:1", false]);
  });

  it("Spring's server.port, in application.properties (root or resources) or application.yml", () => {
    expect(one("application.properties", "spring.application.name=demo\nserver.port=9090\nspring.main.banner-mode=off")).toEqual([9090, "application.properties:2", false]);
    expect(one("src/main/resources/application.properties", "server.port = 9091 \nspring.application.name=demo\n")).toEqual([9091, "src/main/resources/application.properties:1", false]);
    expect(one("src/main/resources/application.yml", "  server.port: 9092\nspring.application.name: demo\n")).toEqual([9092, "src/main/resources/application.yml:1", false]);
    // the actuator's port is not the app's
    expect(one("application.properties", "management.server.port=9093\n")).toEqual([null, null, false]);
    // six digits is not a port
    expect(one("application.properties", "server.port=909400\n")).toEqual([null, null, false]);
  });

  it("a `const port = N` line, JavaScript-style, and not one that computes or comments it", () => {
    expect(one("index.js", "const port = 3000;\napp.listen(port);\n")).toEqual([3000, "index.js:1", false]);
    expect(one("index.js", "function main() {\n  let  port=3001 ;\n}\n")).toEqual([3001, "index.js:2", false]);
    expect(one("index.ts", "var port = 3002\napp.listen(port)\n")).toEqual([3002, "index.ts:1", false]);
    expect(one("index.ts", "const port =3003; \n")).toEqual([3003, "index.ts:1", false]);
    expect(one("index.js", "let port = 3004 + offset;\n")).toEqual([null, null, false]);
    expect(one("index.js", "// const port = 3005;\n")).toEqual([null, null, false]);
    expect(one("index.js", "const port = 7;\n")).toEqual([null, null, false]);
  });

  it("a `PORT = N` line, Python-style, and not another service's port", () => {
    expect(one("config.py", "PORT = 8000\nDEBUG = False\n")).toEqual([8000, "config.py:1", false]);
    expect(one("config.py", "class Config:\n    PORT=8001 \n")).toEqual([8001, "config.py:2", false]);
    expect(one("config.py", "DB_PORT = 5432\n")).toEqual([null, null, false]);
    expect(one("config.py", "PORT = 8002 + 1\n")).toEqual([null, null, false]);
    expect(one("config.py", "PORT = 8\n")).toEqual([null, null, false]);
  });

  it("the line is the one that names the port, below blank lines too", () => {
    expect(one("config.py", "import os\n\n\nPORT = 8000\n")).toEqual([8000, "config.py:4", false]);
    expect(one("index.js", "const x = 1;\n\n\n\nconst port = 3000;\n")).toEqual([3000, "index.js:5", false]);
  });

  it("gunicorn.conf.py's bind, quoted or in a list, and not a commented one", () => {
    expect(one("gunicorn.conf.py", 'workers = 2\nbind="0.0.0.0:8003"\n')).toEqual([8003, "gunicorn.conf.py:2", false]);
    expect(one("gunicorn.conf.py", "bind = [ '0.0.0.0:8004' ]\n")).toEqual([8004, "gunicorn.conf.py:1", false]);
    expect(one("gunicorn.conf.py", 'if True:\n    bind = ["[::]:8005"]\n'.replace("[::]", "localhost"))).toEqual([8005, "gunicorn.conf.py:2", false]);
    expect(one("gunicorn.conf.py", '# bind = "0.0.0.0:8006"\n')).toEqual([null, null, false]);
  });

  it("the first file that writes a port is the one reported", () => {
    const r = listen({ "a.js": "app.listen(3000);\n", "b.js": "app.listen(4000);\n" });
    expect([r.port, r.where]).toEqual([3000, "a.js:1"]);
  });
});

describe("a source that reads PORT", () => {
  const reads = (file: string, text: string): boolean => listen({ [file]: text }).readsPort;

  it("Node: process.env.PORT and process.env['PORT']", () => {
    expect(reads("index.js", "app.listen(process.env.PORT);\n")).toBe(true);
    expect(reads("index.js", "app.listen(process.env['PORT']);\n")).toBe(true);
    expect(reads("index.js", 'app.listen(process.env["PORT"]);\n')).toBe(true);
    expect(reads("index.js", "app.listen(process.env.HTTP_PORT_X);\n".replace("HTTP_PORT_X", "APP"))).toBe(false);
  });

  it("Python: os.environ[...], os.environ.get(...), os.getenv(...), spaced or not", () => {
    expect(reads("app.py", 'port = int(os.environ["PORT"])\n')).toBe(true);
    expect(reads("app.py", "port = int(os.environ[ 'PORT' ])\n")).toBe(true);
    expect(reads("app.py", 'port = int(os.environ.get("PORT", 8080))\n')).toBe(true);
    expect(reads("app.py", 'port = int(os.environ.get ("PORT", 8080))\n')).toBe(true);
    expect(reads("app.py", "port = int(os.getenv('PORT'))\n")).toBe(true);
    expect(reads("app.py", 'port = int(os.getenv( "PORT" ))\n')).toBe(true);
    expect(reads("app.py", 'port = int(os.environ.get("DB_PORT"))\n')).toBe(false);
  });

  it("Go: os.Getenv and os.LookupEnv", () => {
    expect(reads("main.go", 'port := os.Getenv("PORT")\n')).toBe(true);
    expect(reads("main.go", 'port := os.Getenv( "PORT" )\n')).toBe(true);
    expect(reads("main.go", 'port, ok := os.LookupEnv("PORT")\n')).toBe(true);
    expect(reads("main.go", 'port, ok := os.LookupEnv( "PORT")\n')).toBe(true);
  });

  it("Java: System.getenv and a ${PORT} placeholder, with or without a default", () => {
    expect(reads("Main.java", 'int port = Integer.parseInt(System.getenv("PORT"));\n')).toBe(true);
    expect(reads("Main.java", 'int port = Integer.parseInt(System.getenv( "PORT" ));\n')).toBe(true);
    expect(reads("application.properties", "server.port=${PORT:8080}\n")).toBe(true);
    expect(reads("application.properties", "server.port=${PORT}\n")).toBe(true);
    expect(reads("application.properties", "server.port=${PORT:x}\n")).toBe(false);
  });

  it("Ruby: ENV['PORT'] and ENV.fetch('PORT')", () => {
    expect(reads("app.rb", "port = ENV['PORT']\n")).toBe(true);
    expect(reads("app.rb", 'port = ENV["PORT"]\n')).toBe(true);
    expect(reads("app.rb", "port = ENV.fetch('PORT', 3000)\n")).toBe(true);
    expect(reads("app.rb", 'port = ENV.fetch("PORT") { 3000 }\n')).toBe(true);
  });

  it("a later file reading PORT counts even after an earlier file wrote a port", () => {
    const r = listen({ "a.js": "app.listen(3000);\n", "b.js": "const p = process.env.PORT;\n" });
    expect(r).toEqual({ port: 3000, where: "a.js:1", readsPort: true });
  });
});

describe("a server's own default port", () => {
  it("flask run: 5000, directly or as python -m flask, with any spacing", () => {
    expect(defaultPortOf("flask run")).toBe(5000);
    expect(defaultPortOf("  flask run --host 0.0.0.0")).toBe(5000);
    expect(defaultPortOf("flask  run")).toBe(5000);
    expect(defaultPortOf("python -m flask run")).toBe(5000);
    expect(defaultPortOf("/usr/local/bin/python3.12 -m flask run")).toBe(5000);
    expect(defaultPortOf("flask routes")).toBeNull();
  });

  it("a program that only contains `python` in its name is not python", () => {
    expect(defaultPortOf("mypython -m flask run")).toBeNull();
    expect(defaultPortOf("python-wrapper -m flask run")).toBeNull();
    expect(defaultPortOf("mypython manage.py runserver")).toBeNull();
    expect(defaultPortOf("python-wrapper manage.py runserver")).toBeNull();
  });

  it("uvicorn and hypercorn: 8000; streamlit: 8501; directly or by python -m", () => {
    expect(defaultPortOf("uvicorn main:app")).toBe(8000);
    expect(defaultPortOf("hypercorn main:app")).toBe(8000);
    expect(defaultPortOf("python3 -m uvicorn main:app")).toBe(8000);
    expect(defaultPortOf("streamlit run app.py")).toBe(8501);
    expect(defaultPortOf("python -m streamlit run app.py")).toBe(8501);
  });

  it("Django's runserver: 8000, or the port it is given", () => {
    expect(defaultPortOf("python manage.py runserver")).toBe(8000);
    expect(defaultPortOf("python3.11 manage.py runserver")).toBe(8000);
    expect(defaultPortOf("python manage.py runserver 9000")).toBe(9000);
    expect(defaultPortOf("python manage.py runserver  9001")).toBe(9001);
    expect(defaultPortOf("python manage.py runserver 0.0.0.0:9002")).toBe(9002);
    expect(defaultPortOf("python manage.py migrate")).toBeNull();
    expect(defaultPortOf("python app.py")).toBeNull();
  });

  it("a command that passes $PORT listens where Cloud Run says", () => {
    expect(defaultPortOf("flask run --port $PORT")).toBeNull();
    expect(defaultPortOf("uvicorn main:app --port ${PORT}")).toBeNull();
  });

  it("gunicorn and unknown programs: no default migrate can name", () => {
    expect(defaultPortOf("gunicorn app:app")).toBeNull();
    expect(defaultPortOf("node server.js")).toBeNull();
  });
});
