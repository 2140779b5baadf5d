import type { CapabilityName, MountEntry, NamespaceKind, NamespacesPlan } from '../plan/types';

/**
 * The defaults a container gets before any DSL call. They follow what container users expect from
 * runc/Docker (a safe capability set, masked /proc files) so that a first container is isolated and
 * the learner's job is to switch things *off* and watch what changes.
 */

/** haconiwa's template unshares these four; net and user are opt-in because they need wiring. */
export const DEFAULT_NAMESPACES: readonly NamespaceKind[] = ['mount', 'uts', 'ipc', 'pid'];

/** The namespace section before any DSL call: UNSHARE unshared, nothing entered, persisted or mapped. */
export function namespacesUnsharing(unshare: readonly NamespaceKind[]): NamespacesPlan {
  return {
    unshare: [...unshare],
    enter: [],
    persist: [],
    uidMap: [],
    gidMap: [],
    setgroups: 'allow',
    timeOffsets: { monotonic: 0, boottime: 0 },
  };
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const DEFAULT_ENV: Readonly<Record<string, string>> = {
  PATH: DEFAULT_PATH,
  HOME: '/root',
  TERM: 'xterm',
};

export const DEFAULT_MOUNTS: readonly MountEntry[] = [
  { type: 'standard', fs: 'proc', target: '/proc' },
  { type: 'standard', fs: 'sys', target: '/sys' },
  { type: 'standard', fs: 'dev', target: '/dev' },
  { type: 'standard', fs: 'devpts', target: '/dev/pts' },
  { type: 'standard', fs: 'shm', target: '/dev/shm' },
  { type: 'standard', fs: 'mqueue', target: '/dev/mqueue' },
];

/** Files under /proc and /sys that leak host information or allow host-wide changes. */
export const DEFAULT_MASKED_PATHS: readonly string[] = [
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
];

export const DEFAULT_READONLY_PATHS: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

/** The capability set Docker and runc give a container by default. */
export const DEFAULT_CAPABILITIES: readonly CapabilityName[] = [
  'chown',
  'dac_override',
  'fowner',
  'fsetid',
  'kill',
  'setgid',
  'setuid',
  'setpcap',
  'net_bind_service',
  'net_raw',
  'sys_chroot',
  'mknod',
  'audit_write',
  'setfcap',
];

export const DEFAULT_COMMAND: readonly string[] = ['/bin/sh'];

/** Where a container's rootfs lives when the definition does not say. */
export function defaultRootfsPath(name: string): string {
  return `/var/lib/haco/${name}/rootfs`;
}

/** Host directories the `host` bootstrap binds read-only into the container. */
export const HOST_BOOTSTRAP_BINDS: readonly string[] = ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32'];
