import { describe, expect, it } from "vitest";
import { mdCode, mdLink } from "../../output/markdown";
import { previewComment } from "../../environments/preview-comment";

/* User text in a PR comment is inert: no image, link, @-mention or table cell break can come from it. */

describe("markdown of user text", () => {
  it("puts text in a code span whose fence outlasts any backticks inside, on one line, with pipes escaped", () => {
    expect(mdCode("plain")).toBe("`plain`");
    expect(mdCode("a`b``c")).toBe("```a`b``c```");
    expect(mdCode("`edge`")).toBe("`` `edge` ``");
    expect(mdCode("x|y\nz")).toBe("`x\\|y z`");
  });

  it("links only a plain https URL", () => {
    expect(mdLink("https://storefront-h4sh-ew.a.run.app")).toBe("<https://storefront-h4sh-ew.a.run.app>");
    expect(mdLink("javascript:alert(1)")).toBe("`javascript:alert(1)`");
    expect(mdLink("https://x.run.app/a>b")).toBe("`https://x.run.app/a>b`");
  });

  it("renders a preview whose outputs carry markup as text", () => {
    const comment = previewComment({
      stack: "pr-3",
      pr: 3,
      base: "dev",
      services: { "![x](https://evil.example/i.png) @acme/admins": { kind: "service", url: "https://ok.run.app) [click](https://evil.example" } },
    });
    expect(comment).toContain("| `![x](https://evil.example/i.png) @acme/admins` | `service` | `https://ok.run.app) [click](https://evil.example` |");
  });
});
