import * as fs from 'node:fs';
import * as path from 'node:path';
import { childCgroups, emptyTreeDeepestFirst } from './procs';
import { HACO_CGROUP_PARENT, type CgroupHost } from './types';

/** The directories holding container cgroups: ROOT/haco (v2) or ROOT/CONTROLLER/haco per v1 hierarchy. */
export function hacoParents(host: CgroupHost): string[] {
  if (host.mode === 'v2') return host.v2 ? [path.join(host.v2.path, HACO_CGROUP_PARENT)] : [];
  return [...new Set(Object.values(host.v1?.hierarchies ?? {}))].map((h) => path.join(h, HACO_CGROUP_PARENT));
}

/**
 * Container cgroups left behind (e.g. the launcher was killed with -9 before its cleanup): under a haco
 * parent, named after no live container, with no process in the whole subtree. Returned deepest first, so
 * the caller can rmdir them in order. Only reads.
 */
export function listStaleCgroups(host: CgroupHost, liveContainers: Iterable<string>): string[] {
  const live = new Set(liveContainers);
  const stale: string[] = [];
  for (const parent of hacoParents(host)) {
    for (const dir of childCgroups(parent)) {
      if (live.has(path.basename(dir))) continue;
      const tree = emptyTreeDeepestFirst(dir);
      if (tree) stale.push(...tree);
    }
  }
  return stale;
}

/**
 * The leftover cgroups of one container name, deepest first: the only ones a start of that name could
 * collide with (its mkdir would reuse them, limits and all). A few stat calls, whatever the number of
 * containers: `haco start` stays flat, the full listing is for `haco prune`. Only reads.
 */
export function staleCgroupsOf(host: CgroupHost, name: string): string[] {
  return hacoParents(host).flatMap((parent) => {
    const dir = path.join(parent, name);
    return fs.existsSync(dir) ? (emptyTreeDeepestFirst(dir) ?? []) : [];
  });
}
