import * as fs from 'node:fs';
import * as path from 'node:path';
import { NS_FILES, type NsFile } from '../state';

/** One namespace kind of the container, next to the host's. */
export interface NamespaceComparison {
  /** The ns file name: user, mnt, uts, ipc, pid, net, cgroup, time. */
  kind: NsFile;
  /** Inode number of /proc/PID/ns/KIND (what `ls -l /proc/PID/ns` shows in brackets), null when unreadable. */
  container: number | null;
  /** Inode number of the host's (the reference process's) namespace of that kind. */
  host: number | null;
  /** True when both are readable and equal: the container shares the host's namespace. */
  shared: boolean;
}

/** `mnt:[4026531841]` → 4026531841; undefined when the link cannot be read (kernel without the kind). */
export function nsInode(procRoot: string, pid: number | string, kind: NsFile): number | undefined {
  try {
    const m = /\[(\d+)\]$/.exec(fs.readlinkSync(path.join(procRoot, String(pid), 'ns', kind)));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Compares PID's namespaces with the host's, kind by kind. The host is the first reference whose ns files
 * are readable (PID 1, else e.g. the supervisor, which stays in the host's namespaces): in a sandbox PID 1
 * may be hidden. Kinds neither side has (an old kernel without `time`) are left out.
 */
export function compareNamespaces(procRoot: string, pid: number, references: Array<number | string> = [1]): NamespaceComparison[] {
  const out: NamespaceComparison[] = [];
  for (const kind of NS_FILES) {
    const container = nsInode(procRoot, pid, kind);
    const host = references.map((r) => nsInode(procRoot, r, kind)).find((n) => n !== undefined);
    if (container === undefined && host === undefined) continue;
    out.push({ kind, container: container ?? null, host: host ?? null, shared: container !== undefined && container === host });
  }
  return out;
}
