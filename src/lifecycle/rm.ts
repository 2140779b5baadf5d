import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { constants } from 'node:os';
import { cgroupTreePids, emptyTreeDeepestFirst } from '../cgroup/procs';
import { HACO_CGROUP_PARENT } from '../cgroup/types';
import { EXIT, HacoError } from '../errors';
import { cgroupDirs, cgroupLockPath, HOST_MODES, requireState } from '../state';

/**
 * Removes an exited or stale container: the processes a dead supervisor left in its cgroups (a container
 * without a pid namespace keeps running when its init dies), the cgroups, then the state. If a cgroup
 * cannot be emptied, the state stays, so the cgroup paths are not forgotten, and the error lists the pids.
 */
export function removeContainer(name: string): { removedCgroups: string[]; killed: number } {
  const s = requireState(name);
  if (s.status !== 'exited' && s.status !== 'stale') {
    throw new HacoError('E_RUNNING', `container "${name}" is ${s.status}`, { hint: `stop it first (haco kill ${name}), or kill and remove it at once: haco rm -f ${name}`, exitCode: EXIT.state });
  }
  const dirs = cgroupDirs(s).filter((d) => fs.existsSync(d));
  const orphans = [...new Set(dirs.flatMap(cgroupTreePids))];
  for (const pid of orphans) {
    try {
      process.kill(pid, constants.signals.SIGKILL);
    } catch {
      // gone meanwhile
    }
  }
  // The kernel takes a killed process out of its cgroup a moment after it dies.
  for (let waited = 0; waited < 2000 && dirs.some((d) => cgroupTreePids(d).length > 0); waited += 20) sleepMs(20);
  const removedCgroups: string[] = [];
  const busy: string[] = [];
  for (const dir of dirs.sort((a, b) => b.split('/').length - a.split('/').length)) {
    const tree = emptyTreeDeepestFirst(dir);
    if (!tree) {
      busy.push(`${dir} (pids ${cgroupTreePids(dir).join(' ')})`);
      continue;
    }
    for (const d of tree) {
      try {
        fs.rmdirSync(d);
        removedCgroups.push(d);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') busy.push(`${d} (${(error as Error).message})`);
      }
    }
  }
  if (busy.length > 0) {
    throw new HacoError('E_BUSY', `container "${name}": cannot remove its cgroups:\n    ${busy.join('\n    ')}`, {
      hint: `see what is left with \`cat DIR/cgroup.procs\`; once it is gone, run \`haco rm ${name}\` again (its state is kept until then)`,
      exitCode: EXIT.state,
    });
  }
  // The shared haco parents go with the last container, as the launcher does it (cleanup-cgroup-parent):
  // only under the cgroup lock taken exclusively without waiting, so a launch in progress keeps them.
  for (const parent of new Set(removedCgroups.map((d) => path.dirname(d)).filter((d) => path.basename(d) === HACO_CGROUP_PARENT))) {
    withLockFd((fd) => spawnSync('/bin/sh', ['-c', 'flock -xn 3 && rmdir "$1"', 'sh', parent], { stdio: ['ignore', 'ignore', 'ignore', fd] }));
  }
  fs.rmSync(s.dir, { recursive: true, force: true });
  return { removedCgroups, killed: orphans.length };
}

/**
 * Opens the cgroup lock as the launcher does: O_NOFOLLOW (a symlink planted at its path is refused, never
 * followed to create some other file), private mode. Missing lock directory: no launch can hold it.
 */
function withLockFd(fn: (fd: number) => void): void {
  let fd: number;
  try {
    fd = fs.openSync(cgroupLockPath(), fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, HOST_MODES.file);
  } catch {
    return; // the parents stay; the next container out removes them
  }
  try {
    fn(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
