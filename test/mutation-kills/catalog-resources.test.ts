// Cloud Run's CPU/memory table, GKE's node and Autopilot bounds, build env and job schedules: each threshold with a
// case on each side, and each message on the field it names. Expected texts are written out.
import { describe, expect, it } from "vitest";
import { durationSeconds, formatMiB, memoryMiB } from "../../catalog/rules/quantities";
import { linesOf } from "./rule-harness";

const service = { name: "api", kind: "service" } as const;
const job = { name: "batch", kind: "job" } as const;
const gke = { name: "web", kind: "gke" } as const;

describe("the memory that needs more CPU", () => {
  it.each([
    [6, "24576Mi", "24577Mi", 8],
    [4, "16384Mi", "16385Mi", 6],
    [2, "8192Mi", "8193Mi", 4],
    [1, "4096Mi", "4097Mi", 2],
  ])("cpu %d takes %s and not %s (needs %d)", (cpu, ok, over, need) => {
    expect(linesOf({ ...service, cpu, memory: ok })).toEqual([]);
    expect(linesOf({ ...service, cpu, memory: over })).toEqual([`memory: "${over}" needs at least ${need} CPU (cpu is ${cpu})`]);
  });

  it.each([
    [0.5, "1024Mi", "1025Mi", 1],
    [0.25, "512Mi", "513Mi", 0.5],
  ])("fractional cpu %d takes %s and not %s (needs %d)", (cpu, ok, over, need) => {
    const gen1 = { executionEnvironment: "gen1", concurrency: 1 };
    expect(linesOf({ ...service, ...gen1, cpu, memory: ok })).toEqual([]);
    expect(linesOf({ ...service, ...gen1, cpu, memory: over })).toEqual([`memory: "${over}" needs at least ${need} CPU (cpu is ${cpu})`]);
  });

  it("says only that memory above 32Gi is too much", () => {
    expect(linesOf({ ...service, cpu: 8, memory: "32768Mi" })).toEqual([]);
    expect(linesOf({ ...service, cpu: 8, memory: "32769Mi" })).toEqual(['memory: "32769Mi" is above Cloud Run\'s 32Gi maximum']);
  });
});

describe("memory floors", () => {
  it("gives a job's and gen2's floor, the unset environment's, and gen1's, each in its words", () => {
    expect(linesOf({ ...job, memory: "511Mi" })).toEqual(['memory: "511Mi" is below 512Mi; Cloud Run jobs run on gen2, which needs at least 512Mi']);
    expect(linesOf({ ...service, executionEnvironment: "gen2", memory: "511Mi" })).toEqual(['memory: "511Mi" is below 512Mi; gen2 needs at least 512Mi']);
    expect(linesOf({ ...service, memory: "511Mi" })).toEqual(['memory: "511Mi" is below 512Mi, which only gen1 allows: set executionEnvironment: gen1']);
    expect(linesOf({ ...service, executionEnvironment: "gen1", memory: "128Mi" })).toEqual([]);
    expect(linesOf({ ...service, executionEnvironment: "gen1", memory: "127Mi" })).toEqual(['memory: "127Mi" is below Cloud Run\'s 128Mi minimum']);
  });

  it("gives a whole CPU's memory minimum in Gi", () => {
    expect(linesOf({ ...service, cpu: 6, memory: "4Gi" })).toEqual([]);
    expect(linesOf({ ...service, cpu: 6, memory: "4095Mi" })).toEqual(['memory: cpu 6 needs at least 4Gi of memory (memory is "4095Mi")']);
  });
});

describe("fractional CPU", () => {
  it("refuses it for a job with that one message", () => {
    expect(linesOf({ ...job, cpu: 0.5 })).toEqual(["cpu: Cloud Run jobs need at least 1 CPU (cpu is 0.5): jobs run on gen2, and below one vCPU needs gen1"]);
  });

  it("takes 0.08 and refuses 0.079", () => {
    const gen1 = { executionEnvironment: "gen1", memory: "256Mi" };
    expect(linesOf({ ...service, ...gen1, cpu: 0.08 })).toEqual([]);
    expect(linesOf({ ...service, ...gen1, cpu: 0.079 })).toEqual([
      "cpu: 0.079 is not a Cloud Run CPU value: fractional CPU runs from 0.08 to below 1 in steps of 0.001",
      'memory: "256Mi" needs at least 0.08 CPU (cpu is 0.079)',
    ]);
  });

  it("asks nothing of a whole CPU's concurrency or environment", () => {
    expect(linesOf({ ...service, cpu: 1, concurrency: 80, executionEnvironment: "gen2", cpuIdle: false })).toEqual([]);
  });
});

