// A service's migration verdict from its checks: one blocker blocks, else one step is needed, else it is ready.
import { describe, expect, it } from "vitest";
import type { Check } from "../../migrate/types";
import { verdictOf } from "../../migrate/verdict";

const check = (kind: Check["kind"]): Check => ({ aspect: "launch", kind, text: kind });

describe("the migration verdict", () => {
  it("is ready with no checks or only notes", () => {
    expect(verdictOf([])).toBe("ready");
    expect(verdictOf([check("note"), check("note")])).toBe("ready");
  });

  it("needs changes when any check is a step", () => {
    expect(verdictOf([check("note"), check("step")])).toBe("needs");
  });

  it("is blocked by any blocker, whatever else there is", () => {
    expect(verdictOf([check("step"), check("blocker"), check("note")])).toBe("blocked");
    expect(verdictOf([check("blocker")])).toBe("blocked");
  });
});
