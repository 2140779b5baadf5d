// __NAME__: a container defined in code with haco.
//
//   haco create __FILE__     build the rootfs (bootstrap + provision)
//   haco start __FILE__      run it in the foreground (add -d to detach)
//   haco plan __FILE__       see exactly what haco will do
//
// Every method below says which kernel feature it drives; hover it in your editor or read docs/dsl.md.
import { defineContainer } from 'haco';

export default defineContainer('__NAME__')
  // The root filesystem. `host` needs no download: the host's /usr, /bin and /lib are bound
  // read-only and the container gets its own /etc, /var, /tmp and /root.
  .rootfs('__ROOT__')
  .bootstrap((b) => b.host())

  // The first process of the container. With the pid namespace it is PID 1: try `ps` inside.
  .command(['/bin/sh'])
  .hostname('__NAME__')

  // New namespaces: mount, uts, ipc and pid are the default. Switch one off and watch what changes:
  //   .share('pid')     `ps` shows the host's processes again
  //   .unshare('net')   only `lo` is left: `ip link`
  .unshare('mount', 'uts', 'ipc', 'pid')

  // cgroup limits: try `yes > /dev/null` and watch `top` on the host.
  .cpu('50%')
  .memory('256M')
  .pids(128)

  // Capabilities start from Docker's default set; sys_admin is not in it, so `hostname x` fails.
  .dropCaps('net_raw')
  .rlimit('nofile', 1024);
