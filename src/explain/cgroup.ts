import { formatSize } from '../plan/size';
import type { ContainerPlan } from '../plan/types';

/** One cgroup limit in plain words, with the file it is written to and how to notice it. */
export interface CgroupLimitText {
  /** cgroup v2 file and value, e.g. `cpu.max = 30000 100000`. */
  file: string;
  meaning: string;
  seeIt: string;
}

/** "30%" for 30000/100000, "1.5 CPUs" for 150000/100000. */
export function cpuShare(quotaUs: number, periodUs: number): { percent: number; text: string } {
  const percent = Math.round((quotaUs / periodUs) * 1000) / 10;
  return { percent, text: percent <= 100 ? `${percent}% of one CPU` : `${Math.round(percent) / 100} CPUs` };
}

/** Every limit of the plan's cgroup, in the order a learner meets them (cpu, memory, pids, io, raw). */
export function describeCgroupLimits(c: ContainerPlan): CgroupLimitText[] {
  const r = c.cgroup.resources;
  const dir = `/sys/fs/cgroup/haco/${c.name}`;
  const out: CgroupLimitText[] = [];
  const cpu = r.cpu;
  if (cpu?.quotaUs !== undefined) {
    const period = cpu.periodUs ?? 100000;
    if (cpu.quotaUs === 'max') {
      out.push({ file: `cpu.max = max ${period}`, meaning: 'no CPU cap', seeIt: `\`cat ${dir}/cpu.max\` on the host` });
    } else {
      const share = cpuShare(cpu.quotaUs, period);
      const loops = Math.max(1, Math.ceil(share.percent / 100));
      out.push({
        file: `cpu.max = ${cpu.quotaUs} ${period}`,
        meaning: `at most ${share.text}: the processes may run ${cpu.quotaUs}µs in every ${period}µs, then wait for the next period`,
        seeIt:
          loops === 1
            ? `run \`yes > /dev/null &\` inside: \`top\` shows it at about ${share.percent}% instead of 100%`
            : `run ${loops} \`yes > /dev/null &\` loops inside: together they stay at about ${share.percent}% in \`top\``,
      });
    }
  }
  if (cpu?.weight !== undefined) {
    out.push({
      file: `cpu.weight = ${cpu.weight}`,
      meaning: `relative CPU weight (default 100): when CPUs are busy it gets ${cpu.weight / 100}× the share of a default cgroup; an idle machine still gives it everything`,
      seeIt: `\`cat ${dir}/cpu.weight\` on the host`,
    });
  }
  if (r.cpuset?.cpus) out.push({ file: `cpuset.cpus = ${r.cpuset.cpus}`, meaning: `runs only on CPU(s) ${r.cpuset.cpus}`, seeIt: '`nproc` or `taskset -p $$` inside' });
  if (r.cpuset?.mems) out.push({ file: `cpuset.mems = ${r.cpuset.mems}`, meaning: `allocates memory only on NUMA node(s) ${r.cpuset.mems}`, seeIt: `\`cat ${dir}/cpuset.mems\` on the host` });
  const memory = r.memory;
  if (memory?.max !== undefined) {
    out.push(
      memory.max === 'max'
        ? { file: 'memory.max = max', meaning: 'no memory limit', seeIt: `\`cat ${dir}/memory.max\` on the host` }
        : {
            file: `memory.max = ${memory.max}`,
            meaning: `at most ${formatSize(memory.max)} of memory: above it the kernel reclaims page cache, then the OOM killer kills a process inside (not on the host)`,
            seeIt: `allocate more than ${formatSize(memory.max)} inside (e.g. \`head -c ${formatSize(memory.max * 2)} /dev/zero | tail\`): it is "Killed" (status 137), and after the exit haco says "the kernel's OOM killer killed 1 process" from the \`oom_kill\` counter of ${dir}/memory.events`,
          },
    );
  }
  if (memory?.swapMax !== undefined) {
    out.push({
      file: `memory.swap.max = ${memory.swapMax}`,
      meaning: memory.swapMax === 'max' ? 'swap is not limited' : memory.swapMax === 0 ? 'no swap at all: the memory limit is a hard wall' : `at most ${formatSize(memory.swapMax)} of swap on top of the memory limit`,
      seeIt: `\`cat ${dir}/memory.swap.current\` on the host`,
    });
  }
  if (memory?.low !== undefined) out.push({ file: `memory.low = ${memory.low}`, meaning: `up to ${formatSize(memory.low)} is protected from reclaim when the host runs short`, seeIt: `\`cat ${dir}/memory.low\` on the host` });
  if (r.pids) {
    out.push(
      r.pids.max === 'max'
        ? { file: 'pids.max = max', meaning: 'no limit on the number of processes', seeIt: `\`cat ${dir}/pids.current\` on the host` }
        : {
            file: `pids.max = ${r.pids.max}`,
            meaning: `at most ${r.pids.max} processes and threads together: the next fork(2) fails with EAGAIN, so a fork bomb stops there`,
            seeIt: `run \`for i in $(seq ${r.pids.max + 5}); do sleep 60 & done\` inside: the shell reports "can't fork: Resource temporarily unavailable"; \`cat ${dir}/pids.current\` on the host`,
          },
    );
  }
  if (r.io?.weight !== undefined) out.push({ file: `io.weight = ${r.io.weight}`, meaning: `relative disk I/O weight (default 100)`, seeIt: `\`cat ${dir}/io.weight\` on the host` });
  for (const t of r.io?.throttle ?? []) {
    const parts = [
      t.readBps !== undefined ? `rbps=${t.readBps}` : '',
      t.writeBps !== undefined ? `wbps=${t.writeBps}` : '',
      t.readIops !== undefined ? `riops=${t.readIops}` : '',
      t.writeIops !== undefined ? `wiops=${t.writeIops}` : '',
    ].filter(Boolean);
    const words = [
      t.readBps !== undefined ? `reads at ${formatSize(t.readBps)}/s` : '',
      t.writeBps !== undefined ? `writes at ${formatSize(t.writeBps)}/s` : '',
      t.readIops !== undefined ? `${t.readIops} read ops/s` : '',
      t.writeIops !== undefined ? `${t.writeIops} write ops/s` : '',
    ].filter(Boolean);
    out.push({
      file: `io.max = ${t.device} ${parts.join(' ')}`,
      meaning: `device ${t.device} is throttled: ${words.join(', ') || 'no limit given'}`,
      seeIt: '`dd if=/dev/zero of=/tmp/f bs=1M count=100 oflag=direct` inside reports the throttled rate',
    });
  }
  for (const [version, files] of Object.entries(c.cgroup.raw)) {
    for (const [file, value] of Object.entries(files)) {
      out.push({ file: `${file} = ${value}`, meaning: `written as is (cgroup ${version} only)`, seeIt: `\`cat ${dir}/${file}\` on the host` });
    }
  }
  return out;
}
