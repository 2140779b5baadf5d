import { HacoError, HostError } from '../errors';
import { installHint } from '../host/tools';
import type { ContainerPlan } from '../plan/types';
import type { HostFacts } from './host-facts';
import type { SpecWriter } from './spec-writer';

/** Debian's fuse-overlayfs (tool manifest). */
export const FUSE_OVERLAYFS = '/usr/bin/fuse-overlayfs';

/**
 * Who mounts a layered rootfs: the kernel's overlayfs, or fuse-overlayfs (docs/rootfs.md "Layers through
 * FUSE"). fuse-overlayfs when the definition asks for it (`.rootfs(p, { lower, overlay: 'fuse' })`), or
 * for a rootless container on a kernel that cannot mount overlayfs in a user namespace (before 5.11) —
 * unless the definition insists on the kernel's, which is then refused: never a read-only rootfs.
 * Throws when fuse-overlayfs cannot work here, naming the fix.
 */
export function overlayMounter(c: ContainerPlan, host: HostFacts, userNs: boolean): 'kernel' | 'fuse' | undefined {
  const overlay = c.rootfs.overlay;
  if (!overlay) return undefined;
  const kernelCannot = host.rootless !== undefined && !host.rootless.userOverlay;
  if (overlay.mounter === 'kernel' || (overlay.mounter === undefined && !kernelCannot)) {
    if (kernelCannot) {
      throw new HostError('E_ROOTLESS_OVERLAY', `container "${c.name}" has an overlay rootfs mounted by the kernel, and this kernel cannot mount overlayfs in a user namespace (Linux 5.11+)`, "let fuse-overlayfs mount it (drop `overlay: 'kernel'` from .rootfs()), run it as root, or give it a plain rootfs; haco never falls back to a read-only rootfs");
    }
    return 'kernel';
  }
  const why = overlay.mounter === 'fuse' ? "its .rootfs() asks for overlay: 'fuse'" : 'this kernel cannot mount overlayfs in a user namespace (Linux 5.11+)';
  if (!userNs) {
    // The daemon mounts in the container's namespaces as its root; without a user namespace of its own the
    // container's mount namespace is the host's peer, and the FUSE mount would be made with host root's rights.
    throw new HacoError('E_FUSE_OVERLAY', `container "${c.name}": fuse-overlayfs mounts the rootfs inside the container's user namespace, and this container has none`, {
      hint: "give it one (.mapRootTo(100000), or .unshare('user') with .uidMap()/.gidMap()), or drop `overlay: 'fuse'` from .rootfs() to use the kernel's overlayfs",
    });
  }
  const fuse = host.fuse;
  if (!fuse?.program) throw new HostError('E_NO_TOOL', `fuse-overlayfs is not installed, and container "${c.name}" needs it: ${why}`, installHint(['fuse-overlayfs']));
  if (fuse.device !== 'ok') {
    const what = fuse.device === 'missing' ? '/dev/fuse does not exist (no FUSE in this kernel, or not loaded)' : '/dev/fuse cannot be opened read-write by you';
    const fix = fuse.device === 'missing' ? '`modprobe fuse` as root (CONFIG_FUSE_FS)' : "as root, `chmod 0666 /dev/fuse` (Debian's udev rule makes it 0666; FUSE mounts in a user namespace stay inside it)";
    throw new HostError('E_FUSE_OVERLAY', `container "${c.name}" needs fuse-overlayfs (${why}), but ${what}`, `${fix}; or run it as root with the kernel's overlayfs`);
  }
  return 'fuse';
}

/**
 * Wire phase: the launcher forks fuse-overlayfs into the container's user namespace, where it mounts the
 * merged tree on the rootfs path (native/src/fuse.c); it serves it until the run is over. `-f`: it must
 * stay the launcher's child (reaped and stopped by it, killed with it); the launcher appends the mounted
 * /dev/fuse as `/dev/fd/N`.
 */
export function emitFuseOverlay(w: SpecWriter, c: ContainerPlan): void {
  const o = c.rootfs.overlay;
  if (!o) return;
  w.comment('layered rootfs through fuse-overlayfs: mounted in the container\'s namespaces, served for as long as this run');
  w.step('fuse-overlay', c.rootfs.path, FUSE_OVERLAYFS, '-f', '-o', `lowerdir=${o.lower.join(':')},upperdir=${o.upper},workdir=${o.work}`);
}
