import * as path from 'node:path';
import type { CapabilityName, ContainerPlan, DeviceRule, HookPoint, IoThrottle, MountEntry, NamespaceKind, RlimitEntry, SeccompAction, SeccompArg, StandardMount } from '../plan/types';
import { clampBlkioWeight, weightToShares } from '../cgroup/v1';
import { DEV_TMPFS_DATA, DEV_TMPFS_FLAGS } from '../runtime/compile-mounts';
import { exportAppArmor } from './apparmor';

/**
 * The one mapping between a haco container plan and an OCI runtime-spec config.json (runtime-spec
 * v1.0.2, what runc 1.1 reads). `haco export oci` writes it; the reverse direction (`haco import oci`,
 * an OCI runtime mode) reads the same table (docs/oci.md). What the spec cannot say is returned in
 * `unmapped`, never dropped silently.
 */

export interface RuntimeMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface RuntimeHook {
  path: string;
  args?: string[];
  env?: string[];
  timeout?: number;
}

export interface RuntimeSeccompSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: Array<{ index: number; value: number; valueTwo?: number; op: string }>;
}

/** The parts of runtime-spec config.json haco writes and reads. */
export interface RuntimeConfig {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: Record<'bounding' | 'effective' | 'permitted' | 'inheritable' | 'ambient', string[]>;
    rlimits?: Array<{ type: string; hard: number | string; soft: number | string }>;
    noNewPrivileges: boolean;
    apparmorProfile?: string;
  };
  root: { path: string; readonly: boolean };
  hostname?: string;
  mounts: RuntimeMount[];
  hooks?: Partial<Record<'prestart' | 'createRuntime' | 'createContainer' | 'startContainer' | 'poststart' | 'poststop', RuntimeHook[]>>;
  annotations?: Record<string, string>;
  linux: {
    namespaces: Array<{ type: string; path?: string }>;
    uidMappings?: Array<{ containerID: number; hostID: number; size: number }>;
    gidMappings?: Array<{ containerID: number; hostID: number; size: number }>;
    devices?: Array<{ path: string; type: string; major: number; minor: number; fileMode?: number; uid?: number; gid?: number }>;
    cgroupsPath?: string;
    resources?: RuntimeResources;
    rootfsPropagation?: string;
    seccomp?: { defaultAction: string; defaultErrnoRet?: number; syscalls: RuntimeSeccompSyscall[] };
    maskedPaths?: string[];
    readonlyPaths?: string[];
  };
}

export interface RuntimeResources {
  devices?: Array<{ allow: boolean; type?: string; major?: number; minor?: number; access?: string }>;
  memory?: { limit?: number; swap?: number; reservation?: number; swappiness?: number; disableOOMKiller?: boolean };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
  blockIO?: {
    weight?: number;
    throttleReadBpsDevice?: Array<{ major: number; minor: number; rate: number }>;
    throttleWriteBpsDevice?: Array<{ major: number; minor: number; rate: number }>;
    throttleReadIOPSDevice?: Array<{ major: number; minor: number; rate: number }>;
    throttleWriteIOPSDevice?: Array<{ major: number; minor: number; rate: number }>;
  };
  unified?: Record<string, string>;
}

/** A plan field the runtime spec has no place for, and what to do instead. */
export interface Unmapped {
  field: string;
  reason: string;
}

/** runtime-spec namespace type names. */
export const NAMESPACE_TYPES: Record<NamespaceKind, string> = {
  mount: 'mount',
  uts: 'uts',
  ipc: 'ipc',
  pid: 'pid',
  net: 'network',
  user: 'user',
  cgroup: 'cgroup',
  time: 'time',
};

export const SECCOMP_ACTIONS: Record<SeccompAction['action'], string> = {
  allow: 'SCMP_ACT_ALLOW',
  errno: 'SCMP_ACT_ERRNO',
  kill_thread: 'SCMP_ACT_KILL',
  kill_process: 'SCMP_ACT_KILL_PROCESS',
  trap: 'SCMP_ACT_TRAP',
  log: 'SCMP_ACT_LOG',
};

export const SECCOMP_OPS: Record<SeccompArg['op'], string> = {
  eq: 'SCMP_CMP_EQ',
  ne: 'SCMP_CMP_NE',
  lt: 'SCMP_CMP_LT',
  le: 'SCMP_CMP_LE',
  gt: 'SCMP_CMP_GT',
  ge: 'SCMP_CMP_GE',
  masked_eq: 'SCMP_CMP_MASKED_EQ',
};

