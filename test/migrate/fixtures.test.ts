import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCatalog, type Catalog } from "../../catalog/load";
import { formatMigrationSummary, migrationReport, migrationSummary, type MigrationReport, type ServiceMigration } from "../../migrate";

/*
 * `gantry migrate` on Dockerfiles written the ways teams write them (test/fixtures/migrate/*), against Google's
 * builder as the dev stack pins it: the exact verdict, steps and blockers of each.
 */

const ROOT = path.resolve(__dirname, "../..");
const FIXTURES = path.join(ROOT, "test", "fixtures", "migrate");
const GO_BIN = "/layers/google.go.build/bin/main";
const ENV_STEP = (name: string, value: string) => `add \`${name}: "${value}"\` under env in service.yaml: the Dockerfile sets it (ENV) and the app may read it at run time`;
const NO_ROOT = "make the app run without root (the Dockerfile says USER root): buildpacks images run as the non-root cnb user, which can write only to /tmp and the app folder and cannot bind ports below 1024";
const NOTHING_TO_CARRY = "nothing to carry over (the builder's images have compilers, certificates and time zones, and its launcher stands in for an init)";

let catalog: Catalog;
let report: MigrationReport;
const by = (name: string): ServiceMigration => {
  const found = report.services.find((s) => s.name === name);
  if (!found) throw new Error(`no result for ${name}`);
  return found;
};

beforeAll(() => {
  catalog = loadCatalog({ projectDir: ROOT, servicesDir: FIXTURES, stacks: ["dev"], cwd: ROOT });
  expect(catalog.problems.filter((p) => p.severity === "error")).toEqual([]);
  report = migrationReport(catalog, ["dev"], ROOT);
});

describe("ready: the buildpacks image does what the Dockerfile's did", () => {
  it("python:3.11-slim, gunicorn in exec form, .python-version 3.11: the builder's default command exactly", () => {
    const s = by("py-flask-ready");
    expect({ verdict: s.verdict, steps: s.steps, blockers: s.blockers, notes: s.notes }).toEqual({ verdict: "ready", steps: [], blockers: [], notes: [] });
    expect(s.launch).toEqual({ dockerfile: "gunicorn -b :8080 main:app", buildpacks: "gunicorn -b :8080 main:app", same: true, after: "gunicorn -b :8080 main:app" });
    expect(s.runtime).toMatchObject({ language: "python", image: "python:3.11-slim", dockerfile: "3.11", buildpacks: "3.11", source: ".python-version", same: true });
    expect(s.port).toEqual({ expose: [8080], service: 8080, builderDefault: 8080, listens: 8080 });
  });

  it("node:20-alpine, `node server.js` against `npm run start` whose script is the same, engines 20.x", () => {
    const s = by("node-express-ready");
    expect({ verdict: s.verdict, steps: s.steps, blockers: s.blockers }).toEqual({ verdict: "ready", steps: [], blockers: [] });
    expect(s.launch).toMatchObject({ dockerfile: "node server.js", buildpacks: "npm run start", same: true });
    expect(s.runtime).toMatchObject({ dockerfile: "20", buildpacks: "20", source: "package.json engines.node" });
  });
});

