import * as fs from 'node:fs';
import * as path from 'node:path';

/** The pids in DIR/cgroup.procs (v1 and v2); none when the cgroup is gone. */
export function cgroupPids(dir: string): number[] {
  try {
    return fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The child cgroups of DIR, sorted; none when it is gone. */
export function childCgroups(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.join(dir, e.name))
      .sort();
  } catch {
    return [];
  }
}

/** The pids in DIR and every cgroup below it. */
export function cgroupTreePids(dir: string): number[] {
  return [...cgroupPids(dir), ...childCgroups(dir).flatMap(cgroupTreePids)];
}

/** DIR and its descendants, deepest first (the order rmdir needs), or undefined if any holds a process. */
export function emptyTreeDeepestFirst(dir: string): string[] | undefined {
  if (cgroupPids(dir).length > 0) return undefined;
  const out: string[] = [];
  for (const child of childCgroups(dir)) {
    const sub = emptyTreeDeepestFirst(child);
    if (!sub) return undefined;
    out.push(...sub);
  }
  out.push(dir);
  return out;
}
