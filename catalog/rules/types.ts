import type { PlatformConfig } from "../schema/platform";
import type { ServiceFile } from "../schema/service";
import type { PathKey } from "../yaml-source";

export interface RuleIssue {
  path: PathKey[];
  message: string;
  severity?: "error" | "warning";
  /** Point at the key rather than its value: the name is what is wrong. */
  atKey?: boolean;
}

export interface RuleContext {
  stack: string;
  platform: PlatformConfig;
  /** Names of every service in the catalog (this one included), for rules that compare services. */
  serviceNames?: readonly string[];
}

/** A cloud rule: reads one fully merged service (for one stack) and says what the cloud would reject. */
export type Rule = (spec: ServiceFile, ctx: RuleContext) => RuleIssue[];
