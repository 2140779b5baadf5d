import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../errors';
import { isContainerName } from '../plan/names';
import { HOST_MODES } from './modes';

export { HOST_MODES };

/** `0711` for a spec field or a message. */
export function octal(mode: number): string {
  return `0${mode.toString(8)}`;
}

/** haco's machine-wide run directory: the state dirs' home by default, and always the cgroup lock's. */
export const HACO_RUN_ROOT = '/run/haco';

/**
 * Where every container's state directory lives: /run/haco for root; for an ordinary user
 * $XDG_RUNTIME_DIR/haco (their own tmpfs, emptied at logout like /run at boot), else a private
 * /tmp/haco-run-UID when no session made one (runuser, cron). HACO_RUN_DIR moves it (tests).
 */
export function runDir(): string {
  if (process.env['HACO_RUN_DIR']) return process.env['HACO_RUN_DIR'];
  const uid = process.geteuid?.() ?? 0;
  return uid === 0 ? HACO_RUN_ROOT : userRunDir(uid);
}

function userRunDir(uid: number): string {
  const xdg = process.env['XDG_RUNTIME_DIR'];
  if (xdg && path.isAbsolute(xdg) && ownedBy(xdg, uid)) return path.join(xdg, 'haco');
  // The session's /run/user/UID when XDG_RUNTIME_DIR was not passed on (sudo -u, runuser).
  const session = `/run/user/${uid}`;
  if (ownedBy(session, uid)) return path.join(session, 'haco');
  // No session: a directory of the user's own under /tmp, which the launcher's host-dir step makes (0711)
  // and refuses when it is a symlink or someone else's, so another user cannot plant it first unnoticed.
  return path.join(os.tmpdir(), `haco-run-${uid}`);
}

function ownedBy(dir: string, uid: number): boolean {
  try {
    const st = fs.lstatSync(dir);
    return st.isDirectory() && st.uid === uid;
  } catch {
    return false;
  }
}

/** NAME's state directory; a name that is not a container name (`../x`) never becomes a path. */
export function stateDirOf(name: string): string {
  if (!isContainerName(name)) throw new UsageError(`"${name}" is not a container name`, 'names are letters, digits, "-", "_" and "."; see them with `haco ps`');
  return path.join(runDir(), name);
}

/**
 * The lock that lets the last container remove the shared `haco` cgroup parents safely: every launch holds
 * it shared from its first cgroup mkdir until its init has joined (`cgroup-lock`); removal takes it
 * exclusively without waiting (`cleanup-cgroup-parent`, `haco rm`). Machine-wide on purpose (the parents
 * are), so it ignores HACO_RUN_DIR; in haco's own root-only directory, never in world-writable /run/lock.
 * The leading dot keeps it apart from the state dirs (a container name starts with a letter or digit).
 * HACO_CGROUP_LOCK moves it (tests that must hold or break it without touching the real one).
 */
export function cgroupLockPath(): string {
  if (process.env['HACO_CGROUP_LOCK']) return process.env['HACO_CGROUP_LOCK'];
  // An ordinary user's parents are in their own delegated subtree (src/rootless/delegation.ts): their lock
  // is theirs too, in their run dir (/run/haco is root's).
  return path.join((process.geteuid?.() ?? 0) === 0 ? HACO_RUN_ROOT : runDir(), '.cgroup.lock');
}

/**
 * How long a launch waits for the cgroup lock. Exclusive holders only keep it for one rmdir, so a longer
 * wait means a holder that hangs: better a clear error naming the lock than a start that never returns.
 */
export const CGROUP_LOCK_WAIT_MS = 10_000;

/** The container's one log (CRI lines, see native/src/log.c); its rotated predecessor is LOG.1. */
export function logFileOf(stateDir: string): string {
  return path.join(stateDir, 'container.log');
}

/** A detached container started with -t: the socket its supervisor serves the terminal on. */
export function consoleSocketOf(stateDir: string): string {
  return path.join(stateDir, 'console.sock');
}
