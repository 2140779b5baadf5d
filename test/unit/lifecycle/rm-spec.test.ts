import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileRmSpec } from '../../../src/lifecycle/rm';
import { selectTargets } from '../../../src/lifecycle/targets';
import { parseSpec } from '../../../src/runtime/spec-format';
import { CGROUP_LOCK_WAIT_MS } from '../../../src/state';

describe('compileRmSpec: one host-only spec for every container haco rm removes', () => {
  it('takes the cgroup lock, removes each group in the order given, then names each haco parent once (removed by the launcher only if left empty)', () => {
    process.env['HACO_CGROUP_LOCK'] = '/run/haco/.cgroup.lock';
    try {
      const dirs = ['/sys/fs/cgroup/pids/haco/a', '/sys/fs/cgroup/devices/haco/a', '/sys/fs/cgroup/pids/haco/b/sub', '/sys/fs/cgroup/pids/haco/b'];
      const steps = parseSpec(compileRmSpec(['a', 'b'], dirs).render().text).filter((s) => s.step !== 'hint');
      expect(steps.map((s) => [s.step, ...s.fields].join(' '))).toEqual([
        'name 2-containers',
        'host-only',
        `cgroup-lock /run/haco/.cgroup.lock ${CGROUP_LOCK_WAIT_MS}`,
        ...dirs.map((d) => `cgroup-rmdir ${d}`),
        'cleanup-cgroup-parent /sys/fs/cgroup/pids/haco',
        'cleanup-cgroup-parent /sys/fs/cgroup/devices/haco',
      ]);
    } finally {
      delete process.env['HACO_CGROUP_LOCK'];
    }
  });

  it('carries hints for what stops it (no root, read-only tree, a held or planted lock)', () => {
    const hints = parseSpec(compileRmSpec(['a'], ['/sys/fs/cgroup/haco/a']).render().text).filter((s) => s.step === 'hint');
    expect(hints.map((h) => `${h.fields[0]} ${h.fields[1]}`)).toEqual(expect.arrayContaining(['cgroup-rmdir EACCES', 'cgroup-rmdir EROFS', 'cgroup-lock ETIMEDOUT', 'cgroup-lock ELOOP']));
  });
});

describe('selectTargets: names or --all', () => {
  let run: string;
  beforeEach(() => {
    run = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-targets-'));
    process.env['HACO_RUN_DIR'] = run;
    const write = (name: string, status: string) => {
      fs.mkdirSync(path.join(run, name));
      // pid 1 and a start time it never has: a live-looking state whose supervisor is "gone" reads as stale.
      fs.writeFileSync(path.join(run, name, 'state'), `name=${name}\nstatus=${status}\nsupervisor=1\nsupervisor_start=1\npid=1\npid_start=1\n`);
    };
    write('done', 'exited');
    write('gone', 'running');
  });
  afterEach(() => {
    delete process.env['HACO_RUN_DIR'];
    fs.rmSync(run, { recursive: true, force: true });
  });

  it('returns the names given, as given', () => {
    expect(selectTargets(['b', 'a'], false, 'removable')).toEqual(['b', 'a']);
  });
  it('--all: the containers the command can act on', () => {
    expect(selectTargets([], true, 'removable')).toEqual(['done', 'gone']);
    expect(selectTargets([], true, 'stoppable')).toEqual([]);
  });
  it('both, or neither, is a usage error', () => {
    expect(() => selectTargets(['a'], true, 'stoppable')).toThrow(/not both/);
    expect(() => selectTargets([], false, 'stoppable')).toThrow(/which container/);
  });
});
