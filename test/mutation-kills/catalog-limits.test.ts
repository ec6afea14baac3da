// Every limit a cloud rule enforces, with a case just under it (accepted) and just over it (refused by the rule, on a
// document the schema accepted). Expected values are written out, never computed with the code under test.
import { describe, expect, it } from "vitest";
import { durationSeconds, formatMiB, memoryMiB } from "../../catalog/rules/quantities";
import { issuesOf, linesOf, manyKeys } from "./rule-harness";

const service = { name: "api", kind: "service" } as const;
const job = { name: "batch", kind: "job" } as const;
const gke = { name: "web", kind: "gke" } as const;

describe("durations", () => {
  it.each([
    ["300s", 300],
    ["2.5s", 2.5],
    ["15m", 900],
    ["1h", 3600],
    ["1h30m", 5400],
    ["1h1m1s", 3661],
    ["2h3m", 7380],
  ])("%s is %d seconds", (text, seconds) => {
    expect(durationSeconds(text)).toBe(seconds);
  });

  it("is not a number for text outside the grammar", () => {
    expect(durationSeconds("5x")).toBeNaN();
    expect(durationSeconds("1m1h")).toBeNaN();
  });

  it.each(["1s", "3600s", "60m", "59m60s", "1h"])("a request timeout of %s is accepted", (timeout) => {
    expect(linesOf({ ...service, timeout })).toEqual([]);
  });

  it.each(["0s", "0.5s", "3601s", "61m", "60m1s", "59m61s", "1h0m1s", "2h"])("a request timeout of %s is refused by the rule", (timeout) => {
    expect(linesOf({ ...service, timeout })).toEqual([`timeout: "${timeout}" is out of range: a request timeout is 1s to 3600s`]);
  });

  it.each(["1s", "168h", "10080m", "167h60m"])("a task timeout of %s is accepted", (taskTimeout) => {
    expect(linesOf({ ...job, taskTimeout })).toEqual([]);
  });

  it.each(["0s", "0.9s", "169h", "10081m", "167h60m1s"])("a task timeout of %s is refused by the rule", (taskTimeout) => {
    expect(linesOf({ ...job, taskTimeout })).toEqual([`taskTimeout: "${taskTimeout}" is out of range: a task timeout is 1s to 168h`]);
  });
});

describe("memory quantities", () => {
  it.each([
    ["512Mi", 512],
    ["1Gi", 1024],
    ["1.5Gi", 1536],
    ["1Ti", 1048576],
    ["2048Ki", 2],
    ["1048576", 1],
    ["1048576k", 1000],
    ["1M", 1e6 / 1048576],
    ["1G", 1e9 / 1048576],
    ["1T", 1e12 / 1048576],
  ])("%s is %d MiB", (quantity, mib) => {
    expect(memoryMiB(quantity)).toBeCloseTo(mib, 9);
  });

  it("is not a number for an unknown unit or a bare unit", () => {
    expect(memoryMiB("1Xi")).toBeNaN();
    expect(memoryMiB("Gi")).toBeNaN();
  });

  it.each([
    [512, "512Mi"],
    [1023, "1023Mi"],
    [1024, "1Gi"],
    [1536, "1536Mi"],
    [2048, "2Gi"],
  ])("%d MiB is written %s", (mib, text) => {
    expect(formatMiB(mib)).toBe(text);
  });
});

