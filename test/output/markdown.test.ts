import { describe, expect, it } from "vitest";
import { htmlText, mdCode, mdText } from "../../output/markdown";

/* User text in a PR comment: no images, links, mentions, HTML or broken table cells out of it. */

const HOSTILE = "![x](https://evil.example/p.png) <img src=x> @acme/admins | `tick` [link](https://evil.example)";

describe("markdown escaping", () => {
  it("keeps inline code whole: a backtick inside needs a longer fence, a pipe is escaped for tables", () => {
    expect(mdCode("a`b")).toBe("``a`b``");
    expect(mdCode("`edge`")).toBe("`` `edge` ``");
    expect(mdCode("a|b\nc")).toBe("`a\\|b c`");
    expect(mdCode(HOSTILE)).toBe("``![x](https://evil.example/p.png) <img src=x> @acme/admins \\| `tick` [link](https://evil.example)``");
  });

  it("escapes prose so that nothing in it becomes an image, a link, a tag or a mention", () => {
    expect(mdText(HOSTILE)).toBe("\\!\\[x\\](https://evil.example/p.png) \\<img src=x\\> @\u200bacme/admins \\| \\`tick\\` \\[link\\](https://evil.example)");
    expect(htmlText(HOSTILE)).toBe("![x](https://evil.example/p.png) &lt;img src=x&gt; @\u200bacme/admins | `tick` [link](https://evil.example)");
  });
});
