/** One line of /proc/self/mountinfo (proc(5)), only the fields haco looks at. */
export interface MountInfoEntry {
  mountPoint: string;
  fsType: string;
  /** Per-superblock options: for cgroup v1 they name the controllers (`rw,cpu,cpuacct`). */
  superOptions: string[];
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
function unescapeOctal(value: string): string {
  return value.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountinfo(text: string): MountInfoEntry[] {
  const entries: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    // The optional fields end with a lone "-"; the filesystem type, source and super options follow it.
    const dash = fields.indexOf('-', 6);
    if (fields.length < 7 || dash < 0) continue;
    entries.push({
      mountPoint: unescapeOctal(fields[4]!),
      fsType: fields[dash + 1] ?? '',
      superOptions: (fields[dash + 3] ?? '').split(','),
    });
  }
  return entries;
}
