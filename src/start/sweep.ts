import * as fs from 'node:fs';
import { listStaleCgroups } from '../cgroup/stale';
import type { CgroupHost } from '../cgroup/types';

/** A cgroup this young may belong to a launch in progress (made, not yet joined): leave it alone. */
const MIN_AGE_MS = 30_000;

/**
 * Removes container cgroups that a killed launcher could not clean up (kill -9 skips its cleanup; the
 * container dies with it through PDEATHSIG, leaving an empty cgroup). Runs before every start, so
 * haco never leaves more than one such leftover behind for long. Only empty haco cgroups are touched.
 */
export function sweepStaleCgroups(host: CgroupHost, live: Iterable<string>, now = Date.now()): string[] {
  const removed: string[] = [];
  for (const dir of listStaleCgroups(host, live)) {
    try {
      if (now - fs.statSync(dir).mtimeMs < MIN_AGE_MS) continue;
      fs.rmdirSync(dir);
      removed.push(dir);
    } catch {
      // Busy again, or already gone: either way not ours to force.
    }
  }
  return removed;
}
