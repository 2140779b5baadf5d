// Finding processes and namespaces the honest way: namespaces compared by their nsfs inode (stat, which
// works for /proc/PID/ns/X and for a bind-mounted /run/netns/NAME alike; readlink only works on the
// former), processes looked for only where the test put them (a cgroup, a process group, a namespace
// the test created) — never a host-wide pgrep, which matches other users' and other tests' processes.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** `dev:inode` of a namespace file (/proc/PID/ns/net, /run/netns/NAME): equal ids, same namespace. */
export function nsId(file: string): string {
  const st = fs.statSync(file);
  return `${st.dev}:${st.ino}`;
}

/** The namespace id of PID's KIND namespace, or undefined when PID is gone. */
export function nsIdOf(pid: number, kind: string): string | undefined {
  try {
    return nsId(`/proc/${pid}/ns/${kind}`);
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number);
}

/** Live (non-zombie) processes whose KIND namespace is NSFILE's: e.g. everything in a netns the test made. */
export function processesInNamespace(nsFile: string, kind: string): number[] {
  return processesWithNs(kind, nsId(nsFile));
}

/** Live (non-zombie) processes in the KIND namespace with id ID (from nsId/nsIdOf, kept after its holder died). */
export function processesWithNs(kind: string, id: string): number[] {
  return allPids().filter((pid) => nsIdOf(pid, kind) === id && !isZombie(pid));
}

/** Members of process group PGID (a group the test's child leads). */
export function processGroupMembers(pgid: number): number[] {
  return allPids().filter((pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the ")" of comm: state ppid pgrp …
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[2]) === pgid && fields[0] !== 'Z';
    } catch {
      return false;
    }
  });
}

/** Processes in cgroup DIR and below (cgroup.procs), with their command lines. */
export function processesInCgroup(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    try {
      for (const pid of fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) out.push(`${pid} ${cmdlineOf(Number(pid))}`);
    } catch {
      // gone meanwhile
    }
    for (const e of entries) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  walk(dir);
  return out;
}

export function cmdlineOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '(gone)';
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
