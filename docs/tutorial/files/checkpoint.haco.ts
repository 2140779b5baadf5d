import { defineContainer } from 'haco';

// A counter: 1, 2, 3, … in /counter, five times a second.
const counter = 'exec > /dev/null 2>&1 < /dev/null; i=0; while :; do i=$((i+1)); echo $i > /counter.tmp; mv /counter.tmp /counter; sleep 0.2; done';

export default defineContainer('tut-ckpt')
  .bootstrap((b) => b.host())
  .share('net')
  .sessionLeader()
  .memory('64M')
  .cpu('50%')
  .command(['/bin/sh', '-c', counter]);
