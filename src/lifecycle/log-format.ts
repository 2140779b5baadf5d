import { UsageError } from '../errors';

/** One line of a container log: `2026-11-29T20:45:01.123456789Z stdout F text` (CRI format). */
export interface LogRecord {
  /** As written (RFC 3339, nanoseconds, UTC): sorts as text. */
  time: string;
  stream: 'stdout' | 'stderr' | 'haco';
  /** false for a piece of a line longer than the launcher's buffer (P): no newline after it. */
  complete: boolean;
  text: string;
}

export function parseLogLine(line: string): LogRecord | undefined {
  const m = /^(\S+) (stdout|stderr|haco) ([PF]) (.*)$/s.exec(line);
  if (!m) return undefined;
  return { time: m[1]!, stream: m[2] as LogRecord['stream'], complete: m[3] === 'F', text: m[4]! };
}

/** Milliseconds since the epoch of a record's time (nanoseconds cut). */
export function recordMs(r: LogRecord): number {
  return Date.parse(r.time.replace(/\.(\d{3})\d*Z$/, '.$1Z'));
}

/**
 * `--since`: a duration back from now (`90s`, `10m`, `2h`, `1d`) or a date Date.parse understands
 * (`2026-11-29T20:00:00Z`). Returns epoch milliseconds.
 */
export function parseSince(value: string, now: number = Date.now()): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value);
  if (m) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
    return now - Number(m[1]) * unit;
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`--since: "${value}" is neither a duration nor a date`, 'e.g. --since 10m, --since 2h, --since 2026-11-29T20:00:00Z');
  return t;
}
