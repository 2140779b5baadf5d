import * as fs from 'node:fs';
import { EXIT, HacoError } from '../errors';
import { cgroupDirs, requireState } from '../state';

/** Removes the state of an exited or stale container, and its cgroup directories if a crash left them empty. */
export function removeContainer(name: string): { removedCgroups: string[] } {
  const s = requireState(name);
  if (s.status !== 'exited' && s.status !== 'stale') {
    throw new HacoError('E_RUNNING', `container "${name}" is ${s.status}`, { hint: `stop it first: haco kill ${name}`, exitCode: EXIT.state });
  }
  const removedCgroups: string[] = [];
  // Deepest first; rmdir only succeeds on an empty cgroup, so a busy one (not ours any more?) is left alone.
  for (const dir of cgroupDirs(s).sort((a, b) => b.split('/').length - a.split('/').length)) {
    try {
      fs.rmdirSync(dir);
      removedCgroups.push(dir);
    } catch {
      // already gone, or not empty
    }
  }
  fs.rmSync(s.dir, { recursive: true, force: true });
  return { removedCgroups };
}
