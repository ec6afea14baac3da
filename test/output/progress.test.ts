import { describe, expect, it } from "vitest";
import { progressLine } from "../../output/progress";

/* The plan's progress line: on a terminal only, one line rewritten in place, cleared before the result. */

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { stream: { isTTY, write: (t: string) => writes.push(t) > 0 }, writes };
}

describe("a progress line", () => {
  it("on a terminal, rewrites one line per step and clears it when done", () => {
    const { stream, writes } = fakeStream(true);
    let now = 0;
    const p = progressLine(stream, "gantry plan", { now: () => now });
    p.update("loading the catalog");
    p.update("evaluating the program: 1 resources");
    now = 50;
    p.update("evaluating the program: 400 resources");
    now = 150;
    p.update("evaluating the program: 900 resources");
    p.done();
    expect(writes).toEqual([
      "\r\x1b[2Kgantry plan: loading the catalog…",
      "\r\x1b[2Kgantry plan: evaluating the program: 1 resources…",
      // 400 came within the interval of the same step, so it was not drawn.
      "\r\x1b[2Kgantry plan: evaluating the program: 900 resources…",
      "\r\x1b[2K",
    ]);
  });

  it("cuts a step to the terminal's width, so that rewriting it never leaves a wrapped row behind", () => {
    const { stream, writes } = fakeStream(true);
    const p = progressLine({ ...stream, columns: 30 }, "gantry plan");
    p.update("evaluating the program: fingerprinting 500 services, declaring their resources");
    p.update("comparing");
    expect(writes).toEqual(["\r\x1b[2Kgantry plan: evaluating the …", "\r\x1b[2Kgantry plan: comparing…"]);
    expect(writes[0]!.length - "\r\x1b[2K".length).toBe(29);
  });

  it("writes nothing when the stream is not a terminal, or when turned off (--json)", () => {
    for (const [isTTY, enabled] of [
      [false, true],
      [true, false],
    ] as const) {
      const { stream, writes } = fakeStream(isTTY);
      const p = progressLine(stream, "gantry plan", { enabled });
      p.update("loading the catalog");
      p.done();
      expect(writes).toEqual([]);
    }
  });
});
