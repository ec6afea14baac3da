// `gantry migrate` and the plan's migration line: when can each service drop its Dockerfile?

export { compareService, type Comparison } from "./compare";
export { parseDockerfile, DockerfileError, type ParsedDockerfile } from "../dockerfile/parse";
export { renderJson, renderMarkdown, renderText } from "./render";
export { formatMigrationSummary, migrateService, migrationReport, migrationSummary, type MigrationReport, type MigrationSummary, type ServiceMigration } from "./report";
export type { Check } from "./types";
export type { Verdict } from "./verdict";
