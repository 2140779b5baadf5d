import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerPlan, OverlayPlan } from '../plan/types';
import { RootfsStateError } from './errors';

/** A layer counts as made when it is a directory with something in it. */
export function isPopulatedDir(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory() && fs.readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

/** An existing overlay upper dir, by the layout the DSL gives it: `upper` with `work` beside it. */
function isOverlayUpper(dir: string): boolean {
  return path.basename(dir) === 'upper' && fs.existsSync(path.join(path.dirname(dir), 'work'));
}

/**
 * For an overlay container `create` only makes directories: each lower layer must already exist
 * (it is another container's rootfs, created first), the upper (this container's changes) and work
 * (overlayfs' scratch, same filesystem as upper) dirs are made empty, and the merged mount point —
 * `rootfs.path` — is made empty too. The launcher mounts `overlay` there at start. Instant.
 * Returns the directories it created.
 */
export function ensureOverlayDirs(container: ContainerPlan, overlay: OverlayPlan, others: readonly ContainerPlan[] = []): string[] {
  for (const lower of overlay.lower) {
    if (isPopulatedDir(lower)) continue;
    // Another layered container's upper (layers on layers): empty until something is written there.
    if (isOverlayUpper(lower) && fs.statSync(lower).isDirectory()) continue;
    const owner = others.find((c) => path.resolve(c.rootfs.path) === path.resolve(lower));
    const upperOwner = others.find((c) => c.rootfs.overlay && path.resolve(c.rootfs.overlay.upper) === path.resolve(lower));
    const layered = owner?.rootfs.overlay !== undefined;
    throw new RootfsStateError(
      'E_NO_LOWER',
      layered
        ? `the lower layer ${lower} of "${container.name}" is the mount point of the layered container "${owner!.name}", empty until it runs`
        : `the lower layer ${lower} of "${container.name}" does not exist yet`,
      layered
        ? `give the container itself, not its path: .rootfs(PATH, { lower: ${owner!.name} }) stacks its upper and its own lowers`
        : (owner ?? upperOwner)
          ? `create the base first: haco create FILE -c ${(owner ?? upperOwner)!.name}`
          : 'create the base first (haco create base.haco.ts), then this container',
    );
  }
  if (path.resolve(overlay.upper) === path.resolve(overlay.work)) {
    throw new RootfsStateError('E_OVERLAY_DIRS', 'overlay upper and work must be different directories');
  }
  const made: string[] = [];
  for (const dir of [overlay.upper, overlay.work, container.rootfs.path]) {
    if (!fs.existsSync(dir)) made.push(dir);
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  }
  // overlayfs refuses a workdir on another filesystem than upperdir: say so now, not at start.
  if (fs.statSync(overlay.upper).dev !== fs.statSync(overlay.work).dev) {
    throw new RootfsStateError('E_OVERLAY_DIRS', `overlay upper ${overlay.upper} and work ${overlay.work} are on different filesystems`, 'put both on the same filesystem (the DSL puts them side by side)');
  }
  return made;
}

/**
 * Orders containers so that a container whose overlay lower is another container's rootfs comes
 * after that container (`haco create` of a file with a base and its children just works).
 */
export function orderByLayers(containers: readonly ContainerPlan[]): ContainerPlan[] {
  const byRootfs = new Map(containers.map((c) => [path.resolve(c.rootfs.path), c]));
  // A layered lower appears as its upper dir (layers on layers): that container comes first too.
  for (const c of containers) if (c.rootfs.overlay) byRootfs.set(path.resolve(c.rootfs.overlay.upper), c);
  const done = new Set<ContainerPlan>();
  const visiting = new Set<ContainerPlan>();
  const out: ContainerPlan[] = [];
  const visit = (c: ContainerPlan): void => {
    if (done.has(c) || visiting.has(c)) return;
    visiting.add(c);
    for (const lower of c.rootfs.overlay?.lower ?? []) {
      const dep = byRootfs.get(path.resolve(lower));
      if (dep && dep !== c) visit(dep);
    }
    visiting.delete(c);
    done.add(c);
    out.push(c);
  };
  containers.forEach(visit);
  return out;
}
