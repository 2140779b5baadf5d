// __NAME__: a container defined in code with haco.
//
//   haco create __FILE__     build the rootfs (bootstrap + provision)
//   haco start __FILE__      run it in the foreground (add -d to detach)
//   haco plan __FILE__       see exactly what haco will do
//
// Every method below says which kernel feature it drives; hover it in your editor or read docs/dsl.md.
import { defineContainer } from 'haco';

export default defineContainer('__NAME__')
  // Namespaces: exactly the kinds listed here are new, every other one is the host's (this list is
  // haco's default set, written out; it comes first so that a later .unshare() or .share() adjusts
  // it instead of being reset by it). Delete an entry to stay in the host's namespace of that kind and
  // watch what changes (`haco diff __FILE__ --share uts` shows beforehand what deleting 'uts' does):
  //   'pid'   `ps` shows the host's processes again
  //   'uts'   `hostname` prints the host's name
  //   'ipc'   `ipcs` lists the host's message queues and shared memory
  //   'net'   the host's network: `ip link` lists its interfaces (without it: only `lo`)
  // Add 'user' for more isolation (root inside is not root outside; then add .mapRootTo(100000)),
  // 'cgroup' or 'time'. 'mount' stays: the container switches into its rootfs in a mount namespace.
  .namespaces('mount', 'uts', 'ipc', 'pid', 'net')

  // The root filesystem. `host` needs no download: the host's /usr, /bin and /lib are bound
  // read-only and the container gets its own /etc, /var, /tmp and /root.
  .rootfs('__ROOT__')
  .bootstrap((b) => b.host())

  // The first process of the container. With the pid namespace it is PID 1: try `ps` inside.
  .command(['/bin/sh'])
  .hostname('__NAME__')

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
