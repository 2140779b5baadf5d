import * as path from 'node:path';
import { CgroupError } from '../errors';
import { allowsAllDevices } from '../plan/devices';
import type { CgroupPlan, CgroupResources, DeviceRule } from '../plan/types';
import { controllerOfFile, V2_CONTROLLERS } from './controllers';
import { cgroupPlace } from './place';
import type { CgroupAction, CgroupHost, CgroupSetup } from './types';

/** A file write relative to the container's cgroup directory. */
export interface CgroupFileWrite {
  file: string;
  value: string;
}

/** Default CFS period, as the kernel uses when cpu.max gets only a quota. */
export const DEFAULT_CPU_PERIOD_US = 100000;

/**
 * The cgroup v2 interface files (Documentation/admin-guide/cgroup-v2.rst) for the resources, then the raw
 * writes, which come last so that they win over anything derived.
 */
export function v2FileWrites(resources: CgroupResources, raw: Record<string, string>): CgroupFileWrite[] {
  const writes: CgroupFileWrite[] = [];
  const { cpu, cpuset, memory, pids, io } = resources;
  if (cpu) {
    if (cpu.quotaUs !== undefined || cpu.periodUs !== undefined) {
      writes.push({ file: 'cpu.max', value: `${cpu.quotaUs ?? 'max'} ${cpu.periodUs ?? DEFAULT_CPU_PERIOD_US}` });
    }
    if (cpu.weight !== undefined) writes.push({ file: 'cpu.weight', value: String(cpu.weight) });
  }
  if (cpuset?.cpus !== undefined) writes.push({ file: 'cpuset.cpus', value: cpuset.cpus });
  if (cpuset?.mems !== undefined) writes.push({ file: 'cpuset.mems', value: cpuset.mems });
  if (memory) {
    if (memory.max !== undefined) writes.push({ file: 'memory.max', value: String(memory.max) });
    if (memory.swapMax !== undefined) writes.push({ file: 'memory.swap.max', value: String(memory.swapMax) });
    if (memory.low !== undefined) writes.push({ file: 'memory.low', value: String(memory.low) });
  }
  if (pids) writes.push({ file: 'pids.max', value: String(pids.max) });
  if (io) {
    if (io.weight !== undefined) writes.push({ file: 'io.weight', value: `default ${io.weight}` });
    // io.max takes one device per write; several writes to the same file accumulate.
    for (const t of io.throttle) {
      const limits = [
        t.readBps !== undefined ? `rbps=${t.readBps}` : undefined,
        t.writeBps !== undefined ? `wbps=${t.writeBps}` : undefined,
        t.readIops !== undefined ? `riops=${t.readIops}` : undefined,
        t.writeIops !== undefined ? `wiops=${t.writeIops}` : undefined,
      ].filter((x): x is string => x !== undefined);
      if (limits.length > 0) writes.push({ file: 'io.max', value: `${t.device} ${limits.join(' ')}` });
    }
  }
  for (const [file, value] of Object.entries(raw)) writes.push({ file, value });
  return writes;
}

/** Controllers the writes need, in the order haco enables them. */
export function v2ControllersFor(writes: readonly CgroupFileWrite[]): string[] {
  const needed = new Set(writes.map((w) => controllerOfFile(w.file, 'v2')).filter((c): c is string => c !== undefined));
  return V2_CONTROLLERS.filter((c) => needed.has(c));
}

/**
 * The v2 setup: ROOT/haco/NAME with the needed controllers enabled in ROOT and ROOT/haco (a controller is
 * usable in a cgroup only if its parent enables it in cgroup.subtree_control). A container without
 * resources still gets its cgroup, so that `haco ps` finds its processes in one place.
 */
export function planCgroupV2(name: string, plan: CgroupPlan, host: CgroupHost, devices?: readonly DeviceRule[]): CgroupSetup {
  const v2 = host.v2;
  if (!v2) throw new CgroupError('E_CGROUP_NO_V2', `the host has no cgroup v2 hierarchy under ${host.root}`);
  const writes = v2FileWrites(plan.resources, plan.raw.v2);
  const controllers = v2ControllersFor(writes);
  const missing = controllers.filter((c) => !v2.controllers.includes(c));
  if (missing.length > 0) {
    throw new CgroupError(
      'E_CGROUP_CONTROLLER',
      `container "${name}" needs the cgroup v2 controller${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, ` +
        `but ${path.join(v2.path, 'cgroup.controllers')} lists only "${v2.controllers.join(' ')}"`,
      missing.includes('cpuset') || missing.includes('io')
        ? `remove the ${missing.join('/')} limits from the definition, or run on a kernel with the controller (check /proc/cgroups)`
        : `the controller is missing or bound to a v1 hierarchy; check /proc/cgroups, or remove the ${missing.join('/')} limits from the definition`,
    );
  }
  const place = cgroupPlace(name, plan.path);
  const dir = path.join(v2.path, place.leaf);
  const enable = controllers.map((c) => `+${c}`).join(' ');
  const actions: CgroupAction[] = [];
  if (enable) actions.push({ op: 'write', path: path.join(v2.path, 'cgroup.subtree_control'), value: enable });
  for (const rel of place.parents) {
    const parent = path.join(v2.path, rel);
    actions.push({ op: 'mkdir', path: parent });
    if (enable) actions.push({ op: 'write', path: path.join(parent, 'cgroup.subtree_control'), value: enable });
  }
  actions.push({ op: 'mkdir', path: dir });
  for (const w of writes) actions.push({ op: 'write', path: path.join(dir, w.file), value: w.value });
  const oomEvents = controllers.includes('memory') ? { oomEvents: path.join(dir, 'memory.events') } : {};
  // v2 has no devices file: the launcher attaches a BPF program built from the rules (cgroup-devices).
  const deviceSetup = devices !== undefined && !allowsAllDevices(devices) ? { devices: { version: 'v2' as const, dir, rules: devices.map((r) => ({ ...r })) } } : {};
  const parents = place.parents.map((rel) => path.join(v2.path, rel)).reverse();
  return { version: 'v2', actions, join: [dir], tracking: dir, cleanup: [dir], parents, ...oomEvents, notes: [], ...deviceSetup };
}
