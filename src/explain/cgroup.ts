import * as posix from 'node:path/posix';
import type { CgroupHost, CgroupSetup } from '../cgroup/types';
import { HACO_CGROUP_PARENT } from '../cgroup/types';
import { formatSize } from '../plan/size';
import type { ContainerPlan } from '../plan/types';

/** "30%" for 30000/100000, "1.5 CPUs" for 150000/100000. */
export function cpuShare(quotaUs: number, periodUs: number): { percent: number; text: string } {
  const percent = Math.round((quotaUs / periodUs) * 1000) / 10;
  return { percent, text: percent <= 100 ? `${percent}% of one CPU` : `${Math.round(percent) / 100} CPUs` };
}

/** What one cgroup file write of the launch spec means, and how to notice it. */
export interface CgroupWriteText {
  meaning: string;
  seeIt: string;
}

function size(value: string): string {
  return /^\d+$/.test(value) ? formatSize(Number(value)) : value;
}

const unlimited = (value: string) => value === 'max' || value === '-1' || value.startsWith('max ');

/**
 * The meaning of a `cgroup-write PATH VALUE` step on this host, whatever file the host's cgroup version
 * uses for it (cpu.max on v2, cpu.cfs_quota_us on v1, …). `oomEvents` is the file the launcher reads the
 * OOM kill count from. Undefined for the device allow-list (its own explain step).
 */
