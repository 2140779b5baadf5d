/**
 * Controller names, and which controller a cgroup file belongs to (`memory.max` → memory), so that raw
 * writes from the definition also get their controller enabled or their v1 hierarchy created.
 */

/** v1 controllers haco knows how to find (the `name=systemd` hierarchy has no controller and is ignored). */
export const V1_CONTROLLERS = [
  'cpu',
  'cpuacct',
  'cpuset',
  'memory',
  'devices',
  'freezer',
  'net_cls',
  'net_prio',
  'blkio',
  'perf_event',
  'hugetlb',
  'pids',
  'rdma',
  'misc',
] as const;

/** v2 controllers that can be enabled in cgroup.subtree_control, in the order haco enables them. */
export const V2_CONTROLLERS = ['cpu', 'memory', 'pids', 'io', 'cpuset', 'hugetlb', 'rdma', 'misc'] as const;

/**
 * The controller owning a file name, or undefined for core files (`cgroup.*`, v1 `tasks`,
 * `notify_on_release`) that exist in every cgroup.
 */
export function controllerOfFile(file: string, version: 'v1' | 'v2'): string | undefined {
  const prefix = file.split('.')[0] ?? '';
  const known: readonly string[] = version === 'v1' ? V1_CONTROLLERS : V2_CONTROLLERS;
  return known.includes(prefix) ? prefix : undefined;
}
