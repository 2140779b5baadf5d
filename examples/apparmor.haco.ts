// apparmor: a Linux security module confines the command, whatever its capabilities say.
// Every container gets haco's own profile haco-default unless its definition says otherwise: loaded with
// apparmor_parser before the start, applied by the launcher right before exec (docs/security.md). It
// forbids mount(2) and writes to the kernel's knobs in /proc and /sys. Here sys_admin is granted (so
// neither the capabilities nor the seccomp filter stop a mount), yet under the profile mount is refused;
// .apparmor(false) is the control. .apparmor('NAME') would use a profile already loaded on the host.
//
//   sudo haco plan examples/apparmor.haco.ts        # the apparmor row: haco-default, or unconfined
//   sudo haco create examples/apparmor.haco.ts
//   sudo haco start examples/apparmor.haco.ts -c aa-confined
//       → current=haco-default (enforce)   and   mount=refused
//   sudo haco start examples/apparmor.haco.ts -c aa-unconfined
//       → current=unconfined               and   mount=ok
//
// On a kernel without AppArmor (Debian's default kernel has it; this project's CI host has not), the
// default is not applied: `haco plan` says "haco-default, not applied: this kernel has no AppArmor",
// both containers print current=(no AppArmor in this kernel) and mount=ok, and a definition naming a
// profile fails with E_APPARMOR_UNAVAILABLE. The confined run is tested in the qemu VM tier
// (test/root/apparmor-vm.test.ts runs these two containers on a kernel booted with apparmor=1).
import { defineContainer } from 'haco';

const probe = [
  "cur=$(cat /proc/self/attr/current 2>/dev/null) || cur='(no AppArmor in this kernel)'",
  'echo "current=$cur"',
  'mkdir -p /probe',
  'if mount -t tmpfs probe /probe 2>/dev/null; then echo mount=ok; umount /probe; else echo mount=refused; fi',
].join('; ');

const base = (name: string) => defineContainer(name).bootstrap((b) => b.host()).addCaps('sys_admin').command(['/bin/sh', '-c', probe]);

export default [base('aa-confined'), base('aa-unconfined').apparmor(false)];
