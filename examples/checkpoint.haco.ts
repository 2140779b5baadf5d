// checkpoint: save a running container to a directory and bring it back where it stopped (criu).
// A counter writes 1, 2, 3, … to /counter in its rootfs; `haco checkpoint` freezes its processes, writes
// their memory, files and cgroup into DIR with criu and ends them; `haco restore DIR` recreates them, and
// the counter goes on from the number it had (docs/checkpoint.md). criu needs the container's init to be
// a session leader in its own pid namespace (.sessionLeader()).
//
//   sudo haco create examples/checkpoint.haco.ts
//   sudo haco start -d examples/checkpoint.haco.ts
//   cat /var/lib/haco/ckpt-counter/rootfs/counter       # e.g. 12
//   sudo haco checkpoint ckpt-counter -o /tmp/ckpt      # the container is gone (--leave-running keeps it)
//   sudo haco restore /tmp/ckpt                         # running again
//   cat /var/lib/haco/ckpt-counter/rootfs/counter       # 13, 14, … : it continued
//   sudo haco kill ckpt-counter && sudo haco rm ckpt-counter
//
// `haco doctor` says whether criu works on this kernel: where `criu check` fails (this project's CI
// host: "vdso: Unexpected rt vDSO area bounds"), `haco checkpoint` refuses with E_CRIU_UNAVAILABLE and
// the container keeps running. The dump and the restore are tested in the qemu VM tier on Debian's cloud
// kernel (test/root/checkpoint-vm.test.ts runs this container there).
import { defineContainer } from 'haco';

const counter = 'exec > /dev/null 2>&1 < /dev/null; i=0; while :; do i=$((i+1)); echo $i > /counter.tmp; mv /counter.tmp /counter; sleep 0.2; done';

export default defineContainer('ckpt-counter')
  .bootstrap((b) => b.host())
  // criu dumps a network namespace with iproute2's `ip` inside it; sharing the host's keeps this example small.
  .share('net')
  .sessionLeader()
  .memory('64M')
  .pids(32)
  .command(['/bin/sh', '-c', counter]);
