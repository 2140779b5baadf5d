// CPU cap: at most 30% of one CPU (cgroup v2 cpu.max "30000 100000": 30 ms of CPU time every 100 ms).
//
//   sudo haco create examples/cgroup-cpu.haco.ts
//   sudo haco start examples/cgroup-cpu.haco.ts       # or `start -d` to get the prompt back; `haco kill cpu-30`
//   # on the host, in another terminal:
//   top -b -n 1 | grep yes                        # %CPU stays near 30, not 100
//   cat /sys/fs/cgroup/haco/cpu-30/cpu.max        # 30000 100000 (v1: cpu/haco/cpu-30/cpu.cfs_quota_us, 30000)
//   haco inspect cpu-30                           # the same, read for you, with the CPU time used so far
//   grep throttled /sys/fs/cgroup/haco/cpu-30/cpu.stat   # nr_throttled keeps growing
//
// Try without editing: `haco start examples/cgroup-cpu.haco.ts --cpu 80%`, or `--cpu 1.5` with two
// `yes` loops. `haco explain examples/cgroup-cpu.haco.ts` says what the limit means.
import { defineContainer } from 'haco';

export default defineContainer('cpu-30')
  .bootstrap((b) => b.host())
  // `yes` never stops; without the cap it would use a whole CPU.
  .command('yes > /dev/null')
  .cpu('30%');