/**
 * haco hook points → runtime-spec hooks. beforeStart runs on the host before the container exists
 * (createRuntime runs after the namespaces exist, the closest); afterSpawn is poststart; beforeExec runs
 * inside the container just before exec, as startContainer does; afterExit is poststop.
 */
export const HOOK_MAP: Partial<Record<HookPoint, 'createRuntime' | 'poststart' | 'startContainer' | 'poststop'>> = {
  beforeStart: 'createRuntime',
  afterSpawn: 'poststart',
  beforeExec: 'startContainer',
  afterExit: 'poststop',
};

/** rlimit "unlimited" is RLIM_INFINITY, 2^64-1, more than a JSON number in JavaScript holds exactly. */
export const RLIM_INFINITY_TEXT = '18446744073709551615';
const RLIM_INFINITY_MARK = '@@RLIM_INFINITY@@';

export const capName = (c: CapabilityName): string => `CAP_${c.toUpperCase()}`;

/** The /dev tmpfs options: haco's data, and its flags as mount options. */
const devOptions = [...DEV_TMPFS_FLAGS.split(','), 'strictatime', ...DEV_TMPFS_DATA.split(',')];

function standardMount(m: StandardMount, userNs: boolean): RuntimeMount {
  const d = m.target;
  switch (m.fs) {
    case 'proc':
      return { destination: d, type: 'proc', source: 'proc', options: ['nosuid', 'nodev', 'noexec'] };
    case 'sys':
      return { destination: d, type: 'sysfs', source: 'sysfs', options: ['nosuid', 'nodev', 'noexec', 'ro'] };
    case 'dev':
      // runc creates (or, in a user namespace, binds) the standard nodes itself: they keep working under nodev only as binds,
      // so the tmpfs drops nodev where runc would mknod (see docs/oci.md, "deliberate differences").
      return { destination: d, type: 'tmpfs', source: 'tmpfs', options: userNs ? devOptions : devOptions.filter((o) => o !== 'nodev') };
    case 'devpts':
      return { destination: d, type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', ...(userNs ? [] : ['gid=5'])] };
    case 'shm':
      return { destination: d, type: 'tmpfs', source: 'shm', options: ['nosuid', 'nodev', 'noexec', 'mode=1777'] };
    case 'mqueue':
      return { destination: d, type: 'mqueue', source: 'mqueue', options: ['nosuid', 'nodev', 'noexec'] };
  }
}

/**
 * With its own cgroup namespace haco mounts cgroupfs read-only at SYS/fs/cgroup (src/runtime/compile-cgroupfs.ts);
 * runtime-spec says it with a `cgroup` mount there, which runc lays out the same way (each v1 hierarchy, or cgroup2).
 */
function cgroupMount(sys: string): RuntimeMount {
  return { destination: path.posix.join(sys, 'fs/cgroup'), type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] };
}

function mountOf(m: MountEntry, userNs: boolean): RuntimeMount {
  switch (m.type) {
    case 'standard':
      return standardMount(m, userNs);
    case 'bind':
      return {
        destination: m.target,
        type: 'bind',
        source: m.source,
        options: [m.recursive ? 'rbind' : 'bind', ...(m.readonly ? ['ro'] : []), ...(m.propagation ? [m.propagation] : [])],
      };
    case 'tmpfs':
      return {
        destination: m.target,
        type: 'tmpfs',
        source: 'tmpfs',
        options: [...m.flags, ...(m.size !== undefined ? [`size=${m.size}`] : []), ...(m.mode !== undefined ? [`mode=${m.mode}`] : [])],
      };
    case 'fs':
      return { destination: m.target, type: m.fstype, source: m.source, options: [...m.flags, ...(m.data ? m.data.split(',') : [])] };
    case 'hostFile':
      return { destination: m.target, type: 'bind', source: m.source, options: ['rbind', 'ro'] };
  }
}

function rlimitValue(v: RlimitEntry['soft']): number | string {
  return v === 'unlimited' ? RLIM_INFINITY_MARK : v;
}

function deviceRule(r: DeviceRule): NonNullable<RuntimeResources['devices']>[number] {
  return {
    allow: true,
    type: r.type,
    ...(r.major === '*' ? {} : { major: r.major }),
    ...(r.minor === '*' ? {} : { minor: r.minor }),
    access: r.access,
  };
}

