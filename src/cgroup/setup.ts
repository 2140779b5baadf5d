import type { CgroupPlan, DeviceRule } from '../plan/types';
import type { CgroupHost, CgroupSetup } from './types';
import { planCgroupV1 } from './v1';
import { planCgroupV2 } from './v2';

/**
 * The cgroup actions for one container on this host. Hybrid hosts are driven through their v1
 * hierarchies: their unified hierarchy usually has no controllers (they are all bound to v1).
 * `devices`: the container's device allow-list (the launch applies it; `haco reload`, which cannot
 * change it, leaves it out).
 */
export function planCgroupSetup(name: string, plan: CgroupPlan, host: CgroupHost, devices?: readonly DeviceRule[]): CgroupSetup {
  return host.mode === 'v2' ? planCgroupV2(name, plan, host, devices) : planCgroupV1(name, plan, host, devices);
}
