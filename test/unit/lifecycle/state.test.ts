import { assess, parseState, readState } from '../../../src/state/read';
import { stateDirOf } from '../../../src/state/paths';
import { SpecWriter } from '../../../src/runtime/spec-writer';
import { emitLifecycle } from '../../../src/runtime/compile-lifecycle';
import { signalNumber, STOP_SIGNAL } from '../../../src/lifecycle/kill';
import type { CgroupSetup } from '../../../src/cgroup/types';
import type { ContainerPlan } from '../../../src/plan/types';

const text = 'name=web\nstatus=running\nsupervisor=10\nsupervisor_start=500\npid=12\npid_start=501\nstarted=1700000000\nexit_code=\nrestarts=1\nreason=\nplan_hash=abc\ntracking=/sys/fs/cgroup/pids/haco/web\n';

describe('state file', () => {
  test('parses the known keys and keeps the rest as meta', () => {
    const s = parseState(text);
    expect(s).toMatchObject({ name: 'web', status: 'running', supervisor: 10, supervisorStart: 500, pid: 12, pidStart: 501, exitCode: undefined, restarts: 1 });
    expect(s.meta).toEqual({ plan_hash: 'abc', tracking: '/sys/fs/cgroup/pids/haco/web' });
  });

  test('running only while the supervisor is the same process', () => {
    const s = parseState(text);
    expect(assess(s, () => true)).toBe('running');
    expect(assess(s, () => false)).toBe('stale'); // gone, or the pid was reused (other start time)
    expect(assess(s, (pid) => pid === 10)).toBe('restarting'); // supervisor alive, init gone
    expect(assess(parseState(text.replace('status=running', 'status=exited').replace('exit_code=', 'exit_code=0')), () => false)).toBe('exited');
  });
});

describe('lifecycle steps', () => {
  const c = { name: 'web', rootfs: { path: '/r' } } as unknown as ContainerPlan;
  const cgroup: CgroupSetup = { version: 'v2', actions: [], join: ['/cg/haco/web'], tracking: '/cg/haco/web', cleanup: ['/cg/haco/web'], notes: [] };
  test('state dir, meta, plan, restart and the hint, all metadata', () => {
    const w = new SpecWriter();
    emitLifecycle(w, c, { stateDir: '/run/haco/web', keep: true, restart: { policy: 'on-failure', maxRetries: 3, backoffMs: 100 }, planJson: '{}', meta: { plan_hash: 'abc' } }, cgroup);
    const steps = w.render({ comments: false }).lines.filter((l) => !l.startsWith('haco-launch'));
    expect(steps).toEqual([
      'hook-env HACO_ROOTFS /r',
      'state-dir /run/haco/web keep 0700',
      'hook-env HACO_STATE_DIR /run/haco/web',
      'state-meta plan_hash abc',
      'state-meta cgroups /cg/haco/web',
      'state-meta tracking /cg/haco/web',
      'state-file plan.json {}',
      'restart on-failure 3 100',
      expect.stringMatching(/^hint state-dir EAGAIN /),
    ]);
  });
  test('no state: only the rootfs for hooks', () => {
    const w = new SpecWriter();
    emitLifecycle(w, c, undefined, cgroup);
    expect(w.render({ comments: false }).lines.filter((l) => !l.startsWith('haco-launch'))).toEqual(['hook-env HACO_ROOTFS /r']);
  });
});

describe('kill signals', () => {
  test('names and numbers', () => {
    expect(signalNumber('TERM')).toBe(15);
    expect(signalNumber('sigkill')).toBe(9);
    expect(signalNumber('2')).toBe(2);
    expect(() => signalNumber('NOPE')).toThrow(/unknown signal/);
    expect(STOP_SIGNAL).toBe(34);
  });
});

describe('state paths', () => {
  test('a name that is not a container name never becomes a path', () => {
    expect(() => stateDirOf('../etc')).toThrow(/is not a container name/);
    expect(readState('../etc')).toBeUndefined();
    expect(stateDirOf('web-1')).toMatch(/\/web-1$/);
  });
});
