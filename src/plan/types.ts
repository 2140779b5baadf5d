/**
 * The plan: haco's contract between the TypeScript side (which decides) and the native launcher
 * (which executes). Plain JSON, versioned by `apiVersion`, validated against `schema/plan.schema.json`.
 *
 * Everything here is explicit: defaults have already been applied by the DSL, so a plan read on its
 * own says exactly what will happen. See docs/plan.md for the field-by-field reference.
 */

/** Bumped on any incompatible change to the plan's shape. */
export const PLAN_API_VERSION = 'haco.dev/v1alpha1' as const;

/** The eight Linux namespaces (`man 7 namespaces`). */
export type NamespaceKind = 'mount' | 'uts' | 'ipc' | 'pid' | 'net' | 'user' | 'cgroup' | 'time';

export const NAMESPACE_KINDS: readonly NamespaceKind[] = [
  'mount',
  'uts',
  'ipc',
  'pid',
  'net',
  'user',
  'cgroup',
  'time',
];

/**
 * A user or group id: a whole number the kernel accepts (uid_t is 32 bits and 4294967295, i.e. -1,
 * means "unchanged" to setresuid(2), so it is not an id).
 * @asType integer
 * @minimum 0
 * @maximum 4294967294
 */
export type Id = number;

/**
 * A byte count. Whole and exactly representable (at most 2^53-1, 8 PiB): a size that rounds is a
 * limit the kernel is not given.
 * @asType integer
 * @minimum 0
 * @maximum 9007199254740991
 */
export type Bytes = number;

/**
 * A non-negative whole number that fits exactly (rlimits, IOPS).
 * @asType integer
 * @minimum 0
 * @maximum 9007199254740991
 */
export type Count = number;

/**
 * A clock offset in seconds: the kernel refuses offsets beyond KTIME_SEC_MAX (about 292 years).
 * @asType integer
 * @minimum -9223372036
 * @maximum 9223372036
 */
export type ClockOffset = number;

/** A whole, non-negative number of milliseconds or attempts (fits a C int). @asType integer @minimum 0 @maximum 2147483647 */
export type SmallCount = number;

/** A whole `.haco.ts` file, evaluated. */
export interface Plan {
  apiVersion: typeof PLAN_API_VERSION;
  /** Absolute path of the definition file the plan came from. */
  source: string;
  /** @minItems 1 */
  containers: ContainerPlan[];
}

export interface ContainerPlan {
  /** Unique within the file; used for the state dir, the cgroup and default paths. @pattern ^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$ */
  name: string;
  /** Name of the definition this one was derived from with `extend()`, if any. */
  extends?: string;
  process: ProcessPlan;
  rootfs: RootfsPlan;
  namespaces: NamespacesPlan;
  /** Applied in order, after the rootfs is bound and before pivot_root. */
  mounts: MountEntry[];
  bootstrap: BootstrapPlan;
  provision: ProvisionPlan;
  cgroup: CgroupPlan;
  capabilities: CapabilitiesPlan;
  /**
   * The device allow-list (device cgroup): the device numbers the container's processes may open or
   * mknod. Everything not listed is refused with EPERM, whatever the device nodes in its filesystem.
   * Enforced with devices.deny/devices.allow on cgroup v1 and a BPF_PROG_TYPE_CGROUP_DEVICE program on
   * v2. One rule `a *:* rwm` means no device cgroup at all (`.devices('host')`, unsafe).
   */
  devices: DeviceRule[];
  /**
   * Device nodes made in the container's filesystem (OCI `linux.devices`): mknod(2) with the type,
   * numbers, mode and owner given; bound from the host's node at the same path when the container has a
   * user namespace (mknod of a device needs CAP_MKNOD in the initial one). Making a node grants nothing:
   * opening it still needs a rule in `devices`.
   */
  deviceNodes?: DeviceNode[];
  rlimits: RlimitEntry[];
  seccomp?: SeccompPlan;
  /** prctl(PR_SET_NO_NEW_PRIVS): setuid binaries and file caps no longer raise privileges. */
  noNewPrivileges: boolean;
  /**
   * AppArmor confinement of the command (written to /proc/self/attr/apparmor/exec right before exec).
   * Absent: unconfined. The DSL's default is haco's own profile (`haco-default`, src/apparmor); on a host
   * without AppArmor that default is not applied (a row of plan and explain says so), a named profile fails.
   */
  apparmor?: AppArmorPlan;
  /** A bridged network for a new net namespace; absent = only `lo` (if net is unshared, the default). */
  network?: NetworkPlan;
  /**
   * lxcfs's files bound over the container's /proc (and /sys) ones, so `free`, `top` and `nproc` show the
   * container's limits instead of the host's totals. Needs a running lxcfs on the host (`haco lxcfs start`).
   */
  lxcfs?: LxcfsPlan;
  /**
   * User-mode networking for a new net namespace instead of a bridge: slirp4netns or pasta run next to
   * the container and carry its traffic through the host's sockets (no veth, no bridge, no nftables;
   * works without host root). Absent = no such helper. Never together with `network`.
   */
  usermodeNetwork?: UsermodeNetworkPlan;
  hooks: HookEntry[];
  /** What the supervisor runs while the container runs: timers, readiness, cgroup events, signal handlers. */
  supervision?: SupervisionPlan;
  restart: RestartPlan;
  /** What `haco reload` may change on a running container. */
  reloadable: ReloadableKind[];
}

