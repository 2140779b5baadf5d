import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXIT, HacoError } from '../errors';
import type { ContainerPlan } from '../plan/types';
import { STANDARD_DEVICE_NODES } from '../plan/devices';
import { cgroupDirs, readSavedPlan, requireRunning } from '../state/read';
import { criuDumpArgs, type ExternalMount } from './criu-args';
import { CRIU, requireCriu } from './criu-check';
import { CHECKPOINT_FORMAT, criuImagesDir, writeCheckpointRecord, type CheckpointRecord } from './image-dir';

export interface CheckpointResult {
  name: string;
  dir: string;
  pid: number;
  leftRunning: boolean;
  criu: string[];
}

/**
 * The mounts of a haco container whose source is outside its rootfs: bind mounts and host files, the
 * device nodes the standard /dev binds from the host, and /dev/null over masked files. criu records
 * them by key; restore binds the same host paths again.
 */
export function externalMountsOf(plan: ContainerPlan, isDirectory: (containerPath: string) => boolean): ExternalMount[] {
  const out: ExternalMount[] = [];
  // The host bootstrap's read-only binds (/usr, /bin, …) come from outside the container's mounts too.
  if (plan.bootstrap.strategy === 'host') for (const b of plan.bootstrap.binds) out.push({ target: b, source: b });
  for (const m of plan.mounts) {
    if (m.type === 'bind' || m.type === 'hostFile') out.push({ target: m.target, source: m.source });
    if (m.type === 'standard' && m.fs === 'dev') {
      for (const d of STANDARD_DEVICE_NODES) out.push({ target: path.posix.join(m.target, d.name), source: `/dev/${d.name}` });
    }
  }
  // The launcher masks a directory with an empty tmpfs (dumped with the rest) and a file with /dev/null.
  for (const p of plan.rootfs.maskedPaths) if (!isDirectory(p)) out.push({ target: p, source: '/dev/null' });
  return out;
}

function isDirectoryAt(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** No own session but the host's pid namespace: criu accepts the session as a "shell job". */
export function needsShellJob(plan: ContainerPlan): boolean {
  return !plan.process.sessionLeader;
}

/** The pipes on the init's stdio (`pipe:[INODE]`): restore hands them new ends with --inherit-fd. */
function stdioPipes(pid: number): CheckpointRecord['stdioPipes'] {
  const out: CheckpointRecord['stdioPipes'] = [];
  for (const fd of [0, 1, 2]) {
    try {
      const link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (link.startsWith('pipe:[')) out.push({ fd, resource: link });
    } catch {
      // closed fd
    }
  }
  return out;
}

/**
 * `haco checkpoint NAME -o DIR`: criu dumps the running container's process tree into DIR/criu, haco
 * writes what it needs to restore beside it. Without leaveRunning criu kills the tree after the dump, and
 * the container's supervisor records the exit and cleans up as for any exit.
 */
export function checkpointContainer(name: string, dir: string, options: { leaveRunning: boolean }): CheckpointResult {
  const state = requireRunning(name);
  const criuVersion = requireCriu();
  const plan = readSavedPlan(state);
  if (!plan.process.sessionLeader && plan.namespaces.unshare.includes('pid')) {
    // criu cannot record a session whose leader lives outside the dumped pid namespace (the supervisor's).
    throw new HacoError('E_CHECKPOINT', `container "${name}" cannot be checkpointed: its init is in its own pid namespace but not a session leader, and criu cannot dump a session led from outside`, {
      hint: 'add .sessionLeader() to the definition (the init calls setsid(2)) and start it again',
      exitCode: EXIT.state,
    });
  }
  const out = path.resolve(dir);
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) {
    throw new HacoError('E_CHECKPOINT', `${out} is not empty`, { hint: 'give a new or empty directory to -o', exitCode: EXIT.state });
  }
  fs.mkdirSync(criuImagesDir(out), { recursive: true, mode: 0o700 });
  const pid = state.recorded.pid;
  const externalMounts = externalMountsOf(plan, (p) => isDirectoryAt(`/proc/${pid}/root${p}`));
  const record: CheckpointRecord = {
    format: CHECKPOINT_FORMAT,
    name,
    taken: Date.now(),
    kernel: os.release(),
    criu: criuVersion,
    pid,
    leftRunning: options.leaveRunning,
    cgroups: cgroupDirs(state),
    externalMounts,
    stdioPipes: stdioPipes(pid),
    plan,
  };
  const argv = criuDumpArgs({ pid, imagesDir: criuImagesDir(out), logFile: 'dump.log', leaveRunning: options.leaveRunning, network: plan.network !== undefined, externalMounts, shellJob: needsShellJob(plan) });
  // Written first: a dump that kills the tree must not leave images haco cannot restore.
  writeCheckpointRecord(out, record);
  const r = spawnSync(CRIU, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    throw new HacoError('E_CHECKPOINT', `criu dump of "${name}" (pid ${pid}) failed (exit ${r.status ?? r.signal}): ${lastError(path.join(criuImagesDir(out), 'dump.log'), r.stderr)}`, {
      hint: `the whole log is ${path.join(criuImagesDir(out), 'dump.log')}; the container ${options.leaveRunning ? 'keeps running' : 'may still be running: see `haco ps`'}`,
    });
  }
  return { name, dir: out, pid, leftRunning: options.leaveRunning, criu: [CRIU, ...argv] };
}

/** The last `Error (…)` line of a criu log, else its stderr. */
export function lastError(log: string, stderr: string): string {
  let text = '';
  try {
    text = fs.readFileSync(log, 'utf8');
  } catch {
    text = stderr;
  }
  const errors = text.split('\n').filter((l) => /Error \(/.test(l));
  return (errors.at(-1) ?? stderr.trim().split('\n').at(-1) ?? 'no message').trim();
}
