import * as fs from 'node:fs';
import * as os from 'node:os';
import type { IdMapEntry } from '../plan/types';
import { subordinateRanges, type IdRange } from './subids';

/** The newuidmap/newgidmap helpers (Debian's uidmap package): setuid root, they check /etc/subuid. */
export const ID_MAP_HELPERS = { uid: '/usr/bin/newuidmap', gid: '/usr/bin/newgidmap' } as const;

/**
 * Who runs haco when it is not root, and what the host lets them map into a user namespace. TypeScript
 * decides the maps from this; the launcher only runs the helpers (or writes the one-line map itself).
 */
export interface RootlessIdentity {
  uid: number;
  gid: number;
  /** The login name, when the password database knows the uid. */
  user?: string;
  subuid: IdRange[];
  subgid: IdRange[];
  /** Both helpers are there and both files grant a range: a full map through newuidmap/newgidmap. */
  fullRange: boolean;
  /** Why the map is a single id, when it is (shown as a notice). */
  singleReason?: string;
}

export interface IdentityOptions {
  subuidFile?: string;
  subgidFile?: string;
  helpers?: { uid: string; gid: string };
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The identity of the running (non-root) process; undefined for root, which needs no user namespace. */
export function currentIdentity(options: IdentityOptions = {}): RootlessIdentity | undefined {
  const uid = process.geteuid?.() ?? 0;
  if (uid === 0) return undefined;
  const gid = process.getegid?.() ?? uid;
  let user: string | undefined;
  try {
    user = os.userInfo().username;
  } catch {
    user = undefined; // a uid the password database does not know: only numeric lines can match
  }
  const who = { ...(user ? { name: user } : {}), id: uid };
  const subuid = subordinateRanges(options.subuidFile ?? '/etc/subuid', who);
  const subgid = subordinateRanges(options.subgidFile ?? '/etc/subgid', { ...(user ? { name: user } : {}), id: gid });
  const helpers = options.helpers ?? ID_MAP_HELPERS;
  const missing = [helpers.uid, helpers.gid].filter((h) => !executable(h));
  let singleReason: string | undefined;
  if (subuid.length === 0 || subgid.length === 0) {
    singleReason = `${user ?? `uid ${uid}`} has no subordinate ${subuid.length === 0 ? 'uids in /etc/subuid' : 'gids in /etc/subgid'}`;
  } else if (missing.length > 0) {
    singleReason = `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing (Debian package uidmap)`;
  }
  return { uid, gid, ...(user ? { user } : {}), subuid, subgid, fullRange: singleReason === undefined, ...(singleReason ? { singleReason } : {}) };
}

/**
 * The maps of a rootless container. With subordinate ids: root inside is the user's own id (so the rootfs
 * they built and the directories on the way to it stay theirs), and ids 1… inside are the first
 * subordinate range (what chown, su and package installs inside need). Without: the user's own id as root,
 * and nothing else.
 */
export function rootlessMaps(id: RootlessIdentity): { uidMap: IdMapEntry[]; gidMap: IdMapEntry[] } {
  const own = (outside: number): IdMapEntry => ({ inside: 0, outside, count: 1 });
  if (!id.fullRange) return { uidMap: [own(id.uid)], gidMap: [own(id.gid)] };
  const first = (r: IdRange): IdMapEntry => ({ inside: 1, outside: r.start, count: r.count });
  return { uidMap: [own(id.uid), first(id.subuid[0]!)], gidMap: [own(id.gid), first(id.subgid[0]!)] };
}
