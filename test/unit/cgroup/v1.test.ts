import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectCgroupHost } from '../../../src/cgroup/detect';
import { planCgroupSetup } from '../../../src/cgroup/setup';
import type { CgroupAction } from '../../../src/cgroup/types';
import { clampBlkioWeight, planCgroupV1, v1FileWrites, weightToShares } from '../../../src/cgroup/v1';
import { CgroupError } from '../../../src/errors';
import type { CgroupPlan } from '../../../src/plan/types';
import { mountinfoFor, removeTree, v1Tree } from './fake-tree';

const trees: string[] = [];
afterAll(() => trees.forEach(removeTree));
function host(opts: Parameters<typeof v1Tree>[0] = {}) {
  const root = v1Tree(opts);
  trees.push(root);
  return detectCgroupHost({ root, mountinfo: '' });
}
const plan = (resources: CgroupPlan['resources'], raw: Record<string, string> = {}): CgroupPlan => ({ resources, raw: { v1: raw, v2: {} } });
const rel = (root: string, actions: CgroupAction[]) =>
  actions.map((a) => (a.op === 'mkdir' ? `mkdir ${path.relative(root, a.path)}` : `write ${path.relative(root, a.path)} ${a.value}`));

describe('v1 conversions', () => {
  it('cpu.shares = max(2, round(weight * 1024 / 100))', () => {
    expect(weightToShares(100)).toBe(1024);
    expect(weightToShares(1)).toBe(10);
    expect(weightToShares(10000)).toBe(102400);
    expect(weightToShares(50)).toBe(512);
    expect(weightToShares(0.1)).toBe(2);
  });

  it('blkio.weight is clamped to 10-1000', () => {
    expect(clampBlkioWeight(1)).toBe(10);
    expect(clampBlkioWeight(500)).toBe(500);
    expect(clampBlkioWeight(10000)).toBe(1000);
  });
});

describe('v1 file writes', () => {
  it('maps every resource to its v1 file', () => {
    const { writes, notes } = v1FileWrites(
      {
        cpu: { quotaUs: 30000, weight: 50 },
        memory: { max: 1000, swapMax: 500, low: 100 },
        pids: { max: 'max' },
        io: { weight: 20000, throttle: [{ device: '8:0', readBps: 1, writeBps: 2, readIops: 3, writeIops: 4 }] },
      },
      { 'memory.swappiness': '0', notify_on_release: '1' },
      { memswAvailable: true },
    );
    expect(notes).toEqual([]);
    expect(writes.map((w) => `${w.controller} ${w.file}=${w.value}`)).toEqual([
      'cpu cpu.cfs_period_us=100000',
      'cpu cpu.cfs_quota_us=30000',
      'cpu cpu.shares=512',
      'memory memory.limit_in_bytes=1000',
      'memory memory.memsw.limit_in_bytes=1500',
      'memory memory.soft_limit_in_bytes=100',
      'pids pids.max=max',
      'blkio blkio.weight=1000',
      'blkio blkio.throttle.read_bps_device=8:0 1',
      'blkio blkio.throttle.write_bps_device=8:0 2',
      'blkio blkio.throttle.read_iops_device=8:0 3',
      'blkio blkio.throttle.write_iops_device=8:0 4',
      'memory memory.swappiness=0',
      ' notify_on_release=1',
    ]);
  });

  it('uses -1 for unlimited quota and memory', () => {
    const { writes } = v1FileWrites({ cpu: { quotaUs: 'max' }, memory: { max: 'max', swapMax: 'max' } }, {}, { memswAvailable: true });
    expect(writes.map((w) => `${w.file}=${w.value}`)).toEqual([
      'cpu.cfs_period_us=100000',
      'cpu.cfs_quota_us=-1',
      'memory.limit_in_bytes=-1',
      'memory.memsw.limit_in_bytes=-1',
    ]);
  });

  it('skips memsw with a note when swap accounting is off or memory.max is missing', () => {
    expect(v1FileWrites({ memory: { max: 10, swapMax: 5 } }, {}, { memswAvailable: false }).notes[0]).toMatch(/swapaccount=1/);
    const noMax = v1FileWrites({ memory: { swapMax: 5 } }, {}, { memswAvailable: true });
    expect(noMax.writes).toEqual([]);
    expect(noMax.notes[0]).toMatch(/needs memory.max/);
  });
});

