// `expect(result).toExitWith(0)`: checks a command's exit status and, when it is wrong, shows what the
// command was and what it printed. A bare `expect(r.status).toBe(0)` says only "Expected 0, Received 1".
// Registered for every jest project in jest.config.js (setupFilesAfterEnv).

/** What a finished command looks like: ours (CliResult), spawnSync's, execa's, a VM run's. */
export interface ExitLike {
  status?: number | null;
  exitCode?: number | null | undefined;
  signal?: string | null | undefined;
  stdout?: string | Buffer | null | undefined;
  stderr?: string | Buffer | null | undefined;
  /** Interleaved output (execa's `all`, a VM's console). */
  output?: unknown;
  all?: string | undefined;
  /** argv (ours) or the command line (execa). */
  command?: string | readonly string[] | undefined;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- jest's matcher types live in this namespace
  namespace jest {
    interface Matchers<R, T> {
      /** The command exited with STATUS; otherwise the failure shows its command line, stdout and stderr. */
      toExitWith(status: T extends ExitLike ? number : never): R;
    }
  }
}

const LIMIT = 6000;

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return JSON.stringify(value);
}

/** The end of a long output: where a failure says why. */
function tail(value: unknown): string {
  const s = text(value);
  return s.length > LIMIT ? `…(${s.length - LIMIT} chars before)\n${s.slice(-LIMIT)}` : s;
}

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function describeRun(r: ExitLike): string {
  const command = r.command === undefined ? '(command line not recorded)' : typeof r.command === 'string' ? r.command : r.command.map(quote).join(' ');
  const parts = [`command: ${command}`];
  if (r.signal) parts.push(`signal: ${r.signal}`);
  for (const [name, value] of [['stdout', r.stdout], ['stderr', r.stderr], ['output', r.output ?? r.all]] as const) {
    if (value === undefined) continue;
    const s = tail(value);
    parts.push(s.trim() === '' ? `${name}: (empty)` : `${name}:\n${s.replace(/\n$/, '')}`);
  }
  return parts.join('\n');
}

function statusOf(r: ExitLike): number | null | undefined {
  return 'status' in r ? r.status : r.exitCode;
}

expect.extend({
  toExitWith(received: unknown, expected: number) {
    if (received === null || typeof received !== 'object' || !('status' in received || 'exitCode' in received)) {
      return { pass: false, message: () => `toExitWith: expected a command result with a status or exitCode, got ${this.utils.printReceived(received)}` };
    }
    const r = received as ExitLike;
    const actual = statusOf(r);
    const pass = actual === expected;
    return {
      pass,
      message: () =>
        `${this.utils.matcherHint(`${this.isNot ? '.not' : ''}.toExitWith`, 'result', String(expected))}\n\n` +
        `expected exit status ${this.isNot ? 'other than ' : ''}${this.utils.printExpected(expected)}, got ${this.utils.printReceived(actual)}\n${describeRun(r)}`,
    };
  },
});
