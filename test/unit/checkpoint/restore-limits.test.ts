import { defineContainer, type ContainerBuilder } from '../../../src/dsl/container';
import { buildPlan } from '../../../src/plan/build';
import type { ContainerPlan } from '../../../src/plan/types';
import { compileRestoreLimitsSpec } from '../../../src/checkpoint/restore-limits';
import type { CgroupHost } from '../../../src/cgroup/types';
import { compileLaunchSpec } from '../../../src/runtime/compile';
import type { HostFacts } from '../../../src/runtime/host-facts';
import { parseSpec } from '../../../src/runtime/spec-format';

const V2: CgroupHost = { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpu', 'memory', 'pids'] } };
const V1: CgroupHost = {
  mode: 'v1',
  root: '/sys/fs/cgroup',
  v1: {
    hierarchies: { cpu: '/sys/fs/cgroup/cpu,cpuacct', cpuacct: '/sys/fs/cgroup/cpu,cpuacct', memory: '/sys/fs/cgroup/memory', pids: '/sys/fs/cgroup/pids', devices: '/sys/fs/cgroup/devices' },
    memswAvailable: false,
  },
};

function planOf(b: ContainerBuilder): ContainerPlan {
  const built = buildPlan('/tmp/r.haco.ts', b);
  if ('notContainers' in built) throw new Error(built.notContainers);
  return built.plan.containers[0]!;
}

/** The spec's steps without its hints (spec fields are %-escaped: a space is %20). */
function stepsOf(c: ContainerPlan, host: CgroupHost): string[] {
  return compileRestoreLimitsSpec(c, host)!.render({ comments: false }).text.split('\n').filter((l) => l && !l.startsWith('hint '));
}

/** The `cgroup-devices` line a start of the same plan compiles on the same host. */
function startDeviceLine(c: ContainerPlan, host: CgroupHost): string | undefined {
  const facts: HostFacts = {
    cgroup: host,
    uid: 0,
    kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: false },
    pathKind: () => 'directory',
  };
  const s = parseSpec(compileLaunchSpec(c, facts).text).find((x) => x.step === 'cgroup-devices');
  return s ? [s.step, ...s.fields].join(' ') : undefined;
}

describe('haco restore: the cgroup limits and the device allow-list applied again after criu', () => {
  test('v2: the writes of a start (controllers enabled in the parents, then the limits), then the device program, without mkdir, host-only', () => {
    const c = planOf(defineContainer('r').memory('64M').cpu('50%').pids(32));
    const steps = stepsOf(c, V2);
    expect(steps.slice(0, -1)).toEqual([
      'haco-launch 1',
      'name r',
      'host-only',
      'cgroup-write /sys/fs/cgroup/cgroup.subtree_control +cpu%20+memory%20+pids',
      'cgroup-write /sys/fs/cgroup/haco/cgroup.subtree_control +cpu%20+memory%20+pids',
      'cgroup-write /sys/fs/cgroup/haco/r/cpu.max 50000%20100000',
      'cgroup-write /sys/fs/cgroup/haco/r/memory.max 67108864',
      'cgroup-write /sys/fs/cgroup/haco/r/pids.max 32',
    ]);
    // criu does not restore the BPF program: the last step attaches the one the start compiled
    const last = steps.at(-1)!;
    expect(last).toMatch(/^cgroup-devices \/sys\/fs\/cgroup\/haco\/r c:1:3:rwm,/);
    expect(parseSpec(compileRestoreLimitsSpec(c, V2)!.render().text).map((s) => [s.step, ...s.fields].join(' ')).at(-1)).toBe(startDeviceLine(c, V2));
  });

  test('v2: the same rules as the start also with a host device, config device nodes (their mknod rules) and no limits', () => {
    const base = planOf(defineContainer('r').device('/dev/fuse'));
    const c: ContainerPlan = { ...base, deviceNodes: [{ path: '/dev/foo', type: 'c', major: 10, minor: 200, mode: 0o666, uid: 0, gid: 0 }] };
    const steps = stepsOf(c, V2);
    expect(steps.filter((l) => l.startsWith('cgroup-write'))).toEqual([]);
    const devices = parseSpec(compileRestoreLimitsSpec(c, V2)!.render().text).filter((s) => s.step === 'cgroup-devices').map((s) => [s.step, ...s.fields].join(' '));
    expect(devices).toEqual([startDeviceLine(c, V2)]);
    expect(devices[0]).toContain('c:10:229:rwm'); // /dev/fuse
    expect(devices[0]).toContain('c:10:200:m'); // the config node's mknod
  });

  test('v1: no devices.deny/devices.allow writes (criu writes devices.list back itself), the limits only', () => {
    const c = planOf(defineContainer('r').memory('64M'));
    expect(startDeviceLine(c, V1)).toBeUndefined(); // v1 has no program: the start writes files
    const steps = stepsOf(c, V1);
    expect(steps.filter((l) => l.includes('devices'))).toEqual([]);
    expect(steps).toContain('cgroup-write /sys/fs/cgroup/memory/haco/r/memory.limit_in_bytes 67108864');
    expect(compileRestoreLimitsSpec(planOf(defineContainer('r')), V1)).toBeUndefined();
  });

  test('a plan with every host device and no limits needs no spec', () => {
    expect(compileRestoreLimitsSpec(planOf(defineContainer('r').devices('host')), V2)).toBeUndefined();
  });
});