describe('planCgroupV1', () => {
  it('puts a container without resources in the pids hierarchy (tracking) and cpuacct (CPU time) only', () => {
    const h = host();
    const setup = planCgroupSetup('idle', plan({}), h);
    expect(setup.version).toBe('v1');
    expect(rel(h.root, setup.actions)).toEqual(['mkdir pids/haco', 'mkdir pids/haco/idle', 'mkdir cpu,cpuacct/haco', 'mkdir cpu,cpuacct/haco/idle']);
    expect(setup.join).toEqual([path.join(h.root, 'pids/haco/idle'), path.join(h.root, 'cpu,cpuacct/haco/idle')]);
    expect(setup.tracking).toBe(path.join(h.root, 'pids/haco/idle'));
    expect(setup.cleanup).toEqual(setup.join);
  });

  it('joins cpuacct apart from cpu when the host mounts them apart, so CPU time is counted', () => {
    const h = host({ splitCpu: true });
    expect(h.v1?.hierarchies['cpuacct']).toBe(path.join(h.root, 'cpuacct'));
    const idle = planCgroupV1('idle', plan({}), h);
    expect(idle.join.map((j) => path.relative(h.root, j))).toEqual(['pids/haco/idle', 'cpuacct/haco/idle']);
    expect(idle.cleanup).toEqual(idle.join);
    const capped = planCgroupV1('capped', plan({ cpu: { quotaUs: 30000 } }), h);
    expect(capped.join.map((j) => path.relative(h.root, j))).toEqual(['pids/haco/capped', 'cpuacct/haco/capped', 'cpu/haco/capped']);
    expect(rel(h.root, capped.actions)).toContain('write cpu/haco/capped/cpu.cfs_quota_us 30000');
  });

  it('falls back to the first available hierarchy for tracking when pids is not mounted', () => {
    const h = host({ without: ['pids'] });
    const setup = planCgroupV1('idle', plan({}), h);
    expect(setup.join).toEqual([path.join(h.root, 'cpu,cpuacct/haco/idle')]);
  });

  it('creates one cgroup per needed hierarchy, co-mounted controllers once', () => {
    const h = host({ memsw: true });
    const setup = planCgroupV1('web', plan({ cpu: { weight: 100 }, memory: { max: 2048, swapMax: 1024 } }, { 'cpuacct.usage': '0' }), h);
    expect(rel(h.root, setup.actions)).toEqual([
      'mkdir pids/haco',
      'mkdir pids/haco/web',
      'mkdir cpu,cpuacct/haco',
      'mkdir cpu,cpuacct/haco/web',
      'write cpu,cpuacct/haco/web/cpu.shares 1024',
      'write cpu,cpuacct/haco/web/cpuacct.usage 0',
      'mkdir memory/haco',
      'mkdir memory/haco/web',
      'write memory/haco/web/memory.limit_in_bytes 2048',
      'write memory/haco/web/memory.memsw.limit_in_bytes 3072',
    ]);
    expect(setup.join.map((j) => path.relative(h.root, j))).toEqual(['pids/haco/web', 'cpu,cpuacct/haco/web', 'memory/haco/web']);
  });

  it('copies cpus and mems from the parent into haco/ and the container when unset', () => {
    const h = host();
    const setup = planCgroupV1('pinned', plan({ cpuset: { cpus: '1' } }), h);
    expect(rel(h.root, setup.actions).filter((a) => a.includes('cpuset'))).toEqual([
      'mkdir cpuset/haco',
      'write cpuset/haco/cpuset.cpus 0-3',
      'write cpuset/haco/cpuset.mems 0',
      'mkdir cpuset/haco/pinned',
      'write cpuset/haco/pinned/cpuset.cpus 1',
      'write cpuset/haco/pinned/cpuset.mems 0',
    ]);
  });

  it('uses the existing haco/ cpuset values as the parent and leaves haco/ alone', () => {
    const root = v1Tree();
    trees.push(root);
    fs.mkdirSync(path.join(root, 'cpuset/haco'));
    fs.writeFileSync(path.join(root, 'cpuset/haco/cpuset.cpus'), '2-3\n');
    fs.writeFileSync(path.join(root, 'cpuset/haco/cpuset.mems'), '0\n');
    const h = detectCgroupHost({ root, mountinfo: '' });
    const setup = planCgroupV1('p', plan({ cpuset: { mems: '0' } }), h);
    expect(rel(root, setup.actions).filter((a) => a.includes('cpuset'))).toEqual([
      'mkdir cpuset/haco',
      'mkdir cpuset/haco/p',
      'write cpuset/haco/p/cpuset.cpus 2-3',
      'write cpuset/haco/p/cpuset.mems 0',
    ]);
  });

  it('refuses with E_CGROUP_CONTROLLER when a needed hierarchy is not mounted', () => {
    const h = host({ without: ['blkio'] });
    expect(() => planCgroupV1('x', plan({ io: { weight: 100, throttle: [] } }), h)).toThrow(CgroupError);
    try {
      planCgroupV1('x', plan({ io: { weight: 100, throttle: [] } }), h);
    } catch (e) {
      expect((e as CgroupError).code).toBe('E_CGROUP_CONTROLLER');
      expect((e as CgroupError).message).toMatch(/blkio/);
      expect((e as CgroupError).hint).toMatch(/mount -t cgroup -o blkio/);
    }
  });

  it('drives a hybrid host through its v1 hierarchies (mountinfo detected)', () => {
    const root = v1Tree({ hybrid: true });
    trees.push(root);
    const mi = mountinfoFor(root, [
      { dir: 'pids', fs: 'cgroup', opts: 'pids' },
      { dir: 'memory', fs: 'cgroup', opts: 'memory' },
      { dir: 'unified', fs: 'cgroup2' },
    ]);
    const h = detectCgroupHost({ root, mountinfo: mi });
    expect(h.mode).toBe('hybrid');
    const setup = planCgroupSetup('hy', plan({ memory: { max: 1 } }), h);
    expect(setup.version).toBe('v1');
    expect(setup.join.map((j) => path.relative(root, j))).toEqual(['pids/haco/hy', 'memory/haco/hy']);
  });
});

