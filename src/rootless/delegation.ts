import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CgroupHost } from '../cgroup/types';

/**
 * A cgroup v2 subtree delegated to an ordinary user: the directory, and the controllers its
 * cgroup.controllers lists (what its children may enable). docs/rootless.md, "Limits".
 */
export interface DelegatedCgroup {
  path: string;
  controllers: string[];
}

/** What finding the delegation reads; the real filesystem by default, a fake in unit tests. */
export interface DelegationProbe {
  read(file: string): string | undefined;
  /** Owner uid of FILE (not following a final symlink), undefined when missing. */
  owner(file: string): number | undefined;
}

const fsProbe: DelegationProbe = {
  read: (file) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
  owner: (file) => {
    try {
      return fs.lstatSync(file).uid;
    } catch {
      return undefined;
    }
  },
};

/**
 * The files a delegation hands over (systemd's Delegate=yes; cgroup-v2.rst, "Delegation"): the directory
 * (to make children), cgroup.procs (to move processes between its descendants), cgroup.subtree_control
 * (to enable controllers below it). cgroup.threads goes with them; haco makes no threaded cgroups.
 */
const DELEGATED_FILES = ['', 'cgroup.procs', 'cgroup.subtree_control'];

function delegatedTo(dir: string, uid: number, probe: DelegationProbe): boolean {
  return DELEGATED_FILES.every((f) => probe.owner(f ? path.join(dir, f) : dir) === uid);
}

/**
 * The subtree delegated to UID that this process runs in, or undefined. Starts from this process's own
 * v2 cgroup (`0::PATH` in /proc/self/cgroup) and walks up while the cgroup is delegated to UID (its
 * directory, cgroup.procs and cgroup.subtree_control owned by UID); the highest such cgroup is the
 * delegation's root — systemd's user@UID.service, whose processes all live in leaves below it (init.scope,
 * app.slice/…, a `systemd-run --user --scope -p Delegate=yes` scope). Containers go under it (ROOT/haco/NAME),
 * not under this process's own cgroup: v2 lets a cgroup that has processes enable no controllers for its
 * children ("no internal processes"), and the caller's shell is in its own cgroup.
 * Root or a v1/hybrid host: undefined (v1 hierarchies are never delegated).
 */
export function findDelegatedCgroup(host: CgroupHost, uid: number, probe: DelegationProbe = fsProbe): DelegatedCgroup | undefined {
  if (uid === 0 || host.mode !== 'v2' || !host.v2) return undefined;
  const line = (probe.read('/proc/self/cgroup') ?? '').split('\n').find((l) => l.startsWith('0::'));
  const own = line?.slice(3).trim();
  if (!own || !own.startsWith('/')) return undefined;
  const top = host.v2.path;
  let found: string | undefined;
  for (let dir = path.join(top, own).replace(/\/+$/, ''); dir !== top && dir.startsWith(top + '/'); dir = path.dirname(dir)) {
    if (!delegatedTo(dir, uid, probe)) break;
    found = dir;
  }
  if (found === undefined) return undefined;
  const controllers = (probe.read(path.join(found, 'cgroup.controllers')) ?? '').split(/\s+/).filter(Boolean);
  return { path: found, controllers };
}
