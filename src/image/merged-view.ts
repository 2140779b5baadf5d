import * as fs from 'node:fs';
import * as path from 'node:path';
import { isWhiteout } from './whiteouts';

/**
 * What the overlay of LAYERS (top first) will show at a path, read from the layer dirs without mounting
 * them (create runs before the launcher mounts anything): the topmost layer holding the path wins, a
 * whiteout hides it, and a non-directory on the way ends the walk (a symlink is never followed, as for a
 * copied rootfs). Our layers carry no opaque xattrs (src/image/whiteouts.ts turns them into whiteouts).
 */
export interface MergedEntry {
  /** The file in the layer that provides it. */
  file: string;
  stat: fs.Stats;
}

export function lookupMerged(layersTopFirst: readonly string[], rel: string): MergedEntry | undefined {
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return undefined;
  let prefix = '';
  let found: MergedEntry | undefined;
  for (const part of parts) {
    prefix = path.join(prefix, part);
    found = undefined;
    for (const layer of layersTopFirst) {
      let st: fs.Stats;
      try {
        st = fs.lstatSync(path.join(layer, prefix));
      } catch {
        continue;
      }
      if (isWhiteout(st)) return undefined;
      found = { file: path.join(layer, prefix), stat: st };
      break;
    }
    if (!found) return undefined;
    if (prefix !== path.join(...parts) && !found.stat.isDirectory()) return undefined;
  }
  return found;
}

/**
 * mkdir -p of an absolute container path in the overlay's UPPER, for what the merged tree lacks (the
 * image's WorkingDir). A directory a lower layer already has is made in the upper with its owner and
 * mode (overlayfs shows the upper's attributes); a non-directory on the way stops it.
 */
export function makeMergedDir(upper: string, layersTopFirst: readonly string[], inside: string): void {
  const stack = [upper, ...layersTopFirst];
  let rel = '';
  for (const part of inside.split('/').filter((p) => p !== '' && p !== '.')) {
    if (part === '..') return;
    rel = path.join(rel, part);
    const seen = lookupMerged(stack, rel);
    if (seen && !seen.stat.isDirectory()) return;
    const target = path.join(upper, rel);
    if (seen?.file === target) continue;
    fs.mkdirSync(target, { mode: 0o755 });
    if (seen) {
      fs.chownSync(target, seen.stat.uid, seen.stat.gid);
      fs.chmodSync(target, seen.stat.mode & 0o7777);
    }
  }
}
