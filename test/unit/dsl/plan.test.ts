import { defineContainer } from 'haco';
import { buildPlan } from '../../../src/plan/build';
import { validatePlanSchema } from '../../../src/plan/schema';
import type { ContainerPlan } from '../../../src/plan/types';

function planOf(exported: unknown): { containers: ContainerPlan[]; messages: string[] } {
  const built = buildPlan('/tmp/x.haco.ts', exported);
  if ('notContainers' in built) throw new Error(built.notContainers);
  expect(validatePlanSchema(built.plan)).toEqual([]);
  return { containers: built.plan.containers, messages: built.issues.map((i) => i.message) };
}

describe('defineContainer defaults', () => {
  it('produces an explicit, schema-valid plan', () => {
    const { containers, messages } = planOf(defineContainer('first'));
    expect(messages).toEqual([]);
    const c = containers[0]!;
    expect(c.name).toBe('first');
    expect(c.process.args).toEqual(['/bin/sh']);
    expect(c.process.env['PATH']).toContain('/usr/bin');
    expect(c.process.hostname).toBe('first');
    expect(c.namespaces.unshare).toEqual(['mount', 'uts', 'ipc', 'pid', 'net']);
    expect(c.rootfs).toMatchObject({ path: '/var/lib/haco/first/rootfs', switchRoot: 'pivot_root', readonly: false });
    expect(c.mounts.map((m) => (m.type === 'standard' ? m.fs : m.type))).toEqual(['proc', 'sys', 'dev', 'devpts', 'shm', 'mqueue']);
    expect(c.capabilities.bounding).toContain('chown');
    expect(c.capabilities.bounding).not.toContain('sys_admin');
    expect(c.noNewPrivileges).toBe(true);
  });
});

