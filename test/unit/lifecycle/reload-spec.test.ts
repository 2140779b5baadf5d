import { compileReloadSpec, type ReloadPlan } from '../../../src/lifecycle/reload';
import { parseSpec } from '../../../src/runtime/spec-format';
import { compileSweepSpec } from '../../../src/start/sweep';
import type { ContainerPlan } from '../../../src/plan/types';

const plan = (steps: ReloadPlan['steps']): ReloadPlan => ({ name: 'web', pid: 100, stateDir: '/run/haco/web', steps, changes: [], next: {} as ContainerPlan });
const dir = '/sys/fs/cgroup/memory/haco/web';

describe('compileReloadSpec: a host-only spec the launcher runs', () => {
  it('sets each rlimit on the init (required) and the other processes (optional), then the cgroup files in the plan order', () => {
    const spec = compileReloadSpec(
      plan([
        { what: 'rlimit NOFILE', action: { kind: 'rlimit', entry: { resource: 'NOFILE', soft: 2048, hard: 'unlimited' } } },
        { what: 'memsw', action: { kind: 'cgroup-write', path: `${dir}/memory.memsw.limit_in_bytes`, before: '200', value: '400' } },
        { what: 'limit', action: { kind: 'cgroup-write', path: `${dir}/memory.limit_in_bytes`, before: '100', value: '300' } },
      ]),
      [100, 101, 102],
    );
    const steps = parseSpec(spec.render().text).filter((s) => s.step !== 'hint');
    expect(steps.map((s) => [s.step, ...s.fields].join(' '))).toEqual([
      'name web',
      'host-only',
      'prlimit 100 NOFILE 2048 unlimited',
      'prlimit 101 NOFILE 2048 unlimited optional',
      'prlimit 102 NOFILE 2048 unlimited optional',
      `cgroup-write ${dir}/memory.memsw.limit_in_bytes 400`,
      `cgroup-write ${dir}/memory.limit_in_bytes 300`,
    ]);
  });

  it('carries hints for the refusals a reload meets', () => {
    const hints = parseSpec(compileReloadSpec(plan([]), [100]).render().text).filter((s) => s.step === 'hint');
    expect(hints.map((h) => `${h.fields[0]} ${h.fields[1]}`)).toEqual(expect.arrayContaining(['prlimit EPERM', 'cgroup-write EBUSY', 'cgroup-write EINVAL']));
  });
});

describe('compileSweepSpec', () => {
  it('is one cgroup-rmdir per directory, in the order given (deepest first)', () => {
    const steps = parseSpec(compileSweepSpec(['/sys/fs/cgroup/haco/old/sub', '/sys/fs/cgroup/haco/old']).render().text).filter((s) => s.step !== 'hint');
    expect(steps.map((s) => [s.step, ...s.fields].join(' '))).toEqual(['host-only', 'cgroup-rmdir /sys/fs/cgroup/haco/old/sub', 'cgroup-rmdir /sys/fs/cgroup/haco/old']);
  });
});
