import * as fs from 'node:fs';
import { isSameProcess, logFileOf, readState, requireState } from '../state';
import { parseLogLine, recordMs, type LogRecord } from './log-format';

export interface LogOptions {
  follow?: boolean;
  /** Prefix each line with its time (RFC 3339, nanoseconds). */
  timestamps?: boolean;
  /** Only the last N lines (of the container's output; events count when shown). */
  tail?: number;
  /** Only lines written at or after this time (epoch ms). */
  since?: number;
  /** Also show the supervisor's events (start, exit, signal, OOM kill, restart) on stderr. */
  events?: boolean;
  /** One JSON object a line on stdout ({"time","stream","complete","text"}), whatever the stream. */
  json?: boolean;
}

/** Reads whole lines of FILE from OFFSET; returns them and the offset after the last complete one. */
function readLines(file: string, offset: number): { lines: string[]; offset: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return { lines: [], offset };
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size < offset) offset = 0; // rotated meanwhile: a new file
    if (size === offset) return { lines: [], offset };
    const buf = Buffer.alloc(size - offset);
    const n = fs.readSync(fd, buf, 0, buf.length, offset);
    const text = buf.subarray(0, n).toString('utf8');
    const end = text.lastIndexOf('\n');
    if (end < 0) return { lines: [], offset };
    return { lines: text.slice(0, end).split('\n'), offset: offset + Buffer.byteLength(text.slice(0, end + 1)) };
  } finally {
    fs.closeSync(fd);
  }
}

function show(r: LogRecord, opts: LogOptions): void {
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const out = r.stream === 'stdout' ? process.stdout : process.stderr;
  const stamp = opts.timestamps ? `${r.time} ` : '';
  const text = r.stream === 'haco' ? `[haco] ${r.text}` : r.text;
  out.write(`${stamp}${text}${r.complete ? '\n' : ''}`);
}

/**
 * Prints the container's log (stdout to stdout, stderr to stderr, in the order they were written); with
 * follow, keeps printing until its supervisor is gone.
 */
export async function showLogs(name: string, opts: LogOptions = {}): Promise<void> {
  const s = requireState(name);
  const file = logFileOf(s.dir);
  const keep = (r: LogRecord | undefined): r is LogRecord =>
    r !== undefined && (opts.events || r.stream !== 'haco') && (opts.since === undefined || recordMs(r) >= opts.since);
  const rotated = readLines(`${file}.1`, 0).lines;
  let { lines, offset } = readLines(file, 0);
  let records = [...rotated, ...lines].map(parseLogLine).filter(keep);
  if (opts.tail !== undefined) records = opts.tail === 0 ? [] : records.slice(-opts.tail);
  for (const r of records) show(r, opts);
  if (!opts.follow) return;
  for (;;) {
    const now = readState(name);
    const alive = now !== undefined && isSameProcess(now.recorded.supervisor, now.recorded.supervisorStart);
    const size = (() => {
      try {
        return fs.statSync(file).size;
      } catch {
        return 0;
      }
    })();
    if (size < offset) {
      // Rotated: the rest of the old file is LOG.1 now.
      const old = readLines(`${file}.1`, offset);
      for (const r of old.lines.map(parseLogLine).filter(keep)) show(r, opts);
      offset = 0;
    }
    ({ lines, offset } = readLines(file, offset));
    for (const r of lines.map(parseLogLine).filter(keep)) show(r, opts);
    if (!alive) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
