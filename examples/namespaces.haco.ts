// Namespaces, one at a time. `ns-base` has haco's defaults (new mount, uts, ipc, pid and net namespaces);
// every other container changes exactly one namespace, so you can see what that one kind isolates.
//
//   sudo haco create examples/namespaces.haco.ts            # instant: host bootstrap, nothing downloaded
//   sudo haco start examples/namespaces.haco.ts -c ns-base -- ps ax
//   haco diff examples/namespaces.haco.ts#ns-base examples/namespaces.haco.ts#ns-share-pid
//   haco explain examples/namespaces.haco.ts -c ns-share-net
//
// What to expect, container by container (run the command after `--`):
//   ns-base        `ps ax`               only `ps` itself, as PID 1;  `ip addr`: only `lo`, no route out
//   ns-share-pid   `ps ax`               every process of the host: the pid namespace is the host's
//   ns-share-uts   `hostname`            the host's name (with ns-base: ns-base)
//   ns-share-ipc   `ipcs -q`             the host's message queues (make one first with `ipcmk -Q` on the host)
//   ns-mount       `findmnt /mnt`        a tmpfs on /mnt; `findmnt /mnt` on the host shows nothing of it
//   ns-share-net   `ip addr`             the host's interfaces: its 127.0.0.1 services are reachable too
//   ns-user        `cat /proc/self/uid_map`   "0 100000 65536": root inside is uid 100000 on the host
//   ns-cgroup      `cat /proc/self/cgroup`    "0::/" instead of "0::/haco/ns-cgroup"
//   ns-time        `cat /proc/uptime`    one day (86400 s) more than on the host
// Mount is the one namespace haco never shares: switching into the rootfs needs its own.
import { defineContainer } from 'haco';

const base = defineContainer('ns-base').bootstrap((b) => b.host()).command(['/bin/sh']);

export default [
  base,
  base.extend('ns-share-pid').share('pid'),
  base.extend('ns-share-uts').share('uts'),
  base.extend('ns-share-ipc').share('ipc'),
  base.extend('ns-mount').tmpfs('/mnt', { size: '16M' }),
  base.extend('ns-share-net').share('net'),
  // A user namespace maps ids: the files of the rootfs belong to host root (uid 0), which is not mapped,
  // so inside they show as "nobody" — `ls -ln /etc` inside shows 65534.
  base.extend('ns-user').mapRootTo(100000),
  base.extend('ns-cgroup').unshare('cgroup'),
  base.extend('ns-time').timeOffsets({ boottime: 86400 }),
];
