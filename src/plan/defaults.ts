import type { CapabilityName, MountEntry, NamespaceKind, NamespacesPlan } from './types';

/**
 * The defaults a container gets before any DSL call. They follow what container users expect from
 * runc/Docker (a safe capability set, masked /proc files) so that a first container is isolated and
 * the learner's job is to switch things *off* and watch what changes.
 */

/**
 * Unshared unless the definition says `.share(KIND)`. net is in it so that a default container cannot
 * see or reach the host's interfaces, 127.0.0.1 services and abstract unix sockets (it only has `lo`);
 * `.share('net')` opts into the host's network, `.network({ … })` wires a bridge. user stays opt-in
 * (it needs id maps), cgroup and time too (they change what the container sees, not what it reaches).
 */
export const DEFAULT_NAMESPACES: readonly NamespaceKind[] = ['mount', 'uts', 'ipc', 'pid', 'net'];

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

/**
 * The capabilities root keeps in a default container: what a service or a package manager needs to
 * manage files and identities, nothing that reaches past the container. Compared in docs/security.md
 * ("Defaults") with runc's three and Docker's fourteen: this is Podman's current set, i.e. Docker's without
 * mknod (device nodes; the minimal /dev already has what a program needs), net_raw (raw and packet
 * sockets: spoofing, sniffing whatever the namespace carries) and audit_write (writes to the host's audit
 * log). `.addCaps('net_raw')` gives ping back.
 */
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
  'sys_chroot',
  'setfcap',
];

export const DEFAULT_COMMAND: readonly string[] = ['/bin/sh'];

/** Where a container's rootfs lives when the definition does not say. */
export function defaultRootfsPath(name: string): string {
  return `/var/lib/haco/${name}/rootfs`;
}

/** Host directories the `host` bootstrap binds read-only into the container. */
export const HOST_BOOTSTRAP_BINDS: readonly string[] = ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32'];

/**
 * At most this many lower layers under one container once layers on layers are flattened (a chain
 * base → l1 → … is one per level). overlayfs itself takes far more (500); beyond a few levels every
 * lookup of a missing file walks them all, and a deep chain is usually a mistake (a loop of copies).
 */
export const MAX_OVERLAY_LOWERS = 8;


/** A hook command's time limit unless `.hookTimeout()` says otherwise: a hung hook must not hang a start forever. */
export const DEFAULT_HOOK_TIMEOUT_MS = 60_000;
/** Readiness: how often the supervisor probes and how long it tries. */
export const DEFAULT_READY_INTERVAL_MS = 200;
export const DEFAULT_READY_TIMEOUT_MS = 30_000;
/**
 * The AppArmor confinement every container gets unless its definition says otherwise: haco's own profile
 * (text: src/apparmor/default-profile.ts), applied where the kernel has AppArmor (src/runtime/compile-apparmor.ts).
 */
export const DEFAULT_APPARMOR_PROFILE = 'haco-default';
