// Memory limit and the OOM killer: 32M of memory and no swap.
//
//   sudo haco create examples/cgroup-memory.haco.ts
//   sudo haco start examples/cgroup-memory.haco.ts -- sh -c 'head -c 16M /dev/zero | tail > /dev/null && echo fits'
//       → fits
//   sudo haco start examples/cgroup-memory.haco.ts -- sh -c 'head -c 64M /dev/zero | tail > /dev/null && echo fits'
//       → Killed   (tail keeps the whole 64M "line" in memory; exit status 137 = 128 + SIGKILL)
//         haco-launch: the kernel's OOM killer killed 1 process in this container: it reached its memory limit …
//   # while it runs, on the host:
//   grep oom_kill /sys/fs/cgroup/haco/mem-32m/memory.events   # oom_kill 1
//   dmesg | tail                                              # "Memory cgroup out of memory: Killed process …"
//
// Only the process inside is killed: the host never runs out of memory because of it.
import { defineContainer } from 'haco';

export default defineContainer('mem-32m')
  .bootstrap((b) => b.host())
  // swap '0': otherwise the kernel would swap the excess out instead of killing.
  .memory({ max: '32M', swap: '0' });
