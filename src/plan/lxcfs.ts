import type { ContainerPlan, LxcfsPlan } from './types';

/**
 * lxcfs's rules in one place: where it is mounted, which of its files a container may bind, and what a
 * plan with `.lxcfs()` needs. The DSL, validation, the compiler (runtime/compile-lxcfs.ts), the start
 * preflight and `haco lxcfs` read them.
 */

/** Where Debian's lxcfs.service (and `haco lxcfs start`) mounts lxcfs. */
export const LXCFS_MOUNTPOINT = '/var/lib/lxcfs';

/**
 * The files lxcfs 4+ virtualizes, as paths inside the container: what each shows comes from the reading
 * process's cgroups (memory limit → meminfo and swaps; cpuset and cpu quota → cpuinfo, stat and
 * /sys/devices/system/cpu/online; the container's start time → uptime; blkio → diskstats; its own
 * processes → loadavg, only when lxcfs runs with `-l`, as `haco lxcfs start` does).
 */
export const LXCFS_FILES = [
  '/proc/cpuinfo',
  '/proc/diskstats',
  '/proc/loadavg',
  '/proc/meminfo',
  '/proc/stat',
  '/proc/swaps',
  '/proc/uptime',
  '/sys/devices/system/cpu/online',
] as const;

/** The plan of `.lxcfs()` with no options. */
export function defaultLxcfsPlan(): LxcfsPlan {
  return { mountpoint: LXCFS_MOUNTPOINT, files: [...LXCFS_FILES] };
}

/** The host path a container file is bound from. */
export function lxcfsSource(plan: LxcfsPlan, file: string): string {
  return `${plan.mountpoint.replace(/\/+$/, '')}${file}`;
}

/** The standard mount a bound file lies on (its bind goes over that file system's own file). */
export function lxcfsFileMount(file: string): 'proc' | 'sys' {
  return file.startsWith('/sys/') ? 'sys' : 'proc';
}

/** Problems of a plan's lxcfs part, as [message, hint] pairs (plan/validate.ts adds the path). */
export function lxcfsProblems(c: ContainerPlan): Array<[string, string]> {
  const l = c.lxcfs;
  if (!l) return [];
  const problems: Array<[string, string]> = [];
  if (!l.mountpoint.startsWith('/') || l.mountpoint.split('/').includes('..')) {
    problems.push([`lxcfs mountpoint "${l.mountpoint}" is not an absolute host path`, `write e.g. ${LXCFS_MOUNTPOINT}`]);
  }
  if (l.files.length === 0) problems.push(['lxcfs binds no files', 'leave files out to bind them all, or drop .lxcfs()']);
  const seen = new Set<string>();
  for (const file of l.files) {
    if (!(LXCFS_FILES as readonly string[]).includes(file)) problems.push([`lxcfs does not provide "${file}"`, `bind some of: ${LXCFS_FILES.join(', ')}`]);
    else if (seen.has(file)) problems.push([`lxcfs file ${file} is listed twice`, 'list each file once']);
    seen.add(file);
  }
  const standard = new Set(c.mounts.flatMap((m) => (m.type === 'standard' && (m.fs === 'proc' || m.fs === 'sys') && m.target === `/${m.fs}` ? [m.fs] : [])));
  for (const fs of ['proc', 'sys'] as const) {
    if (!standard.has(fs) && l.files.some((f) => lxcfsFileMount(f) === fs)) {
      problems.push([`lxcfs binds over /${fs}, but the container has no /${fs} mount`, `keep the standard /${fs} mount, or leave the /${fs} files out of lxcfs files`]);
    }
  }
  return problems;
}
