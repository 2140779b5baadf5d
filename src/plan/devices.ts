import type { DeviceAccess, DeviceRule } from './types';

/**
 * The devices a container may use: the one table the DSL default, the minimal /dev, the launch spec,
 * `haco plan`, `explain` and `inspect` all derive from.
 *
 * The default is runc's default allow-list (libcontainer's specconv) minus three entries: the harmless
 * character devices and the terminal devices, read/write/mknod. Left out on purpose:
 * - runc's `c *:* m` and `b *:* m` (mknod of any node). They only serve unpacking an archive that holds
 *   device nodes; without them mknod(2) of an unlisted device fails at once with EPERM instead of leaving
 *   a node behind that no one may open, and a leaked CAP_MKNOD is worth nothing. Add a rule to allow more.
 * - /dev/console (5:1): haco never gives a container the host's console.
 * - tun/tap (10:200; runc 1.2 dropped it too): `.device('/dev/net/tun')` adds it back.
 */

/** A device node of the minimal /dev: bound from the host's /dev/NAME and allowed read, write, mknod. */
export interface StandardDevice {
  name: string;
  major: number;
  minor: number;
}

/** The nodes of the `dev` standard mount, each bound from the host (works in user namespaces too). */
export const STANDARD_DEVICE_NODES: readonly StandardDevice[] = [
  { name: 'null', major: 1, minor: 3 },
  { name: 'zero', major: 1, minor: 5 },
  { name: 'full', major: 1, minor: 7 },
  { name: 'random', major: 1, minor: 8 },
  { name: 'urandom', major: 1, minor: 9 },
  { name: 'tty', major: 5, minor: 0 },
];

const rule = (type: DeviceRule['type'], major: DeviceRule['major'], minor: DeviceRule['minor'], access: DeviceAccess): DeviceRule => ({
  type,
  major,
  minor,
  access,
  allow: true,
});

/** The allow-list of a container that does not say otherwise. */
export const DEFAULT_DEVICE_RULES: readonly DeviceRule[] = [
  ...STANDARD_DEVICE_NODES.map((d) => rule('c', d.major, d.minor, 'rwm')),
  // /dev/ptmx (a link to pts/ptmx) and the pseudo-terminals of the container's own devpts.
  rule('c', 5, 2, 'rwm'),
  rule('c', 136, '*', 'rwm'),
];

/** `.devices('host')`: every device of the host (no device cgroup). */
export const ALL_DEVICES_RULE: DeviceRule = rule('a', '*', '*', 'rwm');

/** True when the list grants every device: then no device cgroup is set up at all. */
export function allowsAllDevices(rules: readonly DeviceRule[]): boolean {
  return rules.some((r) => r.type === 'a' && r.access === 'rwm');
}

/** `c 1:3 rwm`: a rule as cgroup v1's devices.allow takes it and devices.list prints it. */
export function deviceRuleText(r: DeviceRule): string {
  return `${r.type} ${r.major}:${r.minor} ${r.access}`;
}

/** `c:1:3:rwm`: a rule as the launcher's `cgroup-devices` step takes it (docs/launch-spec.md). */
export function deviceRuleField(r: DeviceRule): string {
  return `${r.type}:${r.major}:${r.minor}:${r.access}`;
}

/** The name of a well-known device number, for people reading a rule. */
export function deviceRuleLabel(r: DeviceRule): string {
  if (r.path) return r.path;
  if (r.type === 'a') return 'every device';
  if (r.major === '*' && r.access === 'm') return `mknod of any ${r.type === 'c' ? 'character' : 'block'} device`;
  const node = r.type === 'c' ? STANDARD_DEVICE_NODES.find((d) => d.major === r.major && d.minor === r.minor) : undefined;
  if (node) return `/dev/${node.name}`;
  if (r.type === 'c' && r.major === 5 && r.minor === 2) return '/dev/ptmx';
  if (r.type === 'c' && r.major === 136) return '/dev/pts/*';
  return `${r.type === 'c' ? 'character' : 'block'} device ${r.major}:${r.minor}`;
}

/** Same rules as the default, in any order? (`haco plan` then just says "default".) */
export function isDefaultDeviceList(rules: readonly DeviceRule[]): boolean {
  const key = (r: DeviceRule) => `${deviceRuleText(r)} ${r.path ?? ''}`;
  const mine = new Set(rules.map(key));
  return mine.size === DEFAULT_DEVICE_RULES.length && DEFAULT_DEVICE_RULES.every((r) => mine.has(key(r)));
}

/**
 * A device number from stat(2)'s st_rdev, as the kernel encodes it (new_encode_dev: the minor's low
 * 8 bits, then 12 bits of major, then the minor's upper bits).
 */
export function splitDeviceNumber(rdev: bigint): { major: number; minor: number } {
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & 0xfffff000n));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & 0xffffff00n));
  return { major, minor };
}
