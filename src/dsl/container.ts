import * as fs from 'node:fs';
import { defaultVethHost } from '../plan/net-names';
import { defaultLxcfsPlan } from '../plan/lxcfs';
import { DRAFT_OF, type CapabilityDraft, type ContainerDraft, type DraftIssue } from '../plan/draft';
import { ALL_DEVICES_RULE, DEFAULT_DEVICE_RULES, splitDeviceNumber } from '../plan/devices';
import { normalizeCapability, normalizeRlimit, type CapabilitySpelling, type RlimitSpelling } from '../plan/names';
import { parseSize, type Percent, type Size } from '../plan/size';
import { closest } from '../plan/suggest';
import {
  NAMESPACE_KINDS,
  PLAN_API_VERSION,
  type CgroupResources,
  type DeviceAccess,
  type DeviceNode,
  type DeviceRule,
  CONTAINER_HOOK_POINTS,
  type HookPoint,
  type IdMapEntry,
  type IoThrottle,
  type MountEntry,
  type MountFlag,
  type NamespaceKind,
  type Propagation,
  type ReloadableKind,
  type RlimitName,
  type StandardFs,
  type StdioTarget,
} from '../plan/types';
import { BootstrapBuilder } from './bootstrap';
import { overlayDirsBeside } from '../plan/overlay-dirs';
import { captureCallsite } from './callsite';
import { checkEach, checkOptions, guardedSelf, guardMethods, optionKeys } from './options';
import {
  DEFAULT_APPARMOR_PROFILE,
  DEFAULT_CAPABILITIES,
  DEFAULT_COMMAND,
  DEFAULT_ENV,
  DEFAULT_MASKED_PATHS,
  DEFAULT_MOUNTS,
  DEFAULT_NAMESPACES,
  DEFAULT_READONLY_PATHS,
  defaultRootfsPath,
  MAX_OVERLAY_LOWERS,
  namespacesUnsharing,
} from '../plan/defaults';
import { ProvisionBuilder } from './provision';
import { SeccompBuilder } from './seccomp';
import {
  argvOf,
  readinessPlan,
  READINESS_OPTIONS,
  READINESS_PROBE,
  supervisionOf,
  TIMER_OPTIONS,
  type Command,
  type ReadinessOptions,
  type ReadinessProbe,
  type TimerOptions,
} from './supervision';

export type { CapabilityDraft, ContainerDraft, DraftIssue };

/** Where an stdio stream goes: a file on the host (opened before the container exists) or inside it. */
export type StdioOption = { host: string; append?: boolean } | { container: string; append?: boolean };
const STDIO_OPTION = optionKeys<{ host: string; container: string; append: boolean }>()({ host: true, container: true, append: true });

export interface StdioStreams {
  /** Read from a file: `{ host: '/path' }` (opened by the launcher before the container exists) or `{ container: '/path' }`. */
  stdin?: StdioOption;
  /** Write to a file, truncated unless `append: true`. */
  stdout?: StdioOption;
  /** Write to a file, truncated unless `append: true`. */
  stderr?: StdioOption;
}
const STDIO_STREAMS = optionKeys<StdioStreams>()({ stdin: true, stdout: true, stderr: true });

export interface RootfsOptions {
  /** Mount the rootfs read-only (default: writable). See it: `touch /x` inside fails with EROFS. */
  readonly?: boolean;
  /** `pivot_root` (default; the host's root is detached) or the legacy `chroot` (host root still reachable). */
  switchRoot?: 'pivot_root' | 'chroot';
  /** Propagation of `/` in the new mount namespace (default `rprivate`: nothing leaks either way). */
  propagation?: Propagation;
  /**
   * Use other rootfs trees (paths, or containers whose rootfs is used) as read-only overlayfs lower
   * layers; this container keeps its changes in its own upper dir. A layered container can be a lower
   * too: its upper and its own lowers are stacked in its place (then at most 8 layers in all).
   * See it: `findmnt /` shows `overlay`.
   */
  lower?: string | ContainerBuilder | Array<string | ContainerBuilder>;
  /**
   * Who mounts the layers (with `lower`): `'kernel'` (overlayfs) or `'fuse'` (fuse-overlayfs, a daemon
   * next to the container, in its user namespace; the container needs one: rootless, or `.mapRootTo()`).
   * Default: the kernel's, or fuse-overlayfs for a rootless container on a kernel before Linux 5.11, which
   * cannot mount overlayfs in a user namespace. Whiteouts in the upper dir differ (docs/rootfs.md).
   * See it: `findmnt /` shows `fuse.fuse-overlayfs`.
   */
  overlay?: 'kernel' | 'fuse';
}
const ROOTFS_OPTIONS = optionKeys<RootfsOptions>()({ readonly: true, switchRoot: true, propagation: true, lower: true, overlay: true });

export interface BindOptions {
  /** Bind read-only (MS_RDONLY remount). Default false. */
  readonly?: boolean;
  /** MS_REC: also bring the mounts below `source`. Default true. */
  recursive?: boolean;
  /** Propagation of this mount (`rprivate`, `rslave`, `rshared`, …; default: that of the rootfs). */
  propagation?: Propagation;
  /** Create the target inside the rootfs if missing. Default true. */
  create?: boolean;
}
const BIND_OPTIONS = optionKeys<BindOptions>()({ readonly: true, recursive: true, propagation: true, create: true });

export interface TmpfsOptions {
  /** Size limit, e.g. "64M". Default: the kernel's (half of RAM). */
  size?: Size;
  /** Permissions of the tmpfs root, octal string, e.g. "1777". */
  mode?: string;
  /** Mount flags, e.g. `['nosuid', 'nodev', 'noexec']`. */
  flags?: MountFlag[];
}
const TMPFS_OPTIONS = optionKeys<TmpfsOptions>()({ size: true, mode: true, flags: true });

export interface MountOptions {
  /** File system type, as mount(2) takes it (`proc`, `sysfs`, `ext4`, …). */
  fstype: string;
  /** What to mount: a device, or any word for virtual file systems. */
  source: string;
  /** Where inside the container. */
  target: string;
  /** File-system specific options (mount(2)'s `data`, e.g. `size=1m` for tmpfs). */
  data?: string;
  /** Mount flags, e.g. `['nosuid', 'nodev']`. */
  flags?: MountFlag[];
}
const MOUNT_OPTIONS = optionKeys<MountOptions>()({ fstype: true, source: true, target: true, data: true, flags: true });

export interface CpuOptions {
  /**
   * CPU bandwidth cap: "30%" of one CPU, a number of CPUs (1.5, or "1.5" as typed after `--cpu`), or
   * "max" (no cap). Drives cpu.max (v2) or
   * cpu.cfs_quota_us (v1). See it: `yes > /dev/null` uses about that share in `top`.
   */
  max?: Percent | number | `${number}` | 'max';
  /** CFS period in µs (default 100000). */
  periodUs?: number;
  /** Relative weight 1–10000 (default 100): cpu.weight (v2) or cpu.shares (v1). */
  weight?: number;
}
const CPU_OPTIONS = optionKeys<CpuOptions>()({ max: true, periodUs: true, weight: true });

export interface CpusetOptions {
  /** CPUs to run on, as cpuset.cpus writes them: `'0'`, `'0-3'`, `'0,2'`. */
  cpus?: string;
  /** Memory nodes (NUMA), same syntax. */
  mems?: string;
}
const CPUSET_OPTIONS = optionKeys<CpusetOptions>()({ cpus: true, mems: true });

export interface MemoryOptions {
  /** Hard limit; above it the kernel reclaims, then OOM-kills. memory.max / memory.limit_in_bytes. */
  max?: Size | 'max';
  /** Swap allowed on top of `max` ("0" = none). memory.swap.max / memsw. */
  swap?: Size | 'max';
  /** Best-effort protection (memory.low / soft limit). */
  low?: Size;
}
const MEMORY_OPTIONS = optionKeys<MemoryOptions>()({ max: true, swap: true, low: true });

export interface IoOptions {
  /** Relative weight 1–10000: io.weight (v2) / blkio.weight (v1). */
  weight?: number;
  /** Per-device bandwidth and IOPS limits: io.max (v2) / blkio.throttle.* (v1). */
  throttle?: IoThrottleOptions[];
}
const IO_OPTIONS = optionKeys<IoOptions>()({ weight: true, throttle: true });

export interface IoThrottleOptions {
  /** The block device as MAJOR:MINOR, e.g. `'8:0'` (`lsblk` shows it). */
  device: string;
  /** Read bandwidth cap in bytes per second (`'10M'`). */
  readBps?: Size;
  /** Write bandwidth cap in bytes per second. */
  writeBps?: Size;
  /** Read operations per second. */
  readIops?: number;
  /** Write operations per second. */
  writeIops?: number;
}
const IO_THROTTLE_OPTIONS = optionKeys<IoThrottleOptions>()({ device: true, readBps: true, writeBps: true, readIops: true, writeIops: true });