describe("environment variables", () => {
  it("allows 1000 variables and refuses 1001", () => {
    expect(linesOf({ ...service, env: manyKeys(1000, "V", "x") })).toEqual([]);
    expect(linesOf({ ...service, env: manyKeys(1001, "V", "x") })).toEqual(["env: 1001 environment variables; a container allows at most 1000"]);
  });

  it("counts secrets with plain variables", () => {
    const secrets = { S1: "api-one", S2: "api-two" };
    expect(linesOf({ ...service, env: manyKeys(998, "V", "x"), secrets })).toEqual([]);
    expect(linesOf({ ...service, env: manyKeys(999, "V", "x"), secrets })).toEqual(["env: 1001 environment variables; a container allows at most 1000"]);
  });

  it("allows a value of 32768 characters and refuses 32769", () => {
    expect(linesOf({ ...service, env: { A: "x".repeat(32768) } })).toEqual([]);
    expect(linesOf({ ...service, env: { A: "x".repeat(32769) } })).toEqual(["env.A: value is 32769 characters; at most 32768"]);
  });

  it("refuses a reserved or malformed name under secrets as under env, pointing at the key", () => {
    expect(issuesOf({ ...service, secrets: { PORT: "api-p" } })).toEqual([{ path: ["secrets", "PORT"], atKey: true, message: "PORT is reserved: Cloud Run sets it for every instance" }]);
    expect(issuesOf({ ...service, env: { "1A": "x" } })).toEqual([
      { path: ["env", "1A"], atKey: true, message: '"1A" is not a valid environment variable name: letters, digits and _, not starting with a digit' },
    ]);
  });

  it.each([
    ["service", service],
    ["job", job],
  ])("reserves CLOUD_RUN_WORKER_POOL and CLOUD_RUN_REVISION for a %s, not for GKE", (_kind, doc) => {
    for (const name of ["CLOUD_RUN_WORKER_POOL", "CLOUD_RUN_REVISION"]) {
      expect(linesOf({ ...doc, env: { [name]: "1" } })).toHaveLength(1);
      expect(linesOf({ ...doc, env: { [name]: "1" } })[0]).toMatch(new RegExp(`^env\\.${name}: ${name} is reserved: Cloud Run sets it`));
      expect(linesOf({ ...gke, env: { [name]: "1" } })).toEqual([]);
    }
  });

  it("leaves the Cloud Run service names to jobs and the job names to services", () => {
    expect(linesOf({ ...job, env: { K_SERVICE: "1" } })).toEqual([]);
    expect(linesOf({ ...service, env: { CLOUD_RUN_TASK_INDEX: "1" } })).toEqual([]);
  });

  it("reserves the X_GOOGLE_ prefix on Cloud Run only", () => {
    expect(linesOf({ ...job, env: { X_GOOGLE_A: "1" } })).toEqual(["env.X_GOOGLE_A: X_GOOGLE_A uses the X_GOOGLE_ prefix, which Cloud Run reserves"]);
    expect(linesOf({ ...gke, env: { X_GOOGLE_A: "1" } })).toEqual([]);
  });
});

describe("secret references", () => {
  // Ids the service "api" owns (catalog/rules/secret-ownership.ts): only the reference's form is under test here.
  it.each(["api-a", "api-a:latest", "api-a:1", "api-a:10", "api"])("accepts %s", (ref) => {
    expect(linesOf({ ...service, secrets: { A: ref } })).toEqual([]);
  });

  // The schema takes any text in the short form: only the rule stands between "api-a:0" and a deploy that fails.
  it.each([
    ["api-a:0", "0"],
    ["api-a:01", "01"],
    ["api-a:v2", "v2"],
    ["api-a:2x", "2x"],
    ["api-a:latest1", "latest1"],
  ])("refuses %s in the short form, by the rule, without echoing the version", (ref, version) => {
    const lines = linesOf({ ...service, secrets: { A: ref } });
    expect(lines).toEqual(['secrets.A: the version after ":" (not shown) must be "latest" or a version number, as in db-password:3']);
    expect(lines[0]).not.toContain(`"${version}"`);
  });

  it("allows a secret id of 255 characters and refuses 256", () => {
    expect(linesOf({ ...service, secrets: { A: `api-${"s".repeat(251)}` } })).toEqual([]);
    expect(linesOf({ ...service, secrets: { A: `api-${"s".repeat(252)}` } })).toEqual([
      "secrets.A: the value (not shown) is not a Secret Manager secret id (letters, digits, _ and -, up to 255, or projects/<project>/secrets/<id>)",
    ]);
  });

  it.each(["projects/P/secrets/a", "projects/p/secret/a", "projects/p/secrets/a/versions/1", "x/projects/p/secrets/a", "a.b"])("refuses %s as a secret id", (ref) => {
    expect(linesOf({ ...service, secrets: { A: { secret: ref } } })).toEqual([
      "secrets.A: the value (not shown) is not a Secret Manager secret id (letters, digits, _ and -, up to 255, or projects/<project>/secrets/<id>)",
    ]);
  });
});