export interface AppArmorPlan {
  /**
   * Profile name, as the kernel knows it (`cat /sys/kernel/security/apparmor/profiles`).
   * @pattern ^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$
   */
  profile: string;
  /**
   * `default`: haco's own profile (src/apparmor/default-profile.ts): haco writes it under its cache and
   * loads it with `apparmor_parser -r` before each start. Absent: a profile already loaded on the host.
   */
  builtin?: 'default';
}

export interface ProcessPlan {
  /** argv of the container's init. @minItems 1 */
  args: string[];
  /** The complete environment (no inheritance from the host). */
  env: Record<string, string>;
  /** Absolute path inside the container. */
  cwd: string;
  /**
   * Hostname set with sethostname(2); only takes effect with the uts namespace. At most 64 bytes
   * (HOST_NAME_MAX); letters, digits, "-", "_" and ".".
   * @minLength 1
   * @maxLength 64
   * @pattern ^[a-zA-Z0-9_.-]+$
   */
  hostname: string;
  user: UserPlan;
  /** Run detached (`haco start -d` behaviour by default). */
  daemonize: boolean;
  /** setsid(2) before exec: the init leads a new session with no controlling terminal. */
  sessionLeader: boolean;
  /** A tiny PID-1 that reaps zombies and forwards signals, for commands that do not reap. */
  reaper: boolean;
  stdio: StdioPlan;
  /**
   * File descriptors 3..3+N-1 of the caller (`haco start`) passed to the command, as systemd socket
   * activation does (the LISTEN_FDS convention): LISTEN_FDS=N and LISTEN_PID (the command's pid) are set in
   * its environment. Every other fd the caller had open is closed before exec. Absent or 0: only stdio.
   * At most 6: bin/haco hands the launch spec over on fd 9. `haco start --preserve-fds N` overrides it.
   * @minimum 0
   */
  preserveFds?: number;
  /**
   * /proc/PID/oom_score_adj of the init (inherited by its children): -1000 (never OOM-killed) to 1000
   * (killed first). Lowering it below the caller's needs CAP_SYS_RESOURCE. Absent: inherited.
   * @asType integer @minimum -1000 @maximum 1000
   */
  oomScoreAdj?: number;
}

export interface UserPlan {
  uid: Id;
  gid: Id;
  /** Supplementary groups (setgroups(2)). @maxItems 65536 */
  groups: Id[];
}

export interface StdioPlan {
  stdin?: StdioTarget;
  stdout?: StdioTarget;
  stderr?: StdioTarget;
}

export interface StdioTarget {
  /** `host`: opened by the launcher before any namespace is entered; `container`: opened after pivot_root. */
  side: 'host' | 'container';
  path: string;
  append: boolean;
}

