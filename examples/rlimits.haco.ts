// rlimits (setrlimit(2)) limit each process, not the container as a whole like a cgroup does.
//
//   sudo haco create examples/rlimits.haco.ts
//   sudo haco start examples/rlimits.haco.ts -- sh -c 'ulimit -n; ulimit -f'
//       → 64           (nofile)
//       → 2048         (fsize, in 512-byte blocks: 1 MiB)
//   sudo haco start examples/rlimits.haco.ts -- sh -c 'head -c 2M /dev/zero > /tmp/big'
//       → "File size limit exceeded" (SIGXFSZ), exit status 153
//   sudo haco start examples/rlimits.haco.ts -- cat /proc/self/limits
//
// Without editing: `--rlimit nofile=1024` or `--rlimit nofile=256:4096` (soft:hard).
import { defineContainer } from 'haco';

export default defineContainer('rlimits')
  .bootstrap((b) => b.host())
  .rlimit('nofile', 64)
  .rlimit('fsize', 1024 * 1024)
  // No core files, however badly something crashes.
  .rlimit('core', 0);
