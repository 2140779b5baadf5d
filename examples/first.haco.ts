// my-first: haco's equivalent of haconiwa's my-first-container.
//
//   npx haco create examples/first.haco.ts   # instant: the host bootstrap downloads nothing
//   npx haco start examples/first.haco.ts    # a shell inside; try: hostname; ps; cat /proc/self/status
//
// Inside, `hostname` prints my-first (the uts namespace), `ps` shows only the container's processes
// (the pid namespace): haco-init as PID 1, the tiny init a foreground start puts there, and /bin/sh as
// PID 2 (`haco start --no-init` makes /bin/sh PID 1); `tty` names /dev/pts/0, the container's own
// terminal; `ip addr` shows only `lo` (the net namespace), and `grep Cap /proc/self/status` haco's default
// capability set. On the host, `cat /proc/$(pgrep -n -f 'haco-launch')/cgroup` shows haco/my-first.
import { defineContainer } from 'haco';

export default defineContainer('my-first')
  .rootfs('/var/lib/haco/my-first/rootfs')
  .bootstrap((b) => b.host())
  .command(['/bin/sh'])
  .hostname('my-first')
  // haco's default namespaces are mount, uts, ipc, pid and net; haconiwa's example kept the host's
  // network, which here is one switch: .share('net')
  .cpu('50%')
  .memory('256M')
  .pids(128)
  .rlimit('nofile', 1024);
