import * as fs from 'node:fs';
import * as path from 'node:path';
import { containerStateDir } from '../state/state-root';
import { removeTree } from '../bootstrap/remove-tree';
import { EXIT, HacoError } from '../errors';
import type { ContainerPlan } from '../plan/types';
import { imageRecordPath } from '../image/record';
import { recordPath } from '../provision/record';
import { containerHome } from '../state/host-dir';
import { readState } from '../state';
import { removeContainer } from './rm';

/** One thing `haco destroy` removes, or leaves alone and why. */
export interface DestroyItem {
  what: 'state' | 'rootfs' | 'overlay-upper' | 'overlay-work' | 'provision-record' | 'image-record' | 'home';
  path: string;
  /** Set when it is left alone: the reason (e.g. a rootfs haco did not build). */
  kept?: string;
}

/**
 * What `haco destroy` would remove for container C, in order, looking only at what exists. A rootfs haco
 * did not make (bootstrap none, directory() without a source) is listed as kept: it is the user's tree.
 * An overlay container's lower layers belong to other containers and are never listed.
 */
export function destroyTargets(c: ContainerPlan): DestroyItem[] {
  const items: DestroyItem[] = [];
  const exists = (p: string) => fs.existsSync(p);
  const state = readState(c.name);
  if (state) items.push({ what: 'state', path: state.dir });
  const overlay = c.rootfs.overlay;
  if (overlay) {
    if (exists(overlay.upper)) items.push({ what: 'overlay-upper', path: overlay.upper });
    if (exists(overlay.work)) items.push({ what: 'overlay-work', path: overlay.work });
    if (exists(c.rootfs.path)) items.push({ what: 'rootfs', path: c.rootfs.path });
  } else if (exists(c.rootfs.path)) {
    const b = c.bootstrap;
    const users = b.strategy === 'none' || (b.strategy === 'directory' && b.source === undefined);
    items.push({ what: 'rootfs', path: c.rootfs.path, ...(users ? { kept: `haco did not build it (bootstrap ${b.strategy}): remove it yourself if you mean to` } : {}) });
  }
  if (exists(recordPath(c.name))) items.push({ what: 'provision-record', path: recordPath(c.name) });
  // The image pin describes the rootfs (and names the shared layers `haco prune --images` keeps): it goes with it.
  if (exists(imageRecordPath(c.name))) items.push({ what: 'image-record', path: imageRecordPath(c.name) });
  const home = containerHome(c)?.home ?? containerStateDir(c.name);
  if (exists(home)) items.push({ what: 'home', path: home, kept: 'removed only if nothing else is left in it' });
  return items;
}

/**
 * Removes what destroyTargets() lists: the state (as `haco rm`), the rootfs or overlay dirs (mounts below
 * detached first), the provision record, then the container's home under /var/lib/haco when it is empty.
 * A running container is refused: `haco rm -f` stops it first.
 */
export async function destroyContainer(c: ContainerPlan): Promise<DestroyItem[]> {
  const state = readState(c.name);
  if (state && state.status !== 'exited' && state.status !== 'stale') {
    throw new HacoError('E_RUNNING', `container "${c.name}" is ${state.status}: destroy removes only stopped containers`, {
      hint: `stop and remove it first: haco rm -f ${c.name}`,
      exitCode: EXIT.state,
    });
  }
  const items = destroyTargets(c);
  for (const item of items) {
    if (item.what === 'state') await removeContainer(c.name);
    else if (item.what === 'home') {
      try {
        fs.rmdirSync(item.path);
        delete item.kept;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') delete item.kept;
        else item.kept = `not empty: ${fs.readdirSync(item.path).map((f) => path.join(item.path, f)).join(', ')}`;
      }
    } else if (item.kept === undefined) {
      if (item.what === 'provision-record' || item.what === 'image-record') fs.rmSync(item.path, { force: true });
      else removeTree(item.path);
    }
  }
  return items;
}
