import { constants } from 'node:os';
import { execa } from 'execa';
import type { Reporter } from './reporter';

export interface StreamedOptions {
  reporter: Reporter;
  container: string;
  /** Prefix of every output line, e.g. `bootstrap.debootstrap`. */
  phase: string;
  env?: Record<string, string>;
  /** Replace the environment instead of extending process.env. */
  extendEnv?: boolean;
  cwd?: string;
  /** Aborted by the SIGINT/SIGTERM handler: the child is killed, and its group with it. */
  signal?: AbortSignal;
  /** A file fed to the child's stdin (default: no stdin). */
  inputFile?: string;
  /** Text written to the child's fd 3 (a pipe closed after it), e.g. a launch spec for `haco-launch --spec-fd 3`. */
  fd3?: string;
  /** How many trailing lines to keep for error messages (default 40). */
  keep?: number;
}

export interface StreamedResult {
  exitCode: number;
  /** Terminated by a signal (e.g. cancelled). */
  signal: string | undefined;
  cancelled: boolean;
  /** The last lines of combined stdout+stderr, to explain a failure. */
  tail: string[];
}

/**
 * Runs a host command, streaming each line of its stdout and stderr to the reporter with the phase as
 * prefix. Never throws for a non-zero exit: the caller knows what a failure of *that* tool means and
 * turns it into a HacoError with a useful hint.
 */
export async function runStreamed(file: string, args: readonly string[], options: StreamedOptions): Promise<StreamedResult> {
  const keep = options.keep ?? 40;
  const tail: string[] = [];
  const child = execa(file, args, {
    all: true,
    buffer: false,
    reject: false,
    stdio: [
      options.inputFile ? { file: options.inputFile } : 'ignore',
      'pipe',
      'pipe',
      ...(options.fd3 !== undefined ? [new TextEncoder().encode(options.fd3)] : []),
    ],
    env: options.env ?? {},
    extendEnv: options.extendEnv ?? true,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    // A process group (and session) of its own: the terminal's Ctrl-C reaches haco only, and haco ends
    // the whole group — the tool and everything it started (a `sleep` in a shell bootstrap, dpkg under
    // debootstrap) — instead of only the direct child, whose orphans would keep the pipe open.
    detached: true,
    // A cancelled debootstrap must not linger: SIGTERM first, SIGKILL after 3 s.
    forceKillAfterDelay: 3000,
  });
  const group = child.pid;
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (group === undefined) return;
    try {
      process.kill(-group, signal);
    } catch {
      // ESRCH: the group is empty already
    }
  };
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    signalGroup('SIGTERM');
    killTimer = setTimeout(() => signalGroup('SIGKILL'), 3000);
    killTimer.unref();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  // Once the tool itself is gone, what it left running in its group goes too: nothing outlives the step
  // (and nothing keeps our pipe open so that we would wait for it).
  child.on('exit', () => signalGroup('SIGKILL'));
  for await (const raw of child.iterable({ from: 'all' })) {
    const text = String(raw).replace(/\r/g, '');
    tail.push(text);
    if (tail.length > keep) tail.shift();
    options.reporter.line(options.container, options.phase, text);
  }
  const result = await child;
  options.signal?.removeEventListener('abort', onAbort);
  if (killTimer) clearTimeout(killTimer);
  return {
    // Killed by a signal: the shell's convention, 128 + its number (an OOM kill is 137).
    exitCode: result.exitCode ?? (result.signal ? 128 + (constants.signals[result.signal as NodeJS.Signals] ?? 0) : 1),
    signal: result.signal,
    cancelled: Boolean(result.isCanceled) || Boolean(options.signal?.aborted),
    tail,
  };
}