describe("labels", () => {
  const message = (n: number) => `labels: ${n} labels with the platform's and Gantry's own; GCP allows 64 and Pulumi uses one`;

  it("allows 62 of the service's own (63 with gantry-service) and refuses 63", () => {
    expect(linesOf({ ...service, labels: manyKeys(62, "l", "v") })).toEqual([]);
    expect(linesOf({ ...service, labels: manyKeys(63, "l", "v") })).toEqual([message(64)]);
  });

  it("counts the platform's labels with the service's", () => {
    expect(linesOf({ ...service, labels: manyKeys(32, "s", "v") }, { labels: manyKeys(30, "p", "v") })).toEqual([]);
    expect(linesOf({ ...service, labels: manyKeys(33, "s", "v") }, { labels: manyKeys(30, "p", "v") })).toEqual([message(64)]);
  });

  it("counts a key the platform and the service both set once, and gantry-service once", () => {
    const shared = manyKeys(40, "l", "v");
    expect(linesOf({ ...service, labels: { ...shared, ...manyKeys(22, "s", "v") } }, { labels: shared })).toEqual([]);
    expect(linesOf({ ...service, labels: { ...manyKeys(62, "l", "v"), "gantry-service": "api" } })).toEqual([]);
  });
});

describe("names", () => {
  it("allows a GKE name and namespace of 63 characters and refuses 64", () => {
    expect(linesOf({ ...gke, name: `w${"a".repeat(62)}`, namespace: `n${"a".repeat(62)}` })).toEqual([]);
    expect(linesOf({ ...gke, name: `w${"a".repeat(63)}` })).toEqual([
      `name: "w${"a".repeat(63)}" is not a valid Kubernetes Service name: 1-63 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen`,
    ]);
    expect(linesOf({ ...gke, namespace: `n${"a".repeat(63)}` })).toEqual([
      `namespace: "n${"a".repeat(63)}" is not a valid namespace: 1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit`,
    ]);
  });

  it("allows a namespace starting with a digit (DNS-1123), not ending with a hyphen", () => {
    expect(linesOf({ ...gke, namespace: "1shop" })).toEqual([]);
    expect(linesOf({ ...gke, namespace: "shop-" })).toHaveLength(1);
  });

  it("checks a namespace on GKE only", () => {
    expect(linesOf({ ...gke, namespace: "Shop" })).toHaveLength(1);
  });

  it("names the Cloud Run kind in a too-long or malformed name", () => {
    expect(linesOf({ ...job, name: "a".repeat(50) })).toEqual([`name: "${"a".repeat(50)}" is 50 characters; Cloud Run job names must be at most 49`]);
    expect(linesOf({ ...job, name: "Batch" })).toEqual([
      'name: "Batch" is not a valid Cloud Run job name: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen',
    ]);
  });
});

