import { formatMiB, memoryMiB } from "./quantities";
import type { Rule, RuleIssue } from "./types";

// Cloud Run CPU-to-memory table (run/docs/configuring/services/cpu and memory-limits): [cpu, minMiB, maxMiB].
const WHOLE_CPU: ReadonlyArray<readonly [number, number, number]> = [
  [1, 0, 4096],
  [2, 0, 8192],
  [4, 2048, 16384],
  [6, 4096, 24576],
  [8, 4096, 32768],
];

function minCpuFor(mib: number): number {
  if (mib > 24576) return 8;
  if (mib > 16384) return 6;
  if (mib > 8192) return 4;
  if (mib > 4096) return 2;
  if (mib > 1024) return 1;
  if (mib > 512) return 0.5;
  return 0.08;
}

export const cloudRunResourcesRule: Rule = (spec) => {
  if (spec.kind === "gke") return [];
  const issues: RuleIssue[] = [];
  const cpu = spec.cpu;
  const mib = memoryMiB(spec.memory);
  const fractional = cpu < 1;

  if (fractional && spec.kind === "job") {
    issues.push({ path: ["cpu"], message: `Cloud Run jobs need at least 1 CPU (cpu is ${cpu}): jobs run on gen2, and below one vCPU needs gen1` });
  } else if (fractional) {
    if (cpu < 0.08 || Math.round(cpu * 1000) !== cpu * 1000) {
      issues.push({ path: ["cpu"], message: `${cpu} is not a Cloud Run CPU value: fractional CPU runs from 0.08 to below 1 in steps of 0.001` });
    }
  } else if (!WHOLE_CPU.some(([c]) => c === cpu)) {
    issues.push({ path: ["cpu"], message: `${cpu} is not a Cloud Run CPU value: use 1, 2, 4, 6 or 8 (or a fraction below 1)` });
  }

  if (mib > 32768) {
    issues.push({ path: ["memory"], message: `"${spec.memory}" is above Cloud Run's 32Gi maximum` });
  } else {
    const need = minCpuFor(mib);
    if (cpu < need) {
      issues.push({ path: ["memory"], message: `"${spec.memory}" needs at least ${need} CPU (cpu is ${cpu})` });
    }
  }
  const row = WHOLE_CPU.find(([c]) => c === cpu);
  if (row && mib < row[1]) {
    issues.push({ path: ["memory"], message: `cpu ${cpu} needs at least ${formatMiB(row[1])} of memory (memory is "${spec.memory}")` });
  }

  const gen2 = spec.kind === "job" || spec.executionEnvironment === "gen2";
  if (gen2 && mib < 512) {
    const why = spec.kind === "job" ? "Cloud Run jobs run on gen2, which" : "gen2";
    issues.push({ path: ["memory"], message: `"${spec.memory}" is below 512Mi; ${why} needs at least 512Mi` });
  } else if (spec.kind === "service" && spec.executionEnvironment === undefined && mib < 512) {
    issues.push({ path: ["memory"], message: `"${spec.memory}" is below 512Mi, which only gen1 allows: set executionEnvironment: gen1` });
  } else if (mib < 128) {
    issues.push({ path: ["memory"], message: `"${spec.memory}" is below Cloud Run's 128Mi minimum` });
  }

  if (spec.kind === "service" && fractional) {
    if (spec.concurrency !== undefined && spec.concurrency !== 1) {
      issues.push({ path: ["concurrency"], message: `cpu ${cpu} (below 1) allows only concurrency 1 (concurrency is ${spec.concurrency})` });
    }
    if (spec.executionEnvironment === "gen2") {
      issues.push({ path: ["executionEnvironment"], message: `cpu ${cpu} (below 1) runs only on gen1` });
    }
    if (!spec.cpuIdle) {
      issues.push({ path: ["cpuIdle"], message: `cpu ${cpu} (below 1) needs request-based billing: cpuIdle must be true` });
    }
  }
  const hint = decimalUnitHint(spec.memory);
  return hint ? issues.map((i) => (i.path[0] === "memory" ? { ...i, message: `${i.message}${hint}` } : i)) : issues;
};

/** "512M" is 10^6-byte megabytes (488Mi): almost always a mistyped "512Mi", so a memory problem says so. */
function decimalUnitHint(memory: string): string {
  const m = /^(\d+(?:\.\d+)?)([kMGT])$/.exec(memory);
  if (!m) return "";
  const binary = `${m[1]}${m[2] === "k" ? "K" : m[2]}i`;
  return ` ("${memory}" counts in powers of 1000, ${Math.floor(memoryMiB(memory))}Mi; did you mean "${binary}"?)`;
}

// The largest Compute Engine machines (X4) hold 32 TB: no node anywhere has more.
const MAX_NODE_MIB = 32 * 1024 * 1024;
// GKE Autopilot general-purpose pods: 1 to 6.5 GiB of memory per vCPU (kubernetes-engine/docs/concepts/autopilot-resource-requests).
const AUTOPILOT_GIB_PER_CPU = [1, 6.5] as const;

/** Kubernetes CPU quantity ("250m", "0.5", "2") in vCPUs. */
export function cpuCores(quantity: string): number {
  return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity);
}

export const gkeResourcesRule: Rule = (spec, ctx) => {
  if (spec.kind !== "gke") return [];
  const mib = memoryMiB(spec.memory);
  if (mib < 4) return [{ path: ["memory"], message: `"${spec.memory}" is too little memory for any container runtime (at least 4Mi)` }];
  if (mib > MAX_NODE_MIB) return [{ path: ["memory"], message: `"${spec.memory}" is more memory than any GKE node has (the largest machines hold 32Ti)` }];
  const cpu = cpuCores(spec.cpu);
  if (ctx.platform.gke?.autopilot === false) {
    const node = ctx.platform.gke.nodeAllocatable;
    if (!node) return [];
    const over = mib > memoryMiB(node.memory) ? "memory" : cpu > cpuCores(node.cpu) ? "cpu" : undefined;
    if (!over) return [];
    return [
      {
        path: [over],
        message: `cpu ${spec.cpu} with memory "${spec.memory}" fits on no node: the largest node of this Standard cluster gives pods ${node.cpu} and ${node.memory} (gantry:gke.nodeAllocatable), so the pod would never be scheduled; ask for less, or add a node pool of larger machines`,
      },
    ];
  }
  const gib = mib / 1024;
  const [low, high] = AUTOPILOT_GIB_PER_CPU;
  if (gib >= cpu * low && gib <= cpu * high) return [];
  const millis = (v: number, round: (n: number) => number) => `${round(v * 1000)}m`;
  const fix = `cpu ${millis(gib / high, Math.ceil)} to ${millis(gib / low, Math.floor)} for ${spec.memory}`;
  return [
    {
      path: ["memory"],
      message: `cpu ${spec.cpu} with memory "${spec.memory}" is ${Number((gib / cpu).toFixed(2))} GiB per vCPU; GKE Autopilot takes 1 to 6.5 GiB per vCPU and would resize the request: use ${fix} (on a Standard cluster, set gantry:gke.autopilot: false)`,
    },
  ];
};