describe('every DSL feature reaches the plan', () => {
  const full = defineContainer('full')
    .command(['/bin/sh', '-c', 'echo hi'])
    .hostname('box')
    .env({ LANG: 'C' })
    .workdir('/srv')
    .user({ uid: 1000, gid: 1000, groups: [10] })
    .daemonize()
    .sessionLeader()
    .reaper()
    .stdio({ stdout: { host: '/tmp/out.log', append: true }, stderr: { container: '/var/log/err' } })
    .rootfs('/srv/full/rootfs', { readonly: true, propagation: 'rslave' })
    .mask('/proc/cpuinfo')
    .readonlyPaths('/etc')
    .unshare('net', 'cgroup', 'user')
    .mapRootTo(100000)
    .setgroups('deny')
    .timeOffsets({ boottime: 86400 })
    .enter('ipc', '/proc/1/ns/ipc')
    .share('ipc')
    .persist('net', '/var/run/netns/full')
    .bind('/srv/data', '/data', { readonly: true })
    .tmpfs('/tmp', { size: '64M', mode: '1777' })
    .mount({ fstype: 'tmpfs', source: 'none', target: '/scratch', data: 'size=1m', flags: ['noexec'] })
    .hostResolvConf()
    .hostHosts()
    .bootstrap((b) => b.debootstrap({ suite: 'bookworm', include: ['curl'] }).post('trim', 'rm -rf $ROOTFS/usr/share/doc'))
    .provision((p) => p.file('./motd', '/etc/motd', { mode: '0644' }).step('hello', 'echo hello'))
    .cpu({ max: '30%', weight: 200 })
    .cpuset({ cpus: '0' })
    .memory({ max: '64M', swap: '0', low: '16M' })
    .pids(32)
    .io({ weight: 100, throttle: [{ device: '8:0', readBps: '1M', writeIops: 100 }] })
    .cgroupRaw('v2', 'memory.high', '48M')
    .capabilities({ ambient: ['net_bind_service'] })
    .dropCaps('CAP_NET_RAW')
    .addCaps('sys_time')
    .rlimit('nofile', 1024, 2048)
    .rlimit('core', 0)
    .seccomp((s) => s.base('none').block(['sethostname']).rule({ syscalls: ['personality'], action: 'allow', args: [{ index: 0, op: 'eq', value: 8 }] }))
    .noNewPrivileges(false)
    .network({ bridge: 'haco0', bridgeAddress: '10.88.0.1/24', address: '10.88.0.10/24' })
    .hook('afterSpawn', 'echo $HACO_PID')
    .hook('beforeExec', ['/bin/true'])
    .restart('on-failure', { maxRetries: 3 })
    .reloadable('cgroup');

  it('records each setting', () => {
    const { containers, messages } = planOf(full);
    expect(messages).toEqual([]);
    const c = containers[0]!;
    expect(c.process).toMatchObject({
      args: ['/bin/sh', '-c', 'echo hi'],
      hostname: 'box',
      cwd: '/srv',
      user: { uid: 1000, gid: 1000, groups: [10] },
      daemonize: true,
      sessionLeader: true,
      reaper: true,
      stdio: { stdout: { side: 'host', path: '/tmp/out.log', append: true }, stderr: { side: 'container', path: '/var/log/err', append: false } },
    });
    expect(c.process.env).toMatchObject({ LANG: 'C', HOME: '/root' });
    expect(c.rootfs).toMatchObject({ path: '/srv/full/rootfs', readonly: true, propagation: 'rslave' });
    expect(c.rootfs.maskedPaths).toContain('/proc/cpuinfo');
    expect(c.rootfs.readonlyPaths).toContain('/etc');
    expect(c.namespaces.unshare).toEqual(['mount', 'uts', 'pid', 'net', 'user', 'cgroup', 'time']);
    expect(c.namespaces.uidMap).toEqual([{ inside: 0, outside: 100000, count: 65536 }]);
    expect(c.namespaces.setgroups).toBe('deny');
    expect(c.namespaces.timeOffsets).toEqual({ monotonic: 0, boottime: 86400 });
    expect(c.namespaces.enter).toEqual([{ kind: 'ipc', path: '/proc/1/ns/ipc' }]);
    expect(c.namespaces.persist).toEqual([{ kind: 'net', path: '/var/run/netns/full' }]);
    expect(c.mounts.slice(6)).toEqual([
      { type: 'bind', source: '/srv/data', target: '/data', readonly: true, recursive: true, create: true },
      { type: 'tmpfs', target: '/tmp', size: 64 * 2 ** 20, mode: '1777', flags: ['nosuid', 'nodev'] },
      { type: 'fs', fstype: 'tmpfs', source: 'none', target: '/scratch', data: 'size=1m', flags: ['noexec'] },
      { type: 'hostFile', source: '/etc/resolv.conf', target: '/etc/resolv.conf' },
      { type: 'hostFile', source: '/etc/hosts', target: '/etc/hosts' },
    ]);
    expect(c.bootstrap).toEqual({
      strategy: 'debootstrap', suite: 'bookworm', variant: 'minbase', components: ['main'], include: ['curl'],
      post: [{ name: 'trim', script: 'rm -rf $ROOTFS/usr/share/doc' }],
    });
    expect(c.provision).toEqual({ files: [{ source: './motd', target: '/etc/motd', mode: '0644' }], steps: [{ name: 'hello', script: 'echo hello' }], network: 'host' });
    expect(c.cgroup.resources).toEqual({
      cpu: { quotaUs: 30000, periodUs: 100000, weight: 200 },
      cpuset: { cpus: '0' },
      memory: { max: 64 * 2 ** 20, swapMax: 0, low: 16 * 2 ** 20 },
      pids: { max: 32 },
      io: { weight: 100, throttle: [{ device: '8:0', readBps: 2 ** 20, writeIops: 100 }] },
    });
    expect(c.cgroup.raw).toEqual({ v1: {}, v2: { 'memory.high': '48M' } });
    // uid 1000: only the ambient capability survives setuid; bounding keeps the set.
    expect(c.capabilities.ambient).toEqual(['net_bind_service']);
    expect(c.capabilities.effective).toEqual(['net_bind_service']);
    expect(c.capabilities.bounding).toContain('sys_time');
    expect(c.capabilities.bounding).not.toContain('net_raw');
    expect(c.rlimits).toEqual([{ resource: 'NOFILE', soft: 1024, hard: 2048 }, { resource: 'CORE', soft: 0, hard: 0 }]);
    expect(c.seccomp).toEqual({
      action: 'allow',
      rules: [
        { syscalls: ['sethostname'], action: 'errno', errno: 1, args: [] },
        { syscalls: ['personality'], action: 'allow', args: [{ index: 0, op: 'eq', value: 8 }] },
      ],
    });
    expect(c.noNewPrivileges).toBe(false);
    expect(c.network).toEqual({
      bridge: 'haco0', bridgeAddress: '10.88.0.1/24', address: '10.88.0.10/24', gateway: '10.88.0.1',
      vethHost: 'vh-full', vethGuest: 'eth0', createBridge: true, cleanup: true,
    });
    expect(c.hooks).toEqual([
      { point: 'afterSpawn', command: ['/bin/sh', '-c', 'echo $HACO_PID'], side: 'host' },
      { point: 'beforeExec', command: ['/bin/true'], side: 'container' },
    ]);
    expect(c.restart).toEqual({ policy: 'on-failure', maxRetries: 3, backoffMs: 1000 });
    expect(c.reloadable).toEqual(['cgroup']);
  });

  it('is immutable: deriving does not change the base', () => {
    const base = defineContainer('base').bootstrap((b) => b.busybox());
    const a = base.extend('a').share('net');
    const b = base.extend('b').hostname('bee');
    const { containers } = planOf([base, a, b]);
    expect(containers.map((c) => c.name)).toEqual(['base', 'a', 'b']);
    expect(containers[0]!.namespaces.unshare).toContain('net');
    expect(containers[1]!.namespaces.unshare).not.toContain('net');
    expect(containers[1]!.extends).toBe('base');
    expect(containers[1]!.rootfs.path).toBe('/var/lib/haco/a/rootfs');
    expect(containers[1]!.process.hostname).toBe('a');
    expect(containers[2]!.process.hostname).toBe('bee');
    expect(containers[2]!.bootstrap.strategy).toBe('busybox');
  });

  it('builds overlay layers from a base container', () => {
    const base = defineContainer('debian-base').bootstrap((b) => b.debootstrap({ suite: 'bookworm' }));
    const web = defineContainer('web').rootfs('/var/lib/haco/web/merged', { lower: base });
    const { containers } = planOf([base, web]);
    expect(containers[1]!.rootfs.overlay).toEqual({
      lower: ['/var/lib/haco/debian-base/rootfs'], upper: '/var/lib/haco/web/upper', work: '/var/lib/haco/web/work',
    });
  });

  it('layers on layers: a layered lower stands for its upper over its own lowers, flattened in order', () => {
    const base = defineContainer('base');
    const l1 = defineContainer('l1').rootfs('/var/lib/haco/l1/merged', { lower: base });
    const l2 = defineContainer('l2').rootfs('/var/lib/haco/l2/merged', { lower: [l1, '/srv/extra'] });
    const l3 = defineContainer('l3').rootfs('/var/lib/haco/l3/merged', { lower: l2 });
    const { containers, messages } = planOf([base, l1, l2, l3]);
    expect(messages).toEqual([]);
    expect(containers[2]!.rootfs.overlay!.lower).toEqual(['/var/lib/haco/l1/upper', '/var/lib/haco/base/rootfs', '/srv/extra']);
    expect(containers[3]!.rootfs.overlay!.lower).toEqual(['/var/lib/haco/l2/upper', '/var/lib/haco/l1/upper', '/var/lib/haco/base/rootfs', '/srv/extra']);
  });

  it('layers on layers: more than 8 lowers once flattened is an error at the call', () => {
    let top = defineContainer('c0');
    const all = [top];
    for (let i = 1; i <= 9; i++) {
      top = defineContainer(`c${i}`).rootfs(`/var/lib/haco/c${i}/merged`, { lower: top });
      all.push(top);
    }
    const { messages } = planOf(all);
    expect(messages.join('\n')).toMatch(/9 lower layers once layers on layers are flattened; at most 8/);
  });

  it('extend() gives the new container its own overlay upper/work and veth; explicit ones are kept', () => {
    const base = defineContainer('debian-base').bootstrap((b) => b.debootstrap({ suite: 'bookworm' }));
    const net = { bridge: 'hbr0', bridgeAddress: '10.231.0.1/24', address: '10.231.0.2/24' };
    const a = defineContainer('app-a').rootfs('/var/lib/haco/app-a/rootfs', { lower: base }).network(net);
    const b = a.extend('app-b').network({ ...net, address: '10.231.0.3/24' });
    const c = a.extend('app-c').rootfs('/srv/c/rootfs', { lower: base }).network({ ...net, address: '10.231.0.4/24', vethHost: 'vh-mine' });
    const { containers, messages } = planOf([base, a, b, c]);
    expect(messages).toEqual([]);
    expect(containers[2]!.rootfs.overlay).toMatchObject({ upper: '/var/lib/haco/app-b/upper', work: '/var/lib/haco/app-b/work' });
    expect(containers[2]!.network!.vethHost).toBe('vh-app-b');
    expect(containers[3]!.rootfs.overlay).toMatchObject({ upper: '/srv/c/upper', work: '/srv/c/work' });
    expect(containers[3]!.network!.vethHost).toBe('vh-mine');
    // Without a new network() call the veth still follows the name (the address is the user's to change).
    const d = planOf([a.extend('app-d')]).containers[0]!;
    expect(d.network!.vethHost).toBe('vh-app-d');
    // Two explicit rootfs paths in one dir would share upper/work: refused.
    const clash = planOf([defineContainer('x').rootfs('/srv/same/x', { lower: base }), defineContainer('y').rootfs('/srv/same/y', { lower: base })]);
    expect(clash.messages.join('\n')).toMatch(/overlay upper dir \/srv\/same\/upper is also used by "x"/);
  });

  it('default veth names stay unique when long names share their first letters', () => {
    const net = { bridge: 'hbr0', bridgeAddress: '10.231.0.1/24', address: '10.231.0.2/24' };
    const one = defineContainer('frontend-blue-1').network(net);
    const two = defineContainer('frontend-blue-2').network({ ...net, address: '10.231.0.3/24' });
    const { containers, messages } = planOf([one, two]);
    expect(messages).toEqual([]);
    const [v1, v2] = containers.map((c) => c.network!.vethHost);
    expect(v1).not.toBe(v2);
    for (const v of [v1!, v2!]) expect(v).toMatch(/^vh-fron[0-9a-f]{8}$/);
    expect(planOf(defineContainer('short').network(net)).containers[0]!.network!.vethHost).toBe('vh-short');
  });

  it('with() plugs in user helpers; joinNetns replaces an unshared net', () => {
    const withWeb = (c: ReturnType<typeof defineContainer>) => c.unshare('net').pids(10);
    const { containers } = planOf(defineContainer('x').with(withWeb).joinNetns('blue'));
    expect(containers[0]!.cgroup.resources.pids).toEqual({ max: 10 });
    expect(containers[0]!.namespaces.unshare).not.toContain('net');
    expect(containers[0]!.namespaces.enter).toEqual([{ kind: 'net', path: '/var/run/netns/blue' }]);
  });

  it('standardMounts() chooses the pseudo filesystems', () => {
    const { containers } = planOf(defineContainer('x').standardMounts('proc', 'dev'));
    expect(containers[0]!.mounts).toEqual([
      { type: 'standard', fs: 'proc', target: '/proc' },
      { type: 'standard', fs: 'dev', target: '/dev' },
    ]);
  });

  it('standardMounts() keeps the order given (an OCI config\'s), with dev before the mounts inside it', () => {
    const targets = (b: ReturnType<typeof defineContainer>) => planOf(b).containers[0]!.mounts.map((m) => m.target);
    expect(targets(defineContainer('x').standardMounts('proc', 'dev', 'devpts', 'sys'))).toEqual(['/proc', '/dev', '/dev/pts', '/sys']);
    expect(targets(defineContainer('x').standardMounts('shm', 'sys', 'dev'))).toEqual(['/dev', '/dev/shm', '/sys']);
  });

  it('root keeps ambient (and inheritable) capabilities only when asked for', () => {
    const caps = (b: ReturnType<typeof defineContainer>) => planOf(b).containers[0]!.capabilities;
    expect(caps(defineContainer('x'))).toMatchObject({ inheritable: [], ambient: [] });
    const root = caps(defineContainer('x').capabilities({ base: 'none', add: ['chown', 'kill'], ambient: ['kill'] }));
    expect(root).toEqual({ bounding: ['chown', 'kill'], effective: ['chown', 'kill'], permitted: ['chown', 'kill'], inheritable: ['kill'], ambient: ['kill'] });
  });
});

