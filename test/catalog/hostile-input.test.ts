import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { otherKindField } from "../../catalog/kind-fields";
import { loadCatalog } from "../../catalog/load";
import { formatProblem } from "../../catalog/problems";
import { cloudRunJob, cloudRunService, gkeWorkload } from "../../catalog/schema/service";
import { BASE, catalogOf, errorsOf, PLATFORM_YAML } from "../support/catalog-fixture";

/*
 * Every class of input that used to crash, hang, pass silently or pass while invalid (issue 17), each answered
 * with one located error or accepted correctly. The fuzz at the end mixes them into valid files.
 */

/** A project whose files are given as raw bytes or text, loaded as `gantry validate` loads it. */
function project(files: Record<string, string | Buffer>, stacks: Record<string, string | Buffer> = { dev: PLATFORM_YAML("dev") }) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-hostile-"));
  fs.mkdirSync(path.join(root, "services"));
  for (const [stack, yaml] of Object.entries(stacks)) fs.writeFileSync(path.join(root, `Pulumi.${stack}.yaml`), yaml);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  const catalog = loadCatalog({ projectDir: root, cwd: root });
  return { ...catalog, root, lines: catalog.problems.map(formatProblem) };
}

const errors = (c: { problems: { severity: string }[]; lines: string[] }) => c.lines.filter((_, i) => c.problems[i]!.severity === "error");

const ALIAS_BOMB = `x: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
y: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
z: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
w: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
`;

describe("inputs that crashed", () => {
  it("an alias bomb in a service.yaml is one located error", () => {
    const c = project({ "services/a/service.yaml": `${BASE.service}${ALIAS_BOMB}` });
    expect(errors(c)).toEqual([expect.stringMatching(/^services\/a\/service\.yaml:4:\d+ aliases expand to more than 100 nodes \(a YAML "billion laughs" file\)/)]);
  });

  it("an alias bomb in a Pulumi.<stack>.yaml is one located error", () => {
    const stack = `${PLATFORM_YAML("dev")}  gantry:labels:\n    ${ALIAS_BOMB.replace(/\n(?=.)/g, "\n    ")}`;
    const c = project({ "services/a/service.yaml": BASE.service }, { dev: stack });
    expect(errors(c)).toEqual([expect.stringMatching(/^Pulumi\.dev\.yaml:\d+:\d+ aliases expand to more than 100 nodes/)]);
  });

  it("a newline inside a secret reference is refused without quoting it", () => {
    const lines = errorsOf("service", 'secrets: {DB: "db-\\npassword"}\n');
    expect(lines).toEqual([expect.stringMatching(/^services\/svc\/service\.yaml:3:\d+ secrets\.DB: the value \(not shown\) is not a Secret Manager secret id/)]);
    expect(lines.join("\n")).not.toContain("password");
  });

  it("a value glued into its key by a stray byte is located without quoting the key (fuzz counterexample)", () => {
    for (const noise of ["\u0080", "\u00a0", "", "x"]) {
      for (const section of ["env", "build:\n  env", "build:\n  args"]) {
        // No space after the colon is the everyday form of the same thing: the key is `PASSWORD:sk_live_abcdef`.
        const value = noise === "" ? "sk_live_abcdef" : `${noise} "sk_live_abcdef"`;
        const c = project({ "services/a/service.yaml": `${BASE.gke}${section}: {PASSWORD:${value}}\n` });
        expect(errors(c).length).toBeGreaterThanOrEqual(1);
        for (const l of errors(c)) expect(l).toMatch(/^services\/a\/service\.yaml:\d+:\d+ \S*PASSWORD…/);
        expect(c.lines.join("\n")).not.toContain("sk_live");
      }
    }
  });

  it("nesting deep enough to overflow a recursive reader is one error, not a stack overflow", () => {
    const c = project({ "services/a/service.yaml": `${BASE.service}x: ${"[".repeat(20000)}${"]".repeat(20000)}\n` });
    expect(errors(c).length).toBeGreaterThanOrEqual(1);
    for (const l of errors(c)) expect(l).toMatch(/^services\/a\/service\.yaml:\d+:\d+ /);
  });
});