function splitDevice(device: string): { major: number; minor: number } {
  const [major = '0', minor = '0'] = device.split(':');
  return { major: Number(major), minor: Number(minor) };
}

function resourcesOf(c: ContainerPlan, unmapped: Unmapped[]): RuntimeResources {
  const r = c.cgroup.resources;
  const out: RuntimeResources = {};
  const allowsAll = c.devices.some((d) => d.type === 'a' && d.major === '*' && d.minor === '*' && d.access === 'rwm');
  out.devices = allowsAll ? [{ allow: true, access: 'rwm' }] : [{ allow: false, access: 'rwm' }, ...c.devices.map(deviceRule)];
  if (r.memory) {
    const max = r.memory.max;
    out.memory = {
      ...(typeof max === 'number' ? { limit: max } : max === 'max' ? { limit: -1 } : {}),
      // runtime-spec swap is memory+swap, as v1's memsw; haco's swapMax is the swap on top.
      ...(r.memory.swapMax === undefined ? {} : r.memory.swapMax === 'max' ? { swap: -1 } : typeof max === 'number' ? { swap: max + r.memory.swapMax } : {}),
      ...(r.memory.low === undefined ? {} : { reservation: r.memory.low }),
    };
    if (typeof r.memory.swapMax === 'number' && typeof max !== 'number') unmapped.push({ field: 'cgroup.resources.memory.swapMax', reason: 'a swap limit without a memory limit has no runtime-spec form (swap is memory+swap)' });
  }
  if (r.cpu || r.cpuset) {
    out.cpu = {
      ...(r.cpu?.weight !== undefined ? { shares: weightToShares(r.cpu.weight) } : {}),
      ...(r.cpu?.quotaUs !== undefined ? { quota: r.cpu.quotaUs === 'max' ? -1 : r.cpu.quotaUs } : {}),
      ...(r.cpu?.periodUs !== undefined ? { period: r.cpu.periodUs } : r.cpu?.quotaUs !== undefined ? { period: 100000 } : {}),
      ...(r.cpuset?.cpus ? { cpus: r.cpuset.cpus } : {}),
      ...(r.cpuset?.mems ? { mems: r.cpuset.mems } : {}),
    };
  }
  if (r.pids) out.pids = { limit: r.pids.max === 'max' ? -1 : r.pids.max };
  const io = r.io;
  if (io) {
    const t = (pick: (x: IoThrottle) => number | undefined) =>
      io.throttle.flatMap((x) => (pick(x) === undefined ? [] : [{ ...splitDevice(x.device), rate: pick(x)! }]));
    out.blockIO = {
      ...(io.weight !== undefined ? { weight: clampBlkioWeight(io.weight) } : {}),
      throttleReadBpsDevice: t((x) => x.readBps),
      throttleWriteBpsDevice: t((x) => x.writeBps),
      throttleReadIOPSDevice: t((x) => x.readIops),
      throttleWriteIOPSDevice: t((x) => x.writeIops),
    };
  }
  if (Object.keys(c.cgroup.raw.v2).length > 0) out.unified = { ...c.cgroup.raw.v2 };
  if (Object.keys(c.cgroup.raw.v1).length > 0) {
    unmapped.push({ field: 'cgroup.raw.v1', reason: `runtime-spec has no raw cgroup v1 files (${Object.keys(c.cgroup.raw.v1).join(', ')}); use the typed resources` });
  }
  return out;
}

export interface RuntimeConfigOptions {
  /** root.path in config.json: `rootfs` (a copy in the bundle) or an absolute path. */
  rootPath: string;
  /** cgroupsPath for runc (default `/haco-oci-NAME`: a leaf of its own, so `runc delete` leaves no parent behind). */
  cgroupsPath?: string;
  /** The exporting host's kernel has AppArmor (src/oci/apparmor.ts: what the export then says). */
  hostAppArmor?: boolean;
}