export interface RootfsPlan {
  /** Absolute host path of the root filesystem (for overlay: where the merged tree is mounted). */
  path: string;
  readonly: boolean;
  /** pivot_root(2) (default, the old root is detached) or legacy chroot(2). */
  switchRoot: 'pivot_root' | 'chroot';
  /** Propagation applied to `/` in the new mount namespace before anything is mounted. */
  propagation: Propagation;
  /** Paths hidden after the switch: /dev/null bound over files, an empty read-only tmpfs over dirs. */
  maskedPaths: string[];
  /** Paths remounted read-only after the switch. */
  readonlyPaths: string[];
  /** overlayfs layers; when set, `path` is the merged mount point. */
  overlay?: OverlayPlan;
  /**
   * `idmap`: the rootfs (with an overlay: each lower layer) is seen through an id-mapped mount with the
   * container's uid/gid maps, so a tree owned by host root belongs to the container's root (docs/rootfs.md
   * "Who owns the rootfs"). Absent: ownership as on disk.
   */
  owner?: 'idmap';
}

export interface OverlayPlan {
  /** Read-only lower layers, top-most first (overlayfs `lowerdir=a:b`). @minItems 1 */
  lower: string[];
  upper: string;
  work: string;
  /**
   * Who mounts the layers: `kernel` (overlayfs) or `fuse` (fuse-overlayfs, a daemon in the container's
   * user namespace: docs/rootfs.md "Layers through FUSE"). Absent: the kernel's, or fuse-overlayfs for a
   * rootless container on a kernel that cannot mount overlayfs in a user namespace (before Linux 5.11).
   */
  mounter?: 'kernel' | 'fuse';
}

export type Propagation = 'private' | 'rprivate' | 'slave' | 'rslave' | 'shared' | 'rshared';

export interface NamespacesPlan {
  /** Namespaces created for the container. */
  unshare: NamespaceKind[];
  /** Existing namespaces joined with setns(2). */
  enter: NamespaceRef[];
  /** Namespaces bind-mounted to a host file once the container exists (like `ip netns add`). */
  persist: NamespaceRef[];
  /** uid_map lines; only with the user namespace. */
  uidMap: IdMapEntry[];
  gidMap: IdMapEntry[];
  /** /proc/PID/setgroups: `deny` is required for an unprivileged gid_map. */
  setgroups: 'allow' | 'deny';
  /** Clock offsets for a new time namespace (seconds), see time_namespaces(7). */
  timeOffsets: { monotonic: ClockOffset; boottime: ClockOffset };
}

export interface NamespaceRef {
  kind: NamespaceKind;
  /** A namespace file, e.g. /proc/1234/ns/net or /var/run/netns/blue. */
  path: string;
}

/** One uid_map/gid_map line; `inside + count` and `outside + count` must stay within the id range. */
export interface IdMapEntry {
  inside: Id;
  outside: Id;
  count: IdCount;
}

/** How many ids a map line covers. @asType integer @minimum 1 @maximum 4294967295 */
export type IdCount = number;

/** Mount flags understood by mount(2) (MS_*), lower case without the prefix. */
export type MountFlag =
  | 'ro'
  | 'nosuid'
  | 'nodev'
  | 'noexec'
  | 'noatime'
  | 'nodiratime'
  | 'relatime'
  | 'strictatime'
  | 'sync'
  | 'dirsync';

/** One mount inside the container; `target` is a path inside the rootfs. */
export type MountEntry = BindMount | TmpfsMount | FsMount | StandardMount | HostFileMount;

export interface BindMount {
  type: 'bind';
  /** Host path. */
  source: string;
  target: string;
  readonly: boolean;
  /** MS_REC: also bind the mounts below source. */
  recursive: boolean;
  propagation?: Propagation;
  /** Create the target (dir or file, like the source) if missing. */
  create: boolean;
}

export interface TmpfsMount {
  type: 'tmpfs';
  target: string;
  /** Bytes; absent = the kernel default (half of RAM). */
  size?: Bytes;
  /** Octal permission string, e.g. "1777". @pattern ^[0-7]{3,4}$ */
  mode?: string;
  flags: MountFlag[];
}

export interface FsMount {
  type: 'fs';
  fstype: string;
  source: string;
  target: string;
  /** The data argument of mount(2), e.g. "size=64m,uid=1000". */
  data?: string;
  flags: MountFlag[];
}

/** The usual pseudo filesystems, mounted with the conventional flags. */
export interface StandardMount {
  type: 'standard';
  /** proc, sysfs, a minimal /dev (a nosuid,nodev,noexec 64M tmpfs + null zero full random urandom tty bound from the host + ptmx), devpts, /dev/shm, /dev/mqueue. */
  fs: StandardFs;
  target: string;
}

