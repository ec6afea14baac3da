import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { formatProblem } from "../catalog/problems";
import { PipelineIdentities } from "../infra/identities";
import { loadIdentities } from "../infra/identities/config";

// `pulumi up --stack pipeline` in this folder: the gantry:identities block of Pulumi.<stack>.yaml.
const loaded = loadIdentities(path.join(__dirname, `Pulumi.${pulumi.getStack()}.yaml`));
if (!loaded.config) {
  for (const p of loaded.problems) pulumi.log.error(formatProblem(p));
  throw new pulumi.RunError(`${loaded.problems.length} problem(s) in the identities config (listed above); nothing was changed.`);
}
const identities = new PipelineIdentities("pipeline", { identities: loaded.config });
export const emails = identities.emails;
