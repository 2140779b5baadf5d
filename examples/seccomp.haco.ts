// seccomp: block system calls by name, whatever the capabilities say.
// Every container already runs under haco's default filter (an allow list; see docs/security.md); the
// rules below are added to it. Here sys_admin is granted — which also lets the default filter allow
// mount(2) and sethostname(2) — yet sethostname fails because this rule answers EPERM first.
// `.seccomp(false)` would turn filtering off altogether (`Seccomp: 0`).
//
//   sudo haco create examples/seccomp.haco.ts
//   sudo haco start examples/seccomp.haco.ts -- hostname x
//       → hostname: you must be root to change the host name   (the filter's EPERM, as the host's
//         hostname(1) words it; busybox says "sethostname: Operation not permitted")
//   sudo haco start examples/seccomp.haco.ts -- grep Seccomp /proc/self/status
//       → Seccomp:	2        (2 = filter mode)
import { defineContainer } from 'haco';

export default defineContainer('seccomp')
  .bootstrap((b) => b.host())
  .addCaps('sys_admin')
  .seccomp((s) => s.block(['sethostname', 'setdomainname']).block(['mount', 'umount2'], 'EACCES'));
