import * as path from 'node:path';
import type { DeviceCgroup } from '../cgroup/types';
import { deviceRuleField, deviceRuleLabel, deviceRuleText } from '../plan/devices';
import type { DeviceNode, DeviceRule } from '../plan/types';
import { listField } from './spec-format';
import type { SpecWriter } from './spec-writer';

/**
 * The device allow-list, in phase 1 (after the container's cgroups exist, before the child does):
 * v1 writes devices.deny/devices.allow like any cgroup file; v2 has no such file, so the launcher
 * attaches a BPF program built from the rules (`cgroup-devices`, native/src/devices.c).
 */
export function emitDeviceCgroup(w: SpecWriter, devices: DeviceCgroup | undefined): void {
  if (!devices) return;
  if (devices.version === 'v1') {
    w.comment('devices (cgroup v1): deny every device, then allow the listed ones (devices.list shows the result)');
    for (const write of devices.writes) w.step('cgroup-write', write.path, write.value);
    return;
  }
  w.comment('devices (cgroup v2): a BPF_PROG_TYPE_CGROUP_DEVICE program allows only these; anything else is EPERM');
  for (const r of devices.rules) w.comment(`  allow ${deviceRuleText(r)}  (${deviceRuleLabel(r)})`);
  w.step('cgroup-devices', devices.dir, listField(devices.rules.map(deviceRuleField)));
}

/** The host nodes given with `.device(path)`, bound at the same path (after /dev is mounted). */
export function emitDeviceNodes(w: SpecWriter, devices: readonly DeviceRule[]): void {
  const nodes = devices.filter((r): r is DeviceRule & { path: string } => r.path !== undefined);
  if (nodes.length === 0) return;
  w.comment('devices added with .device(): the host node bound into the container');
  for (const r of nodes) w.step('mknod-bind', path.posix.relative('/dev', r.path), r.path);
}

/**
 * The device nodes a config lists (`deviceNodes`, OCI linux.devices), after /dev is mounted and before the
 * switch: made with `mknod` (type, numbers, mode, owner); with a user namespace a device node cannot be
 * made (CAP_MKNOD in the initial user namespace), so the host's node at the same path is bound, as runc
 * does. A FIFO is made in both cases.
 */
export function emitConfigDeviceNodes(w: SpecWriter, nodes: readonly DeviceNode[], userNs: boolean): void {
  if (nodes.length === 0) return;
  w.comment(userNs ? "device nodes of the config: FIFOs made, devices bound from the host's node (a user namespace cannot mknod them)" : 'device nodes of the config: mknod, chmod, chown');
  for (const n of nodes) {
    if (userNs && n.type !== 'p') w.step('bind', n.path, n.path, 'file');
    else w.step('mknod', n.path, n.type, n.major, n.minor, `0${n.mode.toString(8)}`, n.uid, n.gid);
  }
}

/**
 * The device cgroup rules a launch needs besides the plan's: making a listed device node is a mknod(2)
 * by the child, already in its device cgroup, so each one gets an `m` rule (make only: opening it still
 * needs a rule of the plan's own).
 */
export function deviceRulesWithNodes(devices: readonly DeviceRule[], nodes: readonly DeviceNode[] | undefined): DeviceRule[] {
  const mknod = (nodes ?? []).filter((n): n is DeviceNode & { type: 'c' | 'b' } => n.type !== 'p');
  return [...devices, ...mknod.map((n): DeviceRule => ({ type: n.type, major: n.major, minor: n.minor, access: 'm', allow: true }))];
}