describe('semantic validation', () => {
  const problems = (exported: unknown) => {
    const built = buildPlan('/tmp/x.haco.ts', exported);
    if ('notContainers' in built) throw new Error(built.notContainers);
    return built.issues.map((i) => ({ path: i.path, message: i.message, hint: i.hint }));
  };

  it('suggests the namespace that was meant', () => {
    const issues = problems(defineContainer('x').unshare('pdi' as 'pid'));
    expect(issues).toEqual([expect.objectContaining({ path: 'namespaces.unshare', message: 'unknown namespace "pdi"', hint: expect.stringContaining('did you mean "pid"') })]);
  });

  it('refuses mount targets that escape the rootfs', () => {
    const issues = problems(defineContainer('x').bind('/srv', '/../../etc'));
    expect(issues[0]).toMatchObject({ path: 'mounts[6]', message: expect.stringContaining('escapes the rootfs') });
  });

  it('refuses bad sizes with the fix', () => {
    const issues = problems(defineContainer('x').memory('12 GB' as '12G'));
    expect(issues[0]).toMatchObject({ path: 'cgroup.resources.memory', message: expect.stringContaining('"12 GB" is not a size (did you mean "12G"?') });
  });

  it('refuses duplicate names, unusable names, enter+unshare and maps without user ns', () => {
    expect(problems([defineContainer('a'), defineContainer('a')])[0]!.message).toContain('duplicate container name "a"');
    expect(problems(defineContainer('../x'))[0]!.message).toContain('cannot be used as a path');
    expect(problems(defineContainer('x').enter('pid', '/proc/1/ns/pid'))[0]!.message).toContain('both unshared and entered');
    expect(problems(defineContainer('x').uidMap({ inside: 0, outside: 1000, count: 1 }))[0]!.message).toContain('need the user namespace');
    expect(problems(defineContainer('x').unshare('user'))[0]!.hint).toContain('mapRootTo');
  });

  it('catches unknown capabilities, rlimits and hostname without uts', () => {
    expect(problems(defineContainer('x').dropCaps('sys_admn' as 'sys_admin'))[0]!.hint).toContain('"sys_admin"');
    expect(problems(defineContainer('x').rlimit('nofle' as 'nofile', 1))[0]!.hint).toContain('"nofile"');
    expect(problems(defineContainer('x').share('uts').hostname('h'))[0]!.message).toContain('needs the uts namespace');
    expect(problems(defineContainer('x').share('mount'))[0]!.message).toContain('mount namespace');
    expect(problems(defineContainer('x').cpu('0.1%'))[0]!.message).toContain('below the kernel');
    expect(problems(defineContainer('x').network({ bridge: 'a-very-long-bridge-name', bridgeAddress: '10.0.0.1/24', address: '10.0.0.300/24' })).map((i) => i.message)).toEqual([
      expect.stringContaining('bridge "a-very-long-bridge-name" is not valid'),
      expect.stringContaining('address "10.0.0.300/24" is not an IPv4 CIDR'),
    ]);
  });

  it('records where each field was written', () => {
    const built = buildPlan('/tmp/x.haco.ts', defineContainer('x').unshare('pdi' as 'pid'));
    if ('notContainers' in built) throw new Error();
    expect(built.issues[0]!.location).toMatchObject({ file: __filename, line: expect.any(Number) });
  });
});