export interface CapabilityOptions {
  /** Start from haco's default set (the default; see docs/security.md), every capability, or none. */
  base?: 'default' | 'all' | 'none';
  /** Capabilities added to the base, e.g. `['net_admin']`. */
  add?: CapabilitySpelling[];
  /** Capabilities removed from it, e.g. `['net_raw', 'sys_chroot']`. */
  drop?: CapabilitySpelling[];
  /**
   * Ambient (and inheritable) capabilities (capabilities(7)): for a non-root user the ones kept across
   * setuid — without this a non-root init has no capabilities at all; for root, kept across an exec
   * that changes uid.
   */
  ambient?: CapabilitySpelling[];
}
const CAPABILITY_OPTIONS = optionKeys<CapabilityOptions>()({ base: true, add: true, drop: true, ambient: true });

export interface LxcfsOptions {
  /** Where lxcfs is mounted on the host (default /var/lib/lxcfs, as Debian's lxcfs.service and `haco lxcfs start`). */
  mountpoint?: string;
  /** Only these files, as paths inside the container (default: all of them, e.g. `['/proc/meminfo']`). */
  files?: string[];
}
const LXCFS_OPTIONS = optionKeys<LxcfsOptions>()({ mountpoint: true, files: true });

export interface DeviceNodeOptions {
  /** `c` character device, `b` block device, `p` FIFO. */
  type: 'c' | 'b' | 'p';
  /** Device numbers (0 for a FIFO). */
  major?: number;
  minor?: number;
  /** Permission bits, default 0o600 (root only). */
  mode?: number;
  /** Owner, default 0 (root). */
  uid?: number;
  gid?: number;
}
const DEVICE_NODE_OPTIONS = optionKeys<DeviceNodeOptions>()({ type: true, major: true, minor: true, mode: true, uid: true, gid: true });

export interface NetworkOptions {
  /** `bridge` (the default with these options): a veth pair on a host bridge. */
  mode?: 'bridge';
  /** Host bridge the container's veth is attached to (created if missing when `createBridge`). */
  bridge: string;
  /** CIDR of the bridge on the host, e.g. "10.88.0.1/24". */
  bridgeAddress: string;
  /** CIDR of the container's interface, e.g. "10.88.0.10/24". */
  address: string;
  /** Default route inside the container (default: the bridge address). */
  gateway?: string;
  /**
   * IPv6 next to IPv4: the bridge's v6 CIDR on the host, e.g. "fd88::1/64" (give `address6` too). The
   * addresses are added without duplicate address detection (`nodad`): haco checks they are unique.
   */
  bridgeAddress6?: string;
  /** The container's IPv6 CIDR in the bridge's v6 subnet, e.g. "fd88::10/64". See it: `ip -6 addr` inside. */
  address6?: string;
  /** IPv6 default route inside the container (default: the bridge's v6 address). */
  gateway6?: string;
  /**
   * Host side of the veth pair (default: `vh-NAME` for names of up to 11 characters, else `vh-` + the
   * first 4 and a hash of the whole name: unique per container).
   */
  vethHost?: string;
  /** Container side of the veth pair (default: eth0). */
  vethGuest?: string;
  /** Create the bridge when it does not exist (default true). */
  createBridge?: boolean;
  /** Delete the host-side veth when the container exits (default true). */
  cleanup?: boolean;
  /**
   * Host ports forwarded to the container, e.g. `[{ host: 8080, container: 80 }]`: nftables DNAT rules
   * for traffic to the host's own addresses (not 127.0.0.1), added at start and removed at exit.
   */
  ports?: PortForwardOptions[];
  /**
   * Outbound NAT (default false): the container reaches beyond the host, its packets leaving with the
   * host's address (nftables masquerade, removed at exit). Turns on `net.ipv4.ip_forward` in the host's
   * network namespace and leaves it on. See it: `ping 1.1.1.1` inside; `nft list table ip haco` on the host.
   * With `address6`, IPv6 too: a masquerade in `nft list table ip6 haco`, and `net.ipv6.conf.all.forwarding`
   * turned on (which makes the host stop accepting router advertisements on interfaces with accept_ra=1).
   */
  nat?: boolean;
}
const NETWORK_OPTIONS = optionKeys<NetworkOptions>()({
  mode: true,
  bridge: true,
  bridgeAddress: true,
  address: true,
  gateway: true,
  bridgeAddress6: true,
  address6: true,
  gateway6: true,
  vethHost: true,
  vethGuest: true,
  createBridge: true,
  cleanup: true,
  ports: true,
  nat: true,
});

/**
 * User-mode networking: slirp4netns or pasta (docs/network.md, "User-mode networking"). The container
 * gets its own net namespace with `lo` and one interface whose traffic the helper program carries
 * through ordinary sockets on the host: no bridge, no veth, no nftables, no host root needed.
 */
export interface UsermodeNetworkOptions {
  mode: 'slirp4netns' | 'pasta';
  /**
   * Let the container reach services on the host's 127.0.0.1 through its gateway address (slirp4netns:
   * 10.0.2.2; pasta: the gateway it copies from the host). Default false.
   */
  hostLoopback?: boolean;
  /**
   * Host ports forwarded to the container, e.g. `[{ host: 8080, container: 80 }]` (pasta only): the
   * helper listens on the host's port, on every host address including 127.0.0.1.
   */
  ports?: PortForwardOptions[];
}
const USERMODE_NETWORK_OPTIONS = optionKeys<UsermodeNetworkOptions>()({ mode: true, hostLoopback: true, ports: true });

/** `none`: a net namespace with only `lo` (the default); `host`: the host's network (as `.share('net')`). */
export interface NetworkModeOptions {
  mode: 'none' | 'host';
}
const NETWORK_MODE_OPTIONS = optionKeys<NetworkModeOptions>()({ mode: true });

/** A host port forwarded to a port of the container. */
export interface PortForwardOptions {
  /** Port on the host (1–65535). */
  host: number;
  /** Port in the container (1–65535). */
  container: number;
  /** Default tcp. */
  protocol?: 'tcp' | 'udp';
}
const PORT_OPTIONS = optionKeys<PortForwardOptions>()({ host: true, container: true, protocol: true });

export interface UserOptions {
  /** The init's user id inside the container. */
  uid: number;
  /** Its group id (default: the uid's number). */
  gid?: number;
  /** Supplementary groups (setgroups(2)). */
  groups?: number[];
}
const USER_OPTIONS = optionKeys<UserOptions>()({ uid: true, gid: true, groups: true });

export interface EnvOptions {
  /** Drop haco's default PATH, HOME and TERM. */
  replace?: boolean;
}
const ENV_OPTIONS = optionKeys<EnvOptions>()({ replace: true });

export interface TimeOffsetOptions {
  /** Seconds added to CLOCK_MONOTONIC inside the time namespace. */
  monotonic?: number;
  /** Seconds added to CLOCK_BOOTTIME (what `uptime` shows inside). */
  boottime?: number;
}
const TIME_OFFSET_OPTIONS = optionKeys<TimeOffsetOptions>()({ monotonic: true, boottime: true });

export interface RestartOptions {
  /** Give up after this many restarts (0, the default: no limit). */
  maxRetries?: number;
  /** Wait before a restart, in ms (default 1000; doubled after each restart, at most 5 min). */
  backoffMs?: number;
}
const RESTART_OPTIONS = optionKeys<RestartOptions>()({ maxRetries: true, backoffMs: true });

const ID_MAP_ENTRY = optionKeys<IdMapEntry>()({ inside: true, outside: true, count: true });

export type RlimitValue = number | 'unlimited';

/**
 * A container definition. Every method returns a **new** definition (the receiver is not changed),
 * so a base definition can be shared and extended freely:
 *
 * ```ts
 * const base = defineContainer('base').bootstrap((b) => b.busybox());
 * export default [base.extend('a').hostname('a'), base.extend('b').share('net')];
 * ```
 */
export class ContainerBuilder {
  readonly #draft: ContainerDraft;

  /** @internal use defineContainer() */
  constructor(draft: ContainerDraft) {
    this.#draft = draft;
    // A misspelt method (`.unshre()`) is an error at the user's line with a did-you-mean.
    return guardMethods(this, 'a container definition');
  }

  /** The container's name (state dir, cgroup `haco/NAME`, default hostname). */
  get name(): string {
    return this.#draft.plan.name;
  }

  // ---------------------------------------------------------------- process

