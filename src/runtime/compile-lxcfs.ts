import { lxcfsSource } from '../plan/lxcfs';
import type { LxcfsPlan } from '../plan/types';
import type { SpecWriter } from './spec-writer';

/**
 * lxcfs's files bound over the container's /proc and /sys ones, after those are mounted (a bind onto a
 * file of the container's own procfs; the host's /proc is untouched). `file`: the target is a file;
 * `ro`: lxcfs files are read-only anyway, the flag keeps a write from ever reaching the FUSE daemon.
 * No `optional`: a missing source means lxcfs is not running, and the start preflight (start/lxcfs.ts)
 * has already refused with a hint; a launch without the binds would quietly show the host's totals.
 */
export function emitLxcfs(w: SpecWriter, lxcfs: LxcfsPlan | undefined): void {
  if (!lxcfs) return;
  w.comment(`lxcfs: ${lxcfs.files.length} file(s) from ${lxcfs.mountpoint} over the container's own, so they show its limits`);
  for (const file of lxcfs.files) w.step('bind', lxcfsSource(lxcfs, file), file, 'ro,file');
}
