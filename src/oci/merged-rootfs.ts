import { requireTool } from '../host/tools';
import type { ContainerPlan } from '../plan/types';

/**
 * The command that runs ARGV with the container's rootfs readable at `rootfs.path`. A plain rootfs is
 * there already. An overlay rootfs (`.rootfs(p, { lower })`, `b.image(REF, { layers: 'shared' })`) is
 * only an empty mount point outside a run, so ARGV runs in a private mount namespace (unshare(1)) where
 * the merged tree is mounted there first — read-only, with the container's upper as the top lower
 * layer and no upper/work of its own, so it never competes with a running container for its work dir
 * and cannot change a layer. Nothing of it is visible outside that namespace; it ends with ARGV.
 */
export function withMergedRootfs(c: ContainerPlan, argv: readonly string[]): { file: string; args: string[] } {
  const overlay = c.rootfs.overlay;
  if (!overlay) return { file: argv[0]!, args: argv.slice(1) };
  requireTool('unshare');
  const options = `ro,lowerdir=${[overlay.upper, ...overlay.lower].join(':')}`;
  return {
    file: 'unshare',
    args: ['--mount', '--propagation', 'private', '/bin/sh', '-ec', 'mount -t overlay overlay -o "$1" "$2" || { echo "cannot mount the overlay layers of the rootfs" >&2; exit 125; }; shift 2; exec "$@"', 'sh', options, c.rootfs.path, ...argv],
  };
}

/** The directories that must hold something for the rootfs to exist (the merged tree's layers, or the tree). */
export function rootfsSources(c: ContainerPlan): string[] {
  return c.rootfs.overlay ? c.rootfs.overlay.lower : [c.rootfs.path];
}
