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
}

/** A cloud rule: reads one fully merged service (for one stack) and says what the cloud would reject. */
export type Rule = (spec: ServiceFile, ctx: RuleContext) => RuleIssue[];
