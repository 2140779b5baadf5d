import { UsageError } from '../../../src/errors';
import { compileAttachSpec } from '../../../src/lifecycle/attach';
import { preserveFdsOption, PRESERVE_FDS_MAX } from '../../../src/plan/preserve-fds';
import { validateContainer } from '../../../src/plan/validate';
import { compileLaunchSpec } from '../../../src/runtime/compile';
import type { HostFacts } from '../../../src/runtime/host-facts';
import { parseSpec, type ParsedStep } from '../../../src/runtime/spec-format';
import { planFixture } from '../../support/plan-fixture';

const host: HostFacts = {
  cgroup: { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpu', 'memory', 'pids'] } },
  uid: 0,
  kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: false },
  pathKind: () => 'directory',
};
const lines = (steps: ParsedStep[], step: string) => steps.filter((s) => s.step === step).map((s) => [s.step, ...s.fields].join(' '));

describe('preserve-fds: which of the caller fds reach the command', () => {
  it('emits no preserve-fds step and no LISTEN_FDS by default (the launcher then keeps only 0-2)', () => {
    const steps = parseSpec(compileLaunchSpec(planFixture(), host).text);
    expect(lines(steps, 'preserve-fds')).toEqual([]);
    expect(lines(steps, 'env').filter((l) => l.includes('LISTEN_'))).toEqual([]);
  });

  it('emits `preserve-fds N` as metadata (before spawn) and LISTEN_FDS=N in the environment', () => {
    const steps = parseSpec(compileLaunchSpec(planFixture({ process: { preserveFds: 2 } }), host).text);
    expect(lines(steps, 'preserve-fds')).toEqual(['preserve-fds 2']);
    expect(steps.findIndex((s) => s.step === 'preserve-fds')).toBeLessThan(steps.findIndex((s) => s.step === 'spawn'));
    expect(lines(steps, 'env')).toContain('env LISTEN_FDS 2');
    // LISTEN_PID is the launcher's to set: only it knows the pid that execs.
    expect(lines(steps, 'env').filter((l) => l.includes('LISTEN_PID'))).toEqual([]);
  });

  it('refuses a count that is not a whole number from 0 to the maximum, naming the field', () => {
    for (const bad of [-1, 1.5, PRESERVE_FDS_MAX + 1]) {
      const issues = validateContainer(planFixture({ process: { preserveFds: bad } }));
      expect(issues.map((i) => i.path)).toEqual(['process.preserveFds']);
      expect(issues[0]!.message).toContain(`0 to ${PRESERVE_FDS_MAX}`);
    }
    expect(validateContainer(planFixture({ process: { preserveFds: PRESERVE_FDS_MAX } }))).toEqual([]);
    expect(() => preserveFdsOption(7)).toThrow(UsageError);
    expect(() => preserveFdsOption(7)).toThrow(/--preserve-fds must be a whole number from 0 to 6/);
    expect(preserveFdsOption(0)).toBe(0);
  });

  it("attach drops the init's LISTEN_* variables, and sets its own with --preserve-fds", () => {
    const env = { PATH: '/bin', LISTEN_FDS: '1', LISTEN_PID: '1', LISTEN_FDNAMES: 'web' };
    const none = parseSpec(compileAttachSpec('web', 4242, planFixture(), env, [], ['sh']));
    expect(lines(none, 'env')).toEqual(['env PATH /bin']);
    expect(lines(none, 'preserve-fds')).toEqual([]);
    const one = parseSpec(compileAttachSpec('web', 4242, planFixture(), env, [], ['sh'], { preserveFds: 1 }));
    expect(lines(one, 'env')).toEqual(['env PATH /bin', 'env LISTEN_FDS 1']);
    expect(lines(one, 'preserve-fds')).toEqual(['preserve-fds 1']);
  });
});
