// What the supervision DSL becomes: the plan entries, the problems refused at the definition's line, and
// the launch spec lines the launcher and its event process run (native/src/hooks.c, events.c).
import type { CgroupHost } from '../../../src/cgroup/types';
import { defineContainer, type ContainerBuilder } from '../../../src/dsl/container';
import { HacoError } from '../../../src/errors';
import { buildPlan } from '../../../src/plan/build';
import type { ContainerPlan } from '../../../src/plan/types';
import { compileLaunchSpec } from '../../../src/runtime/compile';
import type { HostFacts } from '../../../src/runtime/host-facts';
import { parseSpec } from '../../../src/runtime/spec-format';

const v2Host: CgroupHost = { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpu', 'memory', 'pids'] } };
const facts: HostFacts = {
  cgroup: v2Host,
  uid: 0,
  kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: false },
  pathKind: () => 'directory',
};

function built(b: ContainerBuilder): { plan?: ContainerPlan; issues: { path: string; message: string; line: number | undefined }[] } {
  const r = buildPlan('/tmp/x.haco.ts', b);
  if ('notContainers' in r) throw new Error(r.notContainers);
  return { plan: r.plan.containers[0], issues: r.issues.map((i) => ({ path: i.path, message: i.message, line: i.location?.line })) };
}

const specLines = (b: ContainerBuilder) => parseSpec(compileLaunchSpec(built(b).plan!, facts).text).map((s) => [s.step, ...s.fields].join(' '));

describe('supervision', () => {
  it('puts every hook point at its place in the spec, in launch order', () => {
    const points = ['setup', 'beforeStart', 'afterSpawn', 'afterNetworkCreated', 'afterSpawnChild', 'afterNetworkInitialized', 'beforeChroot', 'afterChroot', 'beforeExec'] as const;
    let b = defineContainer('x');
    for (const p of [...points].reverse()) b = b.hook(p, ['/bin/true', p]);
    const lines = specLines(b);
    const order = lines.filter((l) => l.startsWith('hook-at ')).map((l) => l.split(' ')[1]);
    expect(order).toEqual([...points]);
    const pos = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    expect(pos('hook-at setup')).toBeLessThan(pos('cgroup-mkdir'));
    expect(pos('hook-at beforeStart')).toBe(pos('spawn') - 1);
    expect(pos('hook-at afterSpawnChild')).toBeGreaterThan(pos('release'));
    expect(pos('hook-at afterNetworkInitialized')).toBe(pos('lo-up') + 1);
    expect(pos('hook-at beforeChroot')).toBeLessThan(pos('pivot-root'));
    expect(pos('hook-at afterChroot')).toBe(pos('pivot-root') + 1);
    expect(built(b).plan!.hooks.filter((h) => h.side === 'container').map((h) => h.point).sort()).toEqual(
      ['afterChroot', 'afterNetworkInitialized', 'afterSpawnChild', 'beforeChroot', 'beforeExec'],
    );
  });

  it('gives the supervisor its points, a time limit, timers, readiness, v2 events and a signal it keeps', () => {
    const lines = specLines(
      defineContainer('x')
        .memory('64M')
        .hookTimeout(500)
        .hook('afterStart', ['/bin/echo', 'up'])
        .hook('systemFailure', ['/bin/echo', 'broken'])
        .timer(250, ['/bin/echo', 'tick'], { count: 2 })
        .readiness({ port: 8080 }, { timeoutMs: 1000, intervalMs: 100 })
        .onOom(['/bin/echo', 'oom'])
        .onMemoryPressure('critical', ['/bin/echo', 'p'])
        .onSignal('USR2', ['/bin/echo', 'usr2']),
    );
    expect(lines).toEqual(expect.arrayContaining([
      'hook-timeout 500',
      'point-cmd afterStart /bin/echo up',
      'point-cmd systemFailure /bin/echo broken',
      'timer 250 2 /bin/echo tick',
      'ready-port 8080 1000 100',
      'on-oom v2 /sys/fs/cgroup/haco/x /bin/echo oom',
      'on-pressure v2 /sys/fs/cgroup/haco/x full 500000 1000000 /bin/echo p',
      'on-signal USR2 /bin/echo usr2',
    ]));
    // USR2 stays with the supervisor; USR1 is still passed on to the container.
    expect(lines.find((l) => l.startsWith('forward-signals '))).toBe('forward-signals TERM,HUP,QUIT,USR1');
  });

  it('emits no supervision lines for a plan without hooks', () => {
    expect(specLines(defineContainer('x')).filter((l) => /^(hook-timeout|point-cmd|timer|ready-|on-)/.test(l))).toEqual([]);
  });

  it('refuses cgroup events without a memory cgroup, naming the fix', () => {
    const noMemory: HostFacts = { ...facts, cgroup: { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['pids'] } } };
    const plan = built(defineContainer('x').onOom('echo oom')).plan!;
    let error: unknown;
    try {
      compileLaunchSpec(plan, noMemory);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HacoError);
    expect((error as HacoError).code).toBe('E_EVENTS_NO_MEMORY_CGROUP');
    expect((error as HacoError).hint).toContain('.memory(');
  });

  it('refuses a readiness timeout shorter than its interval and a timer under 10 ms, at the line that wrote them', () => {
    const { issues } = built(defineContainer('x').readiness({ command: 'true' }, { timeoutMs: 50, intervalMs: 100 }));
    expect(issues).toEqual([expect.objectContaining({ path: 'supervision.readiness', message: expect.stringContaining('shorter than one probe interval'), line: expect.any(Number) })]);
    expect(built(defineContainer('x').timer(5, 'true')).issues).toEqual([expect.objectContaining({ path: expect.stringContaining('supervision.timers[0]') })]);
  });

  it('refuses an unknown option key at the calling line', () => {
    expect(() => defineContainer('x').timer(100, 'true', { times: 3 } as never)).toThrow(/\.timer\(\) options: unknown option "times"/);
  });
});