describe("probes", () => {
  it.each([
    ["startupProbe", "initialDelaySeconds", 240],
    ["startupProbe", "periodSeconds", 240],
    ["livenessProbe", "initialDelaySeconds", 3600],
    ["livenessProbe", "periodSeconds", 3600],
  ] as const)("a Cloud Run %s allows %s %d and refuses one more", (field, key, limit) => {
    expect(linesOf({ ...service, [field]: { path: "/h", [key]: limit } })).toEqual([]);
    expect(linesOf({ ...service, [field]: { path: "/h", [key]: limit + 1 } })).toEqual([`${field}.${key}: ${limit + 1} is above Cloud Run's ${limit} for a ${field}`]);
  });

  it("leaves Cloud Run's delay and period limits out on GKE", () => {
    expect(linesOf({ ...gke, startupProbe: { path: "/h", initialDelaySeconds: 241, periodSeconds: 241 } })).toEqual([]);
  });

  it("allows a timeout of 3600 seconds and refuses 3601", () => {
    expect(linesOf({ ...gke, livenessProbe: { path: "/h", periodSeconds: 4000, timeoutSeconds: 3600 } })).toEqual([]);
    expect(linesOf({ ...gke, livenessProbe: { path: "/h", periodSeconds: 4000, timeoutSeconds: 3601 } })).toEqual(["livenessProbe.timeoutSeconds: 3601 is above 3600"]);
  });

  it("compares with the defaults (period 10, timeout 1) and points at the field that was given", () => {
    expect(linesOf({ ...service, livenessProbe: { path: "/h", timeoutSeconds: 9 } })).toEqual([]);
    expect(linesOf({ ...service, livenessProbe: { path: "/h", timeoutSeconds: 10 } })).toEqual(["livenessProbe.timeoutSeconds: timeoutSeconds 10 must be below periodSeconds 10"]);
    expect(linesOf({ ...service, livenessProbe: { path: "/h", periodSeconds: 2 } })).toEqual([]);
    expect(linesOf({ ...service, livenessProbe: { path: "/h", periodSeconds: 1 } })).toEqual(["livenessProbe.periodSeconds: timeoutSeconds 1 must be below periodSeconds 1"]);
  });

  it("refuses a path on a tcp or grpc probe, and takes none on a job", () => {
    expect(linesOf({ ...service, startupProbe: { type: "tcp", path: "/h" } })).toEqual(["startupProbe.path: path applies to http probes only (type is tcp)"]);
    expect(linesOf({ ...gke, livenessProbe: { type: "grpc", path: "/h" } })).toEqual(["livenessProbe.path: path applies to http probes only (type is grpc)"]);
    expect(linesOf({ ...gke, livenessProbe: { type: "http" } })).toEqual(["livenessProbe: an http probe needs a path, e.g. path: /healthz"]);
  });
});

describe("scaling", () => {
  it("compares an explicit bound with the platform's default for the other", () => {
    expect(linesOf({ ...service, minInstances: 5 }, { scaling: { minInstances: 0, maxInstances: 5 } })).toEqual([]);
    expect(linesOf({ ...service, minInstances: 6 }, { scaling: { minInstances: 0, maxInstances: 5 } })).toEqual(["minInstances: minInstances 6 is above maxInstances 5"]);
    expect(linesOf({ ...service, maxInstances: 2 }, { scaling: { minInstances: 3, maxInstances: 10 } })).toEqual(["maxInstances: minInstances 3 is above maxInstances 2"]);
  });

  it("warns (does not refuse) when public meets internal ingress", () => {
    expect(issuesOf({ ...service, public: true, ingress: "internal" })).toEqual([
      { path: ["public"], severity: "warning", message: 'public: true grants allUsers, but ingress "internal" still blocks traffic from the internet; set ingress: all' },
    ]);
    expect(issuesOf({ ...service, public: true, ingress: "all" })).toEqual([]);
    expect(issuesOf({ ...service, public: false, ingress: "internal" })).toEqual([]);
  });

  it("takes GKE's minimum from replicas (at least 1) when autoscaling gives none", () => {
    expect(linesOf({ ...gke, replicas: 3, autoscaling: { maxReplicas: 3 } })).toEqual([]);
    expect(linesOf({ ...gke, replicas: 4, autoscaling: { maxReplicas: 3 } })).toEqual(["autoscaling.maxReplicas: maxReplicas 3 is below minReplicas 4"]);
    expect(linesOf({ ...gke, replicas: 0, autoscaling: { maxReplicas: 1 } })).toEqual([]);
  });
});