describe("needs: concrete changes close the gap", () => {
  it("a shell-form CMD the builder would not guess, and an unpinned Python: the issue's example", () => {
    const s = by("py-dash-procfile");
    expect(s.verdict).toBe("needs");
    expect(s.steps).toEqual([
      "add a Procfile line `web: gunicorn -b :8080 app:server`",
      "pin `.python-version` 3.11 (the Dockerfile runs Python 3.11; the builder would install Python 3.13: builder default (google-22))",
      ENV_STEP("DASH_DEBUG_MODE", "false"),
    ]);
    expect(s.launch).toMatchObject({ dockerfile: "gunicorn -b :8080 app:server", buildpacks: "gunicorn -b :8080 app:app", same: false });
  });

  it("multi-stage alpine with ENTRYPOINT plus CMD (uvicorn on 8000), build-base in the build stage only", () => {
    const s = by("py-uvicorn-alpine");
    expect(s.verdict).toBe("needs");
    expect(s.steps).toEqual(["add a Procfile line `web: uvicorn main:app --host 0.0.0.0 --port 8000`"]);
    expect(s.notes).toEqual([`build-base: ${NOTHING_TO_CARRY}`]);
    // The builder's default would listen on 8080 while the service declares 8000; the Procfile keeps 8000.
    expect(s.port).toEqual({ expose: [8000], service: 8000, builderDefault: 8080, listens: 8000 });
  });

  it("a job: ENTRYPOINT and CMD in exec form combined, a package pip-installed by name", () => {
    const s = by("py-job-report");
    expect(s.verdict).toBe("needs");
    expect(s.steps).toEqual([
      "add a Procfile line `web: python -m report --since 1d`",
      "add `boto3==1.34.0` to requirements.txt: the Dockerfile installs it by name, and the builder installs only what requirements.txt lists",
    ]);
    expect(s.port.service).toBeNull();
  });

  it("node:18 multi-stage with a TypeScript build and a custom build command", () => {
    const s = by("node-ts-multistage");
    expect(s.verdict).toBe("needs");
    expect(s.steps).toEqual([
      'set `"engines": {"node": "18.x"}` in package.json (the Dockerfile runs Node.js 18; the builder would install Node.js 20: builder default (google-22))',
      'add `"gcp-build": "npm run build && npx prisma generate"` to the scripts in package.json: Google\'s builder runs gcp-build instead of build, and nothing else of the Dockerfile\'s RUN lines',
    ]);
    expect(s.launch).toMatchObject({ dockerfile: "node dist/index.js", buildpacks: "node dist/index.js", same: true });
  });

  it("tini as ENTRYPOINT with `npm start`, USER root, ENV on GKE", () => {
    const s = by("node-tini-gke");
    expect(s.verdict).toBe("needs");
    expect(s.steps).toEqual(['add `PORT: "3000"` under env in service.yaml: the Dockerfile sets it (ENV), and GKE does not', ENV_STEP("LOG_FORMAT", "json"), NO_ROOT]);
    expect(s.launch).toMatchObject({ dockerfile: "npm start", buildpacks: "npm run start", same: true });
    expect(s.notes).toEqual(["tini is dropped: the buildpacks launcher starts the process itself, and Cloud Run and GKE deliver signals to it", `tini: ${NOTHING_TO_CARRY}`]);
  });

  it("golang:1.22 build stage into distroless: same package, only the Go version to pin", () => {
    const s = by("go-distroless");
    expect(s.verdict).toBe("needs");
    expect(s.steps).toEqual(['set `GOOGLE_GO_VERSION: "1.22"` under build.env in service.yaml (the Dockerfile runs Go 1.22; the builder would install the newest Go release: builder default (latest Go 1.x))']);
    expect(s.launch).toEqual({ dockerfile: "/server", buildpacks: `${GO_BIN} (built from ./cmd/server)`, same: true, after: GO_BIN });
    expect(s.runtime).toMatchObject({ image: "golang:1.22", dockerfile: "1.22", buildpacks: "latest" });
  });

  it("golang alpine with two main packages, -ldflags and arguments to the binary, onto alpine", () => {
    const s = by("go-two-mains-alpine");
    expect(s.verdict).toBe("needs");
    expect(s.steps).toEqual([
      "set `GOOGLE_BUILDABLE: ./cmd/api` under build.env in service.yaml (the Dockerfile builds ./cmd/api; the builder cannot choose among the main packages)",
      'set `GOOGLE_GOLDFLAGS: "-s -w"` under build.env in service.yaml (the Dockerfile links with -ldflags "-s -w")',
      `add a Procfile line \`web: ${GO_BIN} --listen :9090\``,
      'set `GOOGLE_GO_VERSION: "1.21"` under build.env in service.yaml (the Dockerfile runs Go 1.21; the builder would install the newest Go release: builder default (latest Go 1.x))',
    ]);
    expect(s.notes).toEqual([`git, ca-certificates, tzdata: ${NOTHING_TO_CARRY}`]);
    expect(s.port.listens).toBe(9090);
  });
});

