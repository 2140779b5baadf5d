// Several containers in one file, sharing a base definition (haconiwa's "barn"): every builder method
// returns a new definition, so `base` is never changed by what the others add.
//
//   sudo haco create examples/multi.haco.ts                  # creates all three rootfs
//   sudo haco start examples/multi.haco.ts -c web -- hostname
//       → web
//   haco plan examples/multi.haco.ts                         # the three plans, one block each
//   haco diff examples/multi.haco.ts#web examples/multi.haco.ts#worker
//       → what differs between the two (command, limits, …)
import { defineContainer } from 'haco';

const base = defineContainer('multi-base')
  .bootstrap((b) => b.busybox())
  .memory('128M')
  .pids(64)
  .rlimit('nofile', 1024);

export default [
  base,
  base.extend('web').command('httpd -f -p 8080 -h /www').tmpfs('/www', { size: '8M' }).cpu('50%'),
  base.extend('worker').command('while true; do date; sleep 5; done').cpu('20%').dropCaps('net_bind_service'),
];
