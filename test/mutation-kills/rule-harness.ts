// Runs the cloud rules on a document the schema has accepted, so a case here is one only a rule can refuse: removing
// the rule (not the schema) makes its test fail.
import { checkRules, type RuleIssue } from "../../catalog/rules";
import { platformConfig } from "../../catalog/schema/platform";
import { serviceFile } from "../../catalog/schema/service";

export function platformOf(extra: Record<string, unknown> = {}) {
  return platformConfig.parse({ project: "acme-dev", region: "europe-west1", ...extra });
}

export function issuesOf(doc: Record<string, unknown>, platform: Record<string, unknown> = {}): RuleIssue[] {
  const parsed = serviceFile.safeParse(doc);
  if (!parsed.success) throw new Error(`the schema refused the document, so no rule is reached: ${parsed.error.message}`);
  return checkRules(parsed.data, { stack: "dev", platform: platformOf(platform) });
}

/** `path: message` lines, the form a test can match a whole expectation against. */
export function linesOf(doc: Record<string, unknown>, platform: Record<string, unknown> = {}): string[] {
  return issuesOf(doc, platform).map((i) => `${i.path.join(".")}: ${i.message}`);
}

/** `n` distinct keys with the same value. */
export function manyKeys(n: number, prefix: string, value: string): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, value]));
}
