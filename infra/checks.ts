import type { Catalog } from "../catalog/load";
import { sortProblems, type Problem } from "../catalog/problems";
import { pinProblems } from "../environments/pin-checks";
import { promotionProblems } from "../environments/promotion";
import { preflightProblems } from "../preflight/catalog";

export interface StackChecks {
  /** The catalog's and the stack configs' own problems, and promotions that cannot work. */
  problems: Problem[];
  /** What the buildpacks builder (or docker) would trip on, for the stacks that build. */
  preflight: Problem[];
}

/**
 * Everything that stops a stack before anything is built or deployed. The program, `gantry plan` and
 * `gantry validate` all ask here, so none of them lets through what another refuses.
 */
export function stackChecks(catalog: Catalog, projectDir: string, cwd = process.cwd(), opts: { partial?: boolean } = {}): StackChecks {
  const promotion = catalog.stacks.flatMap((stack) => {
    const platform = catalog.platforms[stack];
    return platform ? [...promotionProblems(projectDir, stack, platform, cwd), ...pinProblems(catalog, stack, projectDir, cwd, opts.partial ?? false)] : [];
  });
  return { problems: sortProblems([...catalog.problems, ...promotion]), preflight: preflightProblems(catalog, cwd) };
}
