// Waiting for a child process's output without hanging: every wait rejects — with what the process
// printed so far — when the process exits first or the time is up, instead of running into jest's
// timeout with nothing to show.
import type { ChildProcess } from 'node:child_process';

export interface Closed {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  command: readonly string[];
}

export interface Watched {
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout or stderr matches MARKER; rejects if the process closes first or after timeoutMs. */
  waitFor(marker: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves when the process exited and its pipes closed; rejects after timeoutMs. */
  closed(timeoutMs?: number): Promise<Closed>;
}

/** Collects CHILD's stdout and stderr (spawned with stdio pipes); COMMAND is its argv, for messages. */
export function watchOutput(child: ChildProcess, command: readonly string[]): Watched {
  let out = '';
  let err = '';
  let result: Closed | undefined;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of [...listeners]) l();
  };
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString('utf8');
    notify();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString('utf8');
    notify();
  });
  child.on('close', (status, signal) => {
    result = { status, signal, stdout: out, stderr: err, command };
    notify();
  });
  const shown = () => `${command.join(' ')}\nstdout:\n${out}\nstderr:\n${err}`;
  // CHECK returns the value to resolve with, an Error to reject with, or undefined to keep waiting.
  const wait = <T>(what: string, check: () => T | Error | undefined, timeoutMs: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        listeners.delete(listener);
        fn();
      };
      const timer = setTimeout(() => done(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} from ${shown()}`))), timeoutMs);
      const listener = () => {
        const v = check();
        if (v instanceof Error) done(() => reject(v));
        else if (v !== undefined) done(() => resolve(v));
      };
      listeners.add(listener);
      listener();
    });
  return {
    stdout: () => out,
    stderr: () => err,
    waitFor: (marker, timeoutMs = 20_000) =>
      wait(`${String(marker)}`, () => {
        const text = `${out}\n${err}`;
        if (typeof marker === 'string' ? text.includes(marker) : marker.test(text)) return true;
        if (result) return new Error(`exited (${result.status ?? result.signal}) before printing ${String(marker)}: ${shown()}`);
        return undefined;
      }, timeoutMs).then(() => undefined),
    closed: (timeoutMs = 20_000) => wait('the process to exit', () => result, timeoutMs),
  };
}
