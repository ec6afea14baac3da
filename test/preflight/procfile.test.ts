import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseProcfile, processMap } from "../../preflight/procfile";

describe("Google Procfile parsing (^(\\w+):\\s*(.+)$, multi-line)", () => {
  it("keeps the first of duplicate names and reports the later one", () => {
    const p = parseProcfile("web: a\nweb: b\nworker: c\n", "google");
    expect(processMap(p)).toEqual({ web: "a", worker: "c" });
    // fast-check found this one: `\w+` allows __proto__, which plain assignment would swallow.
    const proto = processMap(parseProcfile("__proto__: a0\nweb: b\n", "google"));
    expect(Object.keys(proto)).toEqual(["__proto__", "web"]);
    expect(Object.getOwnPropertyDescriptor(proto, "__proto__")?.value).toBe("a0");
    expect(p.duplicates).toEqual([{ name: "web", command: "b", line: 2 }]);
  });

  it("skips names with hyphens or dots and indented lines", () => {
    const p = parseProcfile("web-api: a\nclock.tick: b\n  web: c\nok: d\n", "google");
    expect(processMap(p)).toEqual({ ok: "d" });
    expect(p.rejected).toEqual([
      { name: "web-api", line: 1, reason: "name" },
      { name: "clock.tick", line: 2, reason: "name" },
      { name: "web", line: 3, reason: "indented" },
    ]);
  });

  it("names a line with a space before its colon, which both builders skip, for both families", () => {
    for (const family of ["google", "paketo"] as const) {
      const p = parseProcfile("worker: python w.py\nweb : gunicorn main:app\nweb\t: x\n", family);
      expect(processMap(p)).toEqual({ worker: "python w.py" });
      expect(p.rejected).toEqual([
        { name: "web", line: 2, reason: "space" },
        { name: "web", line: 3, reason: "space" },
      ]);
    }
  });

  it("lets an empty `web:` swallow the next line, as the builder's \\s* does", () => {
    const p = parseProcfile("web:\nworker: python w.py\n", "google");
    expect(processMap(p)).toEqual({ web: "worker: python w.py" });
    expect(p.emptyCommands).toEqual([{ name: "web", line: 1, swallowed: "worker: python w.py" }]);
  });

  it("reports an empty command on the last line, ignores comments and CRLF endings", () => {
    const p = parseProcfile("# processes\r\nweb: node server.js\r\nworker:", "google");
    expect(processMap(p)).toEqual({ web: "node server.js" });
    expect(p.emptyCommands).toEqual([{ name: "worker", line: 3, swallowed: null }]);
    expect(p.rejected).toEqual([]);
  });

  it("reads back any Procfile of distinct valid names", () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_]{1,12}$/);
    const command = fc.stringMatching(/^[a-z][a-z0-9 $:.=-]{0,30}[a-z0-9]$/);
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, command), { selector: ([n]) => n, minLength: 1, maxLength: 8 }), (entries) => {
        const text = entries.map(([n, c]) => `${n}: ${c}`).join("\n");
        expect(processMap(parseProcfile(text, "google"))).toEqual(Object.fromEntries(entries));
      }),
    );
  });
});

describe("Paketo Procfile parsing (^([A-Za-z0-9_-]+):\\s*(.+)$, per line)", () => {
  it("accepts hyphens and keeps the last duplicate", () => {
    const p = parseProcfile("web: a\nsync-prices: b\nweb: c\n", "paketo");
    expect(processMap(p)).toEqual({ web: "c", "sync-prices": "b" });
    expect(p.duplicates.map((d) => d.line)).toEqual([1]);
  });

  it("never lets an empty line swallow the next one", () => {
    const p = parseProcfile("web:\nworker: w\n", "paketo");
    expect(processMap(p)).toEqual({ worker: "w" });
    expect(p.emptyCommands).toEqual([{ name: "web", line: 1, swallowed: null }]);
  });
});
