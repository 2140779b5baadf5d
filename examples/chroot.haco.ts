// chroot versus pivot_root. Both containers see the busybox rootfs as "/", but only pivot_root detaches
// the host's root from the mount namespace.
//
//   sudo haco create examples/chroot.haco.ts
//   sudo haco start examples/chroot.haco.ts -c root-pivot -- sh -c 'wc -l < /proc/self/mountinfo'
//       → a handful of lines: only the container's mounts
//   sudo haco start examples/chroot.haco.ts -c root-chroot -- sh -c 'wc -l < /proc/self/mountinfo'
//       → every mount of the host as well: the old root is still there, just out of sight
//
// With chroot, a root process that keeps sys_chroot can climb out (chroot into a subdirectory, then
// `cd ..` past the old root); docs/tutorial/04-chroot-pivot-root.md walks through it.
import { defineContainer } from 'haco';

const pivot = defineContainer('root-pivot').bootstrap((b) => b.busybox());

export default [pivot, pivot.extend('root-chroot').chroot()];
