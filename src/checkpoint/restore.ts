import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomic-file';
import { EXIT, HacoError } from '../errors';
import { isContainerName } from '../plan/names';
import { procStartTime } from '../state/proc';
import { logFileOf, stateDirOf } from '../state/paths';
import { readState } from '../state/read';
import { lastError, needsShellJob } from './checkpoint';
import { criuRestoreArgs } from './criu-args';
import { CRIU, requireCriu } from './criu-check';
import { criuImagesDir, readCheckpointRecord } from './image-dir';
import { applyRestoreLimits } from './restore-limits';
import { detectHostFacts } from '../runtime/host-facts';

export interface RestoreResult {
  name: string;
  pid: number;
  dir: string;
  criu: string[];
}

/** The fd the restorer hands to criu for the container's old stdio pipes (its log, appended). */
const STDIO_FD = 3;

/**
 * `haco restore DIR [--name N]`: criu restores the tree detached, into the same rootfs and cgroups (with
 * their limits, from the images); the old stdio pipes become the container's log file.
 *
 * Who supervises it: criu itself. Not --restore-detached (the launcher's PR_SET_PDEATHSIG on the init is
 * restored too and would kill it when criu exits): criu stays the init's parent until the container exits,
 * in its own session; no Node process stays. haco records criu as `supervisor` with `reason=restored`, so
 * `haco ps` shows it running while both live, `haco stop`/`kill` signal the init, and once it is gone the
 * state reads `stale`: `haco rm NAME` removes the state and the cgroup. Its exit code is not recorded.
 * See docs/checkpoint.md.
 */
export function restoreContainer(dir: string, options: { name?: string } = {}): RestoreResult {
  const from = path.resolve(dir);
  const record = readCheckpointRecord(from);
  const name = options.name ?? record.name;
  if (!isContainerName(name)) {
    throw new HacoError('E_RESTORE', `"${name}" is not a container name`, { hint: 'letters, digits, _ . - (at most 63)', exitCode: EXIT.usage });
  }
  const existing = readState(name);
  if (existing && existing.status !== 'exited' && existing.status !== 'stale') {
    throw new HacoError('E_ALREADY_RUNNING', `a container named "${name}" is ${existing.status}`, { hint: `restore under another name (--name) or stop it: haco stop ${name}`, exitCode: EXIT.state });
  }
  requireCriu();
  const stateDir = stateDirOf(name);
  fs.rmSync(stateDir, { recursive: true, force: true });
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const pidFile = path.join(stateDir, 'restored.pid');
  const log = fs.openSync(logFileOf(stateDir), 'a', 0o600);
  const argv = criuRestoreArgs({
    imagesDir: criuImagesDir(from),
    logFile: 'restore.log',
    pidFile,
    rootfs: record.plan.rootfs.path,
    network: record.plan.network !== undefined,
    ...(record.plan.network ? { veth: { guest: record.plan.network.vethGuest, host: record.plan.network.vethHost, bridge: record.plan.network.bridge } } : {}),
    externalMounts: record.externalMounts,
    shellJob: needsShellJob(record.plan),
    inheritFds: [...new Set(record.stdioPipes.map((p) => p.resource))].map((resource) => ({ fd: STDIO_FD, resource })),
  });
  // criu stays the restored init's parent (see criuRestoreArgs): started in its own session, not waited for.
  const criu = spawn(CRIU, argv, { stdio: ['ignore', log, log, log], detached: true });
  fs.closeSync(log);
  const exited = waitForPidFile(pidFile, criu.pid ?? 0);
  criu.unref();
  const pid = Number(readOr(pidFile).trim());
  const r = { status: exited ? 1 : 0, signal: null as string | null, stderr: '' };
  if (r.status !== 0 || !(pid > 0)) {
    fs.rmSync(stateDir, { recursive: true, force: true });
    throw new HacoError('E_RESTORE', `criu restore of ${from} failed (exit ${r.status ?? r.signal}): ${lastError(path.join(criuImagesDir(from), 'restore.log'), r.stderr)}`, {
      hint: `the whole log is ${path.join(criuImagesDir(from), 'restore.log')}`,
    });
  }
  try {
    // The limits are part of the container: a restored tree must not run without them.
    applyRestoreLimits(record.plan, detectHostFacts().cgroup);
  } catch (error) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    fs.rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  const start = procStartTime(pid) ?? 0;
  writeFileAtomic(path.join(stateDir, 'plan.json'), JSON.stringify(record.plan) + '\n', 0o600);
  writeFileAtomic(
    path.join(stateDir, 'state'),
    [
      `name=${name}`,
      'status=running',
      `supervisor=${criu.pid ?? pid}`,
      `supervisor_start=${procStartTime(criu.pid ?? pid) ?? start}`,
      `pid=${pid}`,
      `pid_start=${start}`,
      `started=${Math.floor(Date.now() / 1000)}`,
      'restarts=0',
      'reason=restored',
      `source=${record.plan.rootfs.path}`,
      `cgroups=${record.cgroups.join(',')}`,
      `restored_from=${from}`,
      '',
    ].join('\n'),
    0o600,
  );
  return { name, pid, dir: from, criu: [CRIU, ...argv] };
}

/** Polls for criu's pidfile (restore done); true when criu exited without writing it (restore failed). */
function waitForPidFile(file: string, criuPid: number, timeoutMs = 60_000): boolean {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (readOr(file).trim() !== '') return false;
    if (criuPid > 0 && !isAlive(criuPid)) return readOr(file).trim() === '';
    spawnSync('sleep', ['0.05']);
  }
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