/** A plan's container as an OCI runtime config, and the plan fields that have no place in it. */
export function toRuntimeConfig(c: ContainerPlan, options: RuntimeConfigOptions): { config: RuntimeConfig; unmapped: Unmapped[] } {
  const unmapped: Unmapped[] = [];
  const userNs = c.namespaces.unshare.includes('user');
  const caps = c.capabilities;
  const apparmor = exportAppArmor(c, options.hostAppArmor === true, unmapped);
  const hooks: NonNullable<RuntimeConfig['hooks']> = {};
  for (const h of c.hooks) {
    const to = HOOK_MAP[h.point];
    if (!to) {
      unmapped.push({ field: `hooks.${h.point}`, reason: `runtime-spec has no ${h.point} hook (${h.command.join(' ')})` });
      continue;
    }
    // runtime-spec hooks need an absolute path; haco's hook argv[0] may be a bare name found on PATH.
    const path = h.command[0]!.startsWith('/') ? h.command[0]! : '/usr/bin/env';
    const args = h.command[0]!.startsWith('/') ? h.command : ['env', ...h.command];
    (hooks[to] ??= []).push({ path, args });
  }
  const namespaces = [
    ...c.namespaces.unshare.map((k) => ({ type: NAMESPACE_TYPES[k] })),
    ...c.namespaces.enter.map((e) => ({ type: NAMESPACE_TYPES[e.kind], path: e.path })),
  ];
  if (c.namespaces.unshare.includes('time') || c.namespaces.enter.some((e) => e.kind === 'time')) {
    unmapped.push({ field: 'namespaces.time', reason: 'runtime-spec 1.0 (runc 1.1) has no time namespace; the config lists it and runc refuses it' });
  }
  if (c.namespaces.persist.length > 0) unmapped.push({ field: 'namespaces.persist', reason: 'runtime-spec does not bind namespaces to files; a createRuntime hook can (`mount --bind /proc/$PID/ns/net FILE`)' });
  if (c.namespaces.setgroups === 'deny') unmapped.push({ field: 'namespaces.setgroups', reason: 'runtime-spec has no setgroups field; runc writes deny only for rootless containers' });
  if (c.namespaces.timeOffsets.monotonic !== 0 || c.namespaces.timeOffsets.boottime !== 0) unmapped.push({ field: 'namespaces.timeOffsets', reason: 'no time namespace offsets in runtime-spec 1.0' });
  if (c.rootfs.switchRoot === 'chroot') unmapped.push({ field: 'rootfs.switchRoot', reason: 'chroot is a runc command-line choice: `runc run --no-pivot`' });
  if (c.network) unmapped.push({ field: 'network', reason: 'runtime-spec sets up no network: the config has a new network namespace with only lo; wire it with CNI or a createRuntime hook' });
  if (c.lxcfs) unmapped.push({ field: 'lxcfs', reason: `not written: needs a running lxcfs on the target host; add bind mounts of ${c.lxcfs.mountpoint}/proc/meminfo (…) over /proc/meminfo (…) there` });
  if (c.process.daemonize) unmapped.push({ field: 'process.daemonize', reason: 'a runc command-line choice: `runc run -d`' });
  if (c.process.reaper) unmapped.push({ field: 'process.reaper', reason: 'runtime-spec has no init process: run under tini/dumb-init, or `podman run --init`' });
  if (c.process.preserveFds) unmapped.push({ field: 'process.preserveFds', reason: `a runc command-line choice: \`runc run --preserve-fds ${c.process.preserveFds}\`` });
  if (Object.keys(c.process.stdio).length > 0) unmapped.push({ field: 'process.stdio', reason: 'runtime-spec passes the caller\'s stdio through; redirect when calling runc' });
  if (c.process.sessionLeader) unmapped.push({ field: 'process.sessionLeader', reason: 'runc always makes the init a session leader (setsid)' });
  if (c.restart.policy !== 'no') unmapped.push({ field: 'restart', reason: 'restarting is the engine\'s job (podman --restart, a Kubernetes restartPolicy)' });
  if (c.rootfs.overlay) unmapped.push({ field: 'rootfs.overlay', reason: 'the bundle gets the merged tree; runtime-spec has no overlay root (mount one with a createRuntime hook)' });

  const devices: NonNullable<RuntimeConfig['linux']['devices']> = c.devices
    .filter((d): d is DeviceRule & { path: string; type: 'c' | 'b'; major: number; minor: number } => d.path !== undefined && d.type !== 'a' && d.major !== '*' && d.minor !== '*')
    .map((d): NonNullable<RuntimeConfig['linux']['devices']>[number] => ({ path: d.path, type: d.type, major: d.major, minor: d.minor, fileMode: 0o666, uid: 0, gid: 0 }))
    .concat((c.deviceNodes ?? []).map((n) => ({ path: n.path, type: n.type, major: n.major, minor: n.minor, fileMode: n.mode, uid: n.uid, gid: n.gid })));

  const config: RuntimeConfig = {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: c.process.user.uid, gid: c.process.user.gid, ...(c.process.user.groups.length ? { additionalGids: [...c.process.user.groups] } : {}) },
      args: [...c.process.args],
      env: Object.entries(c.process.env).map(([k, v]) => `${k}=${v}`),
      cwd: c.process.cwd,
      capabilities: {
        bounding: caps.bounding.map(capName),
        effective: caps.effective.map(capName),
        permitted: caps.permitted.map(capName),
        inheritable: caps.inheritable.map(capName),
        ambient: caps.ambient.map(capName),
      },
      ...(c.rlimits.length ? { rlimits: c.rlimits.map((r) => ({ type: `RLIMIT_${r.resource}`, hard: rlimitValue(r.hard), soft: rlimitValue(r.soft) })) } : {}),
      noNewPrivileges: c.noNewPrivileges,
      ...(apparmor.profile ? { apparmorProfile: apparmor.profile } : {}),
      ...(c.process.oomScoreAdj !== undefined ? { oomScoreAdj: c.process.oomScoreAdj } : {}),
    },
    root: { path: options.rootPath, readonly: c.rootfs.readonly },
    ...(c.namespaces.unshare.includes('uts') ? { hostname: c.process.hostname } : {}),
    mounts: [
      ...(c.bootstrap.strategy === 'host' ? c.bootstrap.binds.map((b) => ({ destination: b, type: 'bind', source: b, options: ['rbind', 'ro'] })) : []),
      ...c.mounts.flatMap((m) => [mountOf(m, userNs), ...(m.type === 'standard' && m.fs === 'sys' && c.namespaces.unshare.includes('cgroup') ? [cgroupMount(m.target)] : [])]),
    ],
    ...(Object.keys(hooks).length ? { hooks } : {}),
    // haco's default profile, unchanged: `haco import oci` then keeps the default instead of a literal copy.
    annotations: { 'dev.haco.container': c.name, ...apparmor.annotations, ...(c.seccomp && c.seccomp.profile === 'default' && c.seccomp.rules.every((r) => r.optional) ? { 'dev.haco.seccomp': 'default' } : {}) },
    linux: {
      namespaces,
      ...(userNs ? { uidMappings: c.namespaces.uidMap.map((m) => ({ containerID: m.inside, hostID: m.outside, size: m.count })) } : {}),
      ...(userNs ? { gidMappings: c.namespaces.gidMap.map((m) => ({ containerID: m.inside, hostID: m.outside, size: m.count })) } : {}),
      ...(devices.length ? { devices } : {}),
      cgroupsPath: options.cgroupsPath ?? c.cgroup.path ?? `/haco-oci-${c.name}`,
      resources: resourcesOf(c, unmapped),
      rootfsPropagation: c.rootfs.propagation,
      ...(c.seccomp
        ? {
            seccomp: {
              defaultAction: SECCOMP_ACTIONS[c.seccomp.action],
              ...(c.seccomp.action === 'errno' ? { defaultErrnoRet: c.seccomp.errno ?? 1 } : {}),
              syscalls: c.seccomp.rules.map((r) => ({
                names: [...r.syscalls],
                action: SECCOMP_ACTIONS[r.action],
                ...(r.action === 'errno' ? { errnoRet: r.errno ?? 1 } : {}),
                ...(r.args.length ? { args: r.args.map((a) => ({ index: a.index, value: a.value, ...(a.valueTwo !== undefined ? { valueTwo: a.valueTwo } : {}), op: SECCOMP_OPS[a.op] })) } : {}),
              })),
            },
          }
        : {}),
      maskedPaths: [...c.rootfs.maskedPaths],
      readonlyPaths: [...c.rootfs.readonlyPaths],
    },
  };
  return { config, unmapped };
}

/** config.json text: RLIM_INFINITY written as the exact 64-bit number runc expects. */
export function renderRuntimeConfig(config: RuntimeConfig): string {
  return `${JSON.stringify(config, null, 2).replaceAll(`"${RLIM_INFINITY_MARK}"`, RLIM_INFINITY_TEXT)}\n`;
}
