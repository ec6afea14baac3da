import { describe, expect, it } from "vitest";
import { BASE, catalogOf, errorsOf, PLATFORM_YAML } from "../support/catalog-fixture";

/** Each cloud rule: a case the cloud accepts (no errors) and one it rejects (the expected message on the right field). */
type Case = { rule: string; kind: keyof typeof BASE; ok: string; bad: string; expect: RegExp };

const cases: Case[] = [
  { rule: "service name length 49", kind: "service", ok: `name: ${"a".repeat(49)}\n`, bad: `name: ${"a".repeat(50)}\n`, expect: /name: "a{50}" is 50 characters; Cloud Run service names must be at most 49/ },
  { rule: "service name characters", kind: "service", ok: "name: api-2\n", bad: "name: Api_2\n", expect: /name: "Api_2" is not a valid Cloud Run service name/ },
  { rule: "service name trailing hyphen", kind: "service", ok: "name: api-x\n", bad: "name: api-\n", expect: /not a valid Cloud Run service name/ },
  { rule: "job name length", kind: "job", ok: `name: ${"j".repeat(49)}\n`, bad: `name: ${"j".repeat(50)}\n`, expect: /Cloud Run job names must be at most 49/ },
  { rule: "gke DNS-1035 name", kind: "gke", ok: "name: web-1\n", bad: "name: 1web\n", expect: /not a valid Kubernetes Service name/ },
  { rule: "gke DNS-1123 namespace", kind: "gke", ok: "namespace: shop-1\n", bad: "namespace: Shop\n", expect: /namespace: "Shop" is not a valid namespace/ },
  { rule: "cpu whole values", kind: "service", ok: "cpu: 6\nmemory: 4Gi\n", bad: "cpu: 3\n", expect: /cpu: 3 is not a Cloud Run CPU value/ },
  { rule: "cpu fraction floor", kind: "service", ok: "cpu: 0.08\nconcurrency: 1\nexecutionEnvironment: gen1\nmemory: 256Mi\n", bad: "cpu: 0.05\nexecutionEnvironment: gen1\n", expect: /cpu: 0.05 is not a Cloud Run CPU value/ },
  { rule: "cpu fraction step", kind: "service", ok: "cpu: 0.125\nexecutionEnvironment: gen1\n", bad: "cpu: 0.1255\nexecutionEnvironment: gen1\n", expect: /steps of 0.001/ },
  { rule: "memory needs cpu", kind: "service", ok: "cpu: 1\nmemory: 4Gi\n", bad: "cpu: 1\nmemory: 5Gi\n", expect: /:4:9 memory: "5Gi" needs at least 2 CPU \(cpu is 1\)/ },
  { rule: "memory needs 4 cpu", kind: "service", ok: "cpu: 4\nmemory: 16Gi\n", bad: "cpu: 2\nmemory: 9Gi\n", expect: /"9Gi" needs at least 4 CPU \(cpu is 2\)/ },
  { rule: "cpu needs memory", kind: "service", ok: "cpu: 4\nmemory: 2Gi\n", bad: "cpu: 4\nmemory: 1Gi\n", expect: /memory: cpu 4 needs at least 2Gi of memory/ },
  { rule: "memory maximum", kind: "service", ok: "cpu: 8\nmemory: 32Gi\n", bad: "cpu: 8\nmemory: 33Gi\n", expect: /above Cloud Run's 32Gi maximum/ },
  { rule: "fractional cpu needs concurrency 1", kind: "service", ok: "cpu: 0.5\nconcurrency: 1\nexecutionEnvironment: gen1\n", bad: "cpu: 0.5\nconcurrency: 10\nexecutionEnvironment: gen1\n", expect: /concurrency: cpu 0.5 \(below 1\) allows only concurrency 1 \(concurrency is 10\)/ },
  { rule: "fractional cpu needs gen1", kind: "service", ok: "cpu: 0.5\nexecutionEnvironment: gen1\n", bad: "cpu: 0.5\nexecutionEnvironment: gen2\n", expect: /executionEnvironment: cpu 0.5 \(below 1\) runs only on gen1/ },
  { rule: "fractional cpu needs request billing", kind: "service", ok: "cpu: 0.5\nexecutionEnvironment: gen1\ncpuIdle: true\n", bad: "cpu: 0.5\nexecutionEnvironment: gen1\ncpuIdle: false\n", expect: /cpuIdle: cpu 0.5 \(below 1\) needs request-based billing/ },
  { rule: "gen2 memory floor", kind: "service", ok: "executionEnvironment: gen2\nmemory: 512Mi\n", bad: "executionEnvironment: gen2\nmemory: 256Mi\n", expect: /"256Mi" is below 512Mi; gen2 needs at least 512Mi/ },
  { rule: "unset environment below 512Mi", kind: "service", ok: "executionEnvironment: gen1\nmemory: 256Mi\n", bad: "memory: 256Mi\n", expect: /only gen1 allows: set executionEnvironment: gen1/ },
  { rule: "gen1 memory floor", kind: "service", ok: "executionEnvironment: gen1\nmemory: 128Mi\n", bad: "executionEnvironment: gen1\nmemory: 64Mi\n", expect: /below Cloud Run's 128Mi minimum/ },
  { rule: "job memory floor", kind: "job", ok: "memory: 512Mi\n", bad: "memory: 256Mi\n", expect: /Cloud Run jobs run on gen2, which needs at least 512Mi/ },
  { rule: "job cpu at least 1", kind: "job", ok: "cpu: 2\n", bad: "cpu: 0.5\n", expect: /Cloud Run jobs need at least 1 CPU/ },
  { rule: "concurrency upper bound", kind: "service", ok: "concurrency: 1000\n", bad: "concurrency: 1001\n", expect: /concurrency: 1001 is out of range: Cloud Run allows 1 to 1000/ },
  { rule: "concurrency lower bound", kind: "service", ok: "concurrency: 1\n", bad: "concurrency: 0\n", expect: /concurrency: 0 is out of range/ },
  { rule: "request timeout", kind: "service", ok: "timeout: 1h\n", bad: "timeout: 3601s\n", expect: /timeout: "3601s" is out of range: a request timeout is 1s to 3600s/ },
  { rule: "min <= max instances", kind: "service", ok: "minInstances: 2\nmaxInstances: 2\n", bad: "minInstances: 3\nmaxInstances: 2\n", expect: /minInstances: minInstances 3 is above maxInstances 2/ },
  { rule: "env name grammar", kind: "service", ok: "env: {_OK_1: x}\n", bad: "env: {1BAD: x}\n", expect: /env.1BAD: "1BAD" is not a valid environment variable name/ },
  { rule: "env name with =", kind: "service", ok: "env: {A: x}\n", bad: 'env: {"A=B": x}\n', expect: /"A=B" is not a valid environment variable name/ },
  ...["PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"].map((n): Case => ({ rule: `reserved ${n}`, kind: "service", ok: "env: {APP_PORT: '1'}\n", bad: `env: {${n}: '1'}\n`, expect: new RegExp(`env.${n}: ${n} is reserved`) })),
  ...["CLOUD_RUN_JOB", "CLOUD_RUN_EXECUTION", "CLOUD_RUN_TASK_INDEX", "CLOUD_RUN_TASK_ATTEMPT", "CLOUD_RUN_TASK_COUNT"].map((n): Case => ({ rule: `reserved ${n}`, kind: "job", ok: "env: {PORT: '1'}\n", bad: `env: {${n}: '1'}\n`, expect: new RegExp(`env.${n}: ${n} is reserved: Cloud Run sets it for every job task`) })),
  { rule: "X_GOOGLE_ prefix", kind: "service", ok: "env: {GOOGLE_X: '1'}\n", bad: "env: {X_GOOGLE_FOO: '1'}\n", expect: /X_GOOGLE_ prefix/ },
  { rule: "reserved names are Cloud Run's only", kind: "gke", ok: "env: {PORT: '1'}\n", bad: "env: {'9X': '1'}\n", expect: /not a valid environment variable name/ },
  { rule: "secret also a plain value", kind: "service", ok: "env: {A: x}\nsecrets: {B: api-b-secret}\n", bad: "env: {A: x}\nsecrets: {A: a-secret}\n", expect: /secrets.A: A is given both as a plain value \(env\) and as a secret/ },
  { rule: "secret id", kind: "service", ok: "secrets: {A: api-a_b}\n", bad: "secrets: {A: 'bad id'}\n", expect: /secrets.A: the value \(not shown\) is not a Secret Manager secret id/ },
  // The short form passes the schema as text: only the rule refuses its version.
  { rule: "secret version", kind: "service", ok: "secrets: {A: 'api-a:3'}\n", bad: "secrets: {A: 'api-a:v2'}\n", expect: /secrets.A: the version after ":" \(not shown\) must be "latest" or a version number/ },
  { rule: "secret version (schema, long form)", kind: "service", ok: "secrets: {A: {secret: api-a, version: 3}}\n", bad: "secrets: {A: {secret: api-a, version: v2}}\n", expect: /secrets.A.version: must be "latest" or a version number, got "v2"/ },
  { rule: "job tasks", kind: "job", ok: "tasks: 10000\n", bad: "tasks: 10001\n", expect: /tasks: 10001 is out of range: a job runs 1 to 10000 tasks/ },
  { rule: "job parallelism", kind: "job", ok: "tasks: 4\nparallelism: 4\n", bad: "tasks: 4\nparallelism: 5\n", expect: /parallelism: parallelism 5 is above tasks 4/ },
  { rule: "job retries", kind: "job", ok: "maxRetries: 10\n", bad: "maxRetries: 11\n", expect: /maxRetries: 11 is out of range: 0 to 10/ },
  { rule: "job retries floor", kind: "job", ok: "maxRetries: 0\n", bad: "maxRetries: -1\n", expect: /maxRetries: -1 is out of range/ },
  { rule: "task timeout", kind: "job", ok: "taskTimeout: 168h\n", bad: "taskTimeout: 169h\n", expect: /taskTimeout: "169h" is out of range: a task timeout is 1s to 168h/ },
  { rule: "schedule cron", kind: "job", ok: "schedule: '*/15 * * * *'\n", bad: "schedule: '61 * * * *'\n", expect: /schedule.cron: "61 \* \* \* \*" is not a valid schedule/ },
  { rule: "schedule time zone", kind: "job", ok: "schedule: {cron: '0 3 * * *', timeZone: America/New_York}\n", bad: "schedule: {cron: '0 3 * * *', timeZone: Mars/Base}\n", expect: /schedule.timeZone: "Mars\/Base" is not a tz database time zone/ },
  { rule: "job process name", kind: "job", ok: "process: nightly_job\n", bad: "process: nightly-job\n", expect: /process: must be a Procfile process name/ },
  { rule: "default process name", kind: "service", ok: "build: {defaultProcess: web}\n", bad: "build: {defaultProcess: 'we b'}\n", expect: /build.defaultProcess: must be a Procfile process name/ },
  { rule: "label key", kind: "service", ok: "labels: {team: payments}\n", bad: "labels: {Team: payments}\n", expect: /labels.Team: a label key must be 1-63 characters .*, got "Team"/ },
  { rule: "label value", kind: "service", ok: "labels: {team: a-b_c}\n", bad: "labels: {team: Payments}\n", expect: /labels.team: a label value must be at most 63 characters .*, got "Payments"/ },
  { rule: "probe timeout below period", kind: "service", ok: "livenessProbe: {path: /h, periodSeconds: 10, timeoutSeconds: 9}\n", bad: "livenessProbe: {path: /h, periodSeconds: 10, timeoutSeconds: 10}\n", expect: /livenessProbe.timeoutSeconds: timeoutSeconds 10 must be below periodSeconds 10/ },
  { rule: "startup probe period", kind: "service", ok: "startupProbe: {path: /h, periodSeconds: 240}\n", bad: "startupProbe: {path: /h, periodSeconds: 241}\n", expect: /241 is above Cloud Run's 240 for a startupProbe/ },
  { rule: "http probe path", kind: "service", ok: "startupProbe: {type: tcp}\n", bad: "startupProbe: {type: http}\n", expect: /an http probe needs a path/ },
  { rule: "port range", kind: "service", ok: "port: 65535\n", bad: "port: 65536\n", expect: /port: must be at most 65535/ },
  { rule: "include xor exclude", kind: "service", ok: "build: {exclude: [tests/]}\n", bad: "build: {include: [src/], exclude: [tests/]}\n", expect: /build.exclude: give include or exclude, not both/ },
  { rule: "hpa bounds", kind: "gke", ok: "autoscaling: {minReplicas: 2, maxReplicas: 2}\n", bad: "autoscaling: {minReplicas: 3, maxReplicas: 2}\n", expect: /autoscaling.maxReplicas: maxReplicas 2 is below minReplicas 3/ },
  { rule: "ingress enum", kind: "service", ok: "ingress: all\n", bad: "ingress: internel\n", expect: /ingress: must be one of "all", "internal", "internal-and-cloud-load-balancing", got "internel" \(did you mean "internal"\?\)/ },
];

describe("cloud rules", () => {
  it.each(cases)("$rule: accepts the allowed case", ({ kind, ok }) => {
    expect(errorsOf(kind, ok)).toEqual([]);
  });
  it.each(cases)("$rule: rejects with a located message", ({ kind, bad, expect: re }) => {
    const errors = errorsOf(kind, bad);
    expect(errors.join("\n")).toMatch(re);
    for (const e of errors) expect(e).toMatch(/^services\/svc\/service\.yaml:\d+:\d+ /);
  });

  it("reports the same service name declared in two files, at the second file's name line", () => {
    const c = catalogOf({ a: "name: api\nkind: service\n", b: "# second\nname: api\nkind: job\n" });
    expect(c.lines).toContain('services/b/service.yaml:2:7 name: service "api" is already declared in services/a/service.yaml');
  });

  it("rejects a malformed region and warns on one it does not know", () => {
    const malformed = catalogOf({ s: BASE.service }, { dev: "config:\n  gantry:project: acme-dev-1\n  gantry:region: europe_west1\n" });
    expect(malformed.lines).toEqual(['Pulumi.dev.yaml:3:18 gantry:region: must be a region id such as "europe-west1", got "europe_west1"']);
    const unknown = catalogOf({ s: BASE.service }, { dev: "config:\n  gantry:project: acme-dev-1\n  gantry:region: europe-west99\n" });
    expect(unknown.problems.map((p) => p.severity)).toEqual(["warning"]);
    expect(unknown.lines[0]).toMatch(/gantry:region: "europe-west99" is not a Cloud Run region Gantry knows of/);
    expect(unknown.services.dev).toHaveLength(1);
  });
});

describe("reporting", () => {
  it("reports every problem of every file at once, each with file, line, column and field", () => {
    const c = catalogOf({
      a: "name: a\nkind: service\nmemory: 5Gi\nminInstance: 1\n",
      b: "name: b\nkind: job\ntasks: 0\nenv: {CLOUD_RUN_JOB: x}\n",
    });
    expect(c.lines).toEqual([
      'services/a/service.yaml:3:9 memory: "5Gi" needs at least 2 CPU (cpu is 1)',
      'services/a/service.yaml:4:1 minInstance: unknown field (did you mean "minInstances"?)',
      "services/b/service.yaml:3:8 tasks: 0 is out of range: a job runs 1 to 10000 tasks",
      "services/b/service.yaml:4:7 env.CLOUD_RUN_JOB: CLOUD_RUN_JOB is reserved: Cloud Run sets it for every job task",
    ]);
    expect(c.services.dev).toEqual([]);
  });

  it("suggests the closest key for a misspelled nested field", () => {
    expect(errorsOf("job", "schedule: {cron: '0 1 * * *', timezone: UTC}\n")).toEqual([
      'services/svc/service.yaml:3:31 schedule.timezone: unknown field (did you mean "timeZone"?)',
    ]);
  });

  it("says which kinds exist when kind is wrong or missing", () => {
    expect(catalogOf({ s: "name: x\nkind: servce\n" }).lines).toEqual(['services/s/service.yaml:2:7 kind: must be one of "service", "job", "gke", got "servce" (did you mean "service"?)']);
    expect(catalogOf({ s: "name: x\n" }).lines).toEqual(['services/s/service.yaml:1:1 kind: must be one of "service", "job", "gke", got nothing']);
  });

  it("points a YAML syntax error at its line", () => {
    expect(catalogOf({ s: "name: x\nkind: service\nenv:\n  A: [1\n" }).lines[0]).toMatch(/^services\/s\/service\.yaml:[45]:\d+ YAML syntax error: /);
  });

  it("refuses a __proto__ key wherever it stands, instead of letting it vanish", () => {
    const c = catalogOf({ s: "name: x\nkind: service\nenv:\n  A: b\n  __proto__: polluted\nbuild:\n  env:\n    __proto__: x\n" });
    expect(c.lines).toEqual([
      'services/s/service.yaml:5:3 env.__proto__: "__proto__" cannot be used as a name: JavaScript objects reserve it, so the entry would vanish without a word',
      'services/s/service.yaml:8:5 build.env.__proto__: "__proto__" cannot be used as a name: JavaScript objects reserve it, so the entry would vanish without a word',
    ]);
    const stack = catalogOf({ s: BASE.service }, { dev: "config:\n  gantry:project: acme-dev-1\n  gantry:labels:\n    __proto__: x\n" });
    expect(stack.lines).toEqual([
      'Pulumi.dev.yaml:4:5 config.gantry:labels.__proto__: "__proto__" cannot be used as a name: JavaScript objects reserve it, so the entry would vanish without a word',
    ]);
  });

  it("rejects a document that is not a mapping", () => {
    expect(catalogOf({ s: "- name: x\n" }).lines).toEqual(["services/s/service.yaml:1:1 a service file must be a mapping of fields (name, kind, ...)"]);
  });
});

describe("environments", () => {
  const file = `name: api
kind: service
cpu: 1
memory: 2Gi
minInstances: 1
schedule_note: none
environments:
  prod:
    memory: 6Gi
  dev:
    minInstances: null
`.replace("schedule_note: none\n", "");

  it("merges each stack's overrides over the base before validating, and locates errors in the override", () => {
    const c = catalogOf({ api: file });
    expect(c.lines).toEqual(['services/api/service.yaml:8:13 environments.prod.memory: "6Gi" needs at least 2 CPU (cpu is 1) [prod]']);
    expect(c.services.dev![0]!.spec).toMatchObject({ memory: "2Gi" });
    expect(c.services.dev![0]!.spec).not.toHaveProperty("minInstances");
  });

  it("validates every stack as it will be deployed", () => {
    const ok = catalogOf({ api: file.replace("memory: 6Gi", "memory: 6Gi\n    cpu: 2") });
    expect(ok.lines).toEqual([]);
    expect(ok.services.prod![0]!.spec).toMatchObject({ cpu: 2, memory: "6Gi", minInstances: 1 });
    expect(ok.services.dev![0]!.spec).toMatchObject({ cpu: 1, memory: "2Gi" });
  });

  it("rejects overrides for unknown stacks and of fields fixed across stacks", () => {
    const c = catalogOf({ api: "name: api\nkind: service\nenvironments:\n  prd: {cpu: 2}\n  dev: {name: other}\n" });
    expect(c.lines).toEqual([
      'services/api/service.yaml:4:3 environments.prd: no stack named "prd" (did you mean "prod"?); stacks are dev, prod',
      "services/api/service.yaml:5:9 environments.dev.name: name is the same in every stack and cannot be overridden",
    ]);
  });
});

describe("platform config", () => {
  it("rejects a builder not pinned by digest and unknown gantry keys, at their lines", () => {
    const c = catalogOf({ s: BASE.service }, { dev: PLATFORM_YAML("dev", "  gantry:builder: gcr.io/buildpacks/builder:latest\n  gantry:maxParalelBuilds: 2\n") });
    expect(c.lines).toEqual([
      'Pulumi.dev.yaml:4:19 gantry:builder: builder must be pinned by digest (<image>@sha256:<64 hex>), so every build of a stack uses the same one, got "gcr.io/buildpacks/builder:latest"',
      'Pulumi.dev.yaml:5:3 gantry:maxParalelBuilds: unknown field (did you mean "gantry:maxParallelBuilds"?)',
    ]);
    // Inside a setting, a key is written without the namespace, and suggested so.
    expect(catalogOf({ s: BASE.service }, { dev: PLATFORM_YAML("dev", "  gantry:scaling: {minInstance: 1}\n") }).lines).toEqual([
      'Pulumi.dev.yaml:4:20 gantry:scaling.minInstance: unknown field (did you mean "minInstances"?)',
    ]);
  });

  it("takes values the way `pulumi config set` writes them (strings) and applies defaults", () => {
    const c = catalogOf({ s: BASE.service }, { dev: PLATFORM_YAML("dev", '  gantry:maxParallelBuilds: "8"\n  gantry:deletionProtection: "false"\n  gantry:scaling: \'{"maxInstances": 3}\'\n') });
    expect(c.lines).toEqual([]);
    expect(c.platforms.dev).toMatchObject({ maxParallelBuilds: 8, deletionProtection: false, scaling: { minInstances: 0, maxInstances: 3 }, registry: { repository: "gantry" } });
    expect(c.platforms.dev!.builder).toMatch(/^gcr\.io\/buildpacks\/builder@sha256:[0-9a-f]{64}$/);
  });

  it("takes maxParallelRebases from 1 to 256, with 16 by default", () => {
    expect(catalogOf({ s: BASE.service }, { dev: PLATFORM_YAML("dev") }).platforms.dev!.maxParallelRebases).toBe(16);
    for (const ok of [1, 256]) expect(catalogOf({ s: BASE.service }, { dev: PLATFORM_YAML("dev", `  gantry:maxParallelRebases: ${ok}\n`) }).platforms.dev!.maxParallelRebases).toBe(ok);
    expect(catalogOf({ s: BASE.service }, { dev: PLATFORM_YAML("dev", "  gantry:maxParallelRebases: 257\n") }).lines).toEqual(["Pulumi.dev.yaml:4:30 gantry:maxParallelRebases: must be at most 256, got 257"]);
    expect(catalogOf({ s: BASE.service }, { dev: PLATFORM_YAML("dev", "  gantry:maxParallelRebases: 0\n") }).lines).toEqual(["Pulumi.dev.yaml:4:30 gantry:maxParallelRebases: must be at least 1, got 0"]);
  });

  it("takes adoptFrom only on a preview: a trusted stack adopts only from its own repository", () => {
    const trusted = catalogOf({ s: BASE.service }, { dev: PLATFORM_YAML("dev", "  gantry:adoptFrom: [europe-west1-docker.pkg.dev/acme-dev-proj/services]\n") });
    expect(trusted.lines).toEqual([
      "Pulumi.dev.yaml:4:21 gantry:adoptFrom: adoptFrom is for previews (stacks with gantry:baseStack): a trusted stack adopts only from its own repository, which no pull-request identity can write",
    ]);
    const preview = catalogOf({ s: BASE.service }, { dev: PLATFORM_YAML("dev"), "pr-3": PLATFORM_YAML("pr-3", "  gantry:baseStack: dev\n  gantry:nameSuffix: pr-3\n  gantry:adoptFrom: [europe-west1-docker.pkg.dev/acme-dev-proj/services]\n") });
    expect(preview.lines).toEqual([]);
    expect(preview.platforms["pr-3"]!.adoptFrom).toEqual(["europe-west1-docker.pkg.dev/acme-dev-proj/services"]);
    const tagged = catalogOf({ s: BASE.service }, { dev: PLATFORM_YAML("dev"), "pr-3": PLATFORM_YAML("pr-3", "  gantry:baseStack: dev\n  gantry:adoptFrom: [europe-west1-docker.pkg.dev/acme-dev-proj/services:latest]\n") });
    expect(tagged.lines).toHaveLength(1);
    expect(tagged.lines[0]).toContain("gantry:adoptFrom.0: must be a registry repository URL, <host>/<path>, without tag or digest");
  });

  it("uses platform scaling defaults in the rules", () => {
    const c = catalogOf({ s: "name: s\nkind: service\nminInstances: 4\n" }, { dev: PLATFORM_YAML("dev", "  gantry:scaling: {maxInstances: 3}\n") });
    expect(c.lines).toEqual(["services/s/service.yaml:3:15 minInstances: minInstances 4 is above maxInstances 3"]);
  });
});
