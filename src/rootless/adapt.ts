import * as path from 'node:path';
import type { ContainerPlan, Plan } from '../plan/types';
import { DEFAULT_STATE_ROOT, stateRoot } from '../state/state-root';
import { currentIdentity, rootlessMaps, type IdentityOptions, type RootlessIdentity } from './identity';

/**
 * A path under /var/lib/haco (the default rootfs, or one a definition names, like examples/first.haco.ts)
 * moved to the same place under the user's data root: an ordinary user can neither write /var/lib/haco nor
 * should their containers meet root's. Paths elsewhere are the user's own choice and stay.
 */
export function relocatePath(p: string, root: string): string {
  const rel = path.posix.relative(DEFAULT_STATE_ROOT, p);
  if (rel === '' || rel.startsWith('..') || path.posix.isAbsolute(rel)) return p;
  return path.posix.join(root, rel);
}

/**
 * One container as an ordinary user runs it (docs/rootless.md): its haco paths under the user's data root,
 * and a user namespace of its own, created first, whose maps come from /etc/subuid and /etc/subgid. A plan
 * that already has a user namespace keeps its own maps (newuidmap refuses those the user was not granted).
 * Idempotent: a plan adapted once is returned unchanged by a second call.
 */
export function adaptContainer(c: ContainerPlan, id: RootlessIdentity, root: string = stateRoot()): ContainerPlan {
  const move = (p: string) => relocatePath(p, root);
  const overlay = c.rootfs.overlay;
  const rootfs = {
    ...c.rootfs,
    path: move(c.rootfs.path),
    ...(overlay ? { overlay: { ...overlay, lower: overlay.lower.map(move), upper: move(overlay.upper), work: move(overlay.work) } } : {}),
  };
  const ns = c.namespaces;
  const joinsUser = ns.enter.some((r) => r.kind === 'user');
  if (ns.unshare.includes('user') || joinsUser) return { ...c, rootfs };
  const maps = rootlessMaps(id);
  return {
    ...c,
    rootfs,
    namespaces: {
      ...ns,
      unshare: ['user', ...ns.unshare],
      uidMap: maps.uidMap,
      gidMap: maps.gidMap,
      // newgidmap decides setgroups itself for a full range; a gid_map written without it needs "deny".
      setgroups: id.fullRange ? ns.setgroups : 'deny',
    },
  };
}

/** Every container of PLAN adapted for the running user; the plan itself when haco runs as root. */
export function planForThisUser(plan: Plan, options: IdentityOptions = {}): Plan {
  const id = currentIdentity(options);
  if (!id) return plan;
  return { ...plan, containers: plan.containers.map((c) => adaptContainer(c, id)) };
}

/** One container for the running user (root: unchanged). */
export function containerForThisUser(c: ContainerPlan, options: IdentityOptions = {}): ContainerPlan {
  const id = currentIdentity(options);
  return id ? adaptContainer(c, id) : c;
}