describe('cgroup.path (OCI linux.cgroupsPath)', () => {
  it('an absolute path is taken from each hierarchy root; the directories it makes are its parents, deepest first', () => {
    const h = host();
    const setup = planCgroupV1('x', { ...plan({ pids: { max: 10 } }), path: '/machine/app' }, h);
    expect(rel(h.root, setup.actions)).toEqual(['mkdir pids/machine', 'mkdir pids/machine/app', 'write pids/machine/app/pids.max 10', 'mkdir cpu,cpuacct/machine', 'mkdir cpu,cpuacct/machine/app']);
    expect(setup.join.map((j) => path.relative(h.root, j))).toEqual(['pids/machine/app', 'cpu,cpuacct/machine/app']);
    expect(setup.parents?.map((p) => path.relative(h.root, p))).toEqual(['pids/machine', 'cpu,cpuacct/machine']);
  });

  it('a relative path goes under haco/, a one-level absolute path makes no parent', () => {
    const h = host();
    expect(planCgroupV1('x', { ...plan({}), path: 'a/b' }, h).tracking).toBe(path.join(h.root, 'pids/haco/a/b'));
    const top = planCgroupV1('x', { ...plan({}), path: '/cgrouptest' }, h);
    expect(top.tracking).toBe(path.join(h.root, 'pids/cgrouptest'));
    expect(top.parents).toEqual([]);
  });

  it('gives a new cpuset parent the root cpus and mems, as haco/ gets them', () => {
    const h = host();
    const setup = planCgroupV1('x', { ...plan({ cpuset: { cpus: '0' } }), path: '/p/q' }, h);
    const actions = rel(h.root, setup.actions).filter((a) => a.startsWith('mkdir cpuset') || a.startsWith('write cpuset'));
    expect(actions.slice(0, 3)).toEqual(['mkdir cpuset/p', `write cpuset/p/cpuset.cpus ${h.v1?.cpusetRoot?.cpus}`, `write cpuset/p/cpuset.mems ${h.v1?.cpusetRoot?.mems}`]);
    expect(actions).toContain('mkdir cpuset/p/q');
  });
});
