import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../plan/render-markdown";
import { makePlan } from "../../plan/run";
import { deploy, projectCopy } from "./fixtures";

/*
 * The README's markdown plan is a real one: the pull request it describes, planned against the file backend's
 * last deployment in the project's own .gantry/state, with the checkout's temporary path shown as /home/ci/shop.
 */

const README = path.resolve(__dirname, "..", "..", "README.md");

function edit(file: string, from: string, to: string): void {
  const text = fs.readFileSync(file, "utf8");
  if (!text.includes(from)) throw new Error(`${file}: ${from} not found`);
  fs.writeFileSync(file, text.replace(from, to));
}

/** The fenced ````markdown block of the README's plan section. */
function readmeExample(): string {
  const readme = fs.readFileSync(README, "utf8");
  const section = readme.slice(readme.indexOf("## What a change would do: `gantry plan`"));
  const match = /````markdown\n([\s\S]*?)````/.exec(section);
  if (!match) throw new Error("README.md: no ````markdown block in the plan section");
  return match[1]!;
}

describe("the README's markdown plan", () => {
  it("is what gantry plan prints for the pull request it describes", async () => {
    const dir = projectCopy();
    const { checkpoint } = await deploy("dev", dir);
    const stacks = path.join(dir, ".gantry", "state", ".pulumi", "stacks", "gantry");
    fs.mkdirSync(stacks, { recursive: true });
    fs.writeFileSync(path.join(stacks, "dev.json"), JSON.stringify(checkpoint));

    // Raises storefront's min instances, pins nightly-report's secret to version 7, edits catalog-api's code.
    edit(path.join(dir, "services", "storefront", "service.yaml"), "concurrency: 80", "concurrency: 80\nminInstances: 2");
    edit(path.join(dir, "services", "nightly-report", "service.yaml"), "version: latest", 'version: "7"');
    fs.appendFileSync(path.join(dir, "services", "catalog-api", "server.js"), "\n// edited\n");

    const plan = await makePlan({ stack: "dev", projectDir: dir, cwd: dir, env: {} });
    expect(renderMarkdown(plan).split(dir).join("/home/ci/shop")).toBe(readmeExample());
  }, 120_000);
});
