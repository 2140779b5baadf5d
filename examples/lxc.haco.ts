// A rootfs from an LXC template (the lxc-templates package), here the self-contained busybox one.
//
//   sudo apt-get install lxc lxc-templates        # once, on the host
//   sudo haco create examples/lxc.haco.ts
//   sudo haco start examples/lxc.haco.ts -- ls /
//       → bin  dev  etc  home  lib  … (the template's layout)
//
// Templates that fetch images (`b.lxc('download', { args: ['-d', 'alpine', '-r', '3.20', '-a', 'amd64'] })`)
// need network access.
import { defineContainer } from 'haco';

export default defineContainer('lxc-busybox').bootstrap((b) => b.lxc('busybox'));
