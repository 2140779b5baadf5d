import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT, HacoError, HostError } from '../errors';
import { requireTool } from '../host/tools';
import { LXCFS_MOUNTPOINT } from '../plan/lxcfs';
import { HACO_RUN_ROOT, HOST_MODES, listStates, readSavedPlan, runDir } from '../state';
import { ensureHostDir } from '../state/host-dir';
import { lxcfsMounted } from './mount';

/**
 * lxcfs is a host daemon that every container with `.lxcfs()` shares, so it is not a container's to start
 * and stop: `haco lxcfs start` starts one (detached, in its own session; no Node process stays), `haco
 * lxcfs stop` stops the one it started, `haco lxcfs status` tells which is running and who uses it. An
 * lxcfs started otherwise (Debian's lxcfs.service) is used as it is and never stopped by haco.
 */

/**
 * The pid file `haco lxcfs start` has lxcfs write (lxcfs removes it when it exits). Machine-wide, like
 * lxcfs; the leading dot keeps it apart from the state dirs (a container name starts with a letter or digit).
 */
export const LXCFS_PIDFILE = path.join(HACO_RUN_ROOT, '.lxcfs.pid');
/** lxcfs's own output (its start-up report and errors), appended. */
export const LXCFS_LOG = path.join(HACO_RUN_ROOT, '.lxcfs.log');
/** How long start and stop wait for the mount to appear or go. */
const WAIT_MS = 5000;

export interface LxcfsStatus {
  mountpoint: string;
  /** `running`: mounted and served; `stale`: mounted, but no lxcfs process serves it (reads fail); `stopped`. */
  state: 'running' | 'stale' | 'stopped';
  /** The lxcfs process serving the mount. */
  pid?: number;
  /** True when `haco lxcfs start` started it (its pid file is haco's). */
  startedByHaco: boolean;
  /** Running containers that bind its files. */
  users: string[];
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** Whether PID is an lxcfs serving MOUNTPOINT (its last argument), so a reused pid is never signalled. */
function isLxcfsOf(pid: number, mountpoint: string): boolean {
  const argv = cmdline(pid);
  return argv.length > 1 && path.basename(argv[0]!) === 'lxcfs' && argv[argv.length - 1] === mountpoint;
}

/** The lxcfs process serving MOUNTPOINT: haco's pid file first, else a scan of /proc (lxcfs.service's). */
function lxcfsPid(mountpoint: string): { pid: number; ours: boolean } | undefined {
  const ours = readPid(LXCFS_PIDFILE);
  if (ours !== undefined && isLxcfsOf(ours, mountpoint)) return { pid: ours, ours: true };
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && pid > 0 && isLxcfsOf(pid, mountpoint)) return { pid, ours: false };
  }
  return undefined;
}

/** Running containers whose plan binds lxcfs files from MOUNTPOINT. */
export function lxcfsUsers(mountpoint: string, root: string = runDir()): string[] {
  const users: string[] = [];
  for (const state of listStates(root)) {
    if (state.status === 'exited' || state.status === 'stale') continue;
    try {
      if (readSavedPlan(state).lxcfs?.mountpoint === mountpoint) users.push(state.name);
    } catch {
      // an unreadable plan: not ours to judge
    }
  }
  return users;
}

