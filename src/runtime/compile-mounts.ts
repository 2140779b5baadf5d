import * as path from 'node:path';
import { STANDARD_DEVICE_NODES } from '../plan/devices';
import type { CgroupHost } from '../cgroup/types';
import type { BootstrapPlan, MountEntry, RootfsPlan, StandardMount } from '../plan/types';
import type { HostPathKind } from './host-facts';
import { emitCgroupfs } from './compile-cgroupfs';
import { listField, NONE } from './spec-format';
import type { SpecWriter } from './spec-writer';

/**
 * Mount steps. Targets are paths *inside the container* (`/proc`, not ROOTFS/proc): the launcher resolves
 * them under the rootfs without following symlinks out of it (docs/launch-spec.md, "Target resolution").
 * Sources of bind mounts are host paths, still reachable because this all happens before the switch.
 */

export interface MountContext {
  /** The container has a pid namespace of its own (absent: assume it has). Affects proc in a user namespace. */
  ownPidNs?: boolean;
  /** The container runs in a user namespace (own or joined): affects sysfs and devpts. */
  userNs: boolean;
  /** The container has its own network namespace. */
  ownNetNs: boolean;
  rootfs: RootfsPlan;
  /** The host's cgroups, when the container has a cgroup namespace of its own: cgroupfs goes under /sys. */
  cgroupfs?: CgroupHost;
  pathKind: (hostPath: string) => HostPathKind;
}

/** Make `/` private (or as asked) so nothing below leaks back to the host, then make the rootfs a mount. */
export function emitRootfs(w: SpecWriter, rootfs: RootfsPlan, options: { userxattr?: boolean; fuse?: boolean } = {}): void {
  // pivot_root(2) refuses a shared mount (EINVAL): a shared rootfs (an OCI config's rootfsPropagation)
  // starts as a slave and is made shared once it is `/` (emitSwitchRoot), as runc does.
  const first = isShared(rootfs) ? 'rslave' : rootfs.propagation;
  w.comment(`mounts: stop propagation to the host first (${first}), then set up the rootfs`);
  w.step('propagation', '/', first);
  if (rootfs.overlay && options.fuse) {
    // fuse-overlayfs mounted it in the wire phase (fuse-overlay): check it is there and writable, use it.
    w.step('fuse-root', rootfs.path);
  } else if (rootfs.overlay) {
    const { lower, upper, work } = rootfs.overlay;
    if (options.userxattr) {
      // Unprivileged overlayfs keeps its whiteouts and opaque marks in user.overlay.* xattrs (Linux 5.11+).
      w.comment('overlay in a user namespace: userxattr, as a user namespace may not write trusted.* xattrs');
      w.step('overlay-root', lower.join(':'), upper, work, rootfs.path, 'userxattr');
    } else w.step('overlay-root', lower.join(':'), upper, work, rootfs.path);
  } else {
    // pivot_root(2) needs the new root to be a mount point; binding it on itself makes it one.
    w.step('bind-root', rootfs.path);
  }
}

function isShared(rootfs: RootfsPlan): boolean {
  return rootfs.propagation === 'shared' || rootfs.propagation === 'rshared';
}

/** The `host` bootstrap shares the host's /usr, /bin… read-only; missing ones (e.g. /lib32) are skipped. */
export function emitBootstrapBinds(w: SpecWriter, bootstrap: BootstrapPlan, pathKind: (p: string) => HostPathKind): void {
  if (bootstrap.strategy !== 'host') return;
  const binds = bootstrap.binds.filter((b) => pathKind(b) !== 'missing');
  if (binds.length === 0) return;
  w.comment('host bootstrap: the host\'s own programs and libraries, read-only');
  for (const dir of binds) w.step('bind', dir, dir, 'ro,rec,optional');
}

/**
 * The minimal /dev tmpfs: nosuid, noexec and nodev — its nodes are bind mounts of the host's, which
 * keep the host /dev mount's own flags, so nodev only stops nodes made *in* it (`mknod /dev/sda`) from
 * working. 64 MiB at most (runc's 65536k): it holds only links and empty files.
 */
export const DEV_TMPFS_FLAGS = 'nosuid,nodev,noexec';
export const DEV_TMPFS_DATA = 'mode=755,size=65536k';

