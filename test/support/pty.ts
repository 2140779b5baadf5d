// Driving haco through a real terminal: `script` (util-linux) runs a shell command on a pty of its own and
// relays our pipe to it, so haco sees a terminal on its stdin exactly as on a user's screen.
import { spawn } from 'node:child_process';
import { HACO_BIN, REPO } from './cli';

export interface PtySession {
  /** Everything the terminal showed so far. */
  output(): string;
  /** Type TEXT (control characters included: '\x03' is Ctrl-C). */
  send(text: string): void;
  /** Resolves once the output matches RE (searched from `from`), with the match; rejects after timeoutMs. */
  waitFor(re: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray>;
  /** Resolves with script's exit status once it is gone. */
  exited(timeoutMs?: number): Promise<number>;
  pid: number;
  /** SIGKILL to script if it still runs (test teardown). */
  kill(): void;
}

/** How to run `script`: `prefix` goes before it (e.g. runuser … env -i …, so the terminal is another user's). */
export interface PtyOptions {
  prefix?: readonly string[];
  cwd?: string;
}

/** `script -qec COMMAND /dev/null` with `HACO` in the environment naming bin/haco. */
export function inPty(command: string, env: Record<string, string>, options: PtyOptions = {}): PtySession {
  const argv = [...(options.prefix ?? []), 'script', '-qec', command, '/dev/null'];
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, NO_COLOR: '1', HACO: HACO_BIN, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let status: number | undefined;
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const done = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve((status = code ?? 128 + (signal ? 9 : 0)))));
  const poll = async <T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> => {
    const t0 = Date.now();
    for (;;) {
      const v = check();
      if (v !== undefined) return v;
      if (Date.now() - t0 > timeoutMs) throw new Error(`${what} within ${timeoutMs} ms; the terminal showed:\n${out}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return {
    pid: child.pid!,
    kill: () => {
      if (status === undefined) child.kill('SIGKILL');
      child.stdin.end();
    },
    output: () => out,
    send: (text) => child.stdin.write(text),
    waitFor: (re, timeoutMs = 15_000, from = 0) => poll(`no ${re}`, () => out.slice(from).match(re) ?? undefined, timeoutMs),
    exited: async (timeoutMs = 15_000) => {
      await poll('script did not exit', () => status, timeoutMs);
      child.stdin.end();
      return done;
    },
  };
}
