/*
 * One status line on a terminal, rewritten in place as work goes on, and nothing at all anywhere else: a CI log
 * or a pipe gets only the result.
 */

export interface ProgressStream {
  isTTY?: boolean;
  /** The terminal's width, when it says (0 or unset: unknown). */
  columns?: number;
  write(text: string): boolean;
}

export interface Progress {
  /** Shows what is happening now; at most one redraw per interval, except when the step's words change. */
  update(step: string): void;
  /** Clears the line, before the result is printed. */
  done(): void;
}

const CLEAR_LINE = "\r\x1b[2K";

export function progressLine(stream: ProgressStream, label: string, opts: { enabled?: boolean; intervalMs?: number; now?: () => number } = {}): Progress {
  if (!(opts.enabled ?? true) || !stream.isTTY) return { update: () => {}, done: () => {} };
  const interval = opts.intervalMs ?? 100;
  const now = opts.now ?? Date.now;
  let last = -Infinity;
  let lastKind = "";
  let shown = false;
  return {
    update(step) {
      // Counts change fast; the words before them say which step it is.
      const kind = step.replace(/\d+/g, "");
      const t = now();
      if (kind === lastKind && t - last < interval) return;
      last = t;
      lastKind = kind;
      shown = true;
      // A line wider than the terminal wraps, and clearing it then clears only its last row: cut to fit.
      const line = `${label}: ${step}`;
      const room = (stream.columns ?? 0) - 2;
      stream.write(`${CLEAR_LINE}${room > 0 && line.length > room ? line.slice(0, room) : line}…`);
    },
    done() {
      if (shown) stream.write(CLEAR_LINE);
      shown = false;
    },
  };
}
