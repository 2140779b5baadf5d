import { spawnSync } from 'node:child_process';
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
 * Who supervises it: nobody resident (no Node process stays, and the launcher cannot adopt a tree it did
 * not spawn yet). criu's --restore-detached leaves the restored init re-parented to the host's init (or
 * the nearest subreaper); haco records it in STATE/state with `supervisor` = the init itself and
 * `reason=restored`, so `haco ps` shows it running while it lives, `haco stop`/`kill` signal it, and once
 * it is gone the state reads `stale`: `haco rm NAME` then removes the state and `haco prune` the cgroup.
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
  let r;
  try {
    r = spawnSync(CRIU, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', log] });
  } finally {
    fs.closeSync(log);
  }
  const pid = Number(readOr(pidFile).trim());
  if (r.status !== 0 || !(pid > 0)) {
    fs.rmSync(stateDir, { recursive: true, force: true });
    throw new HacoError('E_RESTORE', `criu restore of ${from} failed (exit ${r.status ?? r.signal}): ${lastError(path.join(criuImagesDir(from), 'restore.log'), r.stderr)}`, {
      hint: `the whole log is ${path.join(criuImagesDir(from), 'restore.log')}`,
    });
  }
  const start = procStartTime(pid) ?? 0;
  writeFileAtomic(path.join(stateDir, 'plan.json'), JSON.stringify(record.plan) + '\n', 0o600);
  writeFileAtomic(
    path.join(stateDir, 'state'),
    [
      `name=${name}`,
      'status=running',
      `supervisor=${pid}`,
      `supervisor_start=${start}`,
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

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
