import * as fs from 'node:fs';
import type { RlimitEntry, RlimitName } from '../plan/types';

/** The row titles of /proc/PID/limits (fs/proc/base.c) and the resource each one is. */
const ROWS: Record<string, RlimitName> = {
  'Max cpu time': 'CPU',
  'Max file size': 'FSIZE',
  'Max data size': 'DATA',
  'Max stack size': 'STACK',
  'Max core file size': 'CORE',
  'Max resident set': 'RSS',
  'Max processes': 'NPROC',
  'Max open files': 'NOFILE',
  'Max locked memory': 'MEMLOCK',
  'Max address space': 'AS',
  'Max file locks': 'LOCKS',
  'Max pending signals': 'SIGPENDING',
  'Max msgqueue size': 'MSGQUEUE',
  'Max nice priority': 'NICE',
  'Max realtime priority': 'RTPRIO',
  'Max realtime timeout': 'RTTIME',
};

/** Parse the text of /proc/PID/limits into rlimit entries (every resource the kernel lists). */
export function parseLimits(text: string): RlimitEntry[] {
  const out: RlimitEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(Max [a-z ]+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    const resource = m ? ROWS[m[1]!] : undefined;
    if (!m || !resource) continue;
    const value = (v: string): number | 'unlimited' => (v === 'unlimited' ? 'unlimited' : Number(v));
    out.push({ resource, soft: value(m[2]!), hard: value(m[3]!) });
  }
  return out;
}

/** The live limits of a process (they may differ from the plan after `haco reload`). */
export function readLimits(pid: number): RlimitEntry[] {
  return parseLimits(fs.readFileSync(`/proc/${pid}/limits`, 'utf8'));
}
