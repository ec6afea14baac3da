// Public API of the build preflight: predict what the buildpacks builder will detect and launch.
// `gantry detect`, `gantry validate` and `gantry plan` call detect() once per service folder.

export { builderFamily, describeBuilder, DEFAULT_BUILDER, type BuilderInfo } from "./builder";
export { detect } from "./detect";
export type { BuilderFamily, DetectResult, Finding, PreflightInput, RuntimeVersion } from "./findings";
