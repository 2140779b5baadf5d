import * as fs from 'node:fs';
import { HacoError, UsageError } from '../errors';

/**
 * runc's global `--log FILE` and `--log-format text|json`: where an engine reads the runtime's messages
 * when a command fails. podman (conmon) passes them to the runtimes named in containers.conf's
 * `runtime_supports_json`, reads the file after a failed create or exec and shows the last error's
 * `msg`: so haco's message (step, path, errno) and its hint reach podman's output instead of "no logs
 * from conmon". The messages still go to stderr too, as runc's do.
 */
export type RuntimeLogFormat = 'text' | 'json';
export type RuntimeLogLevel = 'error' | 'warning';

let target: { file: string; format: RuntimeLogFormat } | undefined;

/** The flags of this command line (`--log F`, `--log=F`, same for --log-format); text when no format. */
export function useRuntimeLog(argv: readonly string[]): void {
  // Only our flags: what follows `--` is exec's command, whose own --log is its business.
  const dashDash = argv.indexOf('--');
  const ours = dashDash >= 0 ? argv.slice(0, dashDash) : argv;
  const value = (name: string): string | undefined => {
    for (let i = ours.length - 1; i >= 0; i--) {
      const a = ours[i]!;
      if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
      if (a === name && i + 1 < ours.length) return ours[i + 1];
    }
    return undefined;
  };
  const file = value('--log');
  const format = value('--log-format') ?? 'text';
  if (format !== 'text' && format !== 'json') {
    throw new UsageError(`--log-format ${format}: not a log format`, 'give --log-format text or --log-format json');
  }
  target = file ? { file, format } : undefined;
}

/**
 * One message as one line: json `{"level","msg","time"}` (what conmon parses), or text in runc's
 * `time="…" level=… msg="…"` form. A message of several lines (an error and its hint) becomes one line.
 */
export function formatRuntimeLog(level: RuntimeLogLevel, message: string, format: RuntimeLogFormat, now = new Date()): string {
  const msg = message.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
  const time = now.toISOString();
  if (format === 'json') return `${JSON.stringify({ level, msg, time })}\n`;
  return `time=${JSON.stringify(time)} level=${level} msg=${JSON.stringify(msg)}\n`;
}

/** Append to the --log file, if any. A log that cannot be written is said on stderr, once per message. */
export function logRuntime(level: RuntimeLogLevel, message: string): void {
  if (!target) return;
  try {
    fs.appendFileSync(target.file, formatRuntimeLog(level, message, target.format), { mode: 0o600 });
  } catch (error) {
    process.stderr.write(`haco: cannot write the runtime log ${target.file}: ${(error as Error).message}\n`);
  }
}

/** An error as the log says it: the message, its code and its hint (no colours, whatever stderr is). */
export function errorLogText(error: unknown): string {
  if (error instanceof HacoError) return `${error.message} [${error.code}]${error.hint ? `\nhint: ${error.hint}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}
