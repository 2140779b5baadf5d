// The host's view of a container's cgroups, for root tests: where haco/NAME lives on this host (v1, hybrid
// or v2), how much CPU it used (measured from its own accounting, not wall clock), whether it is gone.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectCgroupHost } from '../../src/cgroup/detect';
import type { CgroupHost } from '../../src/cgroup/types';

let hostCache: CgroupHost | undefined;

export function cgroupHost(): CgroupHost {
  hostCache ??= detectCgroupHost();
  return hostCache;
}

/**
 * The directory of container NAME for a controller: `<hierarchy>/haco/NAME` on v1/hybrid (haco drives
 * hybrid hosts through v1), `<v2 root>/haco/NAME` on v2. Undefined when the host lacks the controller.
 */
export function containerCgroupDir(name: string, controller: string): string | undefined {
  const host = cgroupHost();
  if (host.mode === 'v2') return path.join(host.v2!.path, 'haco', name);
  const hierarchy = host.v1?.hierarchies[controller];
  return hierarchy ? path.join(hierarchy, 'haco', name) : undefined;
}

/** Every directory a container NAME may have on this host (one per v1 hierarchy, or the v2 one). */
export function allContainerCgroupDirs(name: string): string[] {
  const host = cgroupHost();
  if (host.mode === 'v2') return [path.join(host.v2!.path, 'haco', name)];
  const dirs = new Set(Object.values(host.v1?.hierarchies ?? {}).map((h) => path.join(h, 'haco', name)));
  if (host.v2) dirs.add(path.join(host.v2.path, 'haco', name));
  return [...dirs];
}

/** The container's cgroup directories that still exist. */
export function leftoverCgroups(name: string): string[] {
  return allContainerCgroupDirs(name).filter((d) => fs.existsSync(d));
}

export function readCgroupFile(dir: string, file: string): string {
  return fs.readFileSync(path.join(dir, file), 'utf8').trim();
}

/** `key value` lines (cpu.stat, memory.events, pids.events) as numbers. */
export function readKeyed(dir: string, file: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readCgroupFile(dir, file).split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) out[k] = Number(v);
  }
  return out;
}

let clkTck: number | undefined;
function clockTicks(): number {
  if (clkTck === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    clkTck = Number(r.stdout.trim()) || 100;
  }
  return clkTck;
}

/** utime+stime of one thread, µs. */
function threadCpuUsec(pid: number, tid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks();
  } catch {
    return 0;
  }
}

export interface CpuUsage {
  usec: number;
  /** Where the number came from, for failure messages. */
  source: string;
}

/**
 * CPU time used by the processes of container NAME, µs, from the cgroup's own accounting: cpu.stat
 * usage_usec (v2), cpuacct.usage (v1 when cpuacct shares the cpu hierarchy, or haco joined a cpuacct cgroup).
 * On a v1 host where cpuacct is a separate hierarchy haco does not use, the kernel's per-task accounting
 * (utime+stime of every task listed in the cpu cgroup's `tasks`) — still the container's own usage, not the
 * machine's. Compare two readings: tasks that exit between them are not counted.
 */
export function cgroupCpuUsage(name: string): CpuUsage {
  const host = cgroupHost();
  const cpuDir = containerCgroupDir(name, 'cpu');
  if (!cpuDir) throw new Error('this host has no cpu controller');
  if (host.mode === 'v2') return { usec: readKeyed(cpuDir, 'cpu.stat')['usage_usec']!, source: `${cpuDir}/cpu.stat usage_usec` };
  const acct = containerCgroupDir(name, 'cpuacct');
  if (acct && fs.existsSync(path.join(acct, 'cpuacct.usage'))) {
    return { usec: Number(readCgroupFile(acct, 'cpuacct.usage')) / 1000, source: `${acct}/cpuacct.usage` };
  }
  let usec = 0;
  const tasks = readCgroupFile(cpuDir, 'tasks').split('\n').filter(Boolean).map(Number);
  for (const tid of tasks) {
    let tgid = tid;
    try {
      const m = /^Tgid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${tid}/status`, 'utf8'));
      if (m) tgid = Number(m[1]);
    } catch {
      continue;
    }
    usec += threadCpuUsec(tgid, tid);
  }
  return { usec, source: `utime+stime of the tasks in ${cpuDir}/tasks` };
}