describe("a decimal memory unit", () => {
  it("adds a did-you-mean to memory problems only", () => {
    expect(linesOf({ ...service, cpu: 1, memory: "5G" })).toEqual(['memory: "5G" needs at least 2 CPU (cpu is 1) ("5G" counts in powers of 1000, 4768Mi; did you mean "5Gi"?)']);
    expect(linesOf({ ...job, memory: "500000k" })).toEqual([
      'memory: "500000k" is below 512Mi; Cloud Run jobs run on gen2, which needs at least 512Mi ("500000k" counts in powers of 1000, 476Mi; did you mean "500000Ki"?)',
    ]);
    expect(linesOf({ ...job, cpu: 0.5, memory: "1G" })).toEqual(["cpu: Cloud Run jobs need at least 1 CPU (cpu is 0.5): jobs run on gen2, and below one vCPU needs gen1"]);
    expect(linesOf({ ...job, memory: "1.5T" })).toEqual(['memory: "1.5T" is above Cloud Run\'s 32Gi maximum ("1.5T" counts in powers of 1000, 1430511Mi; did you mean "1.5Ti"?)']);
  });

  it("adds nothing to a binary unit", () => {
    expect(linesOf({ ...job, memory: "500Mi" })).toEqual(['memory: "500Mi" is below 512Mi; Cloud Run jobs run on gen2, which needs at least 512Mi']);
  });
});

describe("GKE resources", () => {
  const standard = { gke: { autopilot: false } };

  it("takes 4Mi and refuses 3Mi on any cluster", () => {
    expect(linesOf({ ...gke, memory: "4Mi" }, standard)).toEqual([]);
    expect(linesOf({ ...gke, memory: "3Mi" }, standard)).toEqual(['memory: "3Mi" is too little memory for any container runtime (at least 4Mi)']);
  });

  it("takes 32Ti and refuses one Mi more", () => {
    expect(linesOf({ ...gke, memory: "32Ti" }, standard)).toEqual([]);
    expect(linesOf({ ...gke, memory: "33554433Mi" }, standard)).toEqual(['memory: "33554433Mi" is more memory than any GKE node has (the largest machines hold 32Ti)']);
  });

  it("holds Autopilot to 1 to 6.5 GiB per vCPU, with the CPU range that fits", () => {
    expect(linesOf({ ...gke, cpu: "1", memory: "1Gi" })).toEqual([]);
    expect(linesOf({ ...gke, cpu: "1", memory: "6656Mi" })).toEqual([]);
    expect(linesOf({ ...gke, cpu: "1", memory: "1023Mi" })).toEqual([
      'memory: cpu 1 with memory "1023Mi" is 1 GiB per vCPU; GKE Autopilot takes 1 to 6.5 GiB per vCPU and would resize the request: use cpu 154m to 999m for 1023Mi (on a Standard cluster, set gantry:gke.autopilot: false)',
    ]);
    expect(linesOf({ ...gke, cpu: "1", memory: "6657Mi" })).toEqual([
      'memory: cpu 1 with memory "6657Mi" is 6.5 GiB per vCPU; GKE Autopilot takes 1 to 6.5 GiB per vCPU and would resize the request: use cpu 1001m to 6500m for 6657Mi (on a Standard cluster, set gantry:gke.autopilot: false)',
    ]);
  });

  it("reads millicores", () => {
    expect(linesOf({ ...gke, cpu: "250m", memory: "1Gi" })).toEqual([]);
    expect(linesOf({ ...gke, cpu: "250m", memory: "2Gi" })).toEqual([
      'memory: cpu 250m with memory "2Gi" is 8 GiB per vCPU; GKE Autopilot takes 1 to 6.5 GiB per vCPU and would resize the request: use cpu 308m to 2000m for 2Gi (on a Standard cluster, set gantry:gke.autopilot: false)',
    ]);
  });

  it("leaves the ratio to a Standard cluster", () => {
    expect(linesOf({ ...gke, cpu: "250m", memory: "2Gi" }, standard)).toEqual([]);
    expect(linesOf({ ...gke, cpu: "250m", memory: "2Gi" }, { gke: { autopilot: true } })).toHaveLength(1);
  });

  it("applies no Cloud Run CPU table to GKE", () => {
    expect(linesOf({ ...gke, cpu: "3", memory: "3Gi" })).toEqual([]);
  });
});

