import type { CapabilityName, RlimitName } from './types';

/** What a container name may be: it becomes a directory (state, rootfs) and a cgroup name. Same as the schema's pattern. */
export const CONTAINER_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

export function isContainerName(name: string): boolean {
  return CONTAINER_NAME_PATTERN.test(name);
}

/** Capability names in kernel order: the index is the capability number (CAP_CHOWN = 0 …). */
export const CAPABILITY_NAMES: readonly CapabilityName[] = [
  'chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid', 'setpcap',
  'linux_immutable', 'net_bind_service', 'net_broadcast', 'net_admin', 'net_raw', 'ipc_lock', 'ipc_owner',
  'sys_module', 'sys_rawio', 'sys_chroot', 'sys_ptrace', 'sys_pacct', 'sys_admin', 'sys_boot', 'sys_nice',
  'sys_resource', 'sys_time', 'sys_tty_config', 'mknod', 'lease', 'audit_write', 'audit_control', 'setfcap',
  'mac_override', 'mac_admin', 'syslog', 'wake_alarm', 'block_suspend', 'audit_read', 'perfmon', 'bpf',
  'checkpoint_restore',
];

export const RLIMIT_NAMES: readonly RlimitName[] = [
  'AS', 'CORE', 'CPU', 'DATA', 'FSIZE', 'LOCKS', 'MEMLOCK', 'MSGQUEUE', 'NICE', 'NOFILE', 'NPROC', 'RSS',
  'RTPRIO', 'RTTIME', 'SIGPENDING', 'STACK',
];

/** The errno values a seccomp rule is most likely to return, by name (x86-64 and arm64 agree). */
export const ERRNO_NUMBERS: Readonly<Record<string, number>> = {
  EPERM: 1, ENOENT: 2, EINTR: 4, EIO: 5, EBADF: 9, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14,
  EBUSY: 16, EEXIST: 17, ENOTDIR: 20, EINVAL: 22, ENOSPC: 28, EROFS: 30, ENOSYS: 38, ENOTSUP: 95,
  EOPNOTSUPP: 95,
};

/**
 * A capability as definitions may spell it (normalizeCapability reads each): `'sys_admin'`,
 * `'SYS_ADMIN'`, `'cap_sys_admin'`, `'CAP_SYS_ADMIN'`. A literal union, so `'net_rwa'` fails in the editor.
 */
export type CapabilitySpelling = CapabilityName | Uppercase<CapabilityName> | `cap_${CapabilityName}` | `CAP_${Uppercase<CapabilityName>}`;

/** A resource limit as definitions may spell it (normalizeRlimit reads each): `'nofile'`, `'NOFILE'`, `'RLIMIT_NOFILE'`. */
export type RlimitSpelling = RlimitName | Lowercase<RlimitName> | `RLIMIT_${RlimitName}`;

/** Accepts "SYS_ADMIN", "cap_sys_admin", "sys_admin". */
export function normalizeCapability(name: string): string {
  return name.toLowerCase().replace(/^cap_/, '');
}

/** Accepts "nofile", "RLIMIT_NOFILE", "NOFILE". */
export function normalizeRlimit(name: string): string {
  return name.toUpperCase().replace(/^RLIMIT_/, '');
}
