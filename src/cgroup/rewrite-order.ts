import * as path from 'node:path';

/** A cgroup file of a running container whose value changes (`haco reload`). */
export interface CgroupRewrite {
  path: string;
  /** The running plan's value, or undefined when the file was never written: the default. */
  before: string | undefined;
  value: string;
  /**
   * What the kernel shows now, when it could be read: it wins over `before` for ordering (a reload that
   * stopped half-way, or a hand-written value, leaves the file different from the plan).
   */
  inForce?: string;
}

/**
 * Files of one cgroup whose values the kernel keeps ordered at every moment, `low ≤ high`: a write that
 * would break it is refused with EINVAL (cgroup-v1/memory.rst: memory.memsw.limit_in_bytes can never be
 * below memory.limit_in_bytes). An unwritten file is unlimited. cgroup v2 has no such pair: memory.max,
 * memory.swap.max, memory.high and memory.low are each accepted on their own, and cpu.max is one file.
 */
const ORDERED_PAIRS: ReadonlyArray<{ low: string; high: string }> = [{ low: 'memory.limit_in_bytes', high: 'memory.memsw.limit_in_bytes' }];

/** A v1 or v2 limit as a number: `-1` (v1) and `max` (v2) are unlimited. */
function bytes(value: string | undefined): number {
  if (value === undefined || value === 'max' || value.trim() === '-1') return Infinity;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : Infinity;
}

/**
 * The rewrites in an order the kernel accepts one at a time, starting from `writes`' own order (the
 * creation order: parents' subtree_control before the child's files, the v1 period before the quota).
 * For each ordered pair rewritten together: raising past the `high` value in force (memory 1G → 3G with
 * memsw 2G → 4G) writes `high` first, so `low` fits under it; otherwise (lowering, or raising within it)
 * `low` comes first, so `high` never drops below the `low` in force.
 */
export function orderCgroupRewrites(writes: readonly CgroupRewrite[]): CgroupRewrite[] {
  const out = [...writes];
  for (const pair of ORDERED_PAIRS) {
    const dirs = new Set(out.filter((w) => path.basename(w.path) === pair.low).map((w) => path.dirname(w.path)));
    for (const dir of dirs) {
      const low = out.find((w) => w.path === path.join(dir, pair.low));
      const high = out.find((w) => w.path === path.join(dir, pair.high));
      if (!low || !high) continue;
      const highFirst = bytes(low.value) > bytes(high.inForce ?? high.before);
      const [first, second] = highFirst ? [high, low] : [low, high];
      // Keep everything else where it was: the pair takes the earlier of its two places, in its order.
      const at = Math.min(out.indexOf(first), out.indexOf(second));
      out.splice(out.indexOf(first), 1);
      out.splice(out.indexOf(second), 1);
      out.splice(at, 0, first, second);
    }
  }
  return out;
}