  /**
   * The container's init command. An array is the argv as is; a string runs with `/bin/sh -c`.
   * Default: `/bin/sh`. See it: with a pid namespace, `ps` inside shows it as PID 1.
   */
  command(command: string | string[]): ContainerBuilder {
    const args = typeof command === 'string' ? ['/bin/sh', '-c', command] : [...command];
    return this.#next('process.args', (d) => {
      d.plan.process.args = args;
      d.processSet.args = true;
    });
  }

  /**
   * The hostname inside the container (sethostname(2)); needs the uts namespace. Default: the
   * container's name. See it: `hostname` inside vs. on the host.
   */
  hostname(hostname: string): ContainerBuilder {
    return this.#next('process.hostname', (d) => {
      d.plan.process.hostname = hostname;
      d.hostnameExplicit = true;
    });
  }

  /**
   * Environment variables. The container never inherits the host's environment; it starts from
   * PATH, HOME=/root and TERM=xterm. `replace: true` drops those defaults. See it: `env` inside.
   */
  env(vars: Record<string, string>, options: EnvOptions = {}): ContainerBuilder {
    checkOptions('.env() options', options, ENV_OPTIONS);
    return this.#next('process.env', (d) => {
      d.plan.process.env = { ...(options.replace ? {} : d.plan.process.env), ...vars };
      d.processSet.env = unique([...(options.replace ? [] : d.processSet.env), ...Object.keys(vars)]);
      if (options.replace) d.processSet.envReplaced = true;
    });
  }

  /** Working directory of the init (chdir(2) after the root switch). Default `/`. See it: `pwd`. */
  workdir(path: string): ContainerBuilder {
    return this.#next('process.cwd', (d) => {
      d.plan.process.cwd = path;
      d.processSet.cwd = true;
    });
  }

  /**
   * Run as this uid/gid (setresuid/setresgid/setgroups after everything else is set up). Default root.
   * A non-root init has no capabilities unless `capabilities({ ambient })` keeps some. See it: `id`.
   */
  user(user: number | UserOptions): ContainerBuilder {
    checkOptions('.user()', user, USER_OPTIONS);
    const u = typeof user === 'number' ? { uid: user } : user;
    return this.#next('process.user', (d) => {
      d.plan.process.user = { uid: u.uid, gid: u.gid ?? u.uid, groups: u.groups ? [...u.groups] : [] };
      d.processSet.user = true;
    });
  }

  /**
   * Start detached by default, as `haco start -d` does: the small C supervisor keeps it running, and
   * `haco start FILE` returns once the command started. `haco start --no-detach FILE` runs it in the
   * foreground anyway.
   */
  daemonize(daemonize = true): ContainerBuilder {
    return this.#next('process.daemonize', (d) => {
      d.plan.process.daemonize = daemonize;
    });
  }

  /**
   * setsid(2) before exec: the init leads a new session and has no controlling terminal.
   * See it: `ps -o sid,pid,tty` inside.
   */
  sessionLeader(enabled = true): ContainerBuilder {
    return this.#next('process.sessionLeader', (d) => {
      d.plan.process.sessionLeader = enabled;
    });
  }

  /**
   * Put a tiny init at PID 1 that reaps zombies and forwards signals, for commands that never wait(2)
   * for their children. See it: `ps` inside shows the reaper as PID 1 and your command as PID 2.
   */
  reaper(enabled = true): ContainerBuilder {
    return this.#next('process.reaper', (d) => {
      d.plan.process.reaper = enabled;
    });
  }

  /**
   * Pass the caller's fds 3..3+n-1 to the command, for socket activation (the LISTEN_FDS convention:
   * LISTEN_FDS=n and LISTEN_PID are set for it). Every other fd the caller has open is closed before exec,
   * so an fd opened by whoever runs `haco start` never reaches the container by accident.
   * See it: `exec 3</etc/hostname; haco start FILE -- sh -c 'ls -l /proc/self/fd; echo $LISTEN_FDS'`.
   * @param n how many fds, 0 to 6 (bin/haco uses fd 9 for itself)
   */
  preserveFds(n: number): ContainerBuilder {
    return this.#next('process.preserveFds', (d) => {
      d.plan.process.preserveFds = n;
    });
  }

  /** Redirect the init's stdin/stdout/stderr to files, host-side or container-side. */
  stdio(streams: StdioStreams): ContainerBuilder {
    checkOptions('.stdio()', streams, STDIO_STREAMS);
    for (const key of STDIO_STREAMS) checkOptions(`.stdio() ${key}`, (streams as Record<string, unknown>)[key], STDIO_OPTION);
    const toTarget = (o: StdioOption): StdioTarget =>
      'host' in o
        ? { side: 'host', path: o.host, append: o.append ?? false }
        : { side: 'container', path: o.container, append: o.append ?? false };
    return this.#next('process.stdio', (d) => {
      for (const key of ['stdin', 'stdout', 'stderr'] as const) {
        const option = streams[key];
        if (option) d.plan.process.stdio[key] = toTarget(option);
      }
    });
  }

  // ---------------------------------------------------------------- rootfs

  /**
   * The root filesystem (a host directory) the container switches into with pivot_root(2).
   * Default `/var/lib/haco/NAME/rootfs`. See it: `ls /` inside shows this tree, not the host's.
   */
  rootfs(path: string, options: RootfsOptions = {}): ContainerBuilder {
    checkOptions('.rootfs() options', options, ROOTFS_OPTIONS);
    return this.#next('rootfs', (d) => {
      d.plan.rootfs.path = path;
      if (options.readonly !== undefined) d.plan.rootfs.readonly = options.readonly;
      if (options.switchRoot) d.plan.rootfs.switchRoot = options.switchRoot;
      if (options.propagation) d.plan.rootfs.propagation = options.propagation;
      if (options.lower !== undefined) {
        // A layered container as a lower stands for its upper over its own lowers (already flattened):
        // its rootfs is only a mount point, empty until it starts, and overlayfs cannot stack on it.
        let stacked = false;
        const lowers = (Array.isArray(options.lower) ? options.lower : [options.lower]).flatMap((l) => {
          if (typeof l === 'string') return [l];
          const { rootfs } = l.toDraft().plan;
          if (rootfs.overlay) stacked = true;
          return rootfs.overlay ? [rootfs.overlay.upper, ...rootfs.overlay.lower] : [rootfs.path];
        });
        // The depth limit is for layers on layers; a long list of plain paths meets the kernel's own limits.
        if (stacked && lowers.length > MAX_OVERLAY_LOWERS) {
          d.issues.push({
            path: 'rootfs.overlay.lower',
            message: `${lowers.length} lower layers once layers on layers are flattened; at most ${MAX_OVERLAY_LOWERS}`,
            hint: 'layer on a flatter base: `haco archive` the middle layer and use the tarball as a new base (b.tarball(FILE))',
          });
        }
        d.plan.rootfs.overlay = { lower: lowers, ...overlayDirsBeside(path), ...(options.overlay ? { mounter: options.overlay } : {}) };
      } else if (options.overlay !== undefined) {
        d.issues.push({ path: 'rootfs.overlay.mounter', message: `overlay: '${options.overlay}' without lower layers`, hint: ".rootfs(path, { lower: BASE, overlay: 'fuse' }), or drop overlay" });
      }
    });
  }

  /** Make the whole rootfs read-only (MS_RDONLY remount of `/`). See it: `touch /x` fails with EROFS. */
  readonlyRootfs(readonly = true): ContainerBuilder {
    return this.#next('rootfs.readonly', (d) => {
      d.plan.rootfs.readonly = readonly;
    });
  }

  /**
   * Use chroot(2) instead of pivot_root(2). The old root stays reachable for a process that escapes
   * the chroot — shown in the tutorial's chroot chapter; prefer pivot_root.
   */
  chroot(): ContainerBuilder {
    return this.#next('rootfs.switchRoot', (d) => {
      d.plan.rootfs.switchRoot = 'chroot';
    });
  }

  /**
   * Hide paths: /dev/null is bound over files and an empty read-only tmpfs over directories.
   * Added to the defaults (/proc/kcore, /proc/keys, …). See it: `cat /proc/kcore` inside prints nothing.
   */
  mask(...paths: string[]): ContainerBuilder {
    return this.#next('rootfs.maskedPaths', (d) => {
      d.plan.rootfs.maskedPaths = unique([...d.plan.rootfs.maskedPaths, ...paths]);
    });
  }

  /** Remount paths read-only (added to /proc/sys, /proc/bus, …). See it: `touch PATH/x` → EROFS. */
  readonlyPaths(...paths: string[]): ContainerBuilder {
    return this.#next('rootfs.readonlyPaths', (d) => {
      d.plan.rootfs.readonlyPaths = unique([...d.plan.rootfs.readonlyPaths, ...paths]);
    });
  }

  // ---------------------------------------------------------------- namespaces

  /**
   * Create new namespaces (clone(2) flags CLONE_NEW*), in addition to those already unshared: mount, uts,
   * ipc, pid, net, user, cgroup, time. The default is mount, uts, ipc, pid and net (with only `lo`).
   * Unsharing a kind replaces joining an existing namespace of that kind (`.enter()`, `.joinNetns()`).
   * See it: `ls -l /proc/self/ns` inside vs. on the host shows different inode numbers for each unshared
   * namespace.
   */
  unshare(...kinds: NamespaceKind[]): ContainerBuilder {
    return this.#next('namespaces.unshare', (d) => {
      unshareKinds(d, knownKinds(d, kinds));
    });
  }

  /**
   * Stay in the host's namespace of these kinds (removes them from the unshared set). The learner's
   * switch: `.share('pid')` and `ps` inside shows every host process again; `.share('net')` gives the
   * container the host's network (its interfaces, 127.0.0.1 services, abstract unix sockets).
   *
   * What only exists in a new namespace of that kind goes with it, so the result is always a container
   * that runs: `share('user')` drops the uid/gid maps, `share('net')` the bridged `.network()`,
   * `share('time')` the clock offsets, `share('uts')` a chosen hostname (the container keeps the host's),
   * and any `.persist()` of that kind. An `.enter()` of that kind stays (the container joins that
   * namespace instead of making one). A later call that needs the new namespace (e.g. `.hostname()`
   * after `.share('uts')`) is reported as an error instead.
   */
  share(...kinds: NamespaceKind[]): ContainerBuilder {
    return this.#next('namespaces.unshare', (d) => {
      shareKinds(d, knownKinds(d, kinds));
    });
  }

  /**
   * Exactly these new namespaces, no others: `.namespaces('mount', 'uts', 'ipc', 'pid', 'net')` is the
   * default set written out. Deleting an entry from the list shares that namespace with the host (as
   * `.share(KIND)` does, with what goes with it); adding one unshares it. `haco new` writes this list in
   * its template so that the list in the file is the set in force. See it: remove `'uts'`, then
   * `haco diff` shows `namespaces.unshare` without uts and `hostname` inside prints the host's name.
   */
  namespaces(...kinds: NamespaceKind[]): ContainerBuilder {
    return this.#next('namespaces.unshare', (d) => {
      const wanted = knownKinds(d, kinds);
      shareKinds(d, d.plan.namespaces.unshare.filter((k) => !wanted.includes(k)));
      unshareKinds(d, wanted);
    });
  }

  /**
   * Join an existing namespace with setns(2): a path such as `/proc/1234/ns/net` or
   * `/var/run/netns/blue`. See it: `readlink /proc/self/ns/KIND` inside equals that file's namespace.
   */
  enter(kind: NamespaceKind, path: string): ContainerBuilder {
    return this.#next('namespaces.enter', (d) => {
      d.plan.namespaces.enter = [...d.plan.namespaces.enter.filter((e) => e.kind !== kind), { kind, path }];
    });
  }

  /**
   * Keep a namespace of the container alive in a file (bind mount of /proc/PID/ns/KIND), like
   * `ip netns add` does, so other processes can join it later.
   */
  persist(kind: NamespaceKind, path: string): ContainerBuilder {
    return this.#next('namespaces.persist', (d) => {
      d.plan.namespaces.persist = [...d.plan.namespaces.persist, { kind, path }];
    });
  }

  /**
   * uid_map lines for the user namespace (user_namespaces(7)): inside uid → outside uid, count.
   * See it: `id -u` is 0 inside while `ps -o uid` on the host shows `outside`.
   */
  uidMap(...entries: IdMapEntry[]): ContainerBuilder {
    checkEach('.uidMap() entry', entries, ID_MAP_ENTRY);
    return this.#next('namespaces.uidMap', (d) => {
      d.plan.namespaces.uidMap = entries.map((e) => ({ ...e }));
    });
  }

  /** gid_map lines for the user namespace; see uidMap(). */
  gidMap(...entries: IdMapEntry[]): ContainerBuilder {
    checkEach('.gidMap() entry', entries, ID_MAP_ENTRY);
    return this.#next('namespaces.gidMap', (d) => {
      d.plan.namespaces.gidMap = entries.map((e) => ({ ...e }));
    });
  }

  /**
   * Unshare the user namespace and map root inside to `hostId` … `hostId + count - 1` outside (uid and
   * gid alike). The classic "root in the container, nobody on the host".
   */
  mapRootTo(hostId: number, count = 65536): ContainerBuilder {
    return this.#next('namespaces.uidMap', (d) => {
      unshareKinds(d, ['user']);
      d.plan.namespaces.uidMap = [{ inside: 0, outside: hostId, count }];
      d.plan.namespaces.gidMap = [{ inside: 0, outside: hostId, count }];
    });
  }

  /**
   * Who owns the rootfs as the container sees it. `'idmap'`: an id-mapped mount (mount_setattr(2)
   * `MOUNT_ATTR_IDMAP`) shows the rootfs, or with layers each lower layer, through the container's uid/gid
   * maps, so with `.mapRootTo(231072)` a tree owned by host root is root's inside: root can change any file,
   * and what it writes is stored with the tree's own owners (0 on the host), nothing in the tree is rewritten
   * and the mount goes away with the container. Needs a user namespace with maps (`.mapRootTo()`), root on
   * the host and a filesystem that can be id-mapped (ext4, xfs, btrfs, tmpfs since Linux 6.3; not nfs or
   * fuse): the launch fails with the step and errno otherwise. `'host'` (the default): ownership as on disk,
   * so host root's files are `nobody`'s inside. See docs/rootfs.md "Who owns the rootfs".
   */
  rootfsOwner(owner: 'idmap' | 'host'): ContainerBuilder {
    if (owner !== 'idmap' && owner !== 'host') throw new TypeError(`.rootfsOwner(): expected 'idmap' or 'host', got ${JSON.stringify(owner)}`);
    return this.#next('rootfs.owner', (d) => {
      if (owner === 'idmap') d.plan.rootfs.owner = 'idmap';
      else delete d.plan.rootfs.owner;
    });
  }

  /** Write `deny` (or `allow`) to /proc/PID/setgroups; `deny` is required for an unprivileged gid_map. */
  setgroups(mode: 'allow' | 'deny'): ContainerBuilder {
    return this.#next('namespaces.setgroups', (d) => {
      d.plan.namespaces.setgroups = mode;
    });
  }

  /**
   * Unshare the time namespace and shift its clocks (time_namespaces(7)). See it: with
   * `{ boottime: 86400 }`, `uptime` inside reports one more day than on the host.
   */
  timeOffsets(offsets: TimeOffsetOptions): ContainerBuilder {
    checkOptions('.timeOffsets()', offsets, TIME_OFFSET_OPTIONS);
    return this.#next('namespaces.timeOffsets', (d) => {
      unshareKinds(d, ['time']);
      d.plan.namespaces.timeOffsets = {
        monotonic: offsets.monotonic ?? d.plan.namespaces.timeOffsets.monotonic,
        boottime: offsets.boottime ?? d.plan.namespaces.timeOffsets.boottime,
      };
    });
  }

  // ---------------------------------------------------------------- mounts

  /**
   * Bind-mount a host path into the container (mount(2) with MS_BIND). See it: `findmnt TARGET` inside;
   * the host never sees mounts made inside the container's mount namespace.
   */
  bind(source: string, target: string, options: BindOptions = {}): ContainerBuilder {
    checkOptions('.bind() options', options, BIND_OPTIONS);
    return this.#mount({
      type: 'bind',
      source,
      target,
      readonly: options.readonly ?? false,
      recursive: options.recursive ?? true,
      ...(options.propagation ? { propagation: options.propagation } : {}),
      create: options.create ?? true,
    });
  }

  /** Mount a tmpfs (memory-backed filesystem). See it: `df -h TARGET` inside shows the size limit. */
  tmpfs(target: string, options: TmpfsOptions = {}): ContainerBuilder {
    checkOptions('.tmpfs() options', options, TMPFS_OPTIONS);
    let sizeIssue: DraftIssue | undefined;
    let size: number | undefined;
    if (options.size !== undefined) {
      const parsed = parseSize(options.size);
      if (parsed.ok) size = parsed.bytes;
      else sizeIssue = { path: '', message: parsed.message, hint: parsed.hint };
    }
    return this.#mount(
      {
        type: 'tmpfs',
        target,
        ...(size === undefined ? {} : { size }),
        ...(options.mode ? { mode: options.mode } : {}),
        flags: options.flags ? [...options.flags] : ['nosuid', 'nodev'],
      },
      sizeIssue,
    );
  }

  /** Any filesystem mount(2) supports: `{ fstype: 'ext4', source: '/dev/vdb', target: '/data' }`. */
  mount(mount: MountOptions): ContainerBuilder {
    checkOptions('.mount()', mount, MOUNT_OPTIONS);
    return this.#mount({
      type: 'fs',
      fstype: mount.fstype,
      source: mount.source,
      target: mount.target,
      ...(mount.data === undefined ? {} : { data: mount.data }),
      flags: mount.flags ? [...mount.flags] : [],
    });
  }

  /**
   * Choose exactly which of the standard mounts the container gets: proc, sys, dev (a minimal /dev with
   * null zero full random urandom tty ptmx), devpts, shm, mqueue. All six by default; `standardMounts()`
   * with no argument removes them all. They are mounted in the order given (devpts, shm and mqueue
   * after dev: they live in it). See it: `findmnt` inside.
   */
  standardMounts(...which: StandardFs[]): ContainerBuilder {
    return this.#next('mounts', (d) => {
      const others = d.plan.mounts.filter((m) => m.type !== 'standard');
      // An OCI config lists them in its own order (runc mounts /sys last), and conformance checks that order.
      const order = unique(which);
      const firstInDev = order.findIndex((fs) => fs === 'devpts' || fs === 'shm' || fs === 'mqueue');
      if (firstInDev >= 0 && order.indexOf('dev') > firstInDev) order.splice(firstInDev, 0, ...order.splice(order.indexOf('dev'), 1));
      const standard = order.map(
        (fs): MountEntry => DEFAULT_MOUNTS.find((m) => m.type === 'standard' && m.fs === fs) ?? { type: 'standard', fs, target: `/${fs}` },
      );
      d.plan.mounts = [...structuredClone(standard), ...others];
    });
  }

  /** Bind the host's /etc/resolv.conf read-only, so names resolve as on the host. */
  hostResolvConf(): ContainerBuilder {
    return this.#mount({ type: 'hostFile', source: '/etc/resolv.conf', target: '/etc/resolv.conf' });
  }

  /** Bind the host's /etc/hosts read-only. */
  hostHosts(): ContainerBuilder {
    return this.#mount({ type: 'hostFile', source: '/etc/hosts', target: '/etc/hosts' });
  }

  // ---------------------------------------------------------------- devices

  /**
   * Give the container one more host device: its number is added to the device allow-list (device
   * cgroup) with `access` (r read, w write, m mknod; default rwm), and the host's node is bound at the
   * same path in the container's /dev. The path must be a character or block device under /dev; its
   * type and numbers are read with stat(2) when the definition is evaluated. See it: without this,
   * `head -c1 PATH` inside fails with "Operation not permitted" even if the node exists.
   */
  device(path: string, access: DeviceAccess = 'rwm'): ContainerBuilder {
    const found = hostDevice(path);
    if ('problem' in found) {
      const key = `devices.device(${path})`;
      return this.#next(key, (d) => {
        d.issues.push({ path: key, message: found.problem, hint: found.hint });
      });
    }
    let index = -1;
    return this.#next(
      () => `devices[${index}]`,
      (d) => {
        const others = d.plan.devices.filter((r) => r.path !== path);
        index = others.length;
        d.plan.devices = [...others, { type: found.type, major: found.major, minor: found.minor, access, allow: true, path }];
      },
    );
  }

  /**
   * Make a device node in the container (OCI `linux.devices`): mknod(2) at `path` with the type and
   * numbers given, then its mode and owner; with a user namespace the host's node at the same path is
   * bound instead (mknod of a device needs CAP_MKNOD in the initial user namespace). The node alone grants
   * nothing: opening it needs the number in the device allow-list too (`.device()` for a host node). See
   * it: `ls -l PATH` inside.
   */
  deviceNode(path: string, options: DeviceNodeOptions): ContainerBuilder {
    checkOptions('.deviceNode() options', options, DEVICE_NODE_OPTIONS);
    let index = -1;
    return this.#next(
      () => `deviceNodes[${index}]`,
      (d) => {
        const others = (d.plan.deviceNodes ?? []).filter((n) => n.path !== path);
        index = others.length;
        const node: DeviceNode = { path, type: options.type, major: options.major ?? 0, minor: options.minor ?? 0, mode: options.mode ?? 0o600, uid: options.uid ?? 0, gid: options.gid ?? 0 };
        d.plan.deviceNodes = [...others, node];
      },
    );
  }

  /**
   * Which devices the container may use besides those added with `.device()`: `default` (null, zero,
   * full, random, urandom, tty, ptmx and its own pseudo-terminals; runc's list without mknod of other
   * nodes) or `host`: every host device, no device cgroup at all. **`host` is unsafe**: root in the
   * container (with CAP_MKNOD) can then read and write the host's disks (`mknod /tmp/sda b 8 0`) and its
   * kernel log; use it only to see what the device cgroup prevents. See it: `cat /proc/self/cgroup`,
   * and devices.list on v1.
   */
  devices(mode: 'default' | 'host'): ContainerBuilder {
    return this.#next('devices', (d) => {
      const added = d.plan.devices.filter((r) => r.path !== undefined);
      d.plan.devices = [...structuredClone(mode === 'host' ? [ALL_DEVICES_RULE] : [...DEFAULT_DEVICE_RULES]), ...added];
    });
  }

  // ---------------------------------------------------------------- rootfs creation

  /**
   * How `haco create` makes the rootfs: `b => b.host()`, `b.busybox()`, `b.debootstrap({ suite })`,
   * `b.lxc('busybox')`, `b.tarball(file)`, `b.directory(src)`, `b.shell(script)`, plus `.post()` steps.
   */
  bootstrap(configure: (b: BootstrapBuilder) => BootstrapBuilder): ContainerBuilder {
    const built = configure(new BootstrapBuilder({ strategy: 'none', post: [] }));
    return this.#next('bootstrap', (d) => {
      if (!(built instanceof BootstrapBuilder)) {
        d.issues.push({
          path: 'bootstrap',
          message: 'the bootstrap callback must return the builder it was given',
          hint: 'write .bootstrap((b) => b.busybox()) — an arrow function that returns the chain',
        });
        return;
      }
      d.plan.bootstrap = built.toPlan();
    });
  }

  /**
   * What `haco provision` runs inside the rootfs after bootstrap: `p => p.step('name', 'apk add curl')`
   * and `p.file(src, target)`. Steps are added to those of a base definition. The steps use the host's
   * network (a package manager downloads) even though the container itself has its own; `{ network: false }`
   * runs them in a network namespace with only `lo`.
   */
  provision(configure: (p: ProvisionBuilder) => ProvisionBuilder, options: { network?: boolean } = {}): ContainerBuilder {
    const built = configure(new ProvisionBuilder());
    return this.#next('provision', (d) => {
      if (!(built instanceof ProvisionBuilder)) {
        d.issues.push({ path: 'provision', message: 'the provision callback must return the builder it was given' });
        return;
      }
      const p = built.toPlan();
      d.plan.provision = {
        steps: [...d.plan.provision.steps, ...p.steps],
        files: [...d.plan.provision.files, ...p.files],
        network: options.network === undefined ? d.plan.provision.network : options.network ? 'host' : 'none',
      };
    });
  }

  // ---------------------------------------------------------------- cgroups

  /** CPU limits (cgroup cpu controller). See it: `haco explain FILE` names the file on your host (`cpu.max` on v2, `cpu.cfs_quota_us` on v1). */
  cpu(options: CpuOptions | Percent): ContainerBuilder {
    checkOptions('.cpu()', options, CPU_OPTIONS);
    const o: CpuOptions = typeof options === 'string' ? { max: options } : options;
    return this.#next('cgroup.resources.cpu', (d) => {
      const period = o.periodUs ?? d.plan.cgroup.resources.cpu?.periodUs ?? 100000;
      const cpu: NonNullable<CgroupResources['cpu']> = { ...d.plan.cgroup.resources.cpu, periodUs: period };
      if (o.max !== undefined) {
        const quota = cpuQuota(o.max, period);
        if (quota !== undefined) cpu.quotaUs = quota;
        else
          d.issues.push({
            path: 'cgroup.resources.cpu',
            message: `cpu max "${String(o.max)}" is not a percentage or a number of CPUs`,
            hint: 'write 30% (of one CPU), 1.5 (CPUs) or max',
          });
      }
      if (o.weight !== undefined) cpu.weight = o.weight;
      d.plan.cgroup.resources.cpu = cpu;
    });
  }

  /**
   * lxcfs's view of /proc: bind the host lxcfs's `meminfo`, `cpuinfo`, `stat`, `uptime`, `diskstats`,
   * `swaps`, `loadavg` and `/sys/devices/system/cpu/online` over the container's own, so `free`, `top`,
   * `uptime` and `nproc` inside show its memory limit, its CPUs (cpuset, cpu quota) and its own uptime
   * instead of the host's. lxcfs must run on the host: `haco lxcfs start` (or Debian's lxcfs.service);
   * `haco start` refuses to start without it and says so. See it: `free -m` inside shows `.memory()`'s limit.
   */
  lxcfs(options: LxcfsOptions = {}): ContainerBuilder {
    checkOptions('.lxcfs()', options, LXCFS_OPTIONS);
    return this.#next('lxcfs', (d) => {
      const plan = defaultLxcfsPlan();
      d.plan.lxcfs = { mountpoint: options.mountpoint ?? plan.mountpoint, files: options.files ? [...options.files] : plan.files };
    });
  }

  /** Pin to CPUs / memory nodes (cpuset controller), e.g. `{ cpus: '0' }`. See it: `taskset -p $$`. */
  cpuset(options: CpusetOptions): ContainerBuilder {
    checkOptions('.cpuset()', options, CPUSET_OPTIONS);
    return this.#next('cgroup.resources.cpuset', (d) => {
      d.plan.cgroup.resources.cpuset = { ...d.plan.cgroup.resources.cpuset, ...options };
    });
  }

  /**
   * Memory limits (memory controller): `.memory('64M')`, `.memory('max')` (no limit) or `{ max, swap, low }`. Above `max` the
   * kernel OOM-kills inside the container. See it: `haco explain FILE` names the file on your host (`memory.max` on v2, `memory.limit_in_bytes` on v1).
   */
  memory(options: MemoryOptions | Size | 'max'): ContainerBuilder {
    checkOptions('.memory()', options, MEMORY_OPTIONS);
    const o: MemoryOptions = typeof options === 'object' ? options : { max: options };
    return this.#next('cgroup.resources.memory', (d) => {
      const memory: NonNullable<CgroupResources['memory']> = { ...d.plan.cgroup.resources.memory };
      const size = (field: string, value: Size | 'max'): number | 'max' | undefined => {
        if (value === 'max') return 'max';
        const parsed = parseSize(value);
        if (parsed.ok) return parsed.bytes;
        d.issues.push({ path: 'cgroup.resources.memory', message: `memory ${field}: ${parsed.message}`, hint: parsed.hint });
        return undefined;
      };
      if (o.max !== undefined) {
        const v = size('max', o.max);
        if (v !== undefined) memory.max = v;
      }
      if (o.swap !== undefined) {
        const v = size('swap', o.swap);
        if (v !== undefined) memory.swapMax = v;
      }
      if (o.low !== undefined) {
        const v = size('low', o.low);
        if (typeof v === 'number') memory.low = v;
      }
      d.plan.cgroup.resources.memory = memory;
    });
  }

  /**
   * Maximum number of tasks (pids controller). See it: a fork bomb stops at the limit with
   * "can't fork: Resource temporarily unavailable".
   */
  pids(max: number | 'max'): ContainerBuilder {
    return this.#next('cgroup.resources.pids', (d) => {
      d.plan.cgroup.resources.pids = { max };
    });
  }

  /** Block I/O weight and throttles (io controller on v2, blkio on v1). */
  io(options: IoOptions): ContainerBuilder {
    checkOptions('.io()', options, IO_OPTIONS);
    checkEach('.io() throttle', options.throttle, IO_THROTTLE_OPTIONS);
    return this.#next('cgroup.resources.io', (d) => {
      const throttle: IoThrottle[] = [];
      for (const t of options.throttle ?? []) {
        const entry: IoThrottle = { device: t.device };
        for (const key of ['readBps', 'writeBps'] as const) {
          const value = t[key];
          if (value === undefined) continue;
          const parsed = parseSize(value);
          if (parsed.ok) entry[key] = parsed.bytes;
          else d.issues.push({ path: 'cgroup.resources.io', message: `io ${key}: ${parsed.message}`, hint: parsed.hint });
        }
        if (t.readIops !== undefined) entry.readIops = t.readIops;
        if (t.writeIops !== undefined) entry.writeIops = t.writeIops;
        throttle.push(entry);
      }
      d.plan.cgroup.resources.io = {
        ...(options.weight === undefined ? {} : { weight: options.weight }),
        throttle,
      };
    });
  }

  /**
   * Escape hatch: write a cgroup file as is, for one cgroup version only, e.g.
   * `.cgroupRaw('v2', 'memory.high', '48M')`.
   */
  cgroupRaw(version: 'v1' | 'v2', file: string, value: string): ContainerBuilder {
    return this.#next(`cgroup.raw.${version}`, (d) => {
      d.plan.cgroup.raw[version] = { ...d.plan.cgroup.raw[version], [file]: value };
    });
  }

  // ---------------------------------------------------------------- privileges

  /**
   * Capabilities of the init (capabilities(7)): all five sets are set explicitly by the launcher.
   * Names like 'sys_admin' (or 'CAP_SYS_ADMIN'). See it: `grep Cap /proc/self/status` inside, decode
   * with `capsh --decode=…`; without sys_admin, `hostname x` fails with EPERM.
   */
  capabilities(options: CapabilityOptions): ContainerBuilder {
    checkOptions('.capabilities()', options, CAPABILITY_OPTIONS);
    return this.#next('capabilities', (d) => {
      const caps = d.capabilities;
      if (options.base) Object.assign(caps, { base: options.base, add: [], drop: [] });
      // The later call wins: adding takes a name back from an earlier drop, dropping removes an earlier
      // add and ambient entry (within one call, drop wins over add, and ambient is checked as written).
      if (options.add) {
        caps.add = unique([...caps.add, ...options.add]);
        caps.drop = caps.drop.filter((c) => !options.add!.some((a) => sameCapability(a, c)));
      }
      if (options.drop) {
        caps.drop = unique([...caps.drop, ...options.drop]);
        caps.add = caps.add.filter((c) => !options.drop!.some((x) => sameCapability(x, c)));
        caps.ambient = caps.ambient.filter((c) => !options.drop!.some((x) => sameCapability(x, c)));
      }
      if (options.ambient) caps.ambient = unique([...caps.ambient, ...options.ambient]);
    });
  }

  /** Shorthand for `capabilities({ add })`. */
  addCaps(...names: CapabilitySpelling[]): ContainerBuilder {
    return this.capabilities({ add: names });
  }

  /** Shorthand for `capabilities({ drop })`. */
  dropCaps(...names: CapabilitySpelling[]): ContainerBuilder {
    return this.capabilities({ drop: names });
  }

  /**
   * A resource limit (setrlimit(2)), e.g. `.rlimit('nofile', 1024)` or `.rlimit('nproc', 64, 128)`.
   * See it: `ulimit -n` inside, or `cat /proc/PID/limits` on the host.
   */
  rlimit(resource: RlimitSpelling, soft: RlimitValue, hard: RlimitValue = soft): ContainerBuilder {
    return this.#next('rlimits', (d) => {
      const name = normalizeRlimit(resource) as RlimitName;
      d.plan.rlimits = [...d.plan.rlimits.filter((r) => r.resource !== name), { resource: name, soft, hard }];
    });
  }

  /**
   * The init's OOM score adjustment (/proc/PID/oom_score_adj, inherited by its children): -1000 (the OOM
   * killer never picks it) to 1000 (picked first). Lowering it below the caller's needs CAP_SYS_RESOURCE.
   * See it: `cat /proc/self/oom_score_adj` inside.
   */
  oomScoreAdj(value: number): ContainerBuilder {
    return this.#next('process.oomScoreAdj', (d) => {
      d.plan.process.oomScoreAdj = value;
    });
  }

  /**
   * Where the container's cgroup is in every hierarchy (OCI `linux.cgroupsPath`): `'/a/b'` is that path
   * under each hierarchy's root (e.g. /sys/fs/cgroup/pids/a/b), `'a/b'` is under haco's parent (haco/a/b).
   * Default: haco/NAME. Directories made on the way go with the container when left empty. See it:
   * `cat /proc/self/cgroup` inside.
   */
  cgroupPath(path: string): ContainerBuilder {
    return this.#next('cgroup.path', (d) => {
      d.plan.cgroup.path = path;
    });
  }

  /**
   * The seccomp filter. Without this call a container gets haco's default profile (an allow list for
   * its capabilities, EPERM for every other system call; see docs/security.md). `s => s.block([...])`
   * adds rules on top of that profile (they take over the syscalls they name), `s => s.base('none')…`
   * starts from an empty filter, `.seccomp(false)` installs none, `.seccomp('default')` returns to the
   * profile. See it: `grep Seccomp /proc/self/status` inside prints 2 (filter) or 0 (none).
   */
  seccomp(configure: ((s: SeccompBuilder) => SeccompBuilder) | false | 'default'): ContainerBuilder {
    if (configure === false || configure === 'default') {
      return this.#next('seccomp', (d) => {
        d.seccomp = configure === false ? false : { base: 'default', rules: [] };
      });
    }
    const built = configure(new SeccompBuilder());
    return this.#next('seccomp', (d) => {
      if (!(built instanceof SeccompBuilder)) {
        d.issues.push({ path: 'seccomp', message: 'the seccomp callback must return the builder it was given' });
        return;
      }
      const { draft, problems } = built.toDraft();
      d.seccomp = draft;
      for (const message of problems) d.issues.push({ path: 'seccomp', message });
    });
  }

  /**
   * prctl(PR_SET_NO_NEW_PRIVS): setuid binaries and file capabilities no longer grant privileges.
   * On by default. See it: `grep NoNewPrivs /proc/self/status` inside.
   */
  noNewPrivileges(enabled = true): ContainerBuilder {
    return this.#next('noNewPrivileges', (d) => {
      d.plan.noNewPrivileges = enabled;
    });
  }

  /**
   * AppArmor confinement of the command, applied by the launcher right before exec. By default every
   * container gets haco's own profile `haco-default` (no mounts, no writes to the kernel's knobs in /proc
   * and /sys; see docs/security.md), loaded with apparmor_parser; on a kernel without AppArmor that
   * default is not applied, which `haco plan`, `haco explain` and `haco doctor` show as a row (a start stays
   * quiet), and as an ordinary user it is not loaded either (loading a profile needs root). A name is a profile already loaded on
   * the host (it is an error where AppArmor is off); `false` (or `'unconfined'`) runs the command
   * unconfined. See it: `cat /proc/self/attr/current` inside prints `haco-default (enforce)`.
   */
  apparmor(profile: string | false): ContainerBuilder {
    return this.#next('apparmor', (d) => {
      if (profile === false || profile === 'unconfined') {
        delete d.plan.apparmor;
      } else if (profile === 'default' || profile === DEFAULT_APPARMOR_PROFILE) {
        d.plan.apparmor = { profile: DEFAULT_APPARMOR_PROFILE, builtin: 'default' };
      } else if (typeof profile !== 'string' || !APPARMOR_NAME.test(profile)) {
        d.issues.push({
          path: 'apparmor',
          message: `AppArmor profile name ${JSON.stringify(profile)} is not a plain profile name`,
          hint: "give the name of a loaded profile (letters, digits, '_', '.', '-'; `cat /sys/kernel/security/apparmor/profiles`), 'default', or false",
        });
      } else {
        d.plan.apparmor = { profile };
      }
    });
  }

  // ---------------------------------------------------------------- network

  /**
   * The container's network, by `mode`:
   * - `bridge` (the default when `bridge` is given): a new network namespace wired to a host bridge with
   *   a veth pair, an address and a default route (iproute2 commands computed by haco, shown by
   *   `haco plan` and `--trace`);
   * - `slirp4netns` or `pasta`: a new network namespace whose traffic a helper program carries through
   *   the host's sockets (outbound connections, `ports` with pasta; no host root needed). The launcher
   *   starts the helper once the namespace exists and stops it when the container exits;
   * - `none`: a new network namespace with only `lo` (what a container gets without this call);
   * - `host`: the host's network, as `.share('net')`.
   *
   * See it: `ip addr` inside.
   */
  network(options: NetworkOptions | UsermodeNetworkOptions | NetworkModeOptions): ContainerBuilder {
    if (options.mode === 'host') {
      checkOptions('.network()', options, NETWORK_MODE_OPTIONS);
      return this.share('net');
    }
    if (options.mode === 'none') {
      checkOptions('.network()', options, NETWORK_MODE_OPTIONS);
      return this.#next('network', (d) => {
        unshareKinds(d, ['net']);
        delete d.plan.network;
        delete d.plan.usermodeNetwork;
        delete d.vethHostExplicit;
      });
    }
    if (options.mode === 'slirp4netns' || options.mode === 'pasta') {
      const um = options;
      checkOptions('.network()', um, USERMODE_NETWORK_OPTIONS);
      checkEach('.network() ports', um.ports, PORT_OPTIONS);
      return this.#next('network', (d) => {
        unshareKinds(d, ['net']);
        delete d.plan.network;
        delete d.vethHostExplicit;
        d.plan.usermodeNetwork = {
          tool: um.mode,
          hostLoopback: um.hostLoopback ?? false,
          ...(um.ports && um.ports.length > 0
            ? { ports: um.ports.map((p) => ({ host: p.host, container: p.container, protocol: p.protocol ?? 'tcp' })) }
            : {}),
        };
      });
    }
    return this.#bridgeNetwork(options as NetworkOptions);
  }

  #bridgeNetwork(options: NetworkOptions): ContainerBuilder {
    checkOptions('.network()', options, NETWORK_OPTIONS);
    checkEach('.network() ports', options.ports, PORT_OPTIONS);
    return this.#next('network', (d) => {
      unshareKinds(d, ['net']);
      delete d.plan.usermodeNetwork;
      if (options.vethHost !== undefined) d.vethHostExplicit = true;
      d.plan.network = {
        bridge: options.bridge,
        bridgeAddress: options.bridgeAddress,
        address: options.address,
        gateway: options.gateway ?? options.bridgeAddress.replace(/\/\d+$/, ''),
        ...(options.bridgeAddress6 !== undefined ? { bridgeAddress6: options.bridgeAddress6 } : {}),
        ...(options.address6 !== undefined ? { address6: options.address6 } : {}),
        ...(options.gateway6 !== undefined || options.bridgeAddress6 !== undefined
          ? { gateway6: options.gateway6 ?? (options.bridgeAddress6 ?? '').replace(/\/\d+$/, '') }
          : {}),
        vethHost: options.vethHost ?? defaultVethHost(d.plan.name),
        vethGuest: options.vethGuest ?? 'eth0',
        createBridge: options.createBridge ?? true,
        cleanup: options.cleanup ?? true,
        ...(options.ports && options.ports.length > 0
          ? { ports: options.ports.map((p) => ({ host: p.host, container: p.container, protocol: p.protocol ?? 'tcp' })) }
          : {}),
        ...(options.nat ? { nat: true } : {}),
      };
    });
  }

  /**
   * Join an existing network namespace: a name made by `ip netns add NAME` (/var/run/netns/NAME) or any
   * namespace file path. See it: `ip link` inside lists that namespace's interfaces.
   */
  joinNetns(nameOrPath: string): ContainerBuilder {
    const path = nameOrPath.includes('/') ? nameOrPath : `/var/run/netns/${nameOrPath}`;
    return this.#next('namespaces.enter', (d) => {
      d.plan.namespaces.unshare = d.plan.namespaces.unshare.filter((k) => k !== 'net');
      d.plan.namespaces.enter = [...d.plan.namespaces.enter.filter((e) => e.kind !== 'net'), { kind: 'net', path }];
    });
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Run a command at a lifecycle point. A string runs with `/bin/sh -c`. Each run is its own process group
   * with only stdio open, killed after `.hookTimeout()` (default 60 s); HACO_NAME, HACO_POINT, HACO_PID
   * (once it exists), HACO_ROOTFS and HACO_STATE_DIR are set. A hook that fails (non-zero, killed, timed
   * out) fails the start, except at afterStart, beforeCleanup, afterExit, afterFailure and systemFailure,
   * where the failure is reported and the next command runs.
   *
   * In launch order (docs/lifecycle.md maps them to haconiwa's names):
   * - on the host: `setup` (first, before the cgroups), `beforeStart` (right before clone), `afterSpawn`
   *   (parent, the child exists and waits), `afterNetworkCreated` (after the network's host commands);
   * - in the container's child, as root, in its namespaces: `afterSpawnChild` (first), `afterNetworkInitialized`
   *   (after `lo` is up), `beforeChroot` (the host's tree is still visible), `afterChroot` (in the rootfs),
   *   `beforeExec` (last, with the container's identity and environment);
   * - on the host again, run by the supervisor: `afterStart` (the command runs), `beforeCleanup` (it exited,
   *   its cgroups are still there), `afterExit` (everything removed), `afterFailure` (the status is not 0,
   *   HACO_EXIT_CODE), `systemFailure` (the launch itself failed, or the supervisor was killed);
   * - `afterReload`: run by `haco reload`.
   */
  hook(point: HookPoint, command: Command): ContainerBuilder {
    const argv = argvOf(command);
    return this.#next('hooks', (d) => {
      d.plan.hooks = [...d.plan.hooks, { point, command: argv, side: CONTAINER_HOOK_POINTS.includes(point) ? 'container' : 'host' }];
    });
  }

  /** Every hook command's time limit in ms (default 60000; 0 = none): past it its process group gets SIGKILL. */
  hookTimeout(ms: number): ContainerBuilder {
    return this.#next('supervision.hookTimeoutMs', (d) => {
      supervisionOf(d).hookTimeoutMs = ms;
    });
  }

  /**
   * Run a host command every `intervalMs` while the container runs (the supervisor's timer; the first run
   * one interval after the start), at most `count` times per run. HACO_POINT is `timer`. A run that fails
   * is logged (`haco logs`) and the timer goes on.
   */
  timer(intervalMs: number, command: Command, options: TimerOptions = {}): ContainerBuilder {
    checkOptions('.timer() options', options, TIMER_OPTIONS);
    const argv = argvOf(command);
    return this.#next(() => `supervision.timers[${this.#draft.plan.supervision?.timers.length ?? 0}]`, (d) => {
      supervisionOf(d).timers.push({ intervalMs, count: options.count ?? 0, command: argv });
    });
  }

  /**
   * When the container is ready: `{ port: 8080 }` — a TCP socket listening on that port in the container's
   * network namespace (read from /proc/PID/net/tcp and tcp6, nothing is connected), or `{ command }` — a host
   * command (HACO_PID set; `nsenter -t $HACO_PID -n …` reaches inside) that exits 0. The supervisor probes
   * every `intervalMs` until `timeoutMs`; `haco ps` then shows "running, ready" (or "not ready"), and
   * `haco start -d --wait-ready` returns once it is ready.
   */
  readiness(probe: ReadinessProbe, options: ReadinessOptions = {}): ContainerBuilder {
    checkOptions('.readiness()', probe, READINESS_PROBE);
    checkOptions('.readiness() options', options, READINESS_OPTIONS);
    return this.#next('supervision.readiness', (d) => {
      supervisionOf(d).readiness = readinessPlan(probe, options);
    });
  }

  /**
   * Run a host command each time the kernel's OOM killer kills a process of the container (cgroup v1
   * memory.oom_control via cgroup.event_control, v2 memory.events). The event is also written to the
   * container's log. Needs the memory controller (e.g. `.memory({ max: '64M' })`).
   */
  onOom(command: Command): ContainerBuilder {
    const argv = argvOf(command);
    return this.#next('supervision.events', (d) => {
      supervisionOf(d).events.push({ event: 'oom', command: argv });
    });
  }

  /**
   * Run a host command when the container's memory pressure reaches `level` (v1 memory.pressure_level;
   * v2 a PSI trigger on memory.pressure: low = some 150 ms, medium = some 500 ms, critical = full 500 ms
   * in a 1 s window). Logged like onOom; needs the memory controller.
   */
  onMemoryPressure(level: 'low' | 'medium' | 'critical', command: Command): ContainerBuilder {
    const argv = argvOf(command);
    return this.#next('supervision.events', (d) => {
      supervisionOf(d).events.push({ event: 'memoryPressure', level, command: argv });
    });
  }

  /**
   * Run a host command when the supervisor gets SIGUSR1 or SIGUSR2 (`haco kill --supervisor -s USR1 NAME`).
   * That signal is then no longer passed on to the container; `haco kill -s USR1 NAME` (no --supervisor)
   * still signals the container's init directly.
   */
  onSignal(signal: 'USR1' | 'USR2', command: Command): ContainerBuilder {
    const argv = argvOf(command);
    return this.#next('supervision.signals', (d) => {
      const s = supervisionOf(d);
      s.signals = [...s.signals.filter((h) => h.signal !== signal), { signal, command: argv }];
    });
  }

  /** What the supervisor does when the init exits: never restart, on failure, or always. */
  restart(policy: 'no' | 'on-failure' | 'always', options: RestartOptions = {}): ContainerBuilder {
    checkOptions('.restart() options', options, RESTART_OPTIONS);
    return this.#next('restart', (d) => {
      d.plan.restart = {
        policy,
        maxRetries: options.maxRetries ?? d.plan.restart.maxRetries,
        backoffMs: options.backoffMs ?? d.plan.restart.backoffMs,
      };
    });
  }

  /** What `haco reload` may change on a running container (default: cgroup limits and rlimits). */
  reloadable(...kinds: ReloadableKind[]): ContainerBuilder {
    return this.#next('reloadable', (d) => {
      d.plan.reloadable = unique(kinds);
    });
  }

  // ---------------------------------------------------------------- composition

  /**
   * A new definition named `name` that starts from this one (haconiwa's barn): everything is copied,
   * the rootfs path and hostname follow the new name unless they were set explicitly.
   */
  extend(name: string): ContainerBuilder {
    const from = this.#draft.plan.name;
    return this.#next('name', (d) => {
      d.plan.extends = from;
      const overlay = d.plan.rootfs.overlay;
      const oldDirs = overlayDirsBeside(d.plan.rootfs.path);
      if (d.plan.rootfs.path === defaultRootfsPath(from)) d.plan.rootfs.path = defaultRootfsPath(name);
      // Derived dirs follow the rootfs: two containers must never share an overlay upper/work dir.
      if (overlay && overlay.upper === oldDirs.upper && overlay.work === oldDirs.work) Object.assign(overlay, overlayDirsBeside(d.plan.rootfs.path));
      if (d.plan.network && !d.vethHostExplicit) d.plan.network.vethHost = defaultVethHost(name);
      if (!d.hostnameExplicit) d.plan.process.hostname = name;
      d.plan.name = name;
    });
  }

  /** Apply your own helper without breaking the chain: `.with(withWebDefaults)`. */
  with(fn: (container: ContainerBuilder) => ContainerBuilder): ContainerBuilder {
    return fn(guardedSelf(this));
  }

  /** @internal */
  toDraft(): ContainerDraft {
    return structuredClone(this.#draft);
  }

  /** @internal how buildPlan (src/plan/build.ts) reads a definition without importing this class. */
  [DRAFT_OF](): ContainerDraft {
    return this.toDraft();
  }

  #mount(entry: MountEntry, issue?: DraftIssue): ContainerBuilder {
    let index = -1;
    const builder = this.#next(
      () => `mounts[${index}]`,
      (d) => {
        index = d.plan.mounts.length;
        d.plan.mounts = [...d.plan.mounts, entry];
        if (issue) d.issues.push({ ...issue, path: `mounts[${index}]` });
      },
    );
    return builder;
  }

  #next(path: string | (() => string), mutate: (draft: ContainerDraft) => void): ContainerBuilder {
    const draft = structuredClone(this.#draft);
    const location = captureCallsite();
    const issueCount = draft.issues.length;
    mutate(draft);
    const key = typeof path === 'string' ? path : path();
    if (location) {
      draft.locations[key] = location;
      for (const issue of draft.issues.slice(issueCount)) draft.locations[issue.path] ??= location;
    }
    return new ContainerBuilder(draft);
  }
}

