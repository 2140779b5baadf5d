import * as fs from 'node:fs';
import * as path from 'node:path';
import { HACO_CGROUP_PARENT, type CgroupHost } from './types';

/** The directories holding container cgroups: ROOT/haco (v2) or ROOT/CONTROLLER/haco per v1 hierarchy. */
export function hacoParents(host: CgroupHost): string[] {
  if (host.mode === 'v2') return host.v2 ? [path.join(host.v2.path, HACO_CGROUP_PARENT)] : [];
  return [...new Set(Object.values(host.v1?.hierarchies ?? {}))].map((h) => path.join(h, HACO_CGROUP_PARENT));
}

function subdirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.join(dir, e.name))
      .sort();
  } catch {
    return [];
  }
}

function hasProcesses(dir: string): boolean {
  try {
    return fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').trim() !== '';
  } catch {
    return false;
  }
}

/** The cgroup and its descendants, deepest first (the order rmdir needs), or undefined if any is in use. */
function emptyTreeDeepestFirst(dir: string): string[] | undefined {
  if (hasProcesses(dir)) return undefined;
  const out: string[] = [];
  for (const child of subdirs(dir)) {
    const sub = emptyTreeDeepestFirst(child);
    if (!sub) return undefined;
    out.push(...sub);
  }
  out.push(dir);
  return out;
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
    for (const dir of subdirs(parent)) {
      if (live.has(path.basename(dir))) continue;
      const tree = emptyTreeDeepestFirst(dir);
      if (tree) stale.push(...tree);
    }
  }
  return stale;
}
