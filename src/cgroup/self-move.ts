import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CgroupHost, V1SelfMove } from './types';

/**
 * The `spawn-cgroup` fields for cgroup dirs of an existing container (`haco attach`): each dir with the
 * mount point of the v1 hierarchy it is in and a controller of that hierarchy. Undefined when one of them
 * is not in a v1 hierarchy of HOST (a v2 cgroup, or the layout changed): then the attach joins with
 * `cgroup-join`.
 */
export function v1SelfMoves(dirs: readonly string[], host: CgroupHost): V1SelfMove[] | undefined {
  const hierarchies = host.v1?.hierarchies;
  if (!hierarchies || host.mode === 'v2' || dirs.length === 0) return undefined;
  const moves: V1SelfMove[] = [];
  for (const dir of dirs) {
    const found = Object.entries(hierarchies).find(([, mount]) => dir.startsWith(mount + '/'));
    if (!found) return undefined;
    moves.push({ dir, mount: found[1], controller: found[0] });
  }
  return moves;
}

/**
 * Whether any of DIRS has a pids limit now (pids.max other than `max`). Moving a process into a cgroup is
 * not checked against pids.max, a fork inside it is: a launcher that moves itself in and clones there
 * would fail with EAGAIN in a container that used up its pids (and counts itself too), where moving the
 * forked child in (`cgroup-join`) still lets `haco attach` in.
 */
export function pidsLimited(dirs: readonly string[]): boolean {
  return dirs.some((dir) => {
    try {
      return fs.readFileSync(path.join(dir, 'pids.max'), 'utf8').trim() !== 'max';
    } catch {
      return false;
    }
  });
}