export type StandardFs = 'proc' | 'sys' | 'dev' | 'devpts' | 'shm' | 'mqueue';

export const STANDARD_FS: readonly StandardFs[] = ['proc', 'sys', 'dev', 'devpts', 'shm', 'mqueue'];

/** A host file bound read-only into the container (e.g. /etc/resolv.conf). */
export interface HostFileMount {
  type: 'hostFile';
  source: '/etc/resolv.conf' | '/etc/hosts';
  target: string;
}

/** How `haco create` makes the rootfs. */
export type BootstrapPlan =
  | HostBootstrap
  | BusyboxBootstrap
  | DebootstrapBootstrap
  | LxcBootstrap
  | TarballBootstrap
  | DirectoryBootstrap
  | ShellBootstrap
  | ImageBootstrap
  | NoBootstrap;

interface BootstrapCommon {
  /** Shell steps run on the host after bootstrap, with $ROOTFS set. */
  post: ShellStep[];
}

/** The host's own /usr, /bin, /lib… bound read-only; the container gets its own /etc, /var, /tmp, /root. */
export interface HostBootstrap extends BootstrapCommon {
  strategy: 'host';
  /** Host directories bound read-only into the rootfs at start. */
  binds: string[];
}

/** A minimal rootfs from the host's static busybox. */
export interface BusyboxBootstrap extends BootstrapCommon {
  strategy: 'busybox';
  /** Path of a static busybox on the host. */
  busybox: string;
}

export interface DebootstrapBootstrap extends BootstrapCommon {
  strategy: 'debootstrap';
  suite: string;
  variant: 'minbase' | 'buildd' | 'fakechroot' | 'default';
  /** Absent = the host's configured apt mirror. */
  mirror?: string;
  components: string[];
  include: string[];
  arch?: string;
}

export interface LxcBootstrap extends BootstrapCommon {
  strategy: 'lxc';
  /** lxc-create -t TEMPLATE (busybox, debian, alpine, download, …). */
  template: string;
  /** Arguments passed to the template after `--`. */
  args: string[];
}

export interface TarballBootstrap extends BootstrapCommon {
  strategy: 'tarball';
  /** A local .tar, .tar.gz, .tar.xz or .tar.zst (e.g. `docker export` output). */
  archive: string;
}

export interface DirectoryBootstrap extends BootstrapCommon {
  strategy: 'directory';
  /** Copy this tree; absent = the rootfs path must already hold a tree. */
  source?: string;
}

export interface ShellBootstrap extends BootstrapCommon {
  strategy: 'shell';
  /** Runs with `sh -e`, $ROOTFS is the (temporary) rootfs to fill. */
  script: string;
}

/**
 * An OCI image: copied with skopeo into the shared image cache (an OCI layout, content-addressed blobs)
 * and unpacked with umoci. Its config (Entrypoint/Cmd, Env, WorkingDir, User) gives the process fields
 * the definition did not set; see docs/oci.md for when the image is read and pinned.
 */
export interface ImageBootstrap extends BootstrapCommon {
  strategy: 'image';
  /**
   * skopeo transport and reference: `docker://REGISTRY/NAME:TAG` (or `@sha256:…`), `oci-archive:FILE`,
   * `docker-archive:FILE` (`docker save`), `oci:DIR:TAG`. Relative files are resolved against the definition.
   */
  image: string;
  /** Verify TLS for docker:// (false: plain HTTP or a self-signed local registry). */
  tlsVerify: boolean;
  /**
   * `copy`: the layers are unpacked into the container's own rootfs. `shared`: each layer is unpacked once
   * into the image cache and the rootfs is an overlay of them (lowers, read-only) with the container's own
   * upper dir; once pinned the plan's `rootfs.overlay` lists them.
   */
  layers: 'copy' | 'shared';
  /** Present once `haco create` pulled the image: what the rootfs came from and what the plan took from it. */
  pinned?: ImagePin;
}

export interface ImagePin {
  /** Digest of the image manifest the rootfs was unpacked from. @pattern ^sha256:[0-9a-f]{64}$ */
  digest: string;
  /** Plan fields whose value came from the image config because the definition left them alone, e.g. `process.args`, `process.env.PATH`. */
  fromImage: string[];
  /** ExposedPorts of the image config, e.g. `8080/tcp` (kept for exports; haco publishes nothing by itself). */
  exposedPorts: string[];
}

