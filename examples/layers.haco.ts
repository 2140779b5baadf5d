// Layers on layers: a layered container is the lower of another. layer2 stacks its own upper over
// layer1's upper over the base (docs/rootfs.md, "Layers on layers").
//
//   sudo haco create examples/layers.haco.ts                  # lyr-base, then lyr-1, then lyr-2
//   sudo haco start examples/layers.haco.ts -c lyr-2 -- sh -c 'cat /etc/motd; echo two > /two; grep " / / " /proc/self/mountinfo'
//       → made in lyr-1
//       → / overlay overlay rw,…lowerdir=/var/lib/haco/lyr-1/upper:/var/lib/haco/lyr-base/rootfs,upperdir=/var/lib/haco/lyr-2/upper…
//   ls /var/lib/haco/lyr-2/upper        # on the host: two — layer 2's writes stay in its own upper
//   ls /var/lib/haco/lyr-1/upper/etc    # motd — what lyr-1's provision step wrote, shared read-only
//   sudo haco plan examples/layers.haco.ts -c lyr-2 | grep -A3 overlay
import { defineContainer } from 'haco';

const base = defineContainer('lyr-base').bootstrap((b) => b.busybox());
// lyr-1's rootfs is only a mount point: as a lower it stands for its upper over its own lowers.
const layer1 = defineContainer('lyr-1')
  .rootfs('/var/lib/haco/lyr-1/rootfs', { lower: base })
  .provision((p) => p.step('motd', 'echo "made in lyr-1" > /etc/motd'));
const layer2 = defineContainer('lyr-2').rootfs('/var/lib/haco/lyr-2/rootfs', { lower: layer1 });

export default [base, layer1, layer2];
