import { afterEach, describe, expect, it } from "vitest";
import { quietStackTraces } from "../../infra/stack-traces";

const original = Error.stackTraceLimit;
afterEach(() => {
  Error.stackTraceLimit = original;
});

describe("the program's stack traces", () => {
  it("are off for the whole run: an error made afterwards carries no frames", async () => {
    quietStackTraces({});
    // As the SDK's promises are made: later, on another turn of the event loop.
    await new Promise((r) => setImmediate(r));
    expect(new Error("x").stack).toBe("Error: x");
  });

  it("stay on with GANTRY_STACK_TRACES=1, to debug Gantry itself", () => {
    Error.stackTraceLimit = 10;
    quietStackTraces({ GANTRY_STACK_TRACES: "1" });
    expect(Error.stackTraceLimit).toBe(10);
    expect(new Error("x").stack).toContain("stack-traces.test.ts");
  });
});
