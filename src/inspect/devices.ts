import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CgroupMode } from '../cgroup';
import { allowsAllDevices, deviceRuleText } from '../plan/devices';
import type { DeviceRule } from '../plan/types';

/** The container's device allow-list: what its plan asked for and what the kernel shows of it. */
export interface DevicesReport {
  /** The rules of the plan the container runs (`c 1:3 rwm`), null when the saved plan has none. */
  planned: string[] | null;
  /**
   * How the kernel enforces them: `v1` the devices cgroup (devices.list below), `v2` a BPF program the
   * launcher attached to the container's cgroup (cgroupfs does not list it), `none` every device allowed.
   */
  enforcement: 'v1' | 'v2' | 'none' | null;
  /** v1: devices.list of the container's devices cgroup, as the kernel prints it. */
  kernelList: string[] | null;
  /** The devices.list file (v1) or the cgroup directory holding the program (v2). */
  where: string | null;
}

/**
 * Reads devices.list from whichever of the container's cgroup directories has one (v1); on v2 there is no
 * file to read, so the report says where the program is attached and lists the planned rules.
 */
export function readDevicesReport(dirs: string[], rules: readonly DeviceRule[] | undefined, mode: CgroupMode | null): DevicesReport {
  const planned = rules ? rules.map(deviceRuleText) : null;
  if (rules && allowsAllDevices(rules)) return { planned, enforcement: 'none', kernelList: null, where: null };
  for (const dir of dirs) {
    const file = path.join(dir, 'devices.list');
    try {
      const text = fs.readFileSync(file, 'utf8');
      return { planned, enforcement: 'v1', kernelList: text.split('\n').filter(Boolean), where: file };
    } catch {
      // not the devices hierarchy
    }
  }
  if (mode === 'v2' && dirs[0]) return { planned, enforcement: 'v2', kernelList: null, where: dirs[0] };
  return { planned, enforcement: null, kernelList: null, where: null };
}
