import { HacoError } from '../../../src/errors';
import { compileLaunchSpec } from '../../../src/runtime/compile';
import { forwardedSignals } from '../../../src/runtime/compile-terminal';
import type { HostFacts } from '../../../src/runtime/host-facts';
import { parseSpec, type ParsedStep } from '../../../src/runtime/spec-format';
import { decideTerminal } from '../../../src/start/terminal';
import { planFixture } from '../../support/plan-fixture';

const facts = (): HostFacts => ({
  cgroup: { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpuset', 'cpu', 'io', 'memory', 'pids'] } },
  uid: 0,
  kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: false },
});
const names = (steps: ParsedStep[]) => steps.map((s) => s.step);
const find = (steps: ParsedStep[], step: string) => steps.find((s) => s.step === step);

describe('the terminal of a foreground start', () => {
  it('with a pty: setsid then pty from the container\'s devpts, after the switch, before the identity changes', () => {
    const c = planFixture({ process: { user: { uid: 1000, gid: 100, groups: [] } } });
    const steps = parseSpec(compileLaunchSpec(c, facts(), { terminal: { pty: true, stdin: true } }).text);
    const n = names(steps);
    expect(find(steps, 'pty')?.fields).toEqual(['/dev/pts/ptmx', '1000', '100', 'stdin']);
    expect(n.indexOf('setsid')).toBe(n.indexOf('pty') - 1);
    expect(n.indexOf('pivot-root')).toBeLessThan(n.indexOf('pty'));
    expect(n.indexOf('pty')).toBeLessThan(n.indexOf('user'));
    expect(n.indexOf('pty')).toBeLessThan(n.indexOf('reaper') === -1 ? Infinity : n.indexOf('reaper'));
    expect(find(steps, 'forward-signals')?.fields).toEqual(['INT,TERM,HUP,QUIT,USR1,USR2,WINCH']);
  });

  it('without a pty: INT and WINCH come from the terminal itself, so they are not forwarded (no double delivery)', () => {
    const steps = parseSpec(compileLaunchSpec(planFixture(), facts()).text);
    expect(find(steps, 'pty')).toBeUndefined();
    expect(find(steps, 'forward-signals')?.fields).toEqual(['TERM,HUP,QUIT,USR1,USR2']);
    expect(forwardedSignals({ pty: true, stdin: false })).toContain('WINCH');
  });

  it('-t on a container without devpts is refused before anything starts', () => {
    const c = planFixture();
    const noPts = { ...c, mounts: c.mounts.filter((m) => !(m.type === 'standard' && m.fs === 'devpts')) };
    expect(() => decideTerminal(noPts, { tty: true }, true)).toThrow(HacoError);
    expect(decideTerminal(noPts, {}, true).terminal).toBeUndefined();
  });

  it('defaults: a pty when stdin is a terminal, an init in the foreground, --no-init and --no-tty opt out', () => {
    const c = planFixture();
    expect(decideTerminal(c, {}, true).terminal).toEqual({ pty: true, stdin: true });
    expect(decideTerminal(c, {}, false).terminal).toBeUndefined();
    expect(decideTerminal(c, { tty: false }, true).terminal).toBeUndefined();
    expect(decideTerminal(c, { tty: true, interactive: false }, false).terminal).toEqual({ pty: true, stdin: false });
    expect(decideTerminal(c, {}, false).container.process.reaper).toBe(true);
    expect(decideTerminal(c, { init: false }, false).container.process.reaper).toBe(false);
    expect(decideTerminal(c, { detach: true }, true).container.process.reaper).toBe(c.process.reaper);
    expect(decideTerminal(c, { interactive: false }, false).container.process.stdio.stdin).toEqual({ side: 'host', path: '/dev/null', append: false });
  });
});
