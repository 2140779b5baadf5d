// overlayfs: two containers share one read-only base rootfs; each keeps its own changes.
//
//   sudo haco create examples/overlay.haco.ts -c ovl-base      # the shared lower layer (busybox)
//   sudo haco start examples/overlay.haco.ts -c ovl-a -- sh -c 'echo a > /hello; cat /hello; findmnt /'
//       → a
//       → / overlay overlay rw,…lowerdir=/var/lib/haco/ovl-base/rootfs…
//   sudo haco start examples/overlay.haco.ts -c ovl-b -- cat /hello
//       → cat: can't open '/hello': No such file or directory   (b has its own upper layer)
//   ls /var/lib/haco/ovl-a/upper        # on the host: hello — the change lives in a's upper dir
//   ls /var/lib/haco/ovl-base/rootfs    # no hello: the lower layer is never written
import { defineContainer } from 'haco';

const base = defineContainer('ovl-base').bootstrap((b) => b.busybox());

export default [
  base,
  // lower: the base's rootfs; upper and work dirs are made next to this container's rootfs.
  defineContainer('ovl-a').rootfs('/var/lib/haco/ovl-a/rootfs', { lower: base }),
  defineContainer('ovl-b').rootfs('/var/lib/haco/ovl-b/rootfs', { lower: base }),
];