describe("blocked: something buildpacks cannot do", () => {
  it("apt-get install of libpq-dev and ffmpeg; the steps that would remain are listed too", () => {
    const s = by("py-django-apt");
    expect(s.verdict).toBe("blocked");
    expect(s.blockers).toEqual([
      "libpq-dev (apt-get install): buildpacks install no OS packages and the builder's run image does not have it, so this needs a custom run image; or drop it: psycopg2-binary (or psycopg[binary]), which bundles libpq, needs neither",
      "ffmpeg (apt-get install): buildpacks install no OS packages and the builder's run image does not have it, so this needs a custom run image",
    ]);
    expect(s.steps).toEqual([
      // A build-time step stays build-time: never folded into the start command.
      "add a Procfile line `web: exec gunicorn mysite.wsgi:application --bind 0.0.0.0:$PORT --workers 2`",
      "run `python manage.py collectstatic --noinput` in CI before the build, so what it writes is in the source folder the builder gets: the Python buildpack runs no build commands of the app's",
      ENV_STEP("DJANGO_SETTINGS_MODULE", "mysite.settings"),
      NO_ROOT,
    ]);
    expect(s.notes).toEqual([
      "EXPOSE 8000 is not the service's port 8080; EXPOSE has no effect on Cloud Run or GKE, which send traffic to 8080 and set $PORT to it: the app must listen there, with or without the Dockerfile",
      `gcc: ${NOTHING_TO_CARRY}`,
    ]);
    expect(s.checks.filter((c) => c.kind === "blocker").map((c) => c.line)).toEqual([4, 4]);
  });
});

describe("the fleet's migration state", () => {
  it("covers every fixture once", () => {
    expect(report.services.map((s) => `${s.name}: ${s.verdict}`)).toEqual([
      "go-distroless: needs",
      "go-two-mains-alpine: needs",
      "node-express-ready: ready",
      "node-tini-gke: needs",
      "node-ts-multistage: needs",
      "py-dash-procfile: needs",
      "py-django-apt: blocked",
      "py-flask-ready: ready",
      "py-job-report: needs",
      "py-uvicorn-alpine: needs",
    ]);
  });

  it("sums up a stack for the plan, buildpacks services included", () => {
    const mixed = loadCatalog({ projectDir: ROOT, stacks: ["dev"], cwd: ROOT });
    expect(migrationSummary(mixed, "dev", ROOT)).toEqual({ buildpacks: 3, dockerfile: 0, ready: [], needs: [], blocked: [] });
    expect(formatMigrationSummary(migrationSummary(mixed, "dev", ROOT))).toBe("3 services built with buildpacks, 0 from a Dockerfile.");
    const summary = migrationSummary(catalog, "dev", ROOT);
    expect(summary).toEqual({
      buildpacks: 0,
      dockerfile: 10,
      ready: ["node-express-ready", "py-flask-ready"],
      needs: ["go-distroless", "go-two-mains-alpine", "node-tini-gke", "node-ts-multistage", "py-dash-procfile", "py-job-report", "py-uvicorn-alpine"],
      blocked: ["py-django-apt"],
    });
    expect(formatMigrationSummary({ buildpacks: 12, dockerfile: 3, ready: ["orders"], needs: ["billing"], blocked: ["media"] })).toBe(
      "12 services built with buildpacks, 3 from a Dockerfile (1 ready to drop it: orders; 1 needs changes: billing; 1 blocked: media). Details: `npx gantry migrate`.",
    );
  });
});
