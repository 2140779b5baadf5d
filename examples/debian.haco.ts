// A real Debian userland made by debootstrap(8), from the host's apt mirror (so it works offline
// when the host has a local mirror), with a provision step run inside it afterwards.
//
//   sudo apt-get install debootstrap                 # once, on the host
//   sudo haco create examples/debian.haco.ts         # a few minutes: downloads ~40 MB of packages
//   sudo haco start examples/debian.haco.ts -- cat /etc/os-release
//       → PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
//   sudo haco start examples/debian.haco.ts -- apt list --installed 2>/dev/null | wc -l
//       → about 100 (minbase: apt and the essentials only)
import { defineContainer } from 'haco';

export default defineContainer('debian')
  .bootstrap((b) =>
    b
      .debootstrap({ suite: 'bookworm', variant: 'minbase', include: ['iproute2', 'procps'] })
      // Runs on the host with $ROOTFS set: docs are dead weight in a container.
      .post('trim-docs', 'rm -rf "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/*'),
  )
  // Provision steps use the host's network (apt could download here); the started container has its
  // own with only `lo` (haco's default): add .share('net') or a .network() to run apt in it.
  .provision((p) => p.step('motd', 'echo "haco debian example" > /etc/motd'))
  .hostResolvConf()
  .command(['/bin/bash', '-l']);
