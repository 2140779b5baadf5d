import type { CgroupHost } from '../../src/cgroup/types';
import type { HostFacts } from '../../src/runtime/host-facts';

/** A pure cgroup v2 host with the usual controllers. */
export const V2_HOST: CgroupHost = {
  mode: 'v2',
  root: '/sys/fs/cgroup',
  v2: { path: '/sys/fs/cgroup', controllers: ['cpuset', 'cpu', 'io', 'memory', 'pids'] },
};

/** A v1 hybrid host that mounts cpu and cpuacct apart, like the machine haco's root tests run on. */
export const V1_SPLIT_HOST: CgroupHost = {
  mode: 'hybrid',
  root: '/sys/fs/cgroup',
  v1: {
    hierarchies: Object.fromEntries(['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids'].map((c) => [c, `/sys/fs/cgroup/${c}`])),
    cpusetRoot: { cpus: '0-1', mems: '0' },
    memswAvailable: false,
  },
  v2: { path: '/sys/fs/cgroup/unified', controllers: [] },
};

/** Host facts for compiling without touching the machine: every kernel feature, root, clone(2) + join. */
export function hostFacts(cgroup: CgroupHost = V2_HOST, over: Partial<HostFacts['kernel']> = {}): HostFacts {
  return {
    cgroup,
    uid: 0,
    kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: false, ...over },
    pathKind: (p) => (p === '/lib64' ? 'missing' : p.endsWith('.conf') || p.endsWith('hosts') ? 'file' : 'directory'),
  };
}
