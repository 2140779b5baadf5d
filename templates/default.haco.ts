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

  // Namespaces: by default the container gets new mount, uts, ipc, pid and net namespaces (net with
  // only `lo`: the host's interfaces and 127.0.0.1 services are out of reach). Uncomment a line to
  // stay in the host's namespace of that kind and watch what changes:
  //   .share('pid')     `ps` shows the host's processes again
  //   .share('uts')     `hostname` prints the host's name
  //   .share('ipc')     `ipcs` lists the host's message queues and shared memory
  //   .share('net')     the host's network: `ip link` lists its interfaces
  //   .unshare('user')  more isolation: root inside is not root outside (with .mapRootTo(100000))

  // cgroup limits: try `yes > /dev/null` and watch `top` on the host.
  .cpu('50%')
  .memory('256M')
  .pids(128)

  // Capabilities start from haco's default set (docs/security.md): no sys_admin, so `hostname x`
  // fails; no net_raw, so `ping` fails. Every system call also passes haco's default seccomp filter
  // (an allow list): `unshare -U true` fails with EPERM and `grep Seccomp /proc/self/status` prints 2.
  //   .addCaps('net_raw')   ping works again
  //   .seccomp(false)       no filter at all: Seccomp 0

  // At most 1024 open files: `ulimit -n` inside.
  .rlimit('nofile', 1024);
