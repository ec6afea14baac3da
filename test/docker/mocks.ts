import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/*
 * What the shared harness's mocks do not answer for docker-build: an Image's outputs as the provider computes
 * them after a push (digest, and `ref` as tag@digest), and what only the raw registration shows: which inputs
 * are secrets, and the retainOnDelete option. Call after installMocks(), which makes a new mock monitor.
 */

export const DOCKER_IMAGE = "docker-build:index:Image";
// Pulumi's wire marker for a secret value (sdk/nodejs/runtime/rpc.ts specialSigKey / specialSecretSig).
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";

/** A value as the mock engine receives it when it is a secret. */
export function secret<T>(value: T): { [SIG]: string; value: T } {
  return { [SIG]: SECRET, value };
}

export interface DockerMocks {
  /** Paths (dotted) of secret values in each docker-build Image's inputs, by resource name. */
  secretPaths: Map<string, string[]>;
  retainOnDelete: Map<string, boolean>;
}

/** A digest that follows the pushed tag, as a real build's follows its inputs. */
export function mockDigest(tag: string): string {
  return `sha256:${createHash("sha256").update(tag).digest("hex")}`;
}

export function answerDockerBuilds(): DockerMocks {
  const monitor = pulumi.runtime.getMonitor() as any;
  const mocks = monitor.mocks as pulumi.runtime.Mocks;
  const newResource = mocks.newResource.bind(mocks);
  mocks.newResource = (args) => {
    const result = newResource(args) as pulumi.runtime.MockResourceResult;
    if (args.type !== DOCKER_IMAGE) return result;
    const tag = String(args.inputs.tags?.[0] ?? "");
    const digest = mockDigest(tag);
    return { id: digest, state: { ...result.state, digest, ref: `${tag}@${digest}`, contextHash: "mock" } };
  };

  const found: DockerMocks = { secretPaths: new Map(), retainOnDelete: new Map() };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: unknown) => {
    if (req.getType() === DOCKER_IMAGE) {
      found.secretPaths.set(req.getName(), secretPaths(req.getObject()?.toJavaScript() ?? {}));
      found.retainOnDelete.set(req.getName(), Boolean(req.getRetainondelete()));
    }
    return register(req, callback);
  };
  return found;
}

function secretPaths(value: unknown, at: string[] = []): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => secretPaths(v, [...at, String(i)]));
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (o[SIG] === SECRET) return [at.join(".")];
    return Object.entries(o).flatMap(([k, v]) => secretPaths(v, [...at, k]));
  }
  return [];
}
