import type { BuildpackRef, PackImageInputs } from "../provider";

/*
 * The seam between what PackImage decides (build, rebase or nothing: ../provider.ts) and how an image gets built.
 * An engine is one sibling file that exports a factory returning this interface. The provider serializes the
 * engines with itself into Pulumi's state, so an engine file follows the provider's rule: no runtime imports
 * (types only, Node built-ins through process.getBuiltinModule), every helper declared in the file.
 */

export type EngineName = "pack" | "lifecycle";

/** One run of an engine's program, as the provider's runner reports it. */
export interface ToolRun {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  output: string;
  tail: string[];
}

export interface EngineContext {
  inputs: PackImageInputs;
  /** The tag this operation publishes (content-derived, so immutable-tag repositories never see it move). */
  tag: string;
  /** A private folder for this operation, removed afterwards (secret files included). */
  dir: string;
  /** An empty folder where the tool must write report.toml: the provider reads the published digest there. */
  reportDir: string;
  /** A text file the tool left (report.toml, group.toml), or undefined when it did not. */
  read(file: string): string | undefined;
  /**
   * Runs a program from an argument array in a process group of its own, under the build slot and timeout, with its
   * output in the operation's log and a progress line per phase; `env` is added to the provider's environment.
   */
  run(command: string, args: string[], env?: Record<string, string>): Promise<ToolRun>;
}

/** What an engine's run left: its exit and output (the provider reads the published digest from reportDir). */
export interface EngineOutcome {
  run: ToolRun;
  buildpacks: BuildpackRef[];
}

export interface BuildEngine {
  /** The program it runs, for messages ("pack build", "lifecycle creator"). */
  describe(op: "build" | "rebase"): string;
  /** Most operations this engine can run at once in one provider process (the provider's slots are capped by it). */
  parallelism(inputs: PackImageInputs): number;
  /** Check-time problems with the inputs for this engine, as {property, reason}. */
  check(inputs: PackImageInputs): Array<{ property: string; reason: string }>;
  build(ctx: EngineContext & { sbomDir: string }): Promise<EngineOutcome>;
  rebase(ctx: EngineContext & { previousImage: string }): Promise<EngineOutcome>;
}
