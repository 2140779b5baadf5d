import * as path from 'node:path';
import { CgroupError } from '../errors';
import { allowsAllDevices, deviceRuleText } from '../plan/devices';
import type { CgroupPlan, CgroupResources, DeviceRule } from '../plan/types';
import { controllerOfFile, V1_CONTROLLERS } from './controllers';
import { cgroupPlace } from './place';
import { HACO_CGROUP_PARENT, type CgroupAction, type CgroupHost, type CgroupSetup, type CgroupV1Host, type V1SelfMove } from './types';
import { DEFAULT_CPU_PERIOD_US } from './v2';

/** A write in the container's cgroup of one v1 controller's hierarchy. */
export interface V1FileWrite {
  controller: string;
  file: string;
  value: string;
}

/**
 * cpu.shares from the v2-style weight. Both default to "normal" (weight 100 ⇔ 1024 shares), so the
 * mapping is linear around that point: shares = weight × 1024 / 100, rounded, and at least 2 (the
 * kernel's minimum for cpu.shares).
 */
export function weightToShares(weight: number): number {
  return Math.max(2, Math.round((weight * 1024) / 100));
}

/** blkio.weight accepts 10–1000 (the plan's weight is 1–10000); out-of-range values are clamped. */
export function clampBlkioWeight(weight: number): number {
  return Math.min(1000, Math.max(10, Math.round(weight)));
}

/** v1 uses -1 where v2 says `max`. */
function v1Limit(value: number | 'max'): string {
  return value === 'max' ? '-1' : String(value);
}

/**
 * The v1 files for the resources (cgroup-v1/*.rst), then the raw writes. `notes` collects requests that
 * this host cannot honour (no swap accounting) so the spec can say so instead of failing.
 */
export function v1FileWrites(
  resources: CgroupResources,
  raw: Record<string, string>,
  facts: Pick<CgroupV1Host, 'memswAvailable'> & { cpusetParent?: { cpus: string; mems: string } },
): { writes: V1FileWrite[]; notes: string[] } {
  const writes: V1FileWrite[] = [];
  const notes: string[] = [];
  const add = (controller: string, file: string, value: string) => writes.push({ controller, file, value });
  const { cpu, cpuset, memory, pids, io } = resources;
  const rawCpuset = Object.keys(raw).some((f) => f.startsWith('cpuset.'));

  // A v1 cpuset cgroup starts with empty cpus and mems and refuses tasks until both are set, so both are
  // always written: the requested value, or the parent's.
  if (cpuset || rawCpuset) {
    const parent = facts.cpusetParent;
    const cpus = cpuset?.cpus ?? parent?.cpus;
    const mems = cpuset?.mems ?? parent?.mems;
    if (cpus === undefined || mems === undefined) {
      throw new CgroupError('E_CGROUP_CPUSET', 'cannot read cpuset.cpus/cpuset.mems of the parent cpuset cgroup', 'check that the cpuset hierarchy is mounted and readable');
    }
    add('cpuset', 'cpuset.cpus', cpus);
    add('cpuset', 'cpuset.mems', mems);
  }
  if (cpu) {
    if (cpu.quotaUs !== undefined || cpu.periodUs !== undefined) {
      // Period first: the kernel checks quota against the period in force.
      add('cpu', 'cpu.cfs_period_us', String(cpu.periodUs ?? DEFAULT_CPU_PERIOD_US));
      add('cpu', 'cpu.cfs_quota_us', v1Limit(cpu.quotaUs ?? 'max'));
    }
    if (cpu.weight !== undefined) add('cpu', 'cpu.shares', String(weightToShares(cpu.weight)));
  }
  if (memory) {
    // limit before memsw: memsw must never be below limit_in_bytes.
    if (memory.max !== undefined) add('memory', 'memory.limit_in_bytes', v1Limit(memory.max));
    if (memory.swapMax !== undefined) {
      if (!facts.memswAvailable) {
        notes.push('memory.swapMax ignored: no memory.memsw.limit_in_bytes (swap accounting off; boot with swapaccount=1)');
      } else if (memory.swapMax === 'max' || memory.max === 'max') {
        add('memory', 'memory.memsw.limit_in_bytes', '-1');
      } else if (memory.max === undefined) {
        notes.push('memory.swapMax ignored: on cgroup v1 the swap limit is memory+swap, so it needs memory.max');
      } else {
        add('memory', 'memory.memsw.limit_in_bytes', String(memory.max + memory.swapMax));
      }
    }
    if (memory.low !== undefined) add('memory', 'memory.soft_limit_in_bytes', String(memory.low));
  }
  if (pids) add('pids', 'pids.max', String(pids.max));
  if (io) {
    if (io.weight !== undefined) add('blkio', 'blkio.weight', String(clampBlkioWeight(io.weight)));
    for (const t of io.throttle) {
      if (t.readBps !== undefined) add('blkio', 'blkio.throttle.read_bps_device', `${t.device} ${t.readBps}`);
      if (t.writeBps !== undefined) add('blkio', 'blkio.throttle.write_bps_device', `${t.device} ${t.writeBps}`);
      if (t.readIops !== undefined) add('blkio', 'blkio.throttle.read_iops_device', `${t.device} ${t.readIops}`);
      if (t.writeIops !== undefined) add('blkio', 'blkio.throttle.write_iops_device', `${t.device} ${t.writeIops}`);
    }
  }
  for (const [file, value] of Object.entries(raw)) {
    // Core files (cgroup.*, notify_on_release) go to the tracking hierarchy, marked with an empty controller.
    add(controllerOfFile(file, 'v1') ?? '', file, value);
  }
  return { writes, notes };
}