/** No bootstrap: the rootfs must exist. */
export interface NoBootstrap extends BootstrapCommon {
  strategy: 'none';
}

export type BootstrapStrategy = BootstrapPlan['strategy'];

export interface ShellStep {
  /** @pattern ^[a-zA-Z0-9][a-zA-Z0-9_.-]*$ */
  name: string;
  script: string;
}

export interface ProvisionPlan {
  /** Run inside the rootfs with `sh -xe`, in order. */
  steps: ShellStep[];
  /**
   * `host`: the steps use the host's network namespace (package managers download), whatever the
   * container itself does; `none`: they run in a network namespace of their own with only `lo`.
   */
  network: 'host' | 'none';
  /** Files copied from the host into the rootfs before the steps. */
  files: ProvisionFile[];
}

export interface ProvisionFile {
  /** Host path (relative paths are resolved against the definition file). */
  source: string;
  /** Absolute path inside the rootfs. */
  target: string;
  /** Octal, e.g. "0644". @pattern ^[0-7]{3,4}$ */
  mode?: string;
}

export interface CgroupPlan {
  resources: CgroupResources;
  /**
   * Where the container's cgroup is, in every hierarchy (OCI `linux.cgroupsPath`): `/a/b` is that path
   * under each hierarchy's root, `a/b` is under haco's own parent (`haco/a/b`). Absent: `haco/NAME`.
   * Directories it makes on the way are removed with it when left empty.
   * @pattern ^/?[a-zA-Z0-9_.:@-]+(/[a-zA-Z0-9_.:@-]+)*$
   */
  path?: string;
  /**
   * Escape hatch: file name → value, written as is. Keys are plain cgroup file names of that version
   * with a resource controller's prefix (`memory.high`; see CGROUP_RAW_PREFIXES); never a path.
   */
  raw: { v1: Record<string, string>; v2: Record<string, string> };
}

/**
 * The controllers whose files `cgroupRaw` may write. Not `cgroup.*` (moving processes, enabling
 * controllers: haco's own bookkeeping), `devices.*` (device access is a plan field of its own) or
 * `freezer.*` (the supervisor's job).
 */
export const CGROUP_RAW_PREFIXES: readonly string[] = ['memory', 'cpu', 'cpuacct', 'cpuset', 'io', 'blkio', 'pids', 'hugetlb', 'rdma', 'misc', 'net_cls', 'net_prio'];

export interface CgroupResources {
  cpu?: {
    /** CFS quota per period (µs, at least 1000); `max` = unlimited. */
    quotaUs?: CpuQuota | 'max';
    /** CFS period (µs), default 100000. @asType integer @minimum 1000 @maximum 1000000 */
    periodUs?: number;
    /** cpu.weight (v2, 1–10000); v1 cpu.shares is derived from it. @asType integer @minimum 1 @maximum 10000 */
    weight?: number;
  };
  cpuset?: {
    /** e.g. "0-1,3" @pattern ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ */
    cpus?: string;
    /** @pattern ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ */
    mems?: string;
  };
  memory?: {
    /** Bytes. */
    max?: Bytes | 'max';
    /** Bytes of swap on top of `max` (v2 memory.swap.max; v1 memsw = max + swap). */
    swapMax?: Bytes | 'max';
    /** Soft floor/target (v2 memory.low; v1 soft_limit_in_bytes). */
    low?: Bytes;
  };
  pids?: {
    max: PidsMax | 'max';
  };
  io?: {
    /** v2 io.weight / v1 blkio.weight (1–10000; v1 clamps to 10–1000). @asType integer @minimum 1 @maximum 10000 */
    weight?: number;
    throttle: IoThrottle[];
  };
}

export interface IoThrottle {
  /** MAJOR:MINOR of a block device. @pattern ^[0-9]+:[0-9]+$ */
  device: string;
  readBps?: Bytes;
  writeBps?: Bytes;
  readIops?: Count;
  writeIops?: Count;
}

/** A CFS quota in µs: the kernel's minimum is 1000. @asType integer @minimum 1000 @maximum 9007199254740991 */
export type CpuQuota = number;

/** pids.max: the kernel refuses more than PID_MAX_LIMIT (4194304). @asType integer @minimum 1 @maximum 4194304 */
export type PidsMax = number;

