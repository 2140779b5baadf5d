/** Where cgroup filesystems are mounted unless told otherwise. */
export const DEFAULT_CGROUP_ROOT = '/sys/fs/cgroup';

/**
 * The cgroup root to use: an explicit argument wins, then `HACO_CGROUP_ROOT` (tests and unusual hosts point
 * it at another tree), then /sys/fs/cgroup.
 */
export function resolveCgroupRoot(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = explicit ?? env['HACO_CGROUP_ROOT'] ?? DEFAULT_CGROUP_ROOT;
  // A trailing slash would make ROOT/unified comparisons against mountinfo fail.
  return chosen.length > 1 ? chosen.replace(/\/+$/, '') : chosen;
}
