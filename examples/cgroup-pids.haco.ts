// A pids limit stops a fork bomb: at most 10 processes (and threads) in the container.
//
//   sudo haco create examples/cgroup-pids.haco.ts
//   sudo haco start examples/cgroup-pids.haco.ts -- sh -c 'for i in $(seq 20); do sleep 30 & done; wait'
//       → "sh: 0: Cannot fork" (the host's dash; busybox sh says "can't fork"): sh counts as one, so
//         about 9 sleeps start
//   cat /sys/fs/cgroup/haco/pids-10/pids.max      # 10, on the host while it runs (v1: /sys/fs/cgroup/pids/haco/…)
//
// Try `--pids 3` or `--pids max` to see the difference without editing the file.
import { defineContainer } from 'haco';

export default defineContainer('pids-10').bootstrap((b) => b.host()).pids(10);
