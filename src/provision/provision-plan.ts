import { DEFAULT_DEVICE_RULES } from '../plan/devices';
import { DEFAULT_CAPABILITIES, namespacesUnsharing } from '../plan/defaults';
import { CAPABILITY_NAMES } from '../plan/names';
import {
  STANDARD_FS,
  type CapabilityName,
  type ContainerPlan,
  type HostFileMount,
  type MountEntry,
  type StandardFs,
} from '../plan/types';

/**
 * The container plan a provision step (or a provision file copy) runs in: the container's own plan,
 * reshaped into a short-lived root session. One mechanism for everything that runs inside a rootfs:
 * it is compiled with compileLaunchSpec and executed by haco's own launcher, like `haco start`.
 *
 * Pure: what it needs from the machine (which host files can be bound) comes in through the options.
 */

/** The host files a package manager wants (name resolution); bound read-only over the rootfs's own. */
export const PROVISION_HOST_FILES: readonly HostFileMount['source'][] = ['/etc/resolv.conf', '/etc/hosts'];

/**
 * Namespaces of a provision session: a private mount table, its own hostname, IPC and PIDs. Not net
 * unless the definition says `.provision(…, { network: false })` (apt needs the host's network, even
 * though the container itself runs with its own), not user (files must be owned by the real root).
 */
export const PROVISION_NAMESPACES = ['mount', 'uts', 'ipc', 'pid'] as const;

/**
 * Provisioning runs as root with broad capabilities: it installs packages, and dpkg/apt need to chown
 * and chmod files of any owner (chown, dac_override, fowner, fsetid), drop to the `_apt` user and run
 * maintainer scripts as other users (setuid, setgid), set file capabilities (setfcap: e.g. ping),
 * create device nodes and chroot (mknod, sys_chroot), kill what they started (kill), read trees they do
 * not own (dac_read_search), check the network with ping (net_raw) and log through PAM (audit_write).
 * That is the container default set plus what the default leaves out for a running service (see
 * DEFAULT_CAPABILITIES); still no sys_admin (no mounts from inside), no net_admin, no sys_module: the
 * steps change the tree, not the host.
 */
const PROVISION_EXTRA_CAPABILITIES: readonly CapabilityName[] = ['dac_read_search', 'mknod', 'net_raw', 'audit_write'];

export const PROVISION_CAPABILITIES: readonly CapabilityName[] = CAPABILITY_NAMES.filter(
  (name) => DEFAULT_CAPABILITIES.includes(name) || PROVISION_EXTRA_CAPABILITIES.includes(name),
);

/** The environment of every provision command: clean, non-interactive, no host variables. */
export const PROVISION_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  TERM: 'dumb',
  LANG: 'C.UTF-8',
  DEBIAN_FRONTEND: 'noninteractive',
};

const STANDARD_TARGETS: Record<StandardFs, string> = {
  proc: '/proc',
  sys: '/sys',
  dev: '/dev',
  devpts: '/dev/pts',
  shm: '/dev/shm',
  mqueue: '/dev/mqueue',
};

export interface ProvisionPlanOptions {
  /** Which of PROVISION_HOST_FILES to bind (the runner leaves out those the host or the rootfs lacks). */
  hostFiles?: readonly HostFileMount['source'][];
}

/** The cgroup name of a provision session: beside the container's own, so a running container is not disturbed. */
export function provisionSessionName(container: string): string {
  return `${container}.provision`;
}

/**
 * Derives the plan that runs `args` inside the rootfs of `container`:
 * - the same rootfs (writable even if the container's is read-only; an overlay is mounted by the
 *   launcher itself, so the steps see and change the merged view, their writes land in the upper layer),
 *   the same switch (pivot_root or chroot), masks and read-only paths, the `host` bootstrap's binds;
 * - mount, uts, ipc and pid namespaces only (plus net with `{ network: false }`), the container's hostname;
 * - the standard mounts (proc, sys, a minimal /dev, devpts, shm, mqueue), the host's resolv.conf and
 *   hosts read-only, a tmpfs /tmp — none of the container's own binds, volumes or `.device()`s;
 * - the default device allow-list (mknod allowed, only the standard nodes usable);
 * - root (uid 0 keeps its capabilities across exec) with PROVISION_CAPABILITIES, no ambient set,
 *   no seccomp filter, no no_new_privs (dpkg runs setuid helpers), no rlimits, no cgroup limits,
 *   no hooks, the host's network (no bridge), no restart; a reaper as PID 1 so stray daemons of a postinst are reaped.
 */
export function provisionPlan(container: ContainerPlan, args: readonly string[], options: ProvisionPlanOptions = {}): ContainerPlan {
  if (args.length === 0) throw new Error('provisionPlan: empty command');
  const hostFiles = (options.hostFiles ?? PROVISION_HOST_FILES).filter((f) => PROVISION_HOST_FILES.includes(f));
  const mounts: MountEntry[] = [
    ...STANDARD_FS.map((fs): MountEntry => ({ type: 'standard', fs, target: STANDARD_TARGETS[fs] })),
    ...hostFiles.map((source): MountEntry => ({ type: 'hostFile', source, target: source })),
    { type: 'tmpfs', target: '/tmp', mode: '1777', flags: ['nosuid', 'nodev'] },
  ];
  const caps = [...PROVISION_CAPABILITIES];
  const plan: ContainerPlan = {
    name: provisionSessionName(container.name),
    process: {
      args: [...args],
      env: { ...PROVISION_ENV },
      cwd: '/',
      hostname: container.process.hostname,
      user: { uid: 0, gid: 0, groups: [] },
      daemonize: false,
      sessionLeader: false,
      reaper: true,
      stdio: {},
    },
    rootfs: {
      ...container.rootfs,
      readonly: false,
      maskedPaths: [...container.rootfs.maskedPaths],
      readonlyPaths: [...container.rootfs.readonlyPaths],
      ...(container.rootfs.overlay
        ? { overlay: { ...container.rootfs.overlay, lower: [...container.rootfs.overlay.lower] } }
        : {}),
    },
    namespaces: namespacesUnsharing(container.provision.network === 'none' ? [...PROVISION_NAMESPACES, 'net'] : PROVISION_NAMESPACES),
    mounts,
    bootstrap: container.bootstrap,
    provision: { steps: [], files: [], network: container.provision.network },
    cgroup: { resources: {}, raw: { v1: {}, v2: {} } },
    capabilities: { bounding: caps, effective: [...caps], permitted: [...caps], inheritable: [...caps], ambient: [] },
    devices: structuredClone([...DEFAULT_DEVICE_RULES]),
    rlimits: [],
    noNewPrivileges: false,
    hooks: [],
    restart: { policy: 'no', maxRetries: 0, backoffMs: 1000 },
    reloadable: [],
  };
  return plan;
}
