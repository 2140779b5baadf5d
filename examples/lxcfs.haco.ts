// lxcfs: `free`, `top` and `nproc` inside show the container's limits, not the host's totals.
// lxcfs (a FUSE file system on the host) answers reads of its /proc files from the reader's cgroups;
// .lxcfs() binds them over the container's /proc/meminfo, cpuinfo, stat, uptime, … (docs/cgroups.md).
//
//   sudo haco lxcfs start                      # once per host: one lxcfs serves every container
//   sudo haco create examples/lxcfs.haco.ts
//   sudo haco start examples/lxcfs.haco.ts -- head -1 /proc/meminfo
//       → MemTotal: 65536 kB (the .memory() limit), not the host's RAM; procps `free` and `top` read it
//   sudo haco start examples/lxcfs.haco.ts -- grep -c ^processor /proc/cpuinfo   # 1: the cpuset's CPUs
//   sudo haco start examples/lxcfs.haco.ts -- cat /proc/uptime   # seconds since the container started
//   sudo haco lxcfs status                     # running, who started it, which containers use it
//   sudo haco lxcfs stop                       # when no container needs it any more
//
// Without a running lxcfs, `haco start` refuses and says `haco lxcfs start`. busybox's `free` asks
// sysinfo(2), which lxcfs cannot change: it still prints the host's RAM (procps `free` reads /proc/meminfo).
import { defineContainer } from 'haco';

export default defineContainer('lxcfs-demo')
  .bootstrap((b) => b.busybox())
  .memory('64M')
  .cpuset({ cpus: '0' })
  .lxcfs();