/** A profile name haco passes to the kernel (no spaces or globs: one word of the launch spec). */
const APPARMOR_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

/**
 * Start a container definition. `name` names the state dir, the cgroup (`haco/NAME`) and, by default,
 * the hostname and the rootfs (`/var/lib/haco/NAME/rootfs`). Export the result (or an array) as the
 * file's default export.
 */
export function defineContainer(name: string): ContainerBuilder {
  const location = captureCallsite();
  const draft: ContainerDraft = {
    plan: {
      name,
      process: {
        args: [...DEFAULT_COMMAND],
        env: { ...DEFAULT_ENV },
        cwd: '/',
        hostname: name,
        user: { uid: 0, gid: 0, groups: [] },
        daemonize: false,
        sessionLeader: false,
        reaper: false,
        stdio: {},
      },
      rootfs: {
        path: defaultRootfsPath(name),
        readonly: false,
        switchRoot: 'pivot_root',
        propagation: 'rprivate',
        maskedPaths: [...DEFAULT_MASKED_PATHS],
        readonlyPaths: [...DEFAULT_READONLY_PATHS],
      },
      namespaces: namespacesUnsharing(DEFAULT_NAMESPACES),
      mounts: structuredClone([...DEFAULT_MOUNTS]),
      bootstrap: { strategy: 'none', post: [] },
      provision: { steps: [], files: [], network: 'host' },
      cgroup: { resources: {}, raw: { v1: {}, v2: {} } },
      devices: structuredClone([...DEFAULT_DEVICE_RULES]),
      rlimits: [],
      noNewPrivileges: true,
      apparmor: { profile: DEFAULT_APPARMOR_PROFILE, builtin: 'default' },
      hooks: [],
      restart: { policy: 'no', maxRetries: 0, backoffMs: 1000 },
      reloadable: ['cgroup', 'rlimits'],
    },
    capabilities: { base: 'default', add: [], drop: [], ambient: [] },
    seccomp: { base: 'default', rules: [] },
    hostnameExplicit: false,
    processSet: { args: false, cwd: false, user: false, env: [], envReplaced: false },
    locations: location ? { name: location } : {},
    issues: [],
  };
  return new ContainerBuilder(draft);
}

