import * as fs from 'node:fs';
import * as path from 'node:path';

/** A limit as the kernel states it: a number, `max` (no limit), or null when no cgroup file has it. */
export type Limit = number | 'max' | null;

export interface CgroupReport {
  /** The cgroup directories the container was put in (the state's `cgroups`). */
  dirs: string[];
  cpu: {
    /** Microseconds of CPU time per period (cpu.max / cpu.cfs_quota_us). */
    quotaUs: Limit;
    periodUs: number | null;
    /** quota / period in percent of one CPU, when limited. */
    percent: number | null;
    /** CPU time used by the container's processes. */
    usageSeconds: number | null;
    /** The file the limit was read from. */
    file: string | null;
  };
  memory: { limitBytes: Limit; currentBytes: number | null; file: string | null };
  pids: { max: Limit; current: number | null; file: string | null };
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function num(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** v1 says "no limit" with -1 (cfs quota) or a page-rounded LONG_MAX (memory): both read as `max`. */
function limit(text: string | undefined): Limit {
  if (text === undefined) return null;
  if (text === 'max' || text === '-1') return 'max';
  const n = num(text);
  if (n === undefined) return null;
  return n >= 2 ** 62 ? 'max' : n;
}

/** The first directory where FILE exists, with its text. */
function first(dirs: string[], file: string): { file: string; text: string } | undefined {
  for (const d of dirs) {
    const text = read(path.join(d, file));
    if (text !== undefined) return { file: path.join(d, file), text };
  }
  return undefined;
}

/** utime+stime of the processes in TRACKING, when no cgroup accounts CPU time for the container. */
function cpuFromProc(procRoot: string, tracking: string | undefined): number | null {
  if (!tracking) return null;
  const procs = read(path.join(tracking, 'cgroup.procs'));
  if (procs === undefined) return null;
  let ticks = 0;
  for (const pid of procs.split('\n').filter(Boolean)) {
    const stat = read(path.join(procRoot, pid, 'stat'));
    if (!stat) continue;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(f[14 - 3]) + Number(f[15 - 3]);
  }
  // USER_HZ is 100 on every architecture haco runs on.
  return ticks / 100;
}

/**
 * Limits and usage from the container's cgroup directories, v1 or v2 alike: each value is taken from the
 * first directory that has the file (v1 spreads them over one directory per hierarchy).
 */
export function readCgroupReport(dirs: string[], tracking?: string, procRoot = '/proc'): CgroupReport {
  const report: CgroupReport = {
    dirs,
    cpu: { quotaUs: null, periodUs: null, percent: null, usageSeconds: null, file: null },
    memory: { limitBytes: null, currentBytes: null, file: null },
    pids: { max: null, current: null, file: null },
  };

  const cpuMax = first(dirs, 'cpu.max');
  if (cpuMax) {
    const [quota, period] = cpuMax.text.split(/\s+/);
    report.cpu = { ...report.cpu, quotaUs: limit(quota), periodUs: num(period) ?? null, file: cpuMax.file };
  } else {
    const quota = first(dirs, 'cpu.cfs_quota_us');
    if (quota) {
      const period = first(dirs, 'cpu.cfs_period_us');
      report.cpu = { ...report.cpu, quotaUs: limit(quota.text), periodUs: num(period?.text) ?? null, file: quota.file };
    }
  }
  const { quotaUs, periodUs } = report.cpu;
  if (typeof quotaUs === 'number' && periodUs) report.cpu.percent = Math.round((quotaUs / periodUs) * 1000) / 10;

  const v1Usage = first(dirs, 'cpuacct.usage');
  const v2Stat = first(dirs, 'cpu.stat');
  const usec = v2Stat ? /^usage_usec (\d+)$/m.exec(v2Stat.text) : null;
  report.cpu.usageSeconds = v1Usage ? (num(v1Usage.text) ?? 0) / 1e9 : usec ? Number(usec[1]) / 1e6 : cpuFromProc(procRoot, tracking);

  const memMax = first(dirs, 'memory.max') ?? first(dirs, 'memory.limit_in_bytes');
  if (memMax) report.memory = { ...report.memory, limitBytes: limit(memMax.text), file: memMax.file };
  report.memory.currentBytes = num((first(dirs, 'memory.current') ?? first(dirs, 'memory.usage_in_bytes'))?.text) ?? null;

  const pidsMax = first(dirs, 'pids.max');
  if (pidsMax) report.pids = { ...report.pids, max: limit(pidsMax.text), file: pidsMax.file };
  report.pids.current = num(first(dirs, 'pids.current')?.text) ?? null;
  return report;
}