/** The hierarchy every container joins even without limits: pids if mounted, else the first one found. */
function trackingController(hierarchies: Record<string, string>): string | undefined {
  const order = ['pids', ...V1_CONTROLLERS.filter((c) => c !== 'pids')];
  return order.find((c) => hierarchies[c] !== undefined);
}

/**
 * The v1 (and hybrid) setup: ROOT/CONTROLLER/haco/NAME in each hierarchy a limit needs, plus the tracking
 * hierarchy (pids, or the first available) so `haco ps` can always count the container's processes, plus
 * cpuacct so it can always tell their CPU time.
 */
export function planCgroupV1(name: string, plan: CgroupPlan, host: CgroupHost, devices?: readonly DeviceRule[]): CgroupSetup {
  const v1 = host.v1;
  if (!v1) throw new CgroupError('E_CGROUP_NO_V1', `the host has no cgroup v1 hierarchies under ${host.root}`);
  const cpusetParent = v1.cpusetHaco ?? v1.cpusetRoot;
  const { writes, notes } = v1FileWrites(plan.resources, plan.raw.v1, {
    memswAvailable: v1.memswAvailable,
    ...(cpusetParent ? { cpusetParent } : {}),
  });
  const tracking = trackingController(v1.hierarchies);
  if (tracking === undefined) {
    throw new CgroupError('E_CGROUP_NOT_FOUND', `no cgroup v1 controller hierarchy is mounted under ${host.root}`, 'mount one, e.g. `mount -t cgroup -o pids cgroup /sys/fs/cgroup/pids`');
  }
  for (const w of writes) if (w.controller === '') w.controller = tracking;

  // The device allow-list lives in the devices hierarchy (cgroup-v1/devices.rst).
  const deviceCgroup = devices !== undefined && !allowsAllDevices(devices);
  // cpuacct whenever it is mounted: it is where v1 counts CPU time (cpuacct.usage), and a host that mounts
  // it apart from cpu (not co-mounted as cpu,cpuacct) would otherwise leave `haco ps` at 0.00 s.
  const accounting = v1.hierarchies['cpuacct'] !== undefined ? ['cpuacct'] : [];
  const needed = [...new Set([tracking, ...accounting, ...writes.map((w) => w.controller), ...(deviceCgroup ? ['devices'] : [])])];
  const missing = needed.filter((c) => v1.hierarchies[c] === undefined);
  if (missing.length > 0) {
    const remedy = missing.includes('devices')
      ? "or, knowing it lets the container use every host device, .devices('host')"
      : `or remove the ${missing.join('/')} limits from the definition`;
    throw new CgroupError(
      'E_CGROUP_CONTROLLER',
      `container "${name}" needs the cgroup v1 controller${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, but no hierarchy for ${missing.length > 1 ? 'them' : 'it'} is mounted under ${host.root}`,
      `mount it (\`mount -t cgroup -o ${missing[0]} cgroup ${path.join(host.root, missing[0]!)}\`) ${remedy}`,
    );
  }

  const place = cgroupPlace(name, plan.path);
  const actions: CgroupAction[] = [];
  const join: string[] = [];
  const moves: V1SelfMove[] = [];
  // Controllers co-mounted in one hierarchy (cpu,cpuacct) share a directory: create and join it once.
  const seen = new Set<string>();
  for (const controller of needed) {
    const hierarchy = v1.hierarchies[controller]!;
    if (seen.has(hierarchy)) continue;
    seen.add(hierarchy);
    const dir = path.join(hierarchy, place.leaf);
    for (const rel of place.parents) {
      const parent = path.join(hierarchy, rel);
      actions.push({ op: 'mkdir', path: parent });
      // A new cpuset parent has empty cpus/mems, and no child can have more than its parent: give it the
      // root's (haco's own parent only until it has them; a config's path every time, cheap and idempotent).
      if (controller === 'cpuset' && v1.cpusetRoot && (rel !== HACO_CGROUP_PARENT || !v1.cpusetHaco)) {
        actions.push({ op: 'write', path: path.join(parent, 'cpuset.cpus'), value: v1.cpusetRoot.cpus });
        actions.push({ op: 'write', path: path.join(parent, 'cpuset.mems'), value: v1.cpusetRoot.mems });
      }
    }
    actions.push({ op: 'mkdir', path: dir });
    const inHierarchy = new Set(needed.filter((c) => v1.hierarchies[c] === hierarchy));
    for (const w of writes) if (inHierarchy.has(w.controller)) actions.push({ op: 'write', path: path.join(dir, w.file), value: w.value });
    join.push(dir);
    moves.push({ dir, mount: hierarchy, controller });
  }
  const trackingDir = path.join(v1.hierarchies[tracking]!, place.leaf);
  const memory = needed.includes('memory') ? { oomEvents: path.join(v1.hierarchies.memory!, place.leaf, 'memory.oom_control') } : {};
  const deviceDir = path.join(v1.hierarchies.devices ?? '', place.leaf);
  const deviceSetup = deviceCgroup && devices
    ? {
        devices: {
          version: 'v1' as const,
          dir: deviceDir,
          // Deny everything first (the new group copied its parent's list), then allow rule by rule.
          writes: [
            { path: path.join(deviceDir, 'devices.deny'), value: 'a' },
            ...devices.map((r) => ({ path: path.join(deviceDir, 'devices.allow'), value: deviceRuleText(r) })),
          ],
        },
      }
    : {};
  const parents = [...seen].flatMap((h) => place.parents.map((rel) => path.join(h, rel)).reverse());
  // The launcher is in the pids cgroup when it clones the child (spawn-cgroup): a limit below 2 would refuse it.
  // (-1 and `max` are no limit.)
  const bornInJoin = writes.filter((w) => w.file === 'pids.max').every((w) => !/^\d+$/.test(w.value.trim()) || Number(w.value) >= 2);
  return { version: 'v1', actions, join, bornInJoin, moves, tracking: trackingDir, cleanup: [...join], parents, ...memory, notes, ...deviceSetup };
}
