import type { ProcessPlan, RlimitEntry, StdioTarget } from '../plan/types';
import { HOST_MODES, octal } from '../state/paths';
import { listField } from './spec-format';
import type { SpecWriter } from './spec-writer';

const STDIO_FDS = [
  ['stdin', 0],
  ['stdout', 1],
  ['stderr', 2],
] as const;

function stdioMode(fd: number, target: StdioTarget): 'r' | 'w' | 'a' {
  if (fd === 0) return 'r';
  return target.append ? 'a' : 'w';
}

/** Redirections opened on one side: `host` before any namespace is entered, `container` after the switch. */
export function emitStdio(w: SpecWriter, process: ProcessPlan, side: StdioTarget['side']): void {
  for (const [key, fd] of STDIO_FDS) {
    const target = process.stdio[key];
    if (!target || target.side !== side) continue;
    const mode = stdioMode(fd, target);
    // A file the launcher creates on the host (the logs of a detached container) is root's alone.
    const perm = side === 'host' ? HOST_MODES.file : HOST_MODES.containerFile;
    if (mode === 'r') w.step('stdio', fd, side, target.path, mode);
    else w.step('stdio', fd, side, target.path, mode, octal(perm));
  }
}

export function emitRlimits(w: SpecWriter, rlimits: readonly RlimitEntry[]): void {
  for (const r of rlimits) w.step('rlimit', r.resource, r.soft, r.hard);
}

export function emitUser(w: SpecWriter, process: ProcessPlan): void {
  const { uid, gid, groups } = process.user;
  w.step('user', uid, gid, listField(groups));
}

/** The environment is built from nothing: the host's never leaks in. */
export function emitEnv(w: SpecWriter, env: Record<string, string>): void {
  w.step('env-clear');
  for (const [key, value] of Object.entries(env)) w.step('env', key, value);
}

/** The LISTEN_FDS variables: they describe one process's fds, so another process must not inherit them. */
const LISTEN_VARIABLES = ['LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES'];

/**
 * fds 3..3+n-1 of the caller pass to the command (the launcher closes every other fd at exec, always), with
 * LISTEN_FDS=n in `env`. LISTEN_PID is set by the launcher itself right before exec: only it knows the final pid.
 */
export function emitPreserveFds(w: SpecWriter, n: number): void {
  if (n > 0) w.step('preserve-fds', n);
}

/** `env` for a command that gets `n` preserved fds: LISTEN_FDS set when n > 0, inherited LISTEN_* dropped otherwise. */
export function withListenFds(env: Record<string, string>, n: number, inherited = false): Record<string, string> {
  const out = { ...env };
  if (inherited) for (const key of LISTEN_VARIABLES) delete out[key];
  if (n > 0) out['LISTEN_FDS'] = String(n);
  return out;
}