/** Device access, as in cgroup v1's devices.allow: r = read, w = write, m = mknod(2). */
export type DeviceAccess = 'r' | 'w' | 'm' | 'rw' | 'rm' | 'wm' | 'rwm';

/** One entry of the device allow-list, in the terms of cgroup v1's `devices.allow` (`c 1:3 rwm`). */
export interface DeviceRule {
  /** `c` character device, `b` block device, `a` any type (and any number). */
  type: 'c' | 'b' | 'a';
  /** Major number, or `*` for any. @minimum 0 */
  major: number | '*';
  /** Minor number, or `*` for any. @minimum 0 */
  minor: number | '*';
  /** What is allowed; an access asking for more (e.g. rw on an `r` rule) is refused. */
  access: DeviceAccess;
  /** Always true: the list only grants, the default is to refuse (kept explicit, as in OCI's `allow`). */
  allow: true;
  /**
   * With `.device(path)`: the host's device node (under /dev), bound at the same path inside the
   * container. Absent for rules that only allow (e.g. the mknod rules and the standard /dev nodes,
   * which the `dev` standard mount provides).
   */
  path?: string;
}

/** A device node the launcher makes in the container (`deviceNodes`). */
export interface DeviceNode {
  /** Absolute path inside the container, e.g. `/dev/fuse`. */
  path: string;
  /** `c` character device, `b` block device, `p` FIFO (no numbers). */
  type: 'c' | 'b' | 'p';
  /** @asType integer @minimum 0 @maximum 4095 */
  major: number;
  /** @asType integer @minimum 0 @maximum 1048575 */
  minor: number;
  /** Permission bits (0o666 = rw for all); the umask does not apply. @asType integer @minimum 0 @maximum 4095 */
  mode: number;
  uid: Id;
  gid: Id;
}

/** Capability names as in capabilities(7), lower case without CAP_. */
export type CapabilityName =
  | 'chown'
  | 'dac_override'
  | 'dac_read_search'
  | 'fowner'
  | 'fsetid'
  | 'kill'
  | 'setgid'
  | 'setuid'
  | 'setpcap'
  | 'linux_immutable'
  | 'net_bind_service'
  | 'net_broadcast'
  | 'net_admin'
  | 'net_raw'
  | 'ipc_lock'
  | 'ipc_owner'
  | 'sys_module'
  | 'sys_rawio'
  | 'sys_chroot'
  | 'sys_ptrace'
  | 'sys_pacct'
  | 'sys_admin'
  | 'sys_boot'
  | 'sys_nice'
  | 'sys_resource'
  | 'sys_time'
  | 'sys_tty_config'
  | 'mknod'
  | 'lease'
  | 'audit_write'
  | 'audit_control'
  | 'setfcap'
  | 'mac_override'
  | 'mac_admin'
  | 'syslog'
  | 'wake_alarm'
  | 'block_suspend'
  | 'audit_read'
  | 'perfmon'
  | 'bpf'
  | 'checkpoint_restore';

/** The five capability sets of the container's init, fully resolved. */
export interface CapabilitiesPlan {
  bounding: CapabilityName[];
  effective: CapabilityName[];
  permitted: CapabilityName[];
  inheritable: CapabilityName[];
  ambient: CapabilityName[];
}

export type RlimitName =
  | 'AS'
  | 'CORE'
  | 'CPU'
  | 'DATA'
  | 'FSIZE'
  | 'LOCKS'
  | 'MEMLOCK'
  | 'MSGQUEUE'
  | 'NICE'
  | 'NOFILE'
  | 'NPROC'
  | 'RSS'
  | 'RTPRIO'
  | 'RTTIME'
  | 'SIGPENDING'
  | 'STACK';

export interface RlimitEntry {
  resource: RlimitName;
  soft: Count | 'unlimited';
  hard: Count | 'unlimited';
}

export type SeccompActionName = 'allow' | 'errno' | 'kill_thread' | 'kill_process' | 'trap' | 'log';

export interface SeccompAction {
  action: SeccompActionName;
  /** With `errno`: the errno returned (number). @asType integer @minimum 0 @maximum 4095 */
  errno?: number;
}

