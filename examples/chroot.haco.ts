// chroot versus pivot_root. Both containers see their rootfs as "/", but only pivot_root detaches the
// host's root from the mount namespace; with chroot it is still mounted, just out of sight.
//
//   sudo haco create examples/chroot.haco.ts
//   haco diff examples/chroot.haco.ts#root-pivot examples/chroot.haco.ts#root-chroot
//       → rootfs.switchRoot: pivot_root → chroot
//   sudo haco start examples/chroot.haco.ts -c root-chroot -- python3 -c '
//   import os; os.makedirs("/tmp/j", exist_ok=True); os.chroot("/tmp/j")
//   for _ in range(64): os.chdir("..")
//   os.chroot("."); print(os.path.isdir("/var/lib/haco"))'
//       → True: the classic escape reached the host's files (False with -c root-pivot)
//
// The escape needs sys_chroot, which the default set keeps: add --drop-cap sys_chroot and it fails.
// docs/tutorial/04-chroot-pivot-root.md walks through it.
import { defineContainer } from 'haco';

// The host bootstrap, so that python3 is there for the escape.
const pivot = defineContainer('root-pivot').bootstrap((b) => b.host());

export default [pivot, pivot.extend('root-chroot').chroot()];
