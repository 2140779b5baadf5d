import * as fs from 'node:fs';
import { constants } from 'node:os';
import { cgroupPids } from '../cgroup/procs';
import { EXIT, HacoError } from '../errors';
import { isSameProcess } from '../state';
import { startFifoOf } from './paths';
import { readOciEntry, requireOciEntry, type OciEntry, type OciState } from './state';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function notIn(entry: OciEntry, wanted: string, action: string, hint: string): HacoError {
  return new HacoError('E_OCI_STATUS', `cannot ${action} container "${entry.id}": it is ${entry.state.status}, not ${wanted}`, { hint, exitCode: EXIT.state });
}

/**
 * Open the fifo for writing without blocking: ENXIO while the supervisor is not (yet) in its open(2),
 * e.g. right after create returned; retried briefly.
 */
async function openFifo(fifo: string, timeoutMs: number): Promise<number | undefined> {
  for (let waited = 0; ; waited += 10) {
    try {
      return fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code !== 'ENXIO' || waited >= timeoutMs) throw error;
    }
    await sleep(10);
  }
}

/**
 * `haco runtime start`: one byte on the fifo, then wait until the state leaves "created" (the exec
 * happened, or the launch failed), so a `state` right after says running.
 */
export async function startContainer(root: string, id: string): Promise<OciState> {
  const entry = requireOciEntry(root, id);
  if (entry.state.status !== 'created') throw notIn(entry, 'created', 'start', `only a created container starts; see \`haco runtime state ${id}\``);
  const fd = await openFifo(startFifoOf(entry.dir), 2000);
  if (fd === undefined) throw notIn(entry, 'created', 'start', 'it was started already');
  try {
    fs.writeSync(fd, 'x');
  } finally {
    fs.closeSync(fd);
  }
  for (let waited = 0; waited < 10_000; waited += 10) {
    const now = readOciEntry(root, id);
    if (!now) {
      throw new HacoError('E_OCI_START', `container "${id}" failed to start: its supervisor cleaned up and removed ${entry.dir}`, {
        hint: `run \`haco runtime create --trace\` again to see the failing step`,
        exitCode: EXIT.state,
      });
    }
    if (now.recorded.status !== 'created') return now.state;
    await sleep(10);
  }
  return requireOciEntry(root, id).state;
}

/** `haco runtime kill ID SIGNAL`: the signal to the container's init, created or running. */
export function killContainer(root: string, id: string, signal: number): number {
  const entry = requireOciEntry(root, id);
  if (entry.state.status !== 'created' && entry.state.status !== 'running') {
    throw notIn(entry, 'created or running', 'kill', 'it has no process left; delete it with `haco runtime delete`');
  }
  process.kill(entry.recorded.pid, signal);
  return entry.recorded.pid;
}

function send(pid: number, signal: number): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * `haco runtime delete`: a stopped container (or, with --force, any) loses its processes, its
 * supervisor finishes its cleanup (cgroups, mounts with the mount namespace), then the state
 * directory goes.
 */
export async function deleteContainer(root: string, id: string, force: boolean): Promise<void> {
  const entry = requireOciEntry(root, id);
  if (entry.state.status !== 'stopped' && !force) {
    throw notIn(entry, 'stopped', 'delete', `stop it first (haco runtime kill ${id} KILL) or use delete --force`);
  }
  if (entry.state.status !== 'stopped') {
    send(entry.recorded.pid, constants.signals.SIGKILL);
    const tracking = entry.recorded.meta['tracking'];
    if (tracking) for (const pid of cgroupPids(tracking)) send(pid, constants.signals.SIGKILL);
  }
  // A created container's supervisor waits in open(2) on the fifo: an open and a close without a byte
  // make its wait-start step fail, and it runs its cleanup like any launch that never ran.
  const fd = await openFifo(startFifoOf(entry.dir), 200).catch(() => undefined);
  if (fd !== undefined) fs.closeSync(fd);
  for (let waited = 0; entry.supervisorAlive && isSameProcess(entry.recorded.supervisor, entry.recorded.supervisorStart); waited += 20) {
    if (waited >= 10_000) {
      // Its watcher does the cleanup of a supervisor that dies without finishing (native/src/supervise.c).
      send(entry.recorded.supervisor, constants.signals.SIGKILL);
      await sleep(200);
      break;
    }
    await sleep(20);
  }
  fs.rmSync(entry.dir, { recursive: true, force: true });
}
