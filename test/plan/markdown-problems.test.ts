import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../plan/render-markdown";
import { makePlan } from "../../plan/run";
import { projectCopy } from "./fixtures";

/*
 * Issue 16: problem messages went into the PR comment unescaped, so a name in a service.yaml could put an image
 * or an @-mention into it. A real plan of a catalog whose problem quotes such a name, rendered as the comment.
 */

const HOSTILE = "@acme/admins ![x](https://evil.example/p.png) <img src=x>";

describe("problems in the markdown plan", () => {
  it("quote user text inert: no image, tag or mention comes out of a problem message", async () => {
    const dir = projectCopy();
    const file = path.join(dir, "services", "storefront", "service.yaml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/^environments:\n/m, `environments:\n  ${JSON.stringify(HOSTILE)}: {}\n`));
    const plan = await makePlan({ stack: "dev", projectDir: dir, cwd: dir, env: { PULUMI_BACKEND_URL: `file://${fs.mkdtempSync(path.join(dir, "backend-"))}` } });
    const problem = plan.problems.find((p) => p.message.includes("evil.example"));
    expect(problem?.message).toContain(HOSTILE);
    const markdown = renderMarkdown(plan);
    const line = markdown.split("\n").find((l) => l.includes("evil.example"))!;
    expect(line).toMatch(/^- ❌ `services\/storefront\/service\.yaml:\d+:\d+` /);
    expect(line).toContain("@\u200bacme/admins \\!\\[x\\](https://evil.example/p.png) \\<img src=x\\>");
    // Outside code spans (where nothing is markup) no image, tag or mention is left.
    const prose = line.replace(/(`+)[\s\S]*?\1/g, "");
    expect(prose).toContain("evil.example");
    expect(prose).not.toContain("![x](");
    expect(prose).not.toMatch(/(^|[^\\])<img/);
    expect(prose).not.toMatch(/@acme/);
  });
});