export interface SeccompPlan extends SeccompAction {
  /**
   * `default`: the rules were generated from haco's default profile (src/plan/seccomp-default.ts) for this
   * container's capabilities and architecture, possibly with the definition's own rules added. Absent: a
   * filter written entirely by the definition. Informational only; the rules say what is installed.
   */
  profile?: 'default';
  /** Evaluated by libseccomp; the first matching rule's action wins over the default. */
  rules: SeccompRule[];
}

export interface SeccompRule extends SeccompAction {
  /** Syscall names as in syscalls(2). @minItems 1 */
  syscalls: SyscallName[];
  args: SeccompArg[];
  /**
   * Skip a name this host's libseccomp does not know, or cannot add on this architecture, instead of
   * failing the start (set on the default profile's rules, which list calls newer than some libseccomp
   * versions). Absent/false: an unknown name is an error.
   */
  optional?: boolean;
}

export interface SeccompArg {
  /** Argument index 0–5. @asType integer @minimum 0 @maximum 5 */
  index: number;
  op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'masked_eq';
  value: Count;
  /** With masked_eq: the value compared after masking with `value`. */
  valueTwo?: Count;
}

/** @pattern ^[a-z0-9_]+$ */
export type SyscallName = string;

/** Bridge + veth networking for a new net namespace (see docs/network.md). */
export interface NetworkPlan {
  bridge: string;
  /** CIDR of the bridge on the host, e.g. 10.88.0.1/24. */
  bridgeAddress: string;
  /** CIDR of the container's interface. */
  address: string;
  /** Default route inside the container (usually the bridge address). */
  gateway?: string;
  /** IPv6 CIDR of the bridge on the host, next to the IPv4 one, e.g. fd88::1/64 (with `address6`). */
  bridgeAddress6?: string;
  /** IPv6 CIDR of the container's interface, in the bridge's v6 subnet, e.g. fd88::10/64. */
  address6?: string;
  /** IPv6 default route inside the container (usually the bridge's v6 address). */
  gateway6?: string;
  vethHost: string;
  vethGuest: string;
  /** Create the bridge if it does not exist. */
  createBridge: boolean;
  /** Delete the host-side veth when the container exits. */
  cleanup: boolean;
  /** Host ports forwarded to the container (nftables DNAT in the `haco` table, removed on exit). */
  ports?: PortForwardPlan[];
  /**
   * Outbound NAT: the container's packets leaving the host by another interface than the bridge get the
   * host's address (nftables masquerade in the `haco` table, removed on exit; turns on ip_forward). With
   * `address6`, the same for IPv6 (the `ip6 haco` table; turns on net.ipv6.conf.all.forwarding).
   */
  nat?: boolean;
}

/** lxcfs (a FUSE file system on the host) answers reads of its /proc files with the reader's cgroup limits. */
export interface LxcfsPlan {
  /** Where the host's lxcfs is mounted (Debian's lxcfs.service: /var/lib/lxcfs). Absolute. */
  mountpoint: string;
  /**
   * The files bound, as paths inside the container; each one's source is MOUNTPOINT + the path
   * (`/proc/meminfo` ← `/var/lib/lxcfs/proc/meminfo`). Only the files lxcfs provides (plan/lxcfs.ts).
   * @minItems 1
   */
  files: string[];
}

/** slirp4netns or pasta for a new net namespace (see docs/network.md, "User-mode networking"). */
export interface UsermodeNetworkPlan {
  /** The helper program: slirp4netns (package slirp4netns) or pasta (package passt). */
  tool: 'slirp4netns' | 'pasta';
  /**
   * Let the container reach the host's loopback services through the gateway address (slirp4netns
   * 10.0.2.2, pasta's gateway). Off by default: 127.0.0.1 services on the host are often meant for the
   * host only.
   */
  hostLoopback: boolean;
  /** Host ports forwarded to the container (pasta only: the helper listens on the host's port). */
  ports?: PortForwardPlan[];
}

/** One forwarded port: traffic to a local address of the host on `host` goes to the container's `container`. */
export interface PortForwardPlan {
  /** @minimum 1 @maximum 65535 */
  host: number;
  /** @minimum 1 @maximum 65535 */
  container: number;
  protocol: 'tcp' | 'udp';
}

