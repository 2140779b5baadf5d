import * as fs from 'node:fs';
import { constants } from 'node:os';
import { cgroupTreePids, emptyTreeDeepestFirst } from '../cgroup/procs';
import { EXIT, HacoError } from '../errors';
import { compileRmSpec } from '../lifecycle/rm';
import { runHostSpec } from '../runtime/host-spec';
import { isSameProcess } from '../state';
import { parseHooks, runHooks } from './hooks';
import { startFifoOf } from './paths';
import { readOciEntry, requireOciEntry, type OciEntry, type OciState } from './state';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function notIn(entry: OciEntry, wanted: string, action: string, hint: string): HacoError {
  return new HacoError('E_OCI_STATUS', `cannot ${action} container "${entry.id}": it is ${entry.state.status}, not ${wanted}`, { hint, exitCode: EXIT.state });
}

/**
 * Open the fifo for writing without blocking. The held child has it open (O_RDWR since before its
 * spawn), so ENXIO means no reader: it is gone (killed, or started already).
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
  const hooks = parseHooks(entry.recorded.meta['oci_hooks']);
  try {
    runHooks(hooks, 'startContainer', entry.state); // in the container, before its program (runtime.md, lifecycle 7)
  } catch (error) {
    await deleteContainer(root, id, true); // runtime.md: a failed startContainer destroys it (lifecycle 12, 13)
    throw error;
  }
  const fd = await openFifo(startFifoOf(entry.dir), 0).catch(() => undefined);
  if (fd === undefined) throw notIn(entry, 'created', 'start', 'it was started already, or its process is gone');
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
    if (now.recorded.status === 'exited' && now.recorded.reason.startsWith('launch failed')) {
      // The exec (or a step after wait-start) failed: the launcher kept the state, stopped, with the step and errno.
      throw new HacoError('E_OCI_START', `container "${id}" failed to start: ${now.recorded.reason}`, {
        hint: `the state stays (status stopped); remove it with \`haco runtime delete ${id}\``,
        exitCode: now.recorded.exitCode && now.recorded.exitCode > 0 ? now.recorded.exitCode : EXIT.state,
      });
    }
    if (now.recorded.status !== 'created') {
      // The program was executed: poststart's State says so, even if a short program has exited meanwhile.
      runHooks(hooks, 'poststart', { ...now.state, status: 'running', pid: entry.recorded.pid }); // failures warn
      return now.state;
    }
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
 * supervisor (still there while created) finishes, then the launcher removes the cgroups (the
 * supervisor exits once the program runs: supervisor-exits) and the state directory goes.
 */
export async function deleteContainer(root: string, id: string, force: boolean): Promise<void> {
  // As runc: `delete --force` of a container that is not there (podman deletes after a failed create)
  // is no error; without --force it is.
  if (force && !readOciEntry(root, id)) return;
  const entry = requireOciEntry(root, id);
  const hooks = parseHooks(entry.recorded.meta['oci_hooks']);
  if (entry.state.status !== 'stopped' && !force) {
    throw notIn(entry, 'stopped', 'delete', `stop it first (haco runtime kill ${id} KILL) or use delete --force`);
  }
  const dirs = (entry.recorded.meta['cgroups'] ?? '').split(',').filter((d) => d && fs.existsSync(d));
  if (entry.state.status !== 'stopped') send(entry.recorded.pid, constants.signals.SIGKILL);
  // A container without a pid namespace keeps its other processes when its init dies.
  for (const pid of new Set(dirs.flatMap(cgroupTreePids))) send(pid, constants.signals.SIGKILL);
  for (let waited = 0; entry.supervisorAlive && isSameProcess(entry.recorded.supervisor, entry.recorded.supervisorStart); waited += 20) {
    if (waited >= 10_000) {
      // Its watcher does the cleanup of a supervisor that dies without finishing (native/src/supervise.c).
      send(entry.recorded.supervisor, constants.signals.SIGKILL);
      await sleep(200);
      break;
    }
    await sleep(20);
  }
  await removeCgroups(entry.recorded.name || id, dirs, (entry.recorded.meta['cgroup-parents'] ?? '').split(',').filter(Boolean));
  fs.rmSync(entry.dir, { recursive: true, force: true });
  const { pid: _gone, ...stopped } = entry.state;
  runHooks(hooks, 'poststop', { ...stopped, status: 'stopped' }); // after the container is gone; failures warn
}

/** The container's cgroups, once empty, by the launcher (a host-only spec, as `haco rm`). */
async function removeCgroups(name: string, dirs: readonly string[], parents: readonly string[]): Promise<void> {
  const left = () => dirs.filter((d) => fs.existsSync(d));
  for (let waited = 0; waited < 2000 && left().some((d) => cgroupTreePids(d).length > 0); waited += 20) await sleep(20);
  const trees = left().sort((a, b) => b.split('/').length - a.split('/').length).map((d) => emptyTreeDeepestFirst(d));
  if (trees.some((t) => t === undefined)) {
    throw new HacoError('E_BUSY', `container "${name}": its cgroups still have processes: ${left().map((d) => `${d} (pids ${cgroupTreePids(d).join(' ')})`).join(', ')}`, {
      hint: 'see what is left with `cat DIR/cgroup.procs`, then run delete again (the state is kept until then)',
      exitCode: EXIT.state,
    });
  }
  const all = trees.flatMap((t) => t ?? []);
  if (all.length > 0) runHostSpec(compileRmSpec([name], all, parents), { trace: false, what: `removing the cgroups of ${name}`, codes: { '*': 'E_CGROUP_RM' } });
}
