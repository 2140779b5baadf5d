import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pidsLimited, v1SelfMoves } from '../../../src/cgroup/self-move';
import type { CgroupHost } from '../../../src/cgroup/types';
import { compileAttachSpec } from '../../../src/lifecycle/attach';
import { parseSpec } from '../../../src/runtime/spec-format';
import { planFixture } from '../../support/plan-fixture';

const v1: CgroupHost = {
  mode: 'hybrid',
  root: '/sys/fs/cgroup',
  v1: { hierarchies: { pids: '/sys/fs/cgroup/pids', cpu: '/sys/fs/cgroup/cpu,cpuacct', cpuacct: '/sys/fs/cgroup/cpu,cpuacct' }, memswAvailable: false },
  v2: { path: '/sys/fs/cgroup/unified', controllers: [] },
};

describe('v1SelfMoves (the spawn-cgroup fields of an existing container, for attach)', () => {
  it('names the mount and a controller of the hierarchy each dir is in', () => {
    expect(v1SelfMoves(['/sys/fs/cgroup/pids/haco/a', '/sys/fs/cgroup/cpu,cpuacct/haco/a'], v1)).toEqual([
      { dir: '/sys/fs/cgroup/pids/haco/a', mount: '/sys/fs/cgroup/pids', controller: 'pids' },
      { dir: '/sys/fs/cgroup/cpu,cpuacct/haco/a', mount: '/sys/fs/cgroup/cpu,cpuacct', controller: 'cpu' },
    ]);
  });

  it('gives none when a dir is in no v1 hierarchy, on a v2 host, or without dirs (then cgroup-join)', () => {
    expect(v1SelfMoves(['/sys/fs/cgroup/pids/haco/a', '/sys/fs/cgroup/unified/haco/a'], v1)).toBeUndefined();
    expect(v1SelfMoves(['/sys/fs/cgroup/pidsX/haco/a'], v1)).toBeUndefined();
    expect(v1SelfMoves(['/sys/fs/cgroup/haco/a'], { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: [] } })).toBeUndefined();
    expect(v1SelfMoves([], v1)).toBeUndefined();
  });
});

describe('pidsLimited', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cgmove-pids-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is true only when a dir has a pids.max other than max', () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    fs.mkdirSync(a);
    fs.mkdirSync(b);
    expect(pidsLimited([a, b])).toBe(false);
    fs.writeFileSync(path.join(a, 'pids.max'), 'max\n');
    expect(pidsLimited([a, b])).toBe(false);
    fs.writeFileSync(path.join(b, 'pids.max'), '20\n');
    expect(pidsLimited([a, b])).toBe(true);
  });
});

describe('compileAttachSpec with selfMoves', () => {
  const lines = (text: string, step: string) => parseSpec(text).filter((s) => s.step === step).map((s) => [s.step, ...s.fields].join(' '));
  const dirs = ['/sys/fs/cgroup/pids/haco/a'];

  it('is born in the cgroups (spawn-cgroup before spawn, no cgroup-join)', () => {
    const text = compileAttachSpec('a', 4242, planFixture(), { PATH: '/bin' }, dirs, ['sh'], { selfMoves: v1SelfMoves(dirs, v1)! });
    expect(lines(text, 'spawn-cgroup')).toEqual(['spawn-cgroup /sys/fs/cgroup/pids/haco/a /sys/fs/cgroup/pids pids']);
    expect(lines(text, 'cgroup-join')).toEqual([]);
    const steps = parseSpec(text).map((s) => s.step);
    expect(steps.indexOf('spawn-cgroup')).toBeLessThan(steps.indexOf('spawn'));
  });

  it('joins with cgroup-join without them', () => {
    const text = compileAttachSpec('a', 4242, planFixture(), { PATH: '/bin' }, dirs, ['sh']);
    expect(lines(text, 'spawn-cgroup')).toEqual([]);
    expect(lines(text, 'cgroup-join')).toEqual(['cgroup-join /sys/fs/cgroup/pids/haco/a']);
  });
});
