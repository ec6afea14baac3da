import { displayPath } from "../../catalog/display-path";
import type { Problem } from "../../catalog/problems";
import { identitiesConfig, type IdentitiesConfig } from "../../catalog/schema/identities";
import { explainIssues } from "../../catalog/zod-issues";
import { keysAtPath } from "../../catalog/zod-shape";
import { locate, readYamlFile, type PathKey } from "../../catalog/yaml-source";

const KEY = "gantry:identities";

export type IdentitiesLoad = { config: IdentitiesConfig; problems: [] } | { config: undefined; problems: Problem[] };

/** `gantry:identities` of one stack file of the identities project, validated, or every problem at its line. */
export function loadIdentities(file: string, cwd = process.cwd()): IdentitiesLoad {
  const shown = displayPath(file, cwd);
  const read = readYamlFile(file, shown);
  if (!read.ok) return { config: undefined, problems: read.problems };
  const root = read.source.value as { config?: Record<string, unknown> } | null;
  const raw = root?.config?.[KEY];
  const at = (p: PathKey[], atKey = false): Problem => ({
    file: shown,
    ...locate(read.source, ["config", KEY, ...p], atKey),
    field: [KEY, ...p].join("."),
    severity: "error",
    message: "",
  });
  if (raw === undefined) return { config: undefined, problems: [{ ...at([]), message: `${KEY} is missing: the identities project has nothing to provision` }] };
  const parsed = identitiesConfig.safeParse(raw, { reportInput: true });
  if (parsed.success) return { config: parsed.data, problems: [] };
  const issues = explainIssues(parsed.error.issues, (p) => keysAtPath(identitiesConfig, p));
  return { config: undefined, problems: issues.map((i) => ({ ...at(i.path, i.atKey), message: i.message })) };
}
