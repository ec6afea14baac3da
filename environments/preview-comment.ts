import { mdCode, mdLink } from "../output/markdown";

/** What the preview's stack outputs say about each service (infra/program.ts ServiceOutputs, resolved). */
export interface PreviewInfo {
  stack: string;
  pr: number;
  base: string;
  project?: string;
  region?: string;
  services: Record<string, { kind?: string; url?: string; jobName?: string; image?: string }>;
}

/** The pull request comment: where each service of the preview can be reached. */
export function previewComment(info: PreviewInfo): string {
  const { stack, pr, base, region } = info;
  const rows = Object.entries(info.services)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, s]) => `| ${mdCode(name)} | ${mdCode(s.kind ?? "?")} | ${where(s, region)} |`);
  return [
    `### Preview environment ${mdCode(stack)}`,
    "",
    `Deployed from this pull request with ${mdCode(base)}'s settings${info.project ? ` in project ${mdCode(info.project)}` : ""}; every name ends in ${mdCode(`-${stack}`)}.`,
    "",
    "| Service | Kind | Where |",
    "|---|---|---|",
    ...(rows.length > 0 ? rows : ["| (none) | | |"]),
    "",
    `Removed by \`npx gantry preview destroy --pr ${pr}\` when the pull request closes, or by \`npx gantry preview gc\` once it goes unused.`,
    "",
  ].join("\n");
}

function where(s: PreviewInfo["services"][string], region: string | undefined): string {
  switch (s.kind) {
    case "service":
      return s.url ? mdLink(s.url) : "(no URL yet)";
    case "gke":
      return s.url ? `${mdCode(s.url)} (inside the cluster)` : "(inside the cluster)";
    case "job":
      return s.jobName ? `Cloud Run job ${mdCode(s.jobName)}: ${mdCode(`gcloud run jobs execute ${s.jobName}${region ? ` --region ${region}` : ""}`)}` : "Cloud Run job";
    default:
      return s.url ? mdCode(s.url) : "";
  }
}