describe("build env and args", () => {
  it("refuses a malformed build env name and one that is also a secret build env, at the key", () => {
    expect(linesOf({ ...service, build: { env: { "1X": "a" } } })).toEqual(['build.env.1X: "1X" is not a valid build environment variable name']);
    expect(linesOf({ ...service, build: { env: { TOKEN_NAME: "a" }, secretEnv: ["TOKEN_NAME"] } })).toEqual([
      "build.env.TOKEN_NAME: TOKEN_NAME is also in build.secretEnv; keep it in one place (secretEnv, if it is a secret)",
    ]);
  });

  it("refuses a secret written into build env, env or build args, each with its own advice", () => {
    expect(linesOf({ ...service, build: { env: { NPM_TOKEN: "abc123" } } })).toEqual([
      "build.env.NPM_TOKEN: the name says NPM_TOKEN is a secret, and its value is written here in plain text, which project.toml and Pulumi state keep: list it by name under build.secretEnv: [NPM_TOKEN] and export NPM_TOKEN where pulumi up runs (pack reads it as --env NPM_TOKEN)",
    ]);
    expect(linesOf({ ...service, env: { DB_PASSWORD: "hunter2" } })).toEqual([
      "env.DB_PASSWORD: the name says DB_PASSWORD is a secret, and its value is written here in plain text, which Pulumi state and the console keep: store it in Secret Manager and reference it under secrets: instead (secrets: {DB_PASSWORD: <secret-id>})",
    ]);
    expect(linesOf({ ...service, build: { dockerfile: "Dockerfile", args: { GH: `ghp_${"a".repeat(20)}` } } })).toEqual([
      "build.args.GH: the value looks like a GitHub token in plain text; build args stay in Pulumi state and in the image's history, so a secret cannot be one",
    ]);
  });

  it("refuses a secret reference that is the secret itself, without showing it", () => {
    expect(linesOf({ ...service, secrets: { DB: `ghp_${"a".repeat(20)}` } })).toEqual([
      "secrets.DB: the value (not shown) looks like a GitHub token, not a secret id: the value belongs in Secret Manager, and here its id",
    ]);
  });

  it("lets harmless build env and args through", () => {
    expect(linesOf({ ...service, build: { env: { GOOGLE_PYTHON_VERSION: "3.13" }, secretEnv: ["PIP_TOKEN"] } })).toEqual([]);
    expect(linesOf({ ...service, build: { dockerfile: "Dockerfile", args: { VERSION: "1" } } })).toEqual([]);
  });
});

describe("job schedules and the Dockerfile process", () => {
  it("takes a cron with extra spaces and refuses six fields", () => {
    expect(linesOf({ ...job, schedule: { cron: " 0  3 * * * ", timeZone: "Etc/UTC" } })).toEqual([]);
    expect(linesOf({ ...job, schedule: { cron: "0 0 3 * * *", timeZone: "Etc/UTC" } })).toEqual([
      'schedule.cron: "0 0 3 * * *" is not a valid schedule: has 6 fields; Cloud Scheduler takes unix-cron with 5 (minute hour day-of-month month day-of-week)',
    ]);
  });

  it("refuses a buildpacks process on a Dockerfile job only", () => {
    expect(linesOf({ ...job, build: { dockerfile: "Dockerfile" } })).toEqual([]);
    expect(linesOf({ ...service, build: { dockerfile: "Dockerfile" } })).toEqual([]);
  });
});

describe("quantities at their edges", () => {
  it("reads decimals of more than one digit, and nothing before the number", () => {
    expect(memoryMiB("1.25Gi")).toBe(1280);
    expect(memoryMiB("x1Gi")).toBeNaN();
    expect(durationSeconds("2.25s")).toBe(2.25);
    expect(formatMiB(0)).toBe("0Mi");
  });
});
