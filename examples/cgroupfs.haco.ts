// The container reads its own limits: a cgroup namespace makes its cgroup the root, and haco mounts
// cgroupfs read-only at /sys/fs/cgroup (docs/cgroups.md, "cgroupfs inside").
//
//   sudo haco create examples/cgroupfs.haco.ts
//   sudo haco start examples/cgroupfs.haco.ts -- cat /sys/fs/cgroup/memory.max                    # v2: 50331648
//   sudo haco start examples/cgroupfs.haco.ts -- cat /sys/fs/cgroup/memory/memory.limit_in_bytes  # v1: 50331648
//   sudo haco start examples/cgroupfs.haco.ts -- cat /proc/self/cgroup        # every line ends in :/
//   sudo haco start examples/cgroupfs.haco.ts -- sh -c 'echo 1G > /sys/fs/cgroup/pids/pids.max'
//       → sh: can't create /sys/fs/cgroup/pids/pids.max: Read-only file system
//
// It can look at its limits, never raise them, and the host's other cgroups are not there to see.
import { defineContainer } from 'haco';

export default defineContainer('cgroupfs')
  .bootstrap((b) => b.host())
  .unshare('cgroup')
  .memory('48M')
  .pids(64);
