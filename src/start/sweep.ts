import * as fs from 'node:fs';
import { listStaleCgroups, staleCgroupsOf } from '../cgroup/stale';
import type { CgroupHost } from '../cgroup/types';
import { runHostSpec } from '../runtime/host-spec';
import { SpecWriter } from '../runtime/spec-writer';

/** A cgroup this young may belong to a launch in progress (made, not yet joined): leave it alone. */
const MIN_AGE_MS = 30_000;

export interface SweepOptions {
  /** Only these container names' leftovers (`haco start NAME`, `haco prune NAME`); absent: every haco cgroup. */
  names?: readonly string[];
  trace?: boolean;
  now?: number;
  /** The launcher to run (tests). */
  launcher?: string;
}

/** The refusals of `cgroup-rmdir` (the sweep, `haco rm`); EBUSY and ENOENT are not failures there. */
export function cgroupRmdirHints(w: SpecWriter): SpecWriter {
  w.step('hint', 'cgroup-rmdir', 'EACCES', 'removing cgroups needs root: run haco with sudo');
  w.step('hint', 'cgroup-rmdir', 'EPERM', 'removing cgroups needs root: run haco with sudo');
  return w.step('hint', 'cgroup-rmdir', 'EROFS', 'the cgroup tree is mounted read-only (inside a container?); remove the cgroups from the host');
}

/**
 * The sweep as a host-only spec: one `cgroup-rmdir` per directory, deepest first. The launcher leaves a
 * directory that is gone or in use again; any other refusal stops it with the hint.
 */
export function compileSweepSpec(dirs: readonly string[]): SpecWriter {
  const w = new SpecWriter().step('host-only');
  cgroupRmdirHints(w);
  for (const dir of dirs) w.step('cgroup-rmdir', dir);
  return w;
}

/**
 * Removes container cgroups that a killed launcher could not clean up (kill -9 of the launcher and its
 * cleanup watcher, a power loss mid-cleanup): empty haco cgroups older than 30 s. `haco start` sweeps
 * only its own name (the one collision that matters: its mkdir would reuse the leftover), so a start
 * costs the same with 300 containers as with none; `haco prune` sweeps them all. Listing only reads; the
 * launcher removes, traced. Returns the directories that are gone afterwards.
 */
export function sweepStaleCgroups(host: CgroupHost, options: SweepOptions = {}): string[] {
  const listed = options.names === undefined ? listStaleCgroups(host, []) : options.names.flatMap((name) => staleCgroupsOf(host, name));
  if (listed.length === 0) return [];
  // Only now: a start with no leftovers does not depend on the time (its launch can be kept, src/start/warm-spec.ts).
  const now = options.now ?? Date.now();
  const old = listed.filter((dir) => {
    try {
      return now - fs.statSync(dir).mtimeMs >= MIN_AGE_MS;
    } catch {
      return false; // gone meanwhile
    }
  });
  if (old.length === 0) return [];
  runHostSpec(compileSweepSpec(old), {
    trace: options.trace ?? false,
    what: 'removing leftover cgroups',
    codes: { '*': 'E_CGROUP_SWEEP' },
    ...(options.launcher ? { launcher: options.launcher } : {}),
  });
  return old.filter((dir) => !fs.existsSync(dir));
}
