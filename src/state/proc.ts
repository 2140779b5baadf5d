import * as fs from 'node:fs';

/** State (field 3) and start time (field 22, clock ticks since boot) from /proc/PID/stat. */
function readStat(pid: number): { state: string; startTime: number } | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and ')': count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, startTime: Number(fields[22 - 3]) };
  } catch {
    return undefined;
  }
}

/**
 * When PID started. A pid with the recorded start time is still the same process; any other value means
 * the pid was reused.
 */
export function procStartTime(pid: number): number | undefined {
  return readStat(pid)?.startTime;
}

/** True when PID is alive (not a zombie) and is the process that started at START (not a reused pid). */
export function isSameProcess(pid: number, start: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.startTime === start && stat.state !== 'Z';
}

export const NS_FILES = ['user', 'mnt', 'uts', 'ipc', 'pid', 'net', 'cgroup', 'time'] as const;
export type NsFile = (typeof NS_FILES)[number];

function nsLink(pid: number | 'self', kind: NsFile): string | undefined {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/${kind}`);
  } catch {
    return undefined;
  }
}

/**
 * The namespaces PID is in that differ from the references' (compared by the ns file's inode link): the
 * first reference that can be read wins, e.g. PID 1, then the supervisor (which stays in the host's
 * namespaces) when PID 1's ns files are not readable (a sandbox, a protected init).
 */
export function ownNamespaces(pid: number, ...references: Array<number | 'self'>): NsFile[] {
  const refs = references.length ? references : [1];
  const own: NsFile[] = [];
  for (const kind of NS_FILES) {
    const mine = nsLink(pid, kind);
    const theirs = refs.map((r) => nsLink(r, kind)).find((l) => l !== undefined);
    // A kernel without this kind, or nothing readable to compare with: not reported.
    if (mine !== undefined && theirs !== undefined && mine !== theirs) own.push(kind);
  }
  return own;
}

/** The environment of a running process (NUL-separated /proc/PID/environ). */
export function readEnviron(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}