export function describeCgroupWrite(file: string, value: string, c: ContainerPlan, oomEvents?: string): CgroupWriteText | undefined {
  const base = posix.basename(file);
  const dir = posix.dirname(file);
  const cat = (f: string) => `\`cat ${posix.join(dir, f)}\` on the host`;
  const cpu = c.cgroup.resources.cpu;
  const period = cpu?.periodUs ?? 100000;
  const loops = (percent: number) => Math.max(1, Math.ceil(percent / 100));
  switch (base) {
    case 'cpu.max':
    case 'cpu.cfs_quota_us': {
      if (unlimited(value) || typeof cpu?.quotaUs !== 'number') return { meaning: 'no CPU cap', seeIt: cat(base) };
      const share = cpuShare(cpu.quotaUs, period);
      return {
        meaning: `at most ${share.text}: the processes may run ${cpu.quotaUs}µs in every ${period}µs, then wait for the next period`,
        seeIt:
          loops(share.percent) === 1
            ? `run \`yes > /dev/null &\` inside: \`top\` shows it at about ${share.percent}% instead of 100%; ${cat('cpu.stat')} counts the periods it was throttled (nr_throttled)`
            : `run ${loops(share.percent)} \`yes > /dev/null &\` loops inside: together they stay at about ${share.percent}% in \`top\``,
      };
    }
    case 'cpu.cfs_period_us':
      return { meaning: `the period the CPU quota is counted in (${value}µs; cgroup v1 keeps quota and period in two files)`, seeIt: cat(base) };
    case 'cpu.weight':
      return {
        meaning: `relative CPU weight (default 100): when CPUs are busy it gets ${Number(value) / 100}× the share of a default cgroup; an idle machine still gives it everything`,
        seeIt: cat(base),
      };
    case 'cpu.shares':
      return {
        meaning: `relative CPU weight in v1 shares (default 1024, so ${value} is ${Math.round((Number(value) / 1024) * 100) / 100}× a default cgroup) when CPUs are busy; an idle machine still gives it everything`,
        seeIt: cat(base),
      };
    case 'cpuset.cpus':
    case 'cpuset.mems': {
      const what = base === 'cpuset.cpus' ? 'CPU(s)' : 'NUMA node(s)';
      const own = posix.basename(dir) === c.name;
      return own
        ? { meaning: base === 'cpuset.cpus' ? `runs only on CPU(s) ${value}` : `allocates memory only on NUMA node(s) ${value}`, seeIt: base === 'cpuset.cpus' ? '`nproc` or `taskset -p $$` inside' : cat(base) }
        : { meaning: `${what} ${value}, copied from the parent: a new v1 cpuset group starts empty and takes no process until cpus and mems are set`, seeIt: cat(base) };
    }
    case 'memory.max':
    case 'memory.limit_in_bytes': {
      if (unlimited(value)) return { meaning: 'no memory limit', seeIt: cat(base) };
      return {
        meaning: `at most ${size(value)} of memory: above it the kernel reclaims page cache, then the OOM killer kills a process inside (not on the host)`,
        seeIt: `allocate more than ${size(value)} inside (e.g. \`head -c ${formatSize(Number(value) * 2)} /dev/zero | tail\`): it is "Killed" (status 137), and after the exit haco says "the kernel's OOM killer killed 1 process" from the \`oom_kill\` counter of ${oomEvents ?? posix.join(dir, base === 'memory.max' ? 'memory.events' : 'memory.oom_control')}`,
      };
    }
    case 'memory.swap.max':
      return {
        meaning: value === 'max' ? 'swap is not limited' : value === '0' ? 'no swap at all: the memory limit is a hard wall' : `at most ${size(value)} of swap on top of the memory limit`,
        seeIt: cat('memory.swap.current'),
      };
    case 'memory.memsw.limit_in_bytes':
      return {
        meaning: unlimited(value) ? 'memory plus swap is not limited' : `memory and swap together at most ${size(value)} (cgroup v1 counts them as one sum)`,
        seeIt: cat('memory.memsw.usage_in_bytes'),
      };
    case 'memory.low':
    case 'memory.soft_limit_in_bytes':
      return { meaning: `up to ${size(value)} is protected from reclaim when the host runs short`, seeIt: cat(base) };
    case 'pids.max':
      return value === 'max'
        ? { meaning: 'no limit on the number of processes', seeIt: cat('pids.current') }
        : {
            meaning: `at most ${value} processes and threads together: the next fork(2) fails with EAGAIN, so a fork bomb stops there`,
            seeIt: `run \`for i in $(seq ${Number(value) + 5}); do sleep 60 & done\` inside: the shell reports "can't fork: Resource temporarily unavailable"; ${cat('pids.current')}`,
          };
    case 'io.weight':
    case 'blkio.weight':
      return { meaning: `relative disk I/O weight (${base === 'io.weight' ? 'default 100' : 'v1: 10 to 1000, default 500'})`, seeIt: cat(base) };
    case 'io.max':
    case 'blkio.throttle.read_bps_device':
    case 'blkio.throttle.write_bps_device':
    case 'blkio.throttle.read_iops_device':
    case 'blkio.throttle.write_iops_device':
      return { meaning: `disk I/O of device ${value.split(' ')[0]} is throttled`, seeIt: '`dd if=/dev/zero of=/tmp/f bs=1M count=100 oflag=direct` inside reports the throttled rate' };
    case 'cgroup.subtree_control':
      return {
        meaning: `enables the ${value.replace(/\+/g, '')} controller(s) for the groups below ${dir}: cgroup v2 offers a controller's files in a group only when its parent enables it`,
        seeIt: cat(base),
      };
    case 'devices.deny':
    case 'devices.allow':
      return undefined;
    default:
      return { meaning: 'written as is (a raw cgroup file of the definition)', seeIt: cat(base) };
  }
}

/** The container's group in the hierarchy of a v1 controller, when the setup joins it. */
function v1Dir(setup: CgroupSetup, host: CgroupHost, name: string, controller: string): string | undefined {
  const hierarchy = host.v1?.hierarchies[controller];
  if (hierarchy === undefined) return undefined;
  const dir = posix.join(hierarchy, HACO_CGROUP_PARENT, name);
  return setup.join.includes(dir) ? dir : undefined;
}

/** The files where this host counts the container's CPU time, memory and tasks (for "see it" lines). */
export function accountingFiles(setup: CgroupSetup, host: CgroupHost, name: string): string[] {
  if (setup.version === 'v2') return ['cpu.stat', 'memory.current', 'pids.current'].map((f) => posix.join(setup.tracking, f));
  const files: string[] = [];
  const cpu = v1Dir(setup, host, name, 'cpuacct');
  if (cpu) files.push(posix.join(cpu, 'cpuacct.usage'));
  const memory = v1Dir(setup, host, name, 'memory');
  if (memory) files.push(posix.join(memory, 'memory.usage_in_bytes'));
  const pids = v1Dir(setup, host, name, 'pids');
  if (pids) files.push(posix.join(pids, 'pids.current'));
  return files.length ? files : [posix.join(setup.tracking, 'cgroup.procs')];
}
