import { defineContainer, type ContainerBuilder } from 'haco';
import { diffContainers, diffPlans } from '../../../src/diff/diff-plans';
import { formatChange, renderDiff } from '../../../src/diff/render';
import { diffValues } from '../../../src/diff/values';
import { buildPlan } from '../../../src/plan/build';
import type { Plan } from '../../../src/plan/types';

function plan(...builders: ContainerBuilder[]): Plan {
  const built = buildPlan('/tmp/x.haco.ts', builders);
  if ('notContainers' in built) throw new Error(built.notContainers);
  expect(built.issues).toEqual([]);
  return built.plan;
}

function lines(a: ContainerBuilder, b: ContainerBuilder): string[] {
  return diffContainers(plan(a).containers[0]!, plan(b).containers[0]!).map((c) => formatChange(c));
}

const base = defineContainer('box').bootstrap((b) => b.host());

describe('diffContainers', () => {
  it('finds nothing between equal plans', () => {
    expect(lines(base, base)).toEqual([]);
  });

  it('reports namespace set changes as + and -', () => {
    expect(lines(base, base.share('net'))).toEqual(['namespaces.unshare: - net']);
    expect(lines(base, base.share('pid').unshare('cgroup'))).toEqual(['namespaces.unshare: - pid', 'namespaces.unshare: + cgroup']);
  });

  it('reports scalar changes with an arrow and new fields as (unset) →', () => {
    expect(lines(base.cpu('30%'), base.cpu('50%'))).toEqual(['cgroup.resources.cpu.quotaUs: 30000 → 50000']);
    expect(lines(base, base.pids(20))).toEqual(['cgroup.resources.pids.max: (unset) → 20']);
    expect(lines(base.memory('64M'), base.memory('128M'))).toEqual(['cgroup.resources.memory.max: 64M (67108864) → 128M (134217728)']);
  });

  it('folds root\'s identical capability sets into one line', () => {
    expect(lines(base, base.dropCaps('chown'))).toEqual(['capabilities.set: - chown']);
  });

  it('compares argv as a whole and rlimits by resource', () => {
    expect(lines(base.command('yes'), base.command('top'))).toEqual(['process.args: ["/bin/sh","-c","yes"] → ["/bin/sh","-c","top"]']);
    expect(lines(base.rlimit('nofile', 1024), base.rlimit('nofile', 2048).rlimit('nproc', 10))).toEqual([
      'rlimits[NOFILE].soft: 1024 → 2048',
      'rlimits[NOFILE].hard: 1024 → 2048',
      'rlimits[NPROC]: + {"resource":"NPROC","soft":10,"hard":10}',
    ]);
  });

  it('matches mounts by target, not position', () => {
    const out = lines(base.tmpfs('/tmp'), base.bind('/srv', '/data', { readonly: true }).tmpfs('/tmp', { size: '64M' }));
    expect(out).toContain('mounts[/tmp].size: (unset) → 64M (67108864)');
    expect(out.some((l) => l.startsWith('mounts[/data]: + {'))).toBe(true);
  });
});

describe('diffPlans', () => {
  it('matches containers by name and lists those on one side only', () => {
    const d = diffPlans(plan(base.extend('a'), base.extend('b')), plan(base.extend('b').pids(5), base.extend('c')));
    expect(d.equal).toBe(false);
    expect(d.containers.map((c) => [c.name, c.status])).toEqual([['a', 'removed'], ['b', 'changed'], ['c', 'added']]);
    const text = renderDiff(d, { a: 'A', b: 'B' });
    expect(text).toBe(['- a (only in A)', '~ b', '  cgroup.resources.pids.max: (unset) → 5', '+ c (only in B)', ''].join('\n'));
  });

  it('compares two single-container files whatever their names', () => {
    const d = diffPlans(plan(defineContainer('one')), plan(defineContainer('two')));
    expect(d.containers[0]!.name).toBe('one → two');
    // hostname and rootfs path only follow the name: left out.
    expect(d.containers[0]!.changes.map((c) => c.path)).toEqual(['name']);
    const e = diffPlans(plan(defineContainer('one')), plan(defineContainer('two').mapRootTo(1000)));
    expect(e.containers[0]!.changes.map((c) => formatChange(c))).toEqual([
      'name: one → two',
      'namespaces.unshare: + user',
      'namespaces.uidMap[0]: + {"inside":0,"outside":1000,"count":65536}',
      'namespaces.gidMap[0]: + {"inside":0,"outside":1000,"count":65536}',
    ]);
  });

  it('says so when equal', () => {
    const d = diffPlans(plan(base), plan(base));
    expect(d).toEqual({ equal: true, containers: [{ name: 'box', status: 'same', changes: [] }] });
    expect(renderDiff(d, { a: 'A', b: 'B' })).toBe('no differences between A and B\n');
  });
});

describe('diffValues', () => {
  it('ignores key order', () => {
    expect(diffValues({ a: 1, b: { c: [1, 2] } }, { b: { c: [2, 1] }, a: 1 })).toEqual([]);
  });

  it('reports a reordered list of objects by index', () => {
    expect(diffValues([{ x: 1 }], [{ x: 2 }])).toEqual([{ path: '[0].x', kind: 'changed', before: 1, after: 2 }]);
  });
});
