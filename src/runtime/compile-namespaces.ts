import { HostError } from '../errors';
import { NAMESPACE_KINDS, type IdMapEntry, type NamespaceKind, type NamespacesPlan } from '../plan/types';
import type { KernelFeatures } from './host-facts';
import { listField } from './spec-format';
import type { SpecWriter } from './spec-writer';

/**
 * Kinds that clone(2) does not create at spawn: `time` cannot be passed to clone (the launcher unshares
 * it for its children), and `cgroup` is unshared by the child after it has joined its cgroup, so the
 * namespace's root is the container's cgroup rather than the launcher's.
 */
const NOT_AT_SPAWN: readonly NamespaceKind[] = ['cgroup', 'time'];

export function spawnKinds(ns: NamespacesPlan): NamespaceKind[] {
  return NAMESPACE_KINDS.filter((k) => ns.unshare.includes(k) && !NOT_AT_SPAWN.includes(k));
}

/** True when the container runs in a user namespace other than the host's (own or joined). */
export function inUserNamespace(ns: NamespacesPlan): boolean {
  return ns.unshare.includes('user') || ns.enter.some((r) => r.kind === 'user');
}

/**
 * setns order: the user namespace first (joining it grants the capabilities needed to join the others it
 * owns), the mount namespace last (after it, the other /proc/PID/ns paths would resolve in the new tree).
 */
function setnsRank(kind: NamespaceKind): number {
  return kind === 'user' ? 0 : kind === 'mount' ? 2 : 1;
}

export function emitSetns(w: SpecWriter, ns: NamespacesPlan): void {
  const ordered = [...ns.enter].sort((a, b) => setnsRank(a.kind) - setnsRank(b.kind));
  for (const ref of ordered) w.step('setns', ref.kind, ref.path);
}

export function emitTimeNamespace(w: SpecWriter, ns: NamespacesPlan): void {
  if (!ns.unshare.includes('time')) return;
  w.comment('time: clone() cannot create a time namespace; the launcher unshares it so its child starts inside');
  w.step('unshare', 'time');
  // Offsets can only be written before any process enters the namespace, i.e. right here.
  if (ns.timeOffsets.monotonic !== 0) w.step('timens-offset', 'monotonic', ns.timeOffsets.monotonic);
  if (ns.timeOffsets.boottime !== 0) w.step('timens-offset', 'boottime', ns.timeOffsets.boottime);
}

function mapField(entries: readonly IdMapEntry[]): string {
  return entries.map((e) => `${e.inside}:${e.outside}:${e.count}`).join(',');
}

/**
 * uid/gid maps exist only for a user namespace the container creates; setgroups must precede gid_map.
 * HELPERS (rootless with subordinate ids): newuidmap/newgidmap write the maps, as only they may map ids
 * other than the caller's own; newgidmap also decides setgroups (deny unless a range was granted).
 */
export function emitIdMaps(w: SpecWriter, ns: NamespacesPlan, helpers?: { uid: string; gid: string }): void {
  if (!ns.unshare.includes('user')) return;
  if (helpers) {
    w.comment('rootless: the setuid helpers write the maps /etc/subuid and /etc/subgid allow (uidmap package)');
    if (ns.uidMap.length > 0) w.step('id-map-helper', helpers.uid, mapField(ns.uidMap));
    if (ns.gidMap.length > 0) w.step('id-map-helper', helpers.gid, mapField(ns.gidMap));
    return;
  }
  w.step('setgroups', ns.setgroups);
  if (ns.uidMap.length > 0) w.step('uid-map', mapField(ns.uidMap));
  if (ns.gidMap.length > 0) w.step('gid-map', mapField(ns.gidMap));
}

export function emitPersist(w: SpecWriter, ns: NamespacesPlan): void {
  for (const ref of ns.persist) w.step('persist-ns', ref.kind, ref.path);
}

export function spawnField(ns: NamespacesPlan): string {
  return listField(spawnKinds(ns));
}

/** Refuse before launching what this kernel cannot do, with the reason instead of an EINVAL. */
export function checkKernelFeatures(name: string, ns: NamespacesPlan, kernel: KernelFeatures): void {
  const wanted = new Set([...ns.unshare, ...ns.enter.map((r) => r.kind)]);
  const need: [NamespaceKind, boolean, string][] = [
    ['time', kernel.timeNamespace, 'time namespaces need Linux 5.6 or newer'],
    ['cgroup', kernel.cgroupNamespace, 'cgroup namespaces need Linux 4.6 or newer'],
    ['user', kernel.userNamespace, 'the kernel was built without user namespaces (CONFIG_USER_NS)'],
  ];
  for (const [kind, available, why] of need) {
    if (wanted.has(kind) && !available) {
      throw new HostError('E_KERNEL_NAMESPACE', `container "${name}" uses the ${kind} namespace, which this kernel does not provide`, `${why}; or remove '${kind}' from the container's namespaces`);
    }
  }
}

/** The id the child switches to inside a new user namespace: 0 when mapped, else the first mapped id. */
function firstMapped(entries: readonly IdMapEntry[]): number | undefined {
  if (entries.some((e) => e.inside === 0)) return 0;
  return entries[0]?.inside;
}

/**
 * Right after `release`, in a user namespace it created, the child still has the host's kernel ids (uid 0
 * outside), which are not mapped inside: files it creates (the /dev tmpfs nodes, mount points) would fail
 * with EOVERFLOW. Switching to a mapped id first (root of the namespace when mapped) fixes that; the
 * capabilities stay, as the namespace's creator holds them all, and the final `user` step still decides.
 */
export function emitBecomeMapped(w: SpecWriter, ns: NamespacesPlan): void {
  if (!ns.unshare.includes('user')) return;
  const uid = firstMapped(ns.uidMap);
  const gid = firstMapped(ns.gidMap);
  if (uid === undefined || gid === undefined) return;
  w.comment('become a mapped user inside the new user namespace before creating any file');
  w.step('user', uid, gid, listField([]));
}