function emitStandard(w: SpecWriter, m: StandardMount, ctx: MountContext): void {
  const t = m.target;
  switch (m.fs) {
    case 'proc':
      if (ctx.userNs && ctx.ownPidNs === false) {
        // A user namespace may mount proc only for a pid namespace it owns; sharing the host's, it binds
        // the host's /proc (with its submounts, which the kernel would not let it uncover anyway).
        w.comment('proc cannot be mounted from a user namespace without its own pid namespace: bind the host /proc');
        w.step('bind', '/proc', t, 'rec');
      } else w.step('mount', 'proc', t, 'proc', 'nosuid,nodev,noexec', NONE);
      return;
    case 'sys':
      if (ctx.userNs && !ctx.ownNetNs) {
        // The kernel lets a user namespace mount sysfs only if it also owns the network namespace.
        w.comment('sysfs cannot be mounted from a user namespace without its own net namespace: bind the host /sys read-only');
        w.step('bind', '/sys', t, 'ro,rec');
      } else {
        w.step('mount', 'sysfs', t, 'sysfs', 'ro,nosuid,nodev,noexec', NONE);
      }
      if (ctx.cgroupfs) emitCgroupfs(w, path.posix.join(t, 'fs/cgroup'), ctx.cgroupfs);
      return;
    case 'dev':
      // A tmpfs with only harmless devices; bound from the host so it also works where mknod is denied.
      w.step('mount', 'tmpfs', t, 'tmpfs', DEV_TMPFS_FLAGS, DEV_TMPFS_DATA);
      for (const dev of STANDARD_DEVICE_NODES) w.step('mknod-bind', dev.name, path.posix.join(t, dev.name));
      w.step('symlink', '/proc/self/fd', path.posix.join(t, 'fd'));
      w.step('symlink', '/proc/self/fd/0', path.posix.join(t, 'stdin'));
      w.step('symlink', '/proc/self/fd/1', path.posix.join(t, 'stdout'));
      w.step('symlink', '/proc/self/fd/2', path.posix.join(t, 'stderr'));
      w.step('symlink', 'pts/ptmx', path.posix.join(t, 'ptmx'));
      return;
    case 'devpts':
      // gid=5 (tty) exists on the host; inside a user namespace it may be unmapped and the mount fails.
      w.step('mount', 'devpts', t, 'devpts', 'nosuid,noexec', `newinstance,ptmxmode=0666,mode=620${ctx.userNs ? '' : ',gid=5'}`);
      return;
    case 'shm':
      w.step('mount', 'shm', t, 'tmpfs', 'nosuid,nodev,noexec', 'mode=1777');
      return;
    case 'mqueue':
      w.step('mount', 'mqueue', t, 'mqueue', 'nosuid,nodev,noexec', NONE);
      return;
  }
}

export function emitMounts(w: SpecWriter, mounts: readonly MountEntry[], ctx: MountContext): void {
  for (const m of mounts) {
    switch (m.type) {
      case 'standard':
        emitStandard(w, m, ctx);
        break;
      case 'bind': {
        const flags: string[] = [];
        if (m.recursive) flags.push('rec');
        if (m.readonly) flags.push('ro');
        if (ctx.pathKind(m.source) === 'file') flags.push('file');
        w.step('bind', m.source, m.target, listField(flags));
        // `propagation` takes a path in the mount namespace, not resolved under the rootfs: give the full one.
        if (m.propagation) w.step('propagation', path.posix.join(ctx.rootfs.path, m.target), m.propagation);
        break;
      }
      case 'tmpfs': {
        const data = [m.size !== undefined ? `size=${m.size}` : undefined, m.mode !== undefined ? `mode=${m.mode}` : undefined].filter(
          (x): x is string => x !== undefined,
        );
        w.step('mount', 'tmpfs', m.target, 'tmpfs', listField(m.flags), data.length > 0 ? data.join(',') : NONE);
        break;
      }
      case 'fs':
        w.step('mount', m.source, m.target, m.fstype, listField(m.flags), m.data ?? NONE);
        break;
      case 'hostFile':
        w.step('bind', m.source, m.target, 'ro,file');
        break;
    }
  }
}

/**
 * Masks and read-only paths, then the switch into the rootfs, then the read-only root.
 * Masks come before the switch: files are hidden by binding the host's /dev/null over them, which is
 * unreachable once pivot_root has detached the old root (and a container may have no /dev of its own).
 * Their targets are resolved inside the rootfs either way, after /proc and /sys are mounted.
 */
export function emitSwitchRoot(w: SpecWriter, rootfs: RootfsPlan): void {
  for (const p of rootfs.maskedPaths) w.step('mask', p);
  for (const p of rootfs.readonlyPaths) w.step('readonly', p);
  w.step(rootfs.switchRoot === 'chroot' ? 'chroot' : 'pivot-root', rootfs.path);
  if (isShared(rootfs)) w.step('propagation', '/', rootfs.propagation);
  if (rootfs.readonly) w.step('remount-root-ro');
}
