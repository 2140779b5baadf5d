import { spawnSync } from 'node:child_process';
import { EXIT, HacoError, type ErrorCode } from '../errors';
import type { SpecWriter } from './spec-writer';
import { findLauncher } from './launcher-path';

export interface HostSpecRun {
  /** Pass `--trace`: the launcher prints each system call; they are copied to our stderr. */
  trace: boolean;
  /** The error code for each step that can fail (`cgroup-write` → E_RELOAD_CGROUP); `*` for the rest. */
  codes: Record<string, ErrorCode>;
  /** What was being done, for the message: `reload web`. */
  what: string;
  /** The launcher to run (tests); found or built as for a start otherwise. */
  launcher?: string;
}

/**
 * Runs a `host-only` spec (docs/launch-spec.md) with the launcher and waits: haco's kernel writes outside
 * a launch (reload, the stale-cgroup sweep) go through the same executor, with its trace and its hints.
 * A failure becomes a HacoError carrying the launcher's own message (step, path, errno) and hint.
 */
export function runHostSpec(spec: SpecWriter, run: HostSpecRun): void {
  const launcher = run.launcher ?? findLauncher();
  const r = spawnSync(launcher, [...(run.trace ? ['--trace'] : []), '--spec', '-'], {
    input: spec.render({ comments: false }).text,
    encoding: 'utf8',
    stdio: ['pipe', 'ignore', 'pipe'],
    // The launcher needs nothing from node's environment.
    env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
  const lines = (r.stderr ?? '').split('\n').filter(Boolean);
  // The failure is the last `haco-launch:` line, its hint the line after: they go into the error.
  let failed = -1;
  if (r.status !== 0) lines.forEach((l, i) => (failed = l.startsWith('haco-launch: ') ? i : failed));
  const message = failed >= 0 ? lines[failed]!.slice('haco-launch: '.length) : undefined;
  const hint = failed >= 0 && lines[failed + 1]?.startsWith('hint: ') ? lines[failed + 1]!.slice('hint: '.length) : undefined;
  const shown = lines.filter((_, i) => failed < 0 || (i !== failed && !(hint !== undefined && i === failed + 1)));
  if (shown.length > 0) process.stderr.write(`${shown.join('\n')}\n`);
  if (r.status === 0) return;
  const step = message ? /^(?:spec: )?(\S+)/.exec(message)?.[1] ?? '' : '';
  const why = message ?? (r.error ? `${launcher}: ${r.error.message}` : `${launcher} exited with status ${r.status ?? r.signal}`);
  throw new HacoError(run.codes[step] ?? run.codes['*'] ?? 'E_LAUNCH', `${run.what}: ${why}`, {
    ...(hint ? { hint } : {}),
    exitCode: EXIT.launch,
  });
}
