import * as path from 'node:path';
import type { CgroupHost } from '../cgroup/types';
import { NONE } from './spec-format';
import type { SpecWriter } from './spec-writer';

/**
 * cgroupfs inside a container with its own cgroup namespace, read-only, laid out as the host's (what runc
 * does for a `cgroup` mount): the namespace makes the container's own cgroup the root of every hierarchy,
 * so `/sys/fs/cgroup/memory.max` (v2) or `/sys/fs/cgroup/memory/memory.limit_in_bytes` (v1) shows its own
 * limit, and the host's other cgroups stay out of sight. Read-only: the container reads its limits, it
 * never raises them (writes fail with EROFS, even for root inside).
 */

/** The cgroupfs mounts' flags: read-only, and nothing in it is a program or a device. */
export const CGROUPFS_FLAGS = 'ro,nosuid,nodev,noexec';

/** Hierarchy mount point on the host → the options naming it, from the host facts. */
function v1Hierarchies(host: CgroupHost): Array<[string, string[]]> {
  const v1 = host.v1;
  if (!v1) return [];
  if (v1.mounts) return Object.entries(v1.mounts).sort(([a], [b]) => a.localeCompare(b));
  // A tree without mountinfo (HACO_CGROUP_ROOT): group the known controllers by their directory.
  const byDir = new Map<string, string[]>();
  for (const [ctrl, dir] of Object.entries(v1.hierarchies)) byDir.set(dir, [...(byDir.get(dir) ?? []), ctrl]);
  return [...byDir.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** Mount steps for cgroupfs at TARGET (the container's /sys/fs/cgroup), under the sysfs mount. */
export function emitCgroupfs(w: SpecWriter, target: string, host: CgroupHost): void {
  if (host.mode === 'v2') {
    w.comment(`cgroup namespace: the unified hierarchy at ${target}, read-only, rooted at the container's cgroup`);
    w.step('mount', 'cgroup2', target, 'cgroup2', CGROUPFS_FLAGS, NONE);
    return;
  }
  w.comment(`cgroup namespace: each host hierarchy under ${target}, read-only, rooted at the container's cgroups`);
  // A tmpfs to hold one directory per hierarchy (sysfs has none to create them in); read-only at the end.
  w.step('mount', 'tmpfs', target, 'tmpfs', 'nosuid,nodev,noexec', 'mode=755');
  for (const [dir, naming] of v1Hierarchies(host)) {
    const name = path.posix.basename(dir);
    // Mounting an existing hierarchy needs exactly its set of controllers; a named one takes `none`.
    const controllers = naming.filter((o) => !o.startsWith('name='));
    const data = controllers.length > 0 ? naming.join(',') : ['none', ...naming].join(',');
    w.step('mount', 'cgroup', path.posix.join(target, name), 'cgroup', CGROUPFS_FLAGS, data);
    // A combined hierarchy (cpu,cpuacct) is also reachable by each controller's name, as on the host.
    if (controllers.length > 1) for (const c of controllers) if (c !== name) w.step('symlink', name, path.posix.join(target, c));
  }
  if (host.mode === 'hybrid' && host.v2) {
    w.step('mount', 'cgroup2', path.posix.join(target, path.posix.basename(host.v2.path)), 'cgroup2', CGROUPFS_FLAGS, NONE);
  }
  w.step('readonly', target);
}
