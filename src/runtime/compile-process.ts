import type { ProcessPlan, RlimitEntry, StdioTarget } from '../plan/types';
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
    if (target && target.side === side) w.step('stdio', fd, side, target.path, stdioMode(fd, target));
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
