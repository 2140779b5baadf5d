/**
 * Who may reach what haco keeps on the host. One home for these rules: the launcher applies the run-dir
 * ones (`host-dir`, `state-dir`, `stdio` PERM steps; docs/launch-spec.md), the TypeScript side the
 * /var/lib/haco ones (src/state/host-dir.ts) and its own files (src/atomic-file.ts). No imports: the
 * start fast path loads it.
 *
 * Why so closed: a rootfs is a whole system owned by root, setuid binaries included. If another local
 * user can reach it, `/var/lib/haco/web/rootfs/usr/bin/passwd` runs as root for them. The state dirs hold
 * the plan (with its environment's values), the logs and the locks a user could otherwise hold to block
 * every start.
 */
export const HOST_MODES = {
  /** /run/haco and /var/lib/haco: others may pass through to a path (nothing of theirs is there), not list. */
  top: 0o711,
  /** A container's own directory (/run/haco/NAME, /var/lib/haco/NAME) and haco's caches: root only. */
  private: 0o700,
  /**
   * A container's /var/lib/haco/NAME when its user namespace needs to reach the rootfs: the mapped root
   * group (and root) may pass through, nobody else.
   */
  mappedGroup: 0o710,
  /** Files haco writes on the host: state, plan.json, logs (host-side stdio), locks. */
  file: 0o600,
  /** Files the launcher creates inside the container (container-side stdio): what a program's umask gives. */
  containerFile: 0o644,
} as const;

