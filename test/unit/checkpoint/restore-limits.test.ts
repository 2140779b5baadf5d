import { defineContainer, type ContainerBuilder } from '../../../src/dsl/container';
import { buildPlan } from '../../../src/plan/build';
import type { ContainerPlan } from '../../../src/plan/types';
import { compileRestoreLimitsSpec } from '../../../src/checkpoint/restore-limits';
import type { CgroupHost } from '../../../src/cgroup/types';

const V2: CgroupHost = { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpu', 'memory', 'pids'] } };

function planOf(b: ContainerBuilder): ContainerPlan {
  const built = buildPlan('/tmp/r.haco.ts', b);
  if ('notContainers' in built) throw new Error(built.notContainers);
  return built.plan.containers[0]!;
}

describe('haco restore: the cgroup limits written again after criu', () => {
  test('the writes of a start (controllers enabled in the parents, then the limits), without mkdir, host-only', () => {
    const text = compileRestoreLimitsSpec(planOf(defineContainer('r').memory('64M').cpu('50%').pids(32)), V2)!.render({ comments: false }).text;
    // (spec fields are %-escaped: a space is %20)
    const steps = text.split('\n').filter((l) => l && !l.startsWith('hint '));
    expect(steps).toEqual([
      'haco-launch 1',
      'name r',
      'host-only',
      'cgroup-write /sys/fs/cgroup/cgroup.subtree_control +cpu%20+memory%20+pids',
      'cgroup-write /sys/fs/cgroup/haco/cgroup.subtree_control +cpu%20+memory%20+pids',
      'cgroup-write /sys/fs/cgroup/haco/r/cpu.max 50000%20100000',
      'cgroup-write /sys/fs/cgroup/haco/r/memory.max 67108864',
      'cgroup-write /sys/fs/cgroup/haco/r/pids.max 32',
    ]);
  });

  test('a plan without limits needs no spec', () => {
    expect(compileRestoreLimitsSpec(planOf(defineContainer('r')), V2)).toBeUndefined();
  });
});
