/**
 * /proc/PID/mountinfo (proc(5)): read by cgroup detection (where the hierarchies are mounted) and by
 * `haco inspect` (the container's mount tree) — one parser for both.
 */

/** One line of /proc/PID/mountinfo (proc(5)), as the process sees its mounts. */
export interface MountInfoEntry {
  id: number;
  parent: number;
  /** Where it is mounted, relative to the process's root (so `/` is the container's root). */
  mountPoint: string;
  /** The part of the source filesystem that is mounted here (`/null` for a bind of /dev/null). */
  root: string;
  fsType: string;
  /** The mount source (device, `overlay`, `tmpfs`…). */
  source: string;
  /** Per-mount options (ro, nosuid, relatime…). */
  options: string[];
  /** Per-superblock options (size=, lowerdir=…). */
  superOptions: string[];
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
function unescapeOctal(value: string): string {
  return value.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountinfo(text: string): MountInfoEntry[] {
  const out: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(' ');
    // Optional fields (shared:N, master:N) end with a lone "-"; type, source and super options follow.
    const dash = f.indexOf('-', 6);
    if (f.length < 7 || dash < 0) continue;
    out.push({
      id: Number(f[0]),
      parent: Number(f[1]),
      root: unescapeOctal(f[3]!),
      mountPoint: unescapeOctal(f[4]!),
      options: f[5]!.split(','),
      fsType: f[dash + 1] ?? '',
      source: unescapeOctal(f[dash + 2] ?? ''),
      superOptions: (f[dash + 3] ?? '').split(',').filter(Boolean),
    });
  }
  return out;
}
