// Capabilities: root inside a container is not all-powerful. haco's default set (Podman's: Docker's
// without mknod, net_raw and audit_write; see docs/security.md) leaves out sys_admin, so setting the
// hostname fails even though the uts namespace is private.
//
//   sudo haco create examples/capabilities.haco.ts
//   sudo haco start examples/capabilities.haco.ts -c caps-default -- hostname demo
//       → hostname: you must be root to change the host name   (exit status 1: sethostname(2) got EPERM;
//         busybox's hostname says "sethostname: Operation not permitted")
//   sudo haco start examples/capabilities.haco.ts -c caps-admin -- sh -c 'hostname demo && hostname'
//       → demo   (sys_admin added; the host's hostname is unchanged thanks to the uts namespace)
//   sudo haco start examples/capabilities.haco.ts -c caps-no-chown -- chown 1000 /tmp
//       → chown: /tmp: Operation not permitted
//   sudo haco start examples/capabilities.haco.ts -c caps-default -- grep Cap /proc/self/status
//       → CapEff 00000000800405fb  (decode with `capsh --decode=00000000800405fb`)
//   sudo haco start examples/capabilities.haco.ts -c caps-default -- ping -c1 127.0.0.1
//       → ping: permission denied (are you root?)   (no net_raw; `--add-cap net_raw` gives it back)
//
// Without editing: `haco start examples/capabilities.haco.ts -c caps-default --add-cap sys_admin -- hostname x`.
import { defineContainer } from 'haco';

const base = defineContainer('caps-default').bootstrap((b) => b.host());

export default [
  base,
  base.extend('caps-admin').addCaps('sys_admin'),
  base.extend('caps-no-chown').dropCaps('chown'),
  // Nothing at all: root inside is little more than an ordinary user.
  // `grep CapEff /proc/self/status` → 0000000000000000.
  base.extend('caps-none').capabilities({ base: 'none' }),
];
