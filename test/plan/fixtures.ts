import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadCatalog } from "../../catalog/load";
import { deployStack } from "../../infra/program";
import { installMocks, PROJECT_DIR, settle, v } from "../service/harness";
import { checkpointOf } from "../support/checkpoint";
import { answerStackReferences } from "../support/stack-references";
import { PACK } from "../support/resource-types";

/*
 * "Last deployments" for the plan to compare against. The deployment itself is the shared harness's mock
 * runtime (no cloud here); the files are shaped like what Pulumi writes: `pulumi stack output --json`, and a
 * local file backend's checkpoint of every resource (test/support/checkpoint.ts).
 */

export interface Deployed {
  /** The stack's `services` output, resolved. */
  services: Record<string, Record<string, unknown>>;
  /** A file backend checkpoint of that deployment. */
  checkpoint: unknown;
}

export async function deploy(stack: string, projectDir = PROJECT_DIR, stackOutputs: Record<string, Record<string, unknown>> = {}): Promise<Deployed> {
  const captured = await installMocks(stack);
  answerStackReferences(stackOutputs);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-deployed-"));
  // Loaded from the project folder, as `pulumi up` runs there: paths in inputs (descriptions) are relative to it.
  const catalog = loadCatalog({ projectDir, stacks: [stack], cwd: projectDir });
  const outputs = deployStack({ stack, projectDir, servicesDir: path.join(projectDir, "services"), catalog, build: { logDir: path.join(work, "logs"), statCacheDir: path.join(work, "stat") } });
  const services: Deployed["services"] = {};
  for (const [name, o] of Object.entries(outputs)) {
    services[name] = {};
    for (const [k, value] of Object.entries(o)) services[name]![k] = typeof value === "string" ? value : await v(value as never);
  }
  await settle();
  const checkpoint = checkpointOf(stack, "gantry", captured, {
    rootOutputs: { services },
    outputsOf: (c) => {
      if (c.type !== PACK) return {};
      const imageRef = services[c.name]!.image as string;
      return { imageRef, digest: imageRef.slice(imageRef.indexOf("@") + 1), lastOperation: "build" };
    },
  });
  return { services, checkpoint };
}

/** A file backend folder holding the given checkpoints. */
export function backendWith(checkpoints: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-backend-"));
  fs.mkdirSync(path.join(dir, ".pulumi", "stacks", "gantry"), { recursive: true });
  fs.writeFileSync(path.join(dir, ".pulumi", "meta.yaml"), "version: 1\n");
  for (const [stack, checkpoint] of Object.entries(checkpoints)) fs.writeFileSync(path.join(dir, ".pulumi", "stacks", "gantry", `${stack}.json`), JSON.stringify(checkpoint, null, 4));
  return dir;
}

/** A copy of the project (stack configs, Pulumi.yaml, services) to edit. */
export function projectCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-plan-project-"));
  for (const f of fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\.(?:[a-z]+\.)?yaml$/.test(f))) fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(dir, f));
  fs.cpSync(path.join(PROJECT_DIR, "services"), path.join(dir, "services"), { recursive: true });
  return dir;
}