/** The type and numbers of a host device node, or why PATH is not one. */
function hostDevice(path: string): Pick<DeviceRule, 'type' | 'major' | 'minor'> | { problem: string; hint: string } {
  const hint = 'give a character or block device under /dev, e.g. .device(\'/dev/fuse\'); `ls -l PATH` on the host shows c or b first';
  if (!path.startsWith('/dev/') || path.split('/').includes('..')) {
    return { problem: `device "${path}" is not under /dev (the host's node is bound from /dev into the container's /dev)`, hint };
  }
  let st: fs.BigIntStats;
  try {
    st = fs.statSync(path, { bigint: true });
  } catch (error) {
    return { problem: `device "${path}" cannot be read on this host: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, hint };
  }
  const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : undefined;
  if (!type) return { problem: `"${path}" is not a device node (it is a ${st.isDirectory() ? 'directory' : st.isFile() ? 'regular file' : 'special file'})`, hint };
  return { type, ...splitDeviceNumber(st.rdev) };
}


/** Re-exported so users can type their helpers. */
export { PLAN_API_VERSION };
export { DEFAULT_CAPABILITIES };

/**
 * The namespace kinds of a DSL call, lower-cased; an unknown one is an issue at the call with a
 * did-you-mean (a `.share('pdi')` written in JavaScript would otherwise share nothing, silently).
 */
function knownKinds(d: ContainerDraft, raw: readonly string[]): NamespaceKind[] {
  return raw.flatMap((r) => {
    const kind = String(r).trim().toLowerCase();
    if ((NAMESPACE_KINDS as readonly string[]).includes(kind)) return [kind as NamespaceKind];
    const guess = closest(kind, NAMESPACE_KINDS);
    d.issues.push({
      path: 'namespaces.unshare',
      message: `unknown namespace "${String(r)}"`,
      hint: guess ? `did you mean "${guess}"? (namespaces: ${NAMESPACE_KINDS.join(', ')})` : `namespaces: ${NAMESPACE_KINDS.join(', ')}`,
    });
    return [];
  });
}

/** Unshare KINDS (kept in the kernel's order); a new namespace replaces joining one of that kind. */
function unshareKinds(d: ContainerDraft, kinds: readonly NamespaceKind[]): void {
  const ns = d.plan.namespaces;
  ns.unshare = NAMESPACE_KINDS.filter((k) => ns.unshare.includes(k) || kinds.includes(k));
  ns.enter = ns.enter.filter((e) => !kinds.includes(e.kind));
}

/**
 * Stay in the host's namespaces of KINDS, taking back what only exists in a new namespace of that kind
 * (see share()). One home for what "share" means: the DSL's share()/namespaces() and the command line's
 * `--share`, which replays share() (src/dsl/toggles.ts).
 */
function shareKinds(d: ContainerDraft, kinds: readonly NamespaceKind[]): void {
  if (kinds.length === 0) return;
  const ns = d.plan.namespaces;
  ns.unshare = ns.unshare.filter((k) => !kinds.includes(k));
  ns.persist = ns.persist.filter((p) => !kinds.includes(p.kind));
  if (kinds.includes('user')) {
    ns.uidMap = [];
    ns.gidMap = [];
  }
  if (kinds.includes('time')) ns.timeOffsets = { monotonic: 0, boottime: 0 };
  if (kinds.includes('net')) {
    delete d.plan.network;
    delete d.plan.usermodeNetwork;
    delete d.vethHostExplicit;
  }
  // With the host's uts namespace the launcher must not call sethostname (it would rename the host);
  // the plan says so with the default hostname, which is the container's name.
  if (kinds.includes('uts')) {
    d.plan.process.hostname = d.plan.name;
    d.hostnameExplicit = false;
  }
}

/**
 * The cpu quota in µs per PERIOD for "30%" (of one CPU), 1.5 or "1.5" (CPUs) or "max"; undefined when
 * it does not parse. The one parser of the notation: `--cpu` on the command line replays `.cpu()`.
 */
function cpuQuota(max: unknown, period: number): number | 'max' | undefined {
  if (typeof max === 'number') return Math.round(max * period);
  if (typeof max !== 'string') return undefined;
  const value = max.trim();
  if (value === 'max') return 'max';
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(value);
  if (percent) return Math.round((Number(percent[1]) / 100) * period);
  if (/^\d+(?:\.\d+)?$/.test(value)) return Math.round(Number(value) * period);
  return undefined;
}

/** `CAP_SYS_ADMIN`, `sys_admin` and `SYS_ADMIN` name one capability. */
function sameCapability(a: string, b: string): boolean {
  return normalizeCapability(a) === normalizeCapability(b);
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