/**
 * Where a hook runs, in launch order (docs/lifecycle.md has the table with haconiwa's names):
 * setup, beforeStart (haconiwa's before_fork), afterSpawn (after_fork, parent), afterNetworkCreated,
 * afterSpawnChild (after_fork, child), afterNetworkInitialized, beforeChroot, afterChroot, beforeExec,
 * afterStart (before_start_wait), beforeCleanup (teardown_container), afterExit (teardown), afterFailure,
 * systemFailure, afterReload.
 */
export type HookPoint =
  | 'setup'
  | 'beforeStart'
  | 'afterSpawn'
  | 'afterNetworkCreated'
  | 'afterSpawnChild'
  | 'afterNetworkInitialized'
  | 'beforeChroot'
  | 'afterChroot'
  | 'beforeExec'
  | 'afterStart'
  | 'beforeCleanup'
  | 'afterExit'
  | 'afterFailure'
  | 'systemFailure'
  | 'afterReload';

export const HOOK_POINTS: readonly HookPoint[] = [
  'setup',
  'beforeStart',
  'afterSpawn',
  'afterNetworkCreated',
  'afterSpawnChild',
  'afterNetworkInitialized',
  'beforeChroot',
  'afterChroot',
  'beforeExec',
  'afterStart',
  'beforeCleanup',
  'afterExit',
  'afterFailure',
  'systemFailure',
  'afterReload',
];

/** The points whose hooks run in the container's child process (its namespaces), not on the host. */
export const CONTAINER_HOOK_POINTS: readonly HookPoint[] = ['afterSpawnChild', 'afterNetworkInitialized', 'beforeChroot', 'afterChroot', 'beforeExec'];

export interface HookEntry {
  point: HookPoint;
  /** argv; a string in the DSL becomes ["/bin/sh", "-c", string]. @minItems 1 */
  command: string[];
  /** Where it runs: the CONTAINER_HOOK_POINTS inside the container's child, every other point on the host. */
  side: 'host' | 'container';
}

/** A command the supervisor runs on the host every `intervalMs` while the container runs. */
export interface TimerHook {
  /** @asType integer @minimum 10 @maximum 2147483647 */
  intervalMs: number;
  /** How many runs per container run; 0 = until the container exits. */
  count: SmallCount;
  /** argv, as for hooks. @minItems 1 */
  command: string[];
}

/**
 * When the container counts as ready (`haco ps` shows "running, ready"; `haco start -d --wait-ready`
 * waits for it): a TCP port listening in the container's network namespace, or a host command exiting 0.
 */
export interface ReadinessPlan {
  kind: 'port' | 'command';
  /** kind port: the TCP port (IPv4 or IPv6, any address) in LISTEN state. @minimum 1 @maximum 65535 */
  port?: number;
  /** kind command: run on the host with HACO_PID until it exits 0. @minItems 1 */
  command?: string[];
  /** Give up after this long (ms): the state says "not ready". */
  timeoutMs: SmallCount;
  /** @asType integer @minimum 10 @maximum 2147483647 */
  intervalMs: number;
}

/** A cgroup event of the container's memory controller and the host command it runs. */
export interface EventHook {
  /** oom: the OOM killer killed a process of the container; memoryPressure: the kernel's pressure level or PSI trigger fired. */
  event: 'oom' | 'memoryPressure';
  /** memoryPressure only: v1 memory.pressure_level's level; on v2 it picks a PSI trigger (docs/lifecycle.md). */
  level?: 'low' | 'medium' | 'critical';
  /** @minItems 1 */
  command: string[];
}

/** A signal sent to the supervisor (`haco kill --supervisor -s USR1 NAME`) runs a host command instead of reaching the container. */
export interface SignalHook {
  signal: 'USR1' | 'USR2';
  /** @minItems 1 */
  command: string[];
}

export interface SupervisionPlan {
  /** Every hook command's time limit (ms); past it its process group gets SIGKILL and the hook fails. 0 = none. */
  hookTimeoutMs: SmallCount;
  timers: TimerHook[];
  readiness?: ReadinessPlan;
  events: EventHook[];
  signals: SignalHook[];
}

export interface RestartPlan {
  policy: 'no' | 'on-failure' | 'always';
  /** 0 = no limit. */
  maxRetries: SmallCount;
  /** First back-off delay in ms, doubled after each restart. */
  backoffMs: SmallCount;
}

export type ReloadableKind = 'cgroup' | 'rlimits';
