import * as fs from 'node:fs';
import { constants } from 'node:os';

/**
 * Hands the launch over to the native launcher.
 *
 * Through bin/haco (the normal way) node writes the launcher's argv and the spec to the fd named by
 * HACO_HANDOFF_FD and returns; the wrapper then execs the launcher in node's place, so no node process
 * stays resident; it gives the spec on fd 9, after the fds `preserveFds` may pass (3..8). Run without the wrapper (`node dist/cli.js start …`), node spawns the launcher and
 * waits for it, which works the same but keeps node alive for the container's lifetime.
 */
export async function handOver(launcherArgv: string[], spec: string, preserveFds = 0): Promise<number> {
  const fd = Number(process.env['HACO_HANDOFF_FD']);
  if (Number.isInteger(fd) && fd > 2) {
    fs.writeSync(fd, `${launcherArgv.map(shellQuote).join(' ')}\n${forHereDocument(spec)}`);
    return 0;
  }
  return runLauncher(launcherArgv, spec, preserveFds);
}

/**
 * Node starts the launcher itself and waits for it. `stdout: 'stderr'` sends the launcher's own words
 * ("NAME started: pid …") to stderr, for `start -d --json`, whose stdout is one JSON document; a detached
 * launcher returns once the container runs, so node does not stay.
 */
export async function runLauncher(launcherArgv: string[], spec: string, preserveFds = 0, stdout: 'inherit' | 'stderr' = 'inherit'): Promise<number> {
  const { spawn } = await import('node:child_process'); // only off the wrapper's fast route
  const { specFd, preserved } = launcherFds(preserveFds);
  const child = spawn(launcherArgv[0]!, [...launcherArgv.slice(1), '--spec-fd', String(specFd)], {
    stdio: ['inherit', stdout === 'stderr' ? 2 : 'inherit', 'inherit', ...preserved, 'pipe'],
  });
  const pipe = child.stdio[specFd] as NodeJS.WritableStream;
  pipe.end(spec);
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const s of ['SIGTERM', 'SIGHUP'] as const) process.on(s, forward);
  process.on('SIGINT', () => undefined); // the terminal sends it to the container too
  return await new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

/**
 * When node starts the launcher itself: fds 3..3+N-1 of this process keep their numbers (`preserve-fds N`)
 * and the spec pipe comes right after them, since the launcher closes its spec fd once read.
 */
export function launcherFds(preserveFds: number): { specFd: number; preserved: number[] } {
  return { specFd: 3 + preserveFds, preserved: Array.from({ length: preserveFds }, (_, i) => 3 + i) };
}

export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

/**
 * The spec is already percent-encoded; `$`, backquote and backslash are encoded as well so that the
 * wrapper's unquoted here-document passes the text through unchanged. The launcher decodes any %XX.
 */
export function forHereDocument(spec: string): string {
  return spec.replace(/[$`\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
