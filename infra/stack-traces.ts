/**
 * The SDK records a stack trace, mapped through source maps, for every promise it makes for a resource's properties
 * (a leak-debugging aid nobody reads here): at 500 services that was a quarter of a preview's time
 * (bench/engine.bench.ts). It makes those promises while it registers the resources, after the program's code has
 * returned, so capture is off for the whole run. A user's mistake is a RunError, which the engine prints without a
 * stack anyway; GANTRY_STACK_TRACES=1 keeps the traces, to debug Gantry itself.
 */
export function quietStackTraces(env: NodeJS.ProcessEnv = process.env): void {
  if (!env.GANTRY_STACK_TRACES) Error.stackTraceLimit = 0;
}