describe("inputs that passed silently", () => {
  it("bytes that are not UTF-8 name the file, the byte and its offset", () => {
    const latin1 = Buffer.concat([Buffer.from(`${BASE.service}description: caf`), Buffer.from([0xe9]), Buffer.from("\n")]);
    const c = project({ "services/a/service.yaml": latin1 });
    const offset = Buffer.byteLength(`${BASE.service}description: caf`);
    expect(errors(c)).toEqual([`services/a/service.yaml:3:17 is not UTF-8: byte 0xE9 at byte offset ${offset} is not valid UTF-8 (Latin-1 or Windows-1252?); save the file as UTF-8`]);
  });

  it("a truncated multi-byte character and an overlong encoding are not UTF-8 either", () => {
    for (const bytes of [[0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      const c = project({ "services/a/service.yaml": Buffer.concat([Buffer.from(`${BASE.service}env: {A: "`), Buffer.from(bytes), Buffer.from('"}\n')]) });
      expect(errors(c)).toEqual([expect.stringMatching(/^services\/a\/service\.yaml:3:\d+ is not UTF-8: byte 0x[0-9A-F]{2} at byte offset \d+/)]);
    }
  });

  it("YAML merge keys are supported: the merged fields apply, located at the merge", () => {
    const c = project({ "services/a/service.yaml": `${BASE.service}environments:\n  dev:\n    <<: {minInstances: 1, maxInstances: 3}\n    maxInstances: 4\n` });
    expect(errors(c)).toEqual([]);
    const spec = c.services.dev![0]!.spec;
    expect(spec.kind === "service" && [spec.minInstances, spec.maxInstances]).toEqual([1, 4]);
  });

  it("a problem in a merged field is located where its value is written, wherever the merge sits", () => {
    // At the top level and after other keys: the mapping's own start (line 1, or `cpu:`) is not where the value is.
    expect(errors(project({ "services/a/service.yaml": `${BASE.service}cpu: 1\n<<: {maxInstances: 99999999999}\n` }))).toEqual([
      expect.stringMatching(/^services\/a\/service\.yaml:4:20 maxInstances: must be at most 2147483647/),
    ]);
    expect(errors(project({ "services/a/service.yaml": `${BASE.service}<<: {minInstance: 1}\n` }))).toEqual([
      expect.stringMatching(/^services\/a\/service\.yaml:3:6 minInstance: unknown field \(did you mean "minInstances"\?\)/),
    ]);
    // Through an alias (and a list of them), at the anchor's value: that is the text to fix.
    const anchored = `${BASE.service}cpu: 1\nenvironments:\n  prod: &big\n    maxInstances: 99999999999\n  dev:\n    <<: [{minInstances: 1}, *big]\n`;
    expect(errors(project({ "services/a/service.yaml": anchored }, { dev: PLATFORM_YAML("dev"), prod: PLATFORM_YAML("prod") })).filter((l) => l.includes("[dev]"))).toEqual([
      expect.stringMatching(/^services\/a\/service\.yaml:6:19 environments\.dev\.maxInstances: must be at most 2147483647/),
    ]);
    // A key written beside the merge wins over the merged one, and is the one located.
    expect(errors(project({ "services/a/service.yaml": `${BASE.service}<<: {maxInstances: 5}\nmaxInstances: 99999999999\n` }))).toEqual([
      expect.stringMatching(/^services\/a\/service\.yaml:4:15 maxInstances: /),
    ]);
    // Two merge keys in one mapping both apply (the library merges both); neither is "given twice".
    const twice = project({ "services/a/service.yaml": `${BASE.service}environments:\n  prod: &p {minInstances: 1}\n  dev:\n    <<: *p\n    <<: {maxInstances: 3}\n` }, { dev: PLATFORM_YAML("dev"), prod: PLATFORM_YAML("prod") });
    expect(errors(twice)).toEqual([]);
    const dev = twice.services.dev![0]!.spec;
    expect(dev.kind === "service" && [dev.minInstances, dev.maxInstances]).toEqual([1, 3]);
    // The same in a stack's config.
    const stack = `${PLATFORM_YAML("dev")}  <<: {gantry:buildTimeout: 0s}\n`;
    expect(errors(project({ "services/a/service.yaml": BASE.service }, { dev: stack }))).toEqual([expect.stringMatching(/^Pulumi\.dev\.yaml:4:29 gantry:buildTimeout: must be 1m to 24h/)]);
  });

  it("a file with a second document says so in Gantry's words", () => {
    const c = project({ "services/a/service.yaml": `${BASE.service}---\nname: b\n` });
    expect(errors(c)).toEqual([expect.stringMatching(/^services\/a\/service\.yaml:3:1 holds more than one YAML document \(a second `---`\)/)]);
    expect(c.lines.join("\n")).not.toContain("parseAllDocuments");
  });

  it("a YAML tag Gantry does not read is refused at its line, instead of dropped or misread", () => {
    expect(errorsOf("service", "description: !Ref other\n")).toEqual([
      "services/svc/service.yaml:3:19 description: the YAML tag !Ref is not one Gantry reads (it would be dropped, or turn the value into something else): write the plain value",
    ]);
    for (const tagged of ["env: {A: !!binary aGVsbG8=}\n", "env: {A: !!timestamp 2001-12-14}\n", "env: {A: !!js/function f}\n", "labels: !!set {a}\n"]) {
      expect(errorsOf("service", tagged), tagged).toEqual([expect.stringMatching(/^services\/svc\/service\.yaml:3:\d+ \S+: the YAML tag !!\S+ is not one Gantry reads/)]);
    }
    // Tags that restate a plain value are fine.
    expect(errorsOf("service", "description: !!str 5\nmaxInstances: !!int 4\n")).toEqual([]);
  });

  it("a key given twice names both lines", () => {
    expect(errorsOf("service", "cpu: 1\ncpu: 2\n")).toEqual(['services/svc/service.yaml:4:1 cpu: "cpu" is given twice in this mapping (first at line 3); YAML keeps one, so remove the other']);
  });
});

describe("inputs that were accepted but invalid", () => {
  const stackWith = (extra: string) => ({ dev: PLATFORM_YAML("dev", extra) });
  it.each([
    ["a label key with a space", '  gantry:labels: {"Bad Key": v}\n', /gantry:labels\.Bad Key: a label key must be 1-63 characters/],
    ["an uppercase label value", "  gantry:labels: {team: Payments}\n", /gantry:labels\.team: a label value must be at most 63 characters/],
    ["a build timeout of 0s", "  gantry:buildTimeout: 0s\n", /gantry:buildTimeout: must be 1m to 24h/],
    ["a build timeout of a week", "  gantry:buildTimeout: 168h\n", /gantry:buildTimeout: must be 1m to 24h/],
    ["default scaling with min above max", "  gantry:scaling: {minInstances: 5, maxInstances: 2}\n", /gantry:scaling\.minInstances: minInstances is above maxInstances/],
    ["maxParallelBuilds beyond 32 bits", "  gantry:maxParallelBuilds: 99999999999\n", /gantry:maxParallelBuilds: must be at most 64/],
  ])("the platform refuses %s", (_what, extra, expected) => {
    const c = project({ "services/a/service.yaml": BASE.service }, stackWith(extra));
    expect(errors(c)).toEqual([expect.stringMatching(expected)]);
    expect(errors(c)[0]).toMatch(/^Pulumi\.dev\.yaml:\d+:\d+ /);
  });

  it.each([
    ["gke", "cpu: '0'\n", /cpu: must be more than 0/],
    ["gke", "cpu: 0m\n", /cpu: must be more than 0/],
    ["gke", "cpu: 0\n", /cpu: must be more than 0, got 0/],
    ["gke", "cpu: 250m\nmemory: 64Gi\n", /memory: cpu 250m with memory "64Gi" is 256 GiB per vCPU; GKE Autopilot takes 1 to 6.5 GiB per vCPU .*use cpu 9847m to 64000m for 64Gi/],
    ["gke", "cpu: 100\nmemory: 100Ti\n", /memory: "100Ti" is more memory than any GKE node has/],
    ["gke", "replicas: 2147483648\n", /replicas: must be at most 2147483647/],
    ["gke", "autoscaling: {maxReplicas: 4294967296}\n", /autoscaling\.maxReplicas: must be at most 2147483647/],
    ["service", "maxInstances: 99999999999\n", /maxInstances: must be at most 2147483647/],
    ["service", "livenessProbe: {path: /h, periodSeconds: 9999999999}\n", /livenessProbe\.periodSeconds: must be at most 2147483647/],
    ["job", "tasks: 0\n", /tasks: 0 is out of range: a job runs 1 to 10000 tasks/],
  ] as const)("a %s service refuses %j", (kind, extra, expected) => {
    const lines = errorsOf(kind, extra);
    expect(lines.join("\n")).toMatch(expected);
    for (const l of lines) expect(l).toMatch(/^services\/svc\/service\.yaml:\d+:\d+ \S/);
  });

  it("the Autopilot ratio is not applied to a Standard cluster, and a fitting request passes on Autopilot", () => {
    expect(catalogOf({ svc: `${BASE.gke}cpu: 250m\nmemory: 64Gi\n` }, { dev: PLATFORM_YAML("dev", "  gantry:gke: {autopilot: false}\n") }).problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(errorsOf("gke", "cpu: 500m\nmemory: 2Gi\n")).toEqual([]);
  });

  it("on a Standard cluster, a request no node of its pools can hold is refused at the field that does not fit", () => {
    const standard = { dev: PLATFORM_YAML("dev", "  gantry:gke: {autopilot: false, nodeAllocatable: {cpu: 3920m, memory: 13Gi}}\n") };
    const errs = (extra: string) => catalogOf({ svc: `${BASE.gke}${extra}` }, standard).problems.filter((p) => p.severity === "error").map(formatProblem);
    expect(errs("cpu: 250m\nmemory: 64Gi\n")).toEqual([
      'services/svc/service.yaml:4:9 memory: cpu 250m with memory "64Gi" fits on no node: the largest node of this Standard cluster gives pods 3920m and 13Gi (gantry:gke.nodeAllocatable), so the pod would never be scheduled; ask for less, or add a node pool of larger machines',
    ]);
    expect(errs("cpu: 8\nmemory: 1Gi\n")).toEqual([expect.stringMatching(/^services\/svc\/service\.yaml:3:6 cpu: cpu 8 with memory "1Gi" fits on no node: /)]);
    // Exactly the node's allocatable fits; no Autopilot ratio applies.
    expect(errs("cpu: 3920m\nmemory: 13Gi\n")).toEqual([]);
    expect(errs("cpu: 3\nmemory: 1Gi\n")).toEqual([]);
  });

  it("nodeAllocatable is refused on Autopilot, and a zero or malformed one is refused", () => {
    for (const [gke, expected] of [
      ["{nodeAllocatable: {cpu: 4, memory: 16Gi}}", /gantry:gke\.nodeAllocatable: nodeAllocatable describes a Standard cluster's nodes: set autopilot: false with it/],
      ["{autopilot: false, nodeAllocatable: {cpu: 4, memory: 0Gi}}", /gantry:gke\.nodeAllocatable\.memory: must be more than 0/],
      ["{autopilot: false, nodeAllocatable: {cpu: 0, memory: 4Gi}}", /gantry:gke\.nodeAllocatable\.cpu: must be more than 0/],
      ["{autopilot: false, nodeAllocatable: {cpu: 4}}", /gantry:gke\.nodeAllocatable\.memory: is required/],
    ] as const) {
      const c = project({ "services/a/service.yaml": BASE.gke }, { dev: PLATFORM_YAML("dev", `  gantry:gke: ${gke}\n`) });
      expect(errors(c)).toEqual([expect.stringMatching(expected)]);
      expect(errors(c)[0]).toMatch(/^Pulumi\.dev\.yaml:4:\d+ /);
    }
  });
});

describe("messages that did not help", () => {
  it("a job's port says jobs serve no port", () => {
    expect(errorsOf("job", "port: 8080\n")).toEqual([
      "services/svc/service.yaml:3:1 port: only kind: service or gke take this field, not a Cloud Run job (kind: job); a job serves no port: it runs its tasks to completion and exits",
    ]);
  });

  it("Cloud Run fields on a GKE workload point at what GKE uses instead", () => {
    const lines = errorsOf("gke", "minInstances: 1\nmaxInstances: 5\nconcurrency: 10\ningress: all\n");
    expect(lines).toEqual([
      expect.stringMatching(/:3:1 minInstances: only kind: service takes this field, not a GKE workload \(kind: gke\); on GKE use replicas, or autoscaling\.minReplicas$/),
      expect.stringMatching(/:4:1 maxInstances: .*autoscaling\.maxReplicas$/),
      expect.stringMatching(/:5:1 concurrency: .*autoscaling\.targetCPUUtilization$/),
      expect.stringMatching(/:6:1 ingress: .*serviceType \(ClusterIP, NodePort, LoadBalancer\)$/),
    ]);
  });

  it("every field of another kind says which kind takes it and what this kind uses instead", () => {
    const shapes = { service: cloudRunService.shape, job: cloudRunJob.shape, gke: gkeWorkload.shape };
    const fields = new Set(Object.values(shapes).flatMap((s) => Object.keys(s)));
    const bare: string[] = [];
    let checked = 0;
    for (const kind of ["service", "job", "gke"] as const) {
      for (const field of fields) {
        if (field in shapes[kind]) continue;
        checked++;
        const message = otherKindField(kind, field);
        // "only kind: X takes this field, not <kind>; <what this kind uses instead>"
        if (!message || !/^only kind: [a-z ]+ takes? this field, not .+; \S/.test(message)) bare.push(`${kind}.${field}: ${message}`);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(30);
    expect(bare).toEqual([]);
    expect(errorsOf("gke", "schedule: '0 3 * * *'\n")).toEqual([expect.stringMatching(/:3:1 schedule: only kind: job takes this field, not a GKE workload \(kind: gke\); .*CronJob/)]);
  });

  it("a field no kind takes is still answered with did-you-mean", () => {
    expect(errorsOf("job", "taskTimout: 10m\n")).toEqual(['services/svc/service.yaml:3:1 taskTimout: unknown field (did you mean "taskTimeout"?)']);
  });

  it("an infinite or not-a-number value is described as such, not as null", () => {
    expect(errorsOf("service", "maxInstances: 1e400\n")).toEqual([expect.stringMatching(/:3:15 maxInstances: must be a number, got infinity \(\.inf, or a number too large to hold\)$/)]);
    expect(errorsOf("service", "minInstances: -.inf\n")).toEqual([expect.stringMatching(/minInstances: .*got minus infinity/)]);
    expect(errorsOf("gke", "replicas: .nan\n")).toEqual([expect.stringMatching(/replicas: .*got not a number \(\.nan\)$/)]);
    expect(errorsOf("service", "cpu: .inf\n").join("\n")).not.toMatch(/null/);
  });

  it('"512M" on Cloud Run asks whether 512Mi was meant', () => {
    expect(errorsOf("service", "memory: 512M\n")).toEqual([expect.stringMatching(/memory: "512M" is below 512Mi.*\("512M" counts in powers of 1000, 488Mi; did you mean "512Mi"\?\)$/)]);
  });
});

describe("secrets typed in the clear", () => {
  it.each([
    ["DB_PASSWORD", "Hunter2!", /the name says DB_PASSWORD is a secret/],
    ["STRIPE_SECRET_KEY", "sk_live_51HxQabc", /the value looks like a Stripe secret key/],
    ["PAYMENT_KEY", "sk_live_51HxQabc", /the value looks like a Stripe secret key/],
    ["GH", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", /a GitHub token/],
    ["AWS_ID", "AKIAIOSFODNN7EXAMPLE", /an AWS access key id/],
    ["SIGNING", "-----BEGIN RSA PRIVATE KEY-----MIIE", /a private key/],
    ["DATABASE_URL", "postgres://app:s3cr3tpw@db:5432/app", /a URL with a password in it/],
    ["REDIS_URL", "redis://:s3cr3tpw@cache:6379/0", /a URL with a password in it/],
    ["apiKey", "abc123def", /the name says apiKey is a secret/],
    ["GITHUB_TOKEN", "x1y2z3", /the name says GITHUB_TOKEN is a secret/],
  ])("env %s is refused with the fix, and its value is never shown", (name, value, expected) => {
    const lines = errorsOf("service", `env: {${name}: ${JSON.stringify(value)}}\n`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
    expect(lines[0]).toContain(`secrets: {${name}: <secret-id>}`);
    expect(lines[0]).not.toContain(value);
  });

  it.each([
    ["TOKEN_URL", "https://auth.example.com/token"],
    ["PASSWORD_MIN_LENGTH", "12"],
    ["SECRET_NAME", "db-password"],
    ["AUTH_ENABLED", "true"],
    ["DATABASE_URL", "postgres://app:${DB_PASSWORD}@db/app"],
    ["TOKENIZER_MODEL", "bert"],
  ])("env %s=%s is not a secret", (name, value) => {
    expect(errorsOf("service", `env: {${name}: ${JSON.stringify(value)}}\n`)).toEqual([]);
  });

  it("a plaintext value under secrets: is refused without echoing it, whatever its type", () => {
    // "admin:S3cr3tPass" reads as secret id "admin" at version "S3cr3tPass": the version is not echoed either.
    for (const value of ['"Hunter2! is my password"', "12345678", '"sk_live_abcdef"', '"admin:S3cr3tPass"']) {
      const lines = errorsOf("service", `secrets: {DB_PASSWORD: ${value}}\n`);
      expect(lines.length).toBeGreaterThanOrEqual(1);
      for (const part of value.replace(/"/g, "").split(":")) expect(lines.join("\n")).not.toContain(part);
      expect(lines.join("\n")).toMatch(/secrets\.DB_PASSWORD: /);
    }
  });

  it("a secret-looking build.env value is refused and pointed at build.secretEnv; plain build env stays", () => {
    const lines = errorsOf("service", "build:\n  env: {PIP_INDEX_TOKEN: abc123xyz, GOOGLE_PYTHON_VERSION: '3.12'}\n");
    expect(lines).toEqual([expect.stringMatching(/build\.env\.PIP_INDEX_TOKEN: the name says PIP_INDEX_TOKEN is a secret.* list it by name under build\.secretEnv: \[PIP_INDEX_TOKEN\] and export PIP_INDEX_TOKEN where pulumi up runs/)]);
    expect(lines[0]).not.toContain("abc123xyz");
  });

  it("build.secretEnv takes names: accepted for buildpacks, refused beside the same plain name, with a Dockerfile, or when not a name", () => {
    expect(errorsOf("service", "build: {secretEnv: [PIP_INDEX_TOKEN]}\n")).toEqual([]);
    expect(errorsOf("service", "build: {secretEnv: [A], env: {A: x}}\n")).toEqual([expect.stringMatching(/build\.env\.A: A is also in build\.secretEnv/)]);
    expect(errorsOf("service", "build: {secretEnv: [A], dockerfile: Dockerfile}\n")).toEqual([expect.stringMatching(/build\.secretEnv: build\.secretEnv reaches pack as --env NAME; a Dockerfile build has no such route/)]);
    expect(errorsOf("service", "build: {secretEnv: ['A=B']}\n")).toEqual([expect.stringMatching(/build\.secretEnv\.0: must be an environment variable name/)]);
  });

  it("a secret-looking build arg is refused", () => {
    expect(errorsOf("service", "build: {dockerfile: Dockerfile, args: {NPM_TOKEN: npm_abcdefghijklmnopqrstuvwxyz0123456789}}\n").join("\n")).toMatch(/build\.args\.NPM_TOKEN: the value looks like an npm token in plain text; build args stay in Pulumi state/);
  });
});

describe("nothing silently skipped", () => {
  it.each([["Service.yaml"], ["servcie.yaml"], ["service.yml"], ["services.yaml"], ["service.json"]])("a folder holding %s is an error naming it and the fix", (name) => {
    const c = project({ "services/ok/service.yaml": BASE.service, [`services/pricing/${name}`]: "name: pricing\nkind: service\n", "services/pricing/main.py": "" });
    expect(errors(c)).toEqual([`services/pricing/${name}:1:1 looks like a misspelled service.yaml, so pricing would not be deployed: rename it to service.yaml`]);
  });

  it("source files named like the service are not mistaken for a service file", () => {
    const c = project({ "services/ok/service.yaml": BASE.service, "services/lib/service.py": "", "services/lib/device.yaml": "" });
    expect(errors(c)).toEqual([]);
    expect(c.lines).toEqual([expect.stringMatching(/^services\/lib:1:1 holds no service\.yaml/)]);
  });

  it("a service.yaml one folder too deep is an error with where it belongs", () => {
    const c = project({ "services/ok/service.yaml": BASE.service, "services/pricing/app/service.yaml": "name: pricing\nkind: service\n" });
    expect(errors(c)).toEqual([expect.stringMatching(/^services\/pricing\/app\/service\.yaml:1:1 is one folder too deep, so it would not be deployed: .*move it to services\/pricing\/service\.yaml \(with source: app\)/)]);
  });

  it("a service.yaml that is a folder, or a link out of the repository (file or folder), is an error, not a warning or silence", () => {
    const c = project({ "services/ok/service.yaml": BASE.service, "services/dir/service.yaml/x": "", "services/leak/main.py": "" });
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-outside-"));
    try {
      fs.writeFileSync(path.join(outside, "service.yaml"), "name: leak\nkind: service\n");
      fs.symlinkSync(path.join(outside, "service.yaml"), path.join(c.root, "services", "leak", "service.yaml"));
      fs.symlinkSync(outside, path.join(c.root, "services", "away"));
      const again = loadCatalog({ projectDir: c.root, cwd: c.root });
      expect(again.problems.filter((p) => p.severity === "error").map(formatProblem)).toEqual([
        "services/away:1:1 is a symbolic link leading outside the repository, so nothing in it is deployed: a service's folder and file must be in this checkout; move them here",
        "services/dir/service.yaml:1:1 is a folder, not a file, so dir would not be deployed: put the file itself there",
        "services/leak/service.yaml:1:1 is a symbolic link leading outside the repository, so leak would not be deployed: a service's folder and file must be in this checkout; move them here",
      ]);
      expect(again.services.dev!.map((s) => s.spec.name)).toEqual(["api"]);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it("a folder with source and no service file is a warning, not silence", () => {
    const c = project({ "services/ok/service.yaml": BASE.service, "services/lib/util.py": "" });
    expect(c.lines).toEqual(["services/lib:1:1 holds no service.yaml, so nothing in it is deployed; add one, or move the folder out of services (warning)"]);
  });

  it("a service folder or service.yaml that is a symbolic link is read through it, as pulumi up reads it", () => {
    const c = project({ "services/ok/service.yaml": BASE.service, "elsewhere/pricing/service.yaml": "name: pricing\nkind: service\n", "elsewhere/pricing/main.py": "", "shared/orders.yaml": "name: orders\nkind: service\n", "services/orders/main.py": "" });
    fs.symlinkSync(path.join(c.root, "elsewhere", "pricing"), path.join(c.root, "services", "pricing"));
    fs.symlinkSync(path.join(c.root, "shared", "orders.yaml"), path.join(c.root, "services", "orders", "service.yaml"));
    const linked = loadCatalog({ projectDir: c.root, cwd: c.root });
    expect(linked.problems.map(formatProblem)).toEqual([]);
    expect(linked.services.dev!.map((s) => s.spec.name)).toEqual(["api", "orders", "pricing"]);
  });

  it("a service.yaml or service folder that links to nothing is an error naming it, not a folder without one", () => {
    const c = project({ "services/ok/service.yaml": BASE.service, "services/orders/main.py": "" });
    fs.symlinkSync(path.join(c.root, "shared", "gone.yaml"), path.join(c.root, "services", "orders", "service.yaml"));
    fs.symlinkSync(path.join(c.root, "elsewhere", "ghost"), path.join(c.root, "services", "ghost"));
    const linked = loadCatalog({ projectDir: c.root, cwd: c.root });
    expect(linked.problems.map(formatProblem)).toEqual([
      expect.stringMatching(/^services\/ghost:1:1 is a symbolic link to nothing, so nothing in it is deployed/),
      expect.stringMatching(/^services\/orders\/service\.yaml:1:1 is a symbolic link to nothing, so orders would not be deployed/),
    ]);
  });

  it("an empty catalog, or one with no service in it, is an error", () => {
    expect(errors(project({}))).toEqual(["services:1:1 holds no service: each service is a folder with a service.yaml (services/<name>/service.yaml)"]);
    expect(errors(project({ "services/lib/util.py": "" }))).toEqual([expect.stringMatching(/^services:1:1 holds no service/)]);
  });

  it("a service's own folder, or its service.yaml, given as the catalog says so", () => {
    const root = project({ "services/pricing/service.yaml": "name: pricing\nkind: service\n" }).root;
    const c = loadCatalog({ projectDir: root, cwd: root, servicesDir: "services/pricing" });
    expect(c.problems.map(formatProblem)).toEqual(["services/pricing:1:1 is one service's folder, not the catalog: give the folder holding it (--services services), or pick the service with --service pricing"]);
    const file = loadCatalog({ projectDir: root, cwd: root, servicesDir: "services/pricing/service.yaml" });
    expect(file.problems.map(formatProblem)).toEqual(["services/pricing/service.yaml:1:1 is a file, not the catalog folder: give the folder holding the services (--services services), or pick this one with --service pricing"]);
  });

  it("--service picks services by name or folder and names the one that does not exist", () => {
    const files = { "services/a-folder/service.yaml": "name: alpha\nkind: service\n", "services/b/service.yaml": "name: beta\nkind: service\nbad: 1\n" };
    const root = project(files).root;
    const pick = (only: string[]) => loadCatalog({ projectDir: root, cwd: root, only });
    expect(pick(["alpha"]).services.dev!.map((s) => s.spec.name)).toEqual(["alpha"]);
    expect(pick(["alpha"]).problems).toEqual([]);
    expect(pick(["a-folder"]).services.dev!.map((s) => s.spec.name)).toEqual(["alpha"]);
    expect(pick(["alpa"]).problems.map(formatProblem)).toEqual(['services:1:1 no service named "alpa" (did you mean "alpha"?); services are a-folder, alpha, b, beta']);
  });
});

describe("size", () => {
  // Not a timing assertion: it finishes within the test's bound only if parsing and locating are linear (it took 523 s).
  it("a service.yaml with 200,000 env keys is answered with one located error", { timeout: 60_000 }, () => {
    const env = Array.from({ length: 200_000 }, (_, i) => `  K${i}: v${i}\n`).join("");
    const c = project({ "services/a/service.yaml": `${BASE.service}env:\n${env}` });
    expect(errors(c)).toEqual(["services/a/service.yaml:4:3 env: 200000 environment variables; a container allows at most 1000"]);
  });

  it("50,000 invalid env names are each located", { timeout: 60_000 }, () => {
    const env = Array.from({ length: 50_000 }, (_, i) => `  ${i}X: v\n`).join("");
    const c = project({ "services/a/service.yaml": `${BASE.service}env:\n${env}` });
    const located = errors(c).filter((l) => / is not a valid environment variable name/.test(l));
    expect(located).toHaveLength(50_000);
    expect(located[49_999]).toMatch(/^services\/a\/service\.yaml:50003:3 env\.49999X: /);
  });
});

describe("fuzz: hostile fragments spliced into valid files", () => {
  const fragment = fc.oneof(
    fc.integer({ min: 2, max: 6 }).map((depth) => {
      const lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"];
      for (let i = 1; i <= depth; i++) lines.push(`l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(", ")}]`);
      return `${lines.join("\n")}\n`;
    }),
    fc.tuple(fc.constantFrom("PASSWORD", "DB_SECRET", "API_KEY", "TOKEN", "X"), fc.constantFrom("sk_live_abcdef", "Hunter2!", "postgres://u:pw1234@h/db", "ghp_0123456789abcdefghijABCDEFGHIJ")).map(([n, v]) => `env: {${n}: "${v}"}\n`),
    fc.bigInt({ min: 2n ** 31n, max: 2n ** 70n }).map((n) => `maxInstances: ${n}\n`),
    fc.constantFrom(
      "port: 80\n", "replicas: 2\n", "tasks: 3\n", "<<: {cpu: 2}\n", "cpu: 1\ncpu: 1\n", "---\nname: x\n", "secrets: {A: \"x\\ny\"}\n", "memory: 100Ti\n",
      "memory: 512M\n", "cpu: 250m\nmemory: 64Gi\n", "cpu: '0'\n", "schedule: '0 3 * * *'\n", "labels: {\"Bad Key\": v}\n", "build: {env: {NPM_TOKEN: npm_abcdefghijklmnopqrstuvwxyz0123456789}}\n",
    ),
    fc.integer({ min: 100, max: 3000 }).map((n) => `deep: ${"[".repeat(n)}${"]".repeat(n)}\n`),
  );
  const bytes = fc.uint8Array({ minLength: 1, maxLength: 4 }).map((b) => Buffer.from(b));
  const secretValues = ["sk_live_abcdef", "Hunter2!", "pw1234", "ghp_0123456789abcdefghijABCDEFGHIJ"];

  it("every file is answered: a service, or located errors that quote no secret", () => {
    fc.assert(
      fc.property(fc.constantFrom("service", "job", "gke" as const), fc.array(fragment, { minLength: 1, maxLength: 3 }), fc.option(bytes), fc.nat(), (kind, parts, noise, at) => {
        let text = Buffer.from(BASE[kind] + parts.join(""));
        if (noise) {
          const i = at % (text.length + 1);
          text = Buffer.concat([text.subarray(0, i), noise, text.subarray(i)]);
        }
        let c: ReturnType<typeof project> | undefined;
        expect(() => (c = project({ "services/s/service.yaml": text }))).not.toThrow();
        const errs = c!.problems.filter((p) => p.severity === "error");
        if (errs.length === 0) expect(c!.services.dev).toHaveLength(1);
        for (const e of errs) {
          expect(e.file).toBe("services/s/service.yaml");
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeGreaterThanOrEqual(1);
        }
        for (const v of secretValues) expect(c!.lines.join("\n")).not.toContain(v);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 120) },
    );
  }, 60_000);

  // The same for a stack's config, which is read before any service: its alias bombs, bounds and labels.
  const setting = fc.oneof(
    fc.integer({ min: 2, max: 6 }).map((depth) => {
      const lines = ["  gantry:labels:", "    l0: &l0 [x, x, x, x, x, x, x, x, x, x]"];
      for (let i = 1; i <= depth; i++) lines.push(`    l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(", ")}]`);
      return `${lines.join("\n")}\n`;
    }),
    fc.bigInt({ min: 2n ** 31n, max: 2n ** 70n }).map((n) => `  gantry:scaling: {minInstances: 0, maxInstances: ${n}}\n`),
    fc.constantFrom(
      '  gantry:labels: {"Bad Key": v}\n', "  gantry:labels: {team: Payments}\n", "  gantry:buildTimeout: 0s\n", "  gantry:buildTimeout: 168h\n",
      "  gantry:scaling: {minInstances: 5, maxInstances: 2}\n", "  gantry:maxParallelBuilds: 99999999999\n", "  gantry:buildTimout: 10m\n",
      "  <<: {gantry:buildTimeout: 0s}\n", "  gantry:region: europe-west1\n", "---\nconfig: {}\n", "  gantry:gke: {autopilot: maybe}\n",
    ),
    fc.integer({ min: 100, max: 3000 }).map((n) => `  gantry:labels: ${"[".repeat(n)}${"]".repeat(n)}\n`),
  );

  it("every stack config is answered: a platform, or located errors in it", () => {
    fc.assert(
      fc.property(fc.array(setting, { minLength: 1, maxLength: 3 }), fc.option(bytes), fc.nat(), (parts, noise, at) => {
        let text = Buffer.from(PLATFORM_YAML("dev") + parts.join(""));
        if (noise) {
          const i = at % (text.length + 1);
          text = Buffer.concat([text.subarray(0, i), noise, text.subarray(i)]);
        }
        let c: ReturnType<typeof project> | undefined;
        expect(() => (c = project({ "services/s/service.yaml": BASE.service }, { dev: text }))).not.toThrow();
        const errs = c!.problems.filter((p) => p.severity === "error");
        if (errs.length === 0) expect(c!.platforms.dev).toBeDefined();
        for (const e of errs) {
          expect(e.file).toBe("Pulumi.dev.yaml");
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeGreaterThanOrEqual(1);
          expect(e.message).not.toMatch(/Symbol\(|parseAllDocuments|undefined/);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 120) },
    );
  }, 60_000);
});
