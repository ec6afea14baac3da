import fc from "fast-check";

/** Service files the schema and the cloud rules accept, for property tests of the loader and the JSON schema. */

// Pairs the CPU-to-memory table allows.
const sizing = fc.constantFrom({ cpu: 1, memory: "512Mi" }, { cpu: 1, memory: "4Gi" }, { cpu: 2, memory: "8Gi" }, { cpu: 4, memory: "2Gi" }, { cpu: 8, memory: "32Gi" });

const validServiceFields = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/),
  kind: fc.constant("service"),
  port: fc.integer({ min: 1, max: 65535 }),
  concurrency: fc.integer({ min: 1, max: 1000 }),
  minInstances: fc.integer({ min: 0, max: 3 }),
  maxInstances: fc.integer({ min: 3, max: 100 }),
  ingress: fc.constantFrom("all", "internal", "internal-and-cloud-load-balancing"),
  env: fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,10}$/).filter((k) => !["PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"].includes(k) && !k.startsWith("X_GOOGLE_") && !k.startsWith("CLOUD_RUN_")), fc.string(), { maxKeys: 4 }),
});

export const validService = fc.tuple(validServiceFields, sizing).map(([fields, size]) => ({ ...fields, ...size }));

export const validJob = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/),
  kind: fc.constant("job"),
  memory: fc.constantFrom("512Mi", "4Gi"),
  tasks: fc.integer({ min: 1, max: 10000 }),
  maxRetries: fc.integer({ min: 0, max: 10 }),
  process: fc.stringMatching(/^[A-Za-z0-9_]{1,12}$/),
  schedule: fc.record({ cron: fc.constantFrom("0 3 * * *", "*/5 * * * *", "0 0 1 * *"), timeZone: fc.constantFrom("Etc/UTC", "Europe/Berlin", "Asia/Tokyo") }),
});