export function lxcfsStatus(mountpoint: string = LXCFS_MOUNTPOINT): LxcfsStatus {
  const mounted = lxcfsMounted(mountpoint);
  const proc = lxcfsPid(mountpoint);
  const state = mounted ? (proc ? 'running' : 'stale') : 'stopped';
  return { mountpoint, state, ...(proc && mounted ? { pid: proc.pid } : {}), startedByHaco: mounted && proc?.ours === true, users: lxcfsUsers(mountpoint) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function logTail(): string {
  try {
    return fs.readFileSync(LXCFS_LOG, 'utf8').trim().split('\n').slice(-5).join('\n');
  } catch {
    return '';
  }
}

export interface LxcfsStartResult extends LxcfsStatus {
  /** False when an lxcfs was running already (nothing was started). */
  started: boolean;
  /** The command that was run. */
  command?: string[];
}

/**
 * Start lxcfs at MOUNTPOINT unless one runs there already. `-l`: loadavg is virtualized too (lxcfs
 * otherwise passes the host's through). It runs in its own session with its output in LXCFS_LOG; this
 * returns once the mount is there. A stale mount (its lxcfs was killed) is unmounted first.
 */
export async function startLxcfs(mountpoint: string = LXCFS_MOUNTPOINT): Promise<LxcfsStartResult> {
  const before = lxcfsStatus(mountpoint);
  if (before.state === 'running') return { ...before, started: false };
  const lxcfs = requireTool('lxcfs');
  if (before.state === 'stale') unmountStale(mountpoint);
  ensureHostDir(HACO_RUN_ROOT, HOST_MODES.top);
  fs.mkdirSync(mountpoint, { recursive: true, mode: 0o755 });
  const command = [lxcfs, '-l', '-p', LXCFS_PIDFILE, mountpoint];
  const log = fs.openSync(LXCFS_LOG, 'a', 0o600);
  let exited: number | null | undefined;
  try {
    // detached: setsid(2), so the daemon outlives this command and a Ctrl-C in its terminal.
    const child = spawn(command[0]!, command.slice(1), { detached: true, stdio: ['ignore', log, log], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    child.on('exit', (code) => (exited = code));
    child.on('error', () => (exited = -1));
    child.unref();
  } finally {
    fs.closeSync(log);
  }
  const deadline = Date.now() + WAIT_MS;
  while (!lxcfsMounted(mountpoint)) {
    if (exited !== undefined || Date.now() > deadline) {
      const tail = logTail();
      throw new HostError('E_LXCFS_START', `lxcfs ${exited !== undefined ? `exited (status ${String(exited)})` : `did not mount ${mountpoint} within ${WAIT_MS / 1000} s`}${tail ? `:\n${tail}` : ''}`, `see ${LXCFS_LOG}; lxcfs needs /dev/fuse (the fuse module)`);
    }
    await sleep(20);
  }
  return { ...lxcfsStatus(mountpoint), started: true, command };
}

/** A FUSE mount whose daemon is gone answers every read with ENOTCONN: unmount it (fusermount3 -u). */
function unmountStale(mountpoint: string): void {
  const r = spawnSync(requireTool('fusermount3'), ['-u', mountpoint], { encoding: 'utf8' });
  if (r.status !== 0) throw new HostError('E_LXCFS_START', `cannot unmount the stale lxcfs mount ${mountpoint}: ${(r.stderr || r.error?.message || '').trim()}`, `unmount it by hand: fusermount3 -u ${mountpoint} (or umount -l)`);
}

export interface LxcfsStopResult extends LxcfsStatus {
  /** False when there was nothing to stop. */
  stopped: boolean;
}

/**
 * Stop the lxcfs `haco lxcfs start` started (SIGTERM: lxcfs unmounts and removes its pid file itself),
 * or unmount a stale mount. Refuses while running containers bind its files (their reads would fail
 * with ENOTCONN) unless FORCE, and refuses an lxcfs haco did not start.
 */
export async function stopLxcfs(options: { force?: boolean } = {}, mountpoint: string = LXCFS_MOUNTPOINT): Promise<LxcfsStopResult> {
  const status = lxcfsStatus(mountpoint);
  if (status.state === 'stopped') return { ...status, stopped: false };
  if (status.users.length > 0 && !options.force) {
    throw new HacoError('E_LXCFS_BUSY', `running containers bind lxcfs files: ${status.users.join(', ')}`, {
      hint: 'stop them first (`haco stop NAME`), or pass --force: their /proc files then fail with "Transport endpoint is not connected"',
      exitCode: EXIT.state,
    });
  }
  if (status.state === 'stale') {
    unmountStale(mountpoint);
    return { ...lxcfsStatus(mountpoint), stopped: true };
  }
  if (!status.startedByHaco) {
    throw new HacoError('E_LXCFS_NOT_OURS', `the lxcfs at ${mountpoint} (pid ${String(status.pid)}) was not started by \`haco lxcfs start\``, {
      hint: 'stop it the way it was started, e.g. `systemctl stop lxcfs`',
      exitCode: EXIT.state,
    });
  }
  process.kill(status.pid!, 'SIGTERM');
  const deadline = Date.now() + WAIT_MS;
  while (lxcfsMounted(mountpoint) || isLxcfsOf(status.pid!, mountpoint)) {
    if (Date.now() > deadline) throw new HostError('E_LXCFS_START', `lxcfs (pid ${String(status.pid)}) did not exit within ${WAIT_MS / 1000} s of SIGTERM`, `kill it (kill -9 ${String(status.pid)}), then unmount: fusermount3 -u ${mountpoint}`);
    await sleep(20);
  }
  // The daemon's log goes with it (lxcfs removes its pid file itself): nothing of haco's stays in /run/haco.
  fs.rmSync(LXCFS_LOG, { force: true });
  return { ...lxcfsStatus(mountpoint), stopped: true };
}
