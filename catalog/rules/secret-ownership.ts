import { secretShape } from "./secret-values";
import type { Rule, RuleIssue } from "./types";

/*
 * Which secrets a service may read. Gantry grants a service's account secretAccessor on every secret it
 * references, so a reference is a grant: without this rule one line in a pull request would hand a preview
 * (or dev) any secret of the project, or of another project. A service owns the secret ids that are its name
 * or start with its name and "-", unless another service's longer name claims them too (api-gateway-key is
 * api-gateway's, not api's); gantry:secrets.shared lends others to named services; another project's secrets
 * only where gantry:allowedSecretProjects lists that project.
 */

const ID = /^[A-Za-z0-9_-]{1,255}$/;
const PATH = /^projects\/([a-z0-9-]+)\/secrets\/([A-Za-z0-9_-]{1,255})$/;

/**
 * The service that owns `secretId`: of the services whose name it has, the longest. "api-gateway-key" has both api's
 * and api-gateway's name, and is api-gateway's: otherwise api could read every secret of api-gateway. The names an id
 * has are itself and each of its prefixes that ends before a "-", tried longest first against a set, since the rule
 * asks once per secret of every service of a fleet.
 */
function secretOwner(secretId: string, names: ReadonlySet<string>): string | undefined {
  if (names.has(secretId)) return secretId;
  for (let i = secretId.lastIndexOf("-"); i > 0; i = secretId.lastIndexOf("-", i - 1)) {
    const prefix = secretId.slice(0, i);
    if (names.has(prefix)) return prefix;
  }
  return undefined;
}

const nameSets = new WeakMap<readonly string[], Set<string>>();
function nameSet(serviceNames: readonly string[]): Set<string> {
  let set = nameSets.get(serviceNames);
  if (!set) nameSets.set(serviceNames, (set = new Set(serviceNames)));
  return set;
}

export const secretOwnershipRule: Rule = (spec, { platform, serviceNames = [] }) => {
  const issues: RuleIssue[] = [];
  for (const [env, ref] of Object.entries(spec.secrets ?? {})) {
    const m = PATH.exec(ref.secret);
    // Anything else is not a reference at all (envRule says so), and may be a secret typed in: never echoed.
    // Not an id at all, or the secret itself pasted in: the secret-values rule says so, once.
    if ((!m && !ID.test(ref.secret)) || secretShape(ref.secret) !== undefined) continue;
    const project = m ? m[1]! : platform.project;
    const secretId = m ? m[2]! : ref.secret;
    const path = ["secrets", env];
    if (project !== platform.project && !platform.allowedSecretProjects.includes(project)) {
      issues.push({
        path,
        message: `secret ownership: ${env} reads a secret of project ${project}, not this stack's (${platform.project}); only projects listed in gantry:allowedSecretProjects may be referenced`,
      });
      continue;
    }
    const shared = platform.secrets.shared;
    const sharedWith = [...(shared[`projects/${project}/secrets/${secretId}`] ?? []), ...(project === platform.project ? (shared[secretId] ?? []) : [])];
    if (sharedWith.includes(spec.name)) continue;
    const names = nameSet(serviceNames);
    const owner = secretOwner(secretId, names.has(spec.name) ? names : new Set([spec.name, ...serviceNames]));
    if (owner === spec.name) continue;
    if (owner !== undefined) {
      issues.push({
        path,
        message: `secret ownership: ${env} names a secret of service ${owner} (ids "${owner}" or "${owner}-*"), not of ${spec.name}; gantry:secrets.shared may lend it to ${spec.name}`,
      });
      continue;
    }
    issues.push({
      path,
      message: `secret ownership: ${spec.name} may reference only secrets it owns (ids "${spec.name}" or "${spec.name}-*") or ones gantry:secrets.shared lends it, and the id given (not shown: it may be the secret itself) is neither`,
    });
  }
  return issues;
};
