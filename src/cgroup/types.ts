import type { DeviceRule } from '../plan/types';

/**
 * What haco knows about the host's cgroups, and what it plans to do with them. Detection (detect.ts) is
 * the only part that reads the filesystem; mapping a container's resources to file writes (v1.ts, v2.ts)
 * works on this snapshot, so the launch spec compiler stays pure and testable.
 */

/**
 * `v2`: the unified hierarchy is mounted at ROOT (modern distributions).
 * `hybrid`: v1 controller hierarchies under ROOT plus an (often controller-less) v2 at ROOT/unified.
 * `v1`: only v1 hierarchies.
 */
export type CgroupMode = 'v1' | 'v2' | 'hybrid';

export interface CgroupV2Host {
  /** Where the unified hierarchy is mounted: ROOT (v2) or ROOT/unified (hybrid). */
  path: string;
  /** Controllers listed in PATH/cgroup.controllers (available to be enabled below the root). */
  controllers: string[];
}

export interface CpusetValues {
  cpus: string;
  mems: string;
}

export interface CgroupV1Host {
  /** Controller name → directory of the hierarchy it is mounted in (`cpu` → ROOT/cpu,cpuacct). */
  hierarchies: Record<string, string>;
  /** cpuset.cpus/mems of the cpuset hierarchy's root: a new v1 cpuset cgroup starts empty and must be filled. */
  cpusetRoot?: CpusetValues;
  /** Values of ROOT/cpuset/haco when it already exists with both set. */
  cpusetHaco?: CpusetValues;
  /**
   * Every mounted v1 hierarchy (controller-less ones like `name=systemd` too): mount point → the options
   * that name it (`['cpu', 'cpuacct']`, `['name=systemd']`). From mountinfo; absent for a bare tree.
   */
  mounts?: Record<string, string[]>;
  /** memory.memsw.limit_in_bytes exists only with swap accounting (kernel `swapaccount=1`). */
  memswAvailable: boolean;
}

export interface CgroupHost {
  mode: CgroupMode;
  /** The configured cgroup root (default /sys/fs/cgroup). */
  root: string;
  /** Present in v2 and hybrid modes. */
  v2?: CgroupV2Host;
  /** Present in v1 and hybrid modes. */
  v1?: CgroupV1Host;
}

/**
 * The container's device allow-list on this host. v1: `devices.deny` `a`, then one `devices.allow` write
 * per rule, in the devices hierarchy (written with cgroup-write). v2: the rules for the launcher's
 * `cgroup-devices` step (a BPF program attached to the cgroup). Kept apart from `actions`, which
 * `haco reload` may write again: denying everything for a moment would break a running container.
 */
export type DeviceCgroup =
  | { version: 'v1'; dir: string; writes: Array<{ path: string; value: string }> }
  | { version: 'v2'; dir: string; rules: DeviceRule[] };

/**
 * A v1 cgroup the launcher moves itself into to clone the child there (`spawn-cgroup PATH MOUNT CONTROLLER`):
 * MOUNT is where its hierarchy is mounted, CONTROLLER names that hierarchy's line in /proc/self/cgroup, from
 * which the launcher finds its own cgroup to return to.
 */
export interface V1SelfMove {
  dir: string;
  mount: string;
  controller: string;
}

/** One filesystem action of the prepare phase, in order (becomes `cgroup-mkdir` / `cgroup-write`). */
export type CgroupAction = { op: 'mkdir'; path: string } | { op: 'write'; path: string; value: string };

export interface CgroupSetup {
  /** Which API the setup uses (hybrid hosts are driven through their v1 hierarchies). */
  version: 'v1' | 'v2';
  actions: CgroupAction[];
  /** Cgroup directories the child is moved into (`cgroup-join`), one per v1 hierarchy or the one v2 cgroup. */
  join: string[];
  /**
   * v1: the child can be born in the `join` dirs (`spawn-cgroup`: the launcher moves itself there, clones it
   * and moves back) instead of being moved after the clone, which waits for an RCU grace period after a quiet
   * spell (docs/performance.md). Not when pids.max is below 2: the launcher and the child both count at the clone.
   */
  bornInJoin?: boolean;
  /** v1: each `join` dir with its hierarchy's mount point and one of its controllers (`spawn-cgroup`). */
  moves?: V1SelfMove[];
  /** The directory whose cgroup.procs lists the container's processes (`haco ps` counts there). */
  tracking: string;
  /** Removed when the container is gone (`cleanup-cgroup`); the shared `haco` parents follow when empty. */
  cleanup: string[];
  /**
   * The directories above `cleanup` the setup may make (haco's parent, or a cgroupsPath's), deepest
   * first: removed after the container when left empty and no launch holds the cgroup lock.
   */
  parents?: string[];
  /**
   * The file whose `oom_kill N` line counts the container's OOM kills (v2 memory.events, v1
   * memory.oom_control), when the memory controller is in use: the launcher reports a count above 0.
   */
  oomEvents?: string;
  /** Things that were asked for but cannot be applied on this host, shown as spec comments. */
  notes: string[];
  /** The device allow-list; absent when every device is allowed (or the caller did not ask). */
  devices?: DeviceCgroup;
}

/** Name of the parent cgroup every haco container lives under. */
export const HACO_CGROUP_PARENT = 'haco';
