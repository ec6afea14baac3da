/**
 * One self-overwriting status line on stderr while a command works, so a long validate or plan is visibly alive.
 * Only on a terminal: a CI log or a pipe gets nothing, and neither does --json output.
 */
export interface Progress {
  (what: string): void;
  /** Clears the line before the command prints its result. */
  done(): void;
}

export function progress(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  const on = enabled && stream.isTTY === true;
  let shown = false;
  const width = () => Math.max(20, (stream.columns ?? 80) - 1);
  const update = ((what: string) => {
    if (!on) return;
    stream.write(`\r\x1b[K${what.length > width() ? `${what.slice(0, width() - 1)}…` : what}`);
    shown = true;
  }) as Progress;
  update.done = () => {
    if (on && shown) stream.write("\r\x1b[K");
    shown = false;
  };
  return update;
}
