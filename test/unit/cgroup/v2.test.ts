import * as path from 'node:path';
import { detectCgroupHost } from '../../../src/cgroup/detect';
import { planCgroupV2, v2ControllersFor, v2FileWrites } from '../../../src/cgroup/v2';
import { planCgroupSetup } from '../../../src/cgroup/setup';
import { CgroupError } from '../../../src/errors';
import type { CgroupPlan } from '../../../src/plan/types';
import { removeTree, v2Tree } from './fake-tree';

const trees: string[] = [];
afterAll(() => trees.forEach(removeTree));
function hostWith(controllers?: string) {
  const root = v2Tree(controllers);
  trees.push(root);
  return detectCgroupHost({ root, mountinfo: '' });
}
const plan = (resources: CgroupPlan['resources'], raw: Record<string, string> = {}): CgroupPlan => ({ resources, raw: { v1: {}, v2: raw } });

describe('cgroup v2 file writes', () => {
  it('maps every resource to its interface file', () => {
    const writes = v2FileWrites(
      {
        cpu: { quotaUs: 30000, periodUs: 100000, weight: 200 },
        cpuset: { cpus: '0-1', mems: '0' },
        memory: { max: 268435456, swapMax: 0, low: 1048576 },
        pids: { max: 64 },
        io: { weight: 500, throttle: [{ device: '8:0', readBps: 1048576, writeIops: 100 }, { device: '8:16', writeBps: 2 }] },
      },
      { 'memory.oom.group': '1' },
    );
    expect(writes).toEqual([
      { file: 'cpu.max', value: '30000 100000' },
      { file: 'cpu.weight', value: '200' },
      { file: 'cpuset.cpus', value: '0-1' },
      { file: 'cpuset.mems', value: '0' },
      { file: 'memory.max', value: '268435456' },
      { file: 'memory.swap.max', value: '0' },
      { file: 'memory.low', value: '1048576' },
      { file: 'pids.max', value: '64' },
      { file: 'io.weight', value: 'default 500' },
      { file: 'io.max', value: '8:0 rbps=1048576 wiops=100' },
      { file: 'io.max', value: '8:16 wbps=2' },
      { file: 'memory.oom.group', value: '1' },
    ]);
  });

  it('writes "max PERIOD" for an unlimited quota and the default period for a bare quota', () => {
    expect(v2FileWrites({ cpu: { quotaUs: 'max', periodUs: 50000 } }, {})).toEqual([{ file: 'cpu.max', value: 'max 50000' }]);
    expect(v2FileWrites({ cpu: { quotaUs: 50000 } }, {})).toEqual([{ file: 'cpu.max', value: '50000 100000' }]);
    expect(v2FileWrites({ memory: { max: 'max' }, pids: { max: 'max' } }, {})).toEqual([
      { file: 'memory.max', value: 'max' },
      { file: 'pids.max', value: 'max' },
    ]);
  });

  it('derives the controllers to enable, in haco order, ignoring core files', () => {
    const writes = v2FileWrites({ cpuset: { cpus: '0' }, pids: { max: 3 }, cpu: { weight: 5 } }, { 'cgroup.freeze': '0' });
    expect(v2ControllersFor(writes)).toEqual(['cpu', 'pids', 'cpuset']);
  });
});

describe('planCgroupV2', () => {
  it('enables only the needed controllers in ROOT and ROOT/haco, then creates and fills ROOT/haco/NAME', () => {
    const host = hostWith();
    const root = host.root;
    const setup = planCgroupV2('web', plan({ memory: { max: 1000000 }, cpu: { quotaUs: 20000 } }), host);
    const dir = path.join(root, 'haco/web');
    expect(setup.actions).toEqual([
      { op: 'write', path: path.join(root, 'cgroup.subtree_control'), value: '+cpu +memory' },
      { op: 'mkdir', path: path.join(root, 'haco') },
      { op: 'write', path: path.join(root, 'haco/cgroup.subtree_control'), value: '+cpu +memory' },
      { op: 'mkdir', path: dir },
      { op: 'write', path: path.join(dir, 'cpu.max'), value: '20000 100000' },
      { op: 'write', path: path.join(dir, 'memory.max'), value: '1000000' },
    ]);
    expect(setup).toMatchObject({ version: 'v2', join: [dir], tracking: dir, cleanup: [dir], notes: [] });
  });

  it('still gives a container without resources its own cgroup, with no subtree_control writes', () => {
    const host = hostWith();
    const setup = planCgroupSetup('idle', plan({}), host);
    expect(setup.actions).toEqual([
      { op: 'mkdir', path: path.join(host.root, 'haco') },
      { op: 'mkdir', path: path.join(host.root, 'haco/idle') },
    ]);
    expect(setup.join).toEqual([path.join(host.root, 'haco/idle')]);
  });

  it('raw writes enable their controller and come after the derived ones', () => {
    const host = hostWith();
    const setup = planCgroupV2('r', plan({ memory: { max: 5 } }, { 'memory.max': '10', 'cgroup.freeze': '0' }), host);
    const writes = setup.actions.filter((a) => a.op === 'write').map((a) => a.op === 'write' && [path.basename(a.path), a.value]);
    expect(writes).toEqual([
      ['cgroup.subtree_control', '+memory'],
      ['cgroup.subtree_control', '+memory'],
      ['memory.max', '5'],
      ['memory.max', '10'],
      ['cgroup.freeze', '0'],
    ]);
  });

  it('refuses with E_CGROUP_CONTROLLER and a hint when a needed controller is not available', () => {
    const host = hostWith('cpu pids');
    let error: unknown;
    try {
      planCgroupV2('m', plan({ memory: { max: 1 }, io: { throttle: [{ device: '8:0', readBps: 1 }] } }), host);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CgroupError);
    const err = error as CgroupError;
    expect(err.code).toBe('E_CGROUP_CONTROLLER');
    expect(err.message).toMatch(/controllers memory, io/);
    expect(err.message).toContain('cgroup.controllers');
    expect(err.hint).toBeTruthy();
    expect(err).toExitWith(4);
  });
});
