import * as fs from 'node:fs';

/** One line of /proc/self/mountinfo, the fields lxcfs questions need. */
export interface MountInfoEntry {
  mountpoint: string;
  fstype: string;
  source: string;
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Parse mountinfo text (proc(5)): the fields after the ` - ` separator are fstype, source, options. */
export function parseMountInfo(text: string): MountInfoEntry[] {
  const entries: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    if (dash < 0 || fields.length < dash + 3) continue;
    entries.push({ mountpoint: unescape(fields[4]!), fstype: fields[dash + 1]!, source: unescape(fields[dash + 2]!) });
  }
  return entries;
}

/** Whether lxcfs (fstype `fuse.lxcfs`) is mounted at MOUNTPOINT in this mount namespace. */
export function lxcfsMounted(mountpoint: string, mountinfo: string = fs.readFileSync('/proc/self/mountinfo', 'utf8')): boolean {
  return parseMountInfo(mountinfo).some((m) => m.mountpoint === mountpoint && m.fstype === 'fuse.lxcfs');
}
