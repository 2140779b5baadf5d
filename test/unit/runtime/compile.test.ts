import type { CgroupHost } from '../../../src/cgroup/types';
import { HacoError } from '../../../src/errors';
import { validatePlanSchema } from '../../../src/plan/schema';
import { validateContainer } from '../../../src/plan/validate';
import { PLAN_API_VERSION, type ContainerPlan } from '../../../src/plan/types';
import { compileLaunchSpec, type CompileOptions } from '../../../src/runtime/compile';
import type { HostFacts } from '../../../src/runtime/host-facts';
import { parseSpec, SPEC_HEADER, type ParsedStep } from '../../../src/runtime/spec-format';
import { planFixture, type DeepPartial } from '../../support/plan-fixture';

const v2Host: CgroupHost = { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpuset', 'cpu', 'io', 'memory', 'pids'] } };
const v1Host: CgroupHost = {
  mode: 'v1',
  root: '/sys/fs/cgroup',
  v1: {
    hierarchies: {
      cpu: '/sys/fs/cgroup/cpu,cpuacct',
      cpuacct: '/sys/fs/cgroup/cpu,cpuacct',
      memory: '/sys/fs/cgroup/memory',
      pids: '/sys/fs/cgroup/pids',
      devices: '/sys/fs/cgroup/devices',
    },
    memswAvailable: false,
  },
};

function facts(over: Partial<HostFacts> = {}): HostFacts {
  return {
    cgroup: v2Host,
    uid: 0,
    // clone(2) + cgroup-join, the path every kernel takes; CLONE_INTO_CGROUP has a test of its own.
    kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: false },
    pathKind: (p) => (p === '/lib64' ? 'missing' : p.endsWith('.conf') || p.endsWith('hosts') ? 'file' : 'directory'),
    ...over,
  };
}

function compile(over: DeepPartial<ContainerPlan> = {}, f: HostFacts = facts(), opts: CompileOptions = {}): ParsedStep[] {
  return parseSpec(compileLaunchSpec(planFixture(over), f, opts).text);
}
const names = (steps: ParsedStep[]) => steps.map((s) => s.step);
const line = (s: ParsedStep) => [s.step, ...s.fields].join(' ');
const lines = (steps: ParsedStep[], step: string) => steps.filter((s) => s.step === step).map(line);
const idx = (steps: ParsedStep[], predicate: (s: ParsedStep) => boolean) => steps.findIndex(predicate);
const at = (steps: ParsedStep[], step: string) => idx(steps, (s) => s.step === step);

describe('plan fixture', () => {
  it('is a schema-valid, semantically valid container', () => {
    const c = planFixture();
    expect(validatePlanSchema({ apiVersion: PLAN_API_VERSION, source: '/tmp/x.haco.ts', containers: [c] })).toEqual([]);
    expect(validateContainer(c)).toEqual([]);
  });
});

describe('compileLaunchSpec: the default container', () => {
  const out = compileLaunchSpec(planFixture(), facts());
  const steps = parseSpec(out.text);

  it('starts with the header and learner comments, and round-trips', () => {
    expect(out.lines[0]).toBe(SPEC_HEADER);
    expect(out.lines.some((l) => l.startsWith('# phase 1'))).toBe(true);
    expect(out.text.endsWith('\n')).toBe(true);
    expect(compileLaunchSpec(planFixture(), facts(), { comments: false }).lines.some((l) => l.startsWith('#'))).toBe(false);
  });

  it('emits the steps in the documented order', () => {
    const collapsed = names(steps).filter((n, i, all) => n !== all[i - 1]);
    expect(collapsed).toEqual([
      'name',
      'host-dir',
      'hook-env',
      'forward-signals',
      'cleanup-cgroup',
      'cleanup-cgroup-parent',
      'hint',
      'cgroup-lock',
      'cgroup-mkdir',
      'cgroup-devices',
      'spawn',
      'cgroup-join',
      'release',
      'propagation',
      'bind-root',
      'bind',
      'mount',
      'mknod-bind',
      'symlink',
      'mount',
      'hostname',
      'lo-up',
      'mask',
      'readonly',
      'pivot-root',
      'no-new-privs',
      'user',
      'caps',
      'chdir',
      'env-clear',
      'env',
      'exec',
    ]);
  });

  it('has the exact metadata, cgroup and namespace lines', () => {
    expect(line(steps[0]!)).toBe('name demo');
    expect(lines(steps, 'cleanup-cgroup')).toEqual(['cleanup-cgroup /sys/fs/cgroup/haco/demo']);
    expect(lines(steps, 'cleanup-cgroup-parent')).toEqual(['cleanup-cgroup-parent /sys/fs/cgroup/haco']);
    // The lock lives in haco's own /run/haco (made 0711 first), never in world-writable /run/lock; waits are bounded.
    expect(lines(steps, 'host-dir')).toEqual(['host-dir /run/haco 0711']);
    expect(lines(steps, 'cgroup-lock')).toEqual(['cgroup-lock /run/haco/.cgroup.lock 10000']);
    expect(lines(steps, 'cgroup-mkdir')).toEqual(['cgroup-mkdir /sys/fs/cgroup/haco', 'cgroup-mkdir /sys/fs/cgroup/haco/demo']);
    expect(lines(steps, 'spawn')).toEqual(['spawn mount,uts,ipc,pid,net']);
    expect(lines(steps, 'cgroup-join')).toEqual(['cgroup-join /sys/fs/cgroup/haco/demo']);
    expect(out.cgroup.tracking).toBe('/sys/fs/cgroup/haco/demo');
  });

  it('makes a shared rootfs shared only once it is / (pivot_root refuses shared mounts)', () => {
    const shared = compile({ rootfs: { propagation: 'rshared' } });
    expect(lines(shared, 'propagation')).toEqual(['propagation / rslave', 'propagation / rshared']);
    expect(at(shared, 'propagation') < at(shared, 'pivot-root')).toBe(true);
    expect(shared[at(shared, 'pivot-root') + 1]?.step).toBe('propagation');
  });

  it('mounts the standard set with container-side targets', () => {
    const from = at(steps, 'propagation');
    const to = at(steps, 'pivot-root');
    expect(steps.slice(from, to + 1).map(line).filter((l) => !/^(mask|readonly) /.test(l))).toEqual([
      'propagation / rprivate',
      'bind-root /var/lib/haco/demo/rootfs',
      'bind /usr /usr ro,rec,optional',
      'bind /bin /bin ro,rec,optional',
      'bind /lib /lib ro,rec,optional',
      'mount proc /proc proc nosuid,nodev,noexec -',
      'mount sysfs /sys sysfs ro,nosuid,nodev,noexec -',
      'mount tmpfs /dev tmpfs nosuid,nodev,noexec mode=755,size=65536k',
      'mknod-bind null /dev/null',
      'mknod-bind zero /dev/zero',
      'mknod-bind full /dev/full',
      'mknod-bind random /dev/random',
      'mknod-bind urandom /dev/urandom',
      'mknod-bind tty /dev/tty',
      'symlink /proc/self/fd /dev/fd',
      'symlink /proc/self/fd/0 /dev/stdin',
      'symlink /proc/self/fd/1 /dev/stdout',
      'symlink /proc/self/fd/2 /dev/stderr',
      'symlink pts/ptmx /dev/ptmx',
      'mount devpts /dev/pts devpts nosuid,noexec newinstance,ptmxmode=0666,mode=620,gid=5',
      'mount shm /dev/shm tmpfs nosuid,nodev,noexec mode=1777',
      'mount mqueue /dev/mqueue mqueue nosuid,nodev,noexec -',
      'hostname demo',
      'lo-up',
      'pivot-root /var/lib/haco/demo/rootfs',
    ]);
  });

  it('drops to the user with capability numbers, then the clean environment and exec', () => {
    expect(lines(steps, 'user')).toEqual(['user 0 0 -']);
    // chown dac_override fowner fsetid kill setgid setuid setpcap net_bind_service sys_chroot setfcap
    const caps = '0,1,3,4,5,6,7,8,10,18,31';
    expect(lines(steps, 'caps')).toEqual([`caps ${caps} ${caps} ${caps} - -`]);
    expect(steps.slice(at(steps, 'env-clear')).map(line)).toEqual([
      'env-clear',
      'env PATH /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'env HOME /root',
      'env TERM xterm',
      'exec /bin/sh',
    ]);
  });

  it('carries hints for the common failures', () => {
    const hint = (step: string, errno: string) => steps.find((s) => s.step === 'hint' && s.fields[0] === step && s.fields[1] === errno)?.fields[2];
    expect(hint('exec', 'ENOENT')).toBe("the command is not in the container's rootfs; check PATH or the bootstrap");
    expect(hint('cgroup-write', 'ENOENT')).toMatch(/controller not enabled/);
    expect(hint('pivot-root', 'EINVAL')).toMatch(/shared mount/);
    expect(hint('mount', 'EPERM')).toMatch(/mount namespace/);
    expect(hint('setns', 'EINVAL')).toBeDefined();
    // Every hint comes before spawn, as metadata.
    expect(steps.filter((s) => s.step === 'hint').every((s) => steps.indexOf(s) < at(steps, 'spawn'))).toBe(true);
  });
});

describe('compileLaunchSpec: ordering invariants', () => {
  const full: DeepPartial<ContainerPlan> = {
    namespaces: {
      unshare: ['mount', 'uts', 'ipc', 'pid', 'net', 'user', 'cgroup', 'time'],
      uidMap: [{ inside: 0, outside: 100000, count: 65536 }],
      gidMap: [{ inside: 0, outside: 100000, count: 65536 }, { inside: 65536, outside: 300000, count: 1 }],
      setgroups: 'deny',
      timeOffsets: { monotonic: 3600, boottime: 0 },
      persist: [{ kind: 'net', path: '/run/haco/ns/net' }],
    },
    process: { reaper: true, sessionLeader: true },
    seccomp: { action: 'allow', rules: [{ action: 'errno', errno: 1, syscalls: ['mount', 'umount2'], args: [] }] },
    cgroup: { resources: { cpu: { quotaUs: 50000 }, pids: { max: 100 } } },
    hooks: [
      { point: 'beforeStart', command: ['/bin/echo', 'before'], side: 'host' },
      { point: 'afterSpawn', command: ['/bin/echo', 'spawned'], side: 'host' },
      { point: 'afterExit', command: ['/bin/echo', 'bye'], side: 'host' },
    ],
  };
  const steps = compile(full);

  it('joins the cgroup before release and unshares cgroup right after it (after becoming the namespace root)', () => {
    expect(at(steps, 'cgroup-join')).toBeLessThan(at(steps, 'release'));
    expect(steps.slice(at(steps, 'release'), at(steps, 'propagation')).map(line)).toEqual(['release', 'user 0 0 -', 'unshare cgroup']);
    // Without a user namespace, nothing comes between release and unshare cgroup.
    const plain = compile({ namespaces: { unshare: ['mount', 'pid', 'cgroup'] } });
    expect(line(plain[at(plain, 'release') + 1]!)).toBe('unshare cgroup');
  });

  it('switches to a mapped id first thing in a new user namespace (files created later need one)', () => {
    const unprivileged = compile({
      namespaces: { unshare: ['mount', 'user'], uidMap: [{ inside: 1000, outside: 1000, count: 1 }], gidMap: [{ inside: 1000, outside: 1000, count: 1 }], setgroups: 'deny' },
    });
    expect(line(unprivileged[at(unprivileged, 'release') + 1]!)).toBe('user 1000 1000 -');
    expect(lines(compile(), 'user')).toEqual(['user 0 0 -']);
  });

  it('creates the time namespace by unshare in the launcher, with offsets, before spawn; never in spawn', () => {
    const unshareTime = idx(steps, (s) => line(s) === 'unshare time');
    expect(unshareTime).toBeGreaterThan(at(steps, 'cgroup-write'));
    expect(line(steps[unshareTime + 1]!)).toBe('timens-offset monotonic 3600');
    expect(lines(steps, 'timens-offset')).toHaveLength(1);
    expect(unshareTime).toBeLessThan(idx(steps, (s) => line(s) === 'hook-at beforeStart /bin/echo before'));
    expect(lines(steps, 'spawn')).toEqual(['spawn mount,uts,ipc,pid,net,user']);
  });

  it('writes setgroups, then the maps, in the wire phase', () => {
    const wire = steps.slice(at(steps, 'spawn') + 1, at(steps, 'release') + 1).map(line);
    expect(wire).toEqual([
      'setgroups deny',
      'uid-map 0:100000:65536',
      'gid-map 0:100000:65536,65536:300000:1',
      'cgroup-join /sys/fs/cgroup/haco/demo',
      'persist-ns net /run/haco/ns/net',
      'hook-at afterSpawn /bin/echo spawned',
      'release',
    ]);
  });

  it('runs afterExit hooks as cleanup commands', () => {
    expect(lines(steps, 'cleanup-cmd')).toEqual(['cleanup-cmd /bin/echo bye']);
  });

  it('loads seccomp right before exec, after the reaper; builds the filter after caps', () => {
    expect(names(steps).slice(-3)).toEqual(['reaper', 'seccomp-load', 'exec']);
    expect(at(steps, 'seccomp')).toBeGreaterThan(at(steps, 'caps'));
    expect(lines(steps, 'seccomp')).toEqual(['seccomp allow']);
    expect(lines(steps, 'seccomp-rule')).toEqual(['seccomp-rule errno:1 mount -', 'seccomp-rule errno:1 umount2 -']);
  });

  it('follows the child order: setsid, no-new-privs, user, caps', () => {
    // The last `user` is the final switch (the first one, right after release, only makes the child mapped).
    const last = (n: string) => names(steps).lastIndexOf(n);
    const order = ['lo-up', 'pivot-root', 'setsid', 'no-new-privs', 'user', 'caps', 'seccomp', 'chdir', 'env-clear', 'reaper'].map(last);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.every((i) => i > at(steps, 'release'))).toBe(true);
  });

  it('binds /sys in a user namespace without its own net namespace, and omits gid=5 for devpts', () => {
    const userNoNet = compile({ namespaces: { unshare: ['mount', 'uts', 'ipc', 'pid', 'user'], uidMap: [{ inside: 0, outside: 1000, count: 1 }], gidMap: [{ inside: 0, outside: 1000, count: 1 }] } });
    expect(lines(userNoNet, 'bind')).toContain('bind /sys /sys ro,rec');
    expect(lines(userNoNet, 'mount').some((l) => l.startsWith('mount sysfs'))).toBe(false);
    expect(lines(userNoNet, 'mount')).toContain('mount devpts /dev/pts devpts nosuid,noexec newinstance,ptmxmode=0666,mode=620');
    // With its own net namespace, sysfs can be mounted.
    expect(lines(steps, 'mount')).toContain('mount sysfs /sys sysfs ro,nosuid,nodev,noexec -');
    expect(lines(steps, 'lo-up')).toEqual(['lo-up']);
  });
});

describe('compileLaunchSpec: conditional steps', () => {
  it('writes uid/gid maps only with a user namespace it creates', () => {
    const steps = compile();
    expect(at(steps, 'uid-map')).toBe(-1);
    expect(at(steps, 'gid-map')).toBe(-1);
    expect(at(steps, 'setgroups')).toBe(-1);
  });

  it('sets the hostname only with the uts namespace, brings lo up only with net', () => {
    const steps = compile({ namespaces: { unshare: ['mount', 'pid'] }, process: { hostname: 'demo' } });
    expect(at(steps, 'hostname')).toBe(-1);
    expect(at(steps, 'lo-up')).toBe(-1);
    expect(lines(steps, 'spawn')).toEqual(['spawn mount,pid']);
  });

  it('joins entered namespaces with setns before spawn, user first and mount last', () => {
    const steps = compile({
      namespaces: {
        unshare: ['mount', 'uts'],
        enter: [
          { kind: 'mount', path: '/proc/9/ns/mnt' },
          { kind: 'net', path: '/run/netns/blue' },
          { kind: 'user', path: '/proc/9/ns/user' },
        ],
      },
    });
    expect(lines(steps, 'setns')).toEqual(['setns user /proc/9/ns/user', 'setns net /run/netns/blue', 'setns mount /proc/9/ns/mnt']);
    expect(at(steps, 'setns')).toBeGreaterThan(at(steps, 'cgroup-mkdir'));
    expect(at(steps, 'setns')).toBeLessThan(at(steps, 'spawn'));
  });

  it('spawns with only the mount namespace when that is all that is unshared', () => {
    expect(lines(compile({ namespaces: { unshare: ['mount'] } }), 'spawn')).toEqual(['spawn mount']);
  });

  it('opens stdio on the host before namespaces and in the container after the switch', () => {
    const steps = compile({
      process: {
        stdio: {
          stdout: { side: 'host', path: '/var/log/demo out.log', append: true },
          stderr: { side: 'container', path: '/tmp/err', append: false },
          stdin: { side: 'host', path: '/dev/null', append: false },
        },
      },
    });
    const stdio = steps.filter((s) => s.step === 'stdio');
    // Files the launcher creates on the host are root's alone (0600); inside, what a umask 022 would give.
    expect(stdio.map(line)).toEqual(['stdio 0 host /dev/null r', 'stdio 1 host /var/log/demo out.log a 0600', 'stdio 2 container /tmp/err w 0644']);
    expect(steps.indexOf(stdio[1]!)).toBeLessThan(at(steps, 'spawn'));
    expect(steps.indexOf(stdio[2]!)).toBeGreaterThan(at(steps, 'pivot-root'));
  });

  it('mounts an overlay root instead of bind-root, and chroots when asked, read-only root and masks after', () => {
    const steps = compile({
      rootfs: { switchRoot: 'chroot', readonly: true, overlay: { lower: ['/l1', '/l2'], upper: '/u', work: '/w' }, maskedPaths: ['/proc/kcore'], readonlyPaths: ['/proc/sys'] },
    });
    expect(at(steps, 'bind-root')).toBe(-1);
    expect(lines(steps, 'overlay-root')).toEqual(['overlay-root /l1:/l2 /u /w /var/lib/haco/demo/rootfs']);
    // Masks come before the switch (the host's /dev/null is still reachable), the read-only root after.
    const tail = steps.slice(at(steps, 'chroot') - 2, at(steps, 'chroot') + 2).map(line);
    expect(tail).toEqual(['mask /proc/kcore', 'readonly /proc/sys', 'chroot /var/lib/haco/demo/rootfs', 'remount-root-ro']);
  });

  it('compiles user mounts: bind (file flag from the host), tmpfs data, fs, hostFile, propagation', () => {
    const steps = compile({
      mounts: [
        { type: 'bind', source: '/srv/data', target: '/data', readonly: true, recursive: true, create: true, propagation: 'rslave' },
        { type: 'bind', source: '/etc/app.conf', target: '/etc/app.conf', readonly: false, recursive: false, create: true },
        { type: 'tmpfs', target: '/tmp', size: 67108864, mode: '1777', flags: ['nosuid', 'nodev'] },
        { type: 'tmpfs', target: '/run', flags: [] },
        { type: 'fs', fstype: 'ext4', source: '/dev/sdb1', target: '/mnt', flags: ['ro'], data: 'errors=remount-ro' },
        { type: 'hostFile', source: '/etc/resolv.conf', target: '/etc/resolv.conf' },
      ],
    });
    const from = at(steps, 'bind-root') + 4; // after the three host bootstrap binds
    expect(steps.slice(from, at(steps, 'hostname')).map(line)).toEqual([
      'bind /srv/data /data rec,ro',
      'propagation /var/lib/haco/demo/rootfs/data rslave',
      'bind /etc/app.conf /etc/app.conf file',
      'mount tmpfs /tmp tmpfs nosuid,nodev size=67108864,mode=1777',
      'mount tmpfs /run tmpfs - -',
      'mount /dev/sdb1 /mnt ext4 ro errors=remount-ro',
      'bind /etc/resolv.conf /etc/resolv.conf ro,file',
    ]);
  });

  it('skips host bootstrap binds that do not exist on the host', () => {
    const steps = compile({ bootstrap: { strategy: 'host', binds: ['/usr', '/lib64'], post: [] } });
    expect(lines(steps, 'bind')).toEqual(['bind /usr /usr ro,rec,optional']);
    expect(lines(compile({ bootstrap: { strategy: 'none', post: [] } }), 'bind')).toEqual([]);
  });

  it('writes rlimits, groups, capability numbers and seccomp arguments', () => {
    const steps = compile({
      rlimits: [{ resource: 'NOFILE', soft: 1024, hard: 'unlimited' }],
      process: { user: { uid: 1000, gid: 1000, groups: [10, 20] } },
      capabilities: { bounding: ['sys_admin', 'chown', 'checkpoint_restore'], effective: [], permitted: [], inheritable: [], ambient: ['net_bind_service'] },
      seccomp: {
        action: 'errno',
        errno: 38,
        rules: [{ action: 'allow', syscalls: ['read'], args: [{ index: 0, op: 'eq', value: 3 }, { index: 2, op: 'masked_eq', value: 255, valueTwo: 1 }] }],
      },
    });
    expect(lines(steps, 'rlimit')).toEqual(['rlimit NOFILE 1024 unlimited']);
    expect(lines(steps, 'user')).toEqual(['user 1000 1000 10,20']);
    expect(lines(steps, 'caps')).toEqual(['caps 0,21,40 - - - 10']);
    expect(lines(steps, 'seccomp')).toEqual(['seccomp errno:38']);
    expect(lines(steps, 'seccomp-rule')).toEqual(['seccomp-rule allow read 0:eq:3,2:masked_eq:255:1']);
  });

  it('keeps an env value with spaces and newlines as one field', () => {
    const out = compileLaunchSpec(planFixture({ process: { env: { MSG: 'hello world\nbye' }, args: ['/bin/echo', 'a b'] } }), facts());
    expect(out.lines).toContain('env MSG hello%20world%0Abye');
    expect(out.lines).toContain('exec /bin/echo a%20b');
    expect(lines(parseSpec(out.text), 'env')).toContain('env MSG hello world\nbye');
  });

  it('puts a placeholder or the given hook where the network is wired', () => {
    const net: DeepPartial<ContainerPlan> = {
      namespaces: { unshare: ['mount', 'uts', 'ipc', 'pid', 'net'] },
      network: { bridge: 'haco0', bridgeAddress: '10.88.0.1/24', address: '10.88.0.2/24', vethHost: 'veth-demo', vethGuest: 'eth0', createBridge: true, cleanup: true },
    };
    const placeholder = compileLaunchSpec(planFixture(net), facts());
    expect(placeholder.lines.some((l) => l.startsWith('# network: bridge haco0'))).toBe(true);
    // No dead `cleanup-veth` step: the network's cleanup-cmd steps remove what the launch made.
    expect(lines(parseSpec(placeholder.text), 'cleanup-cmd')[0]).toContain('"ifalias":"haco:demo"');
    const hooked = compile(net, facts(), { networkHook: ['/usr/bin/haco', 'net', 'up', 'demo'] });
    expect(idx(hooked, (s) => line(s) === 'hook /usr/bin/haco net up demo')).toBe(at(hooked, 'release') - 1);
  });

  it('compiles cgroup v1: born in one cgroup per hierarchy (spawn-cgroup, before spawn), cleanup for each', () => {
    const steps = compile({ cgroup: { resources: { cpu: { weight: 50 }, memory: { max: 1 } } } }, facts({ cgroup: v1Host }));
    expect(lines(steps, 'spawn-cgroup')).toEqual([
      // PATH, the hierarchy's mount, a controller naming its /proc/self/cgroup line (the launcher returns there)
      'spawn-cgroup /sys/fs/cgroup/pids/haco/demo /sys/fs/cgroup/pids pids',
      'spawn-cgroup /sys/fs/cgroup/cpu,cpuacct/haco/demo /sys/fs/cgroup/cpu,cpuacct cpuacct',
      'spawn-cgroup /sys/fs/cgroup/memory/haco/demo /sys/fs/cgroup/memory memory',
      'spawn-cgroup /sys/fs/cgroup/devices/haco/demo /sys/fs/cgroup/devices devices',
    ]);
    expect(at(steps, 'spawn-cgroup')).toBeLessThan(at(steps, 'spawn'));
    expect(idx(steps, (s) => line(s) === 'cgroup-mkdir /sys/fs/cgroup/devices/haco/demo')).toBeLessThan(at(steps, 'spawn-cgroup'));
    expect(lines(steps, 'cgroup-join')).toEqual([]);
    expect(lines(steps, 'cgroup-write').filter((l) => !l.includes('/devices/'))).toEqual([
      'cgroup-write /sys/fs/cgroup/cpu,cpuacct/haco/demo/cpu.shares 512',
      'cgroup-write /sys/fs/cgroup/memory/haco/demo/memory.limit_in_bytes 1',
    ]);
    expect(lines(steps, 'cleanup-cgroup')).toHaveLength(4);
    // v1 counts OOM kills in memory.oom_control ("oom_kill N").
    expect(lines(steps, 'report-oom')).toEqual(['report-oom /sys/fs/cgroup/memory/haco/demo/memory.oom_control']);
  });

  it('spawns straight into the v2 cgroup when the kernel has CLONE_INTO_CGROUP, and joins nothing after', () => {
    const into = compile({}, facts({ kernel: { ...facts().kernel, cloneIntoCgroup: true } }));
    expect(lines(into, 'spawn')).toEqual(['spawn mount,uts,ipc,pid,net /sys/fs/cgroup/haco/demo']);
    expect(lines(into, 'cgroup-join')).toEqual([]);
    // Created (phase 1) before the spawn that needs it.
    expect(idx(into, (s) => line(s) === 'cgroup-mkdir /sys/fs/cgroup/haco/demo')).toBeLessThan(at(into, 'spawn'));
    // v1 has no CLONE_INTO_CGROUP: born in each hierarchy's cgroup, the launcher moving itself there and back.
    const v1 = compile({}, facts({ cgroup: v1Host, kernel: { ...facts().kernel, cloneIntoCgroup: true } }));
    expect(lines(v1, 'spawn')).toEqual(['spawn mount,uts,ipc,pid,net']);
    expect(lines(v1, 'spawn-cgroup').length).toBeGreaterThan(0);
    expect(lines(v1, 'cgroup-join')).toEqual([]);
  });

  it('is born in its v1 cgroups after a setns pid too (the launcher moves itself: setns pid only affects its children)', () => {
    const steps = compile({ namespaces: { unshare: ['mount'], enter: [{ kind: 'pid', path: '/proc/42/ns/pid' }] } }, facts({ cgroup: v1Host }));
    expect(lines(steps, 'spawn-cgroup').length).toBeGreaterThan(0);
    expect(lines(steps, 'cgroup-join')).toEqual([]);
  });

  it('moves the child with cgroup-join on v1 when pids.max is below 2 (the launcher counts too while it clones)', () => {
    for (const [max, born] of [[1, false], [0, false], [2, true], [100, true]] as const) {
      const steps = compile({ cgroup: { resources: { pids: { max } } } }, facts({ cgroup: v1Host }));
      expect({ max, spawnCgroup: lines(steps, 'spawn-cgroup').length > 0, join: lines(steps, 'cgroup-join').length > 0 }).toEqual({ max, spawnCgroup: born, join: !born });
    }
  });

  it('asks the launcher to report OOM kills only when the memory controller is in use', () => {
    const withMemory = compile({ cgroup: { resources: { memory: { max: 268435456 } } } });
    expect(lines(withMemory, 'report-oom')).toEqual(['report-oom /sys/fs/cgroup/haco/demo/memory.events']);
    expect(lines(compile({}), 'report-oom')).toEqual([]);
  });

  it('writes the v2 cgroup files in the prepare phase', () => {
    const steps = compile({ cgroup: { resources: { cpu: { quotaUs: 50000, periodUs: 100000 }, memory: { max: 268435456 } } } });
    expect(lines(steps, 'cgroup-write')).toEqual([
      'cgroup-write /sys/fs/cgroup/cgroup.subtree_control +cpu +memory',
      'cgroup-write /sys/fs/cgroup/haco/cgroup.subtree_control +cpu +memory',
      'cgroup-write /sys/fs/cgroup/haco/demo/cpu.max 50000 100000',
      'cgroup-write /sys/fs/cgroup/haco/demo/memory.max 268435456',
    ]);
    expect(at(steps, 'cgroup-write')).toBeLessThan(at(steps, 'spawn'));
  });
});

describe('compileLaunchSpec: refusals', () => {
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(HacoError);
      return (e as HacoError).code;
    }
    return undefined;
  };

  it('refuses a container without a mount namespace', () => {
    expect(codeOf(() => compileLaunchSpec(planFixture({ namespaces: { unshare: ['pid'] } }), facts()))).toBe('E_PLAN_NO_MOUNT_NS');
  });

  it('refuses namespaces and seccomp the kernel lacks', () => {
    const old = facts({ kernel: { timeNamespace: false, cgroupNamespace: true, userNamespace: true, seccomp: false, cloneIntoCgroup: false } });
    expect(codeOf(() => compileLaunchSpec(planFixture({ namespaces: { unshare: ['mount', 'time'] } }), old))).toBe('E_KERNEL_NAMESPACE');
    expect(codeOf(() => compileLaunchSpec(planFixture({ seccomp: { action: 'allow', rules: [] } }), old))).toBe('E_KERNEL_SECCOMP');
  });

  it('loads a seccomp filter before user and caps when the container has neither no_new_privs nor sys_admin (as runc)', () => {
    const names = (plan: Parameters<typeof planFixture>[0]) => compileLaunchSpec(planFixture(plan), facts()).text.split('\n').map((l) => l.split(' ')[0]);
    const early = names({ noNewPrivileges: false, seccomp: { action: 'allow', rules: [] } });
    expect(early.indexOf('seccomp-load')).toBeGreaterThan(-1);
    expect(early.indexOf('seccomp-load')).toBeLessThan(early.indexOf('caps'));
    const late = names({ seccomp: { action: 'allow', rules: [] } });
    expect(late.indexOf('seccomp-load')).toBeGreaterThan(late.indexOf('caps'));
  });

  it('passes cgroup errors through', () => {
    const noMemory: CgroupHost = { ...v2Host, v2: { path: '/sys/fs/cgroup', controllers: ['pids'] } };
    expect(codeOf(() => compileLaunchSpec(planFixture({ cgroup: { resources: { memory: { max: 1 } } } }), facts({ cgroup: noMemory })))).toBe('E_CGROUP_CONTROLLER');
  });
});

describe('compileLaunchSpec on a plan made by the DSL', () => {
  it('compiles defineContainer() output with limits', () => {
    // Imported lazily so the rest of this file does not depend on the DSL.
    const { defineContainer } = require('haco') as typeof import('../../../src/index');
    const { buildPlan } = require('../../../src/plan/build') as typeof import('../../../src/plan/build');
    const built = buildPlan('/tmp/x.haco.ts', defineContainer('dsl').cpu('30%').memory('256m').pids(64));
    if ('notContainers' in built) throw new Error(built.notContainers);
    const steps = parseSpec(compileLaunchSpec(built.plan.containers[0]!, facts()).text);
    expect(lines(steps, 'cgroup-write')).toEqual(
      expect.arrayContaining(['cgroup-write /sys/fs/cgroup/haco/dsl/cpu.max 30000 100000', 'cgroup-write /sys/fs/cgroup/haco/dsl/memory.max 268435456', 'cgroup-write /sys/fs/cgroup/haco/dsl/pids.max 64']),
    );
    expect(names(steps).at(-1)).toBe('exec');
  });
});

describe('compileLaunchSpec: cgroupfs inside a cgroup namespace', () => {
  const withCgroupNs: DeepPartial<ContainerPlan> = { namespaces: { unshare: ['mount', 'uts', 'ipc', 'pid', 'net', 'cgroup'] } };
  const mountLines = (steps: ParsedStep[]) => steps.filter((s) => s.step !== 'spawn-cgroup').filter((s) => s.fields[1]?.startsWith('/sys/fs/cgroup') || s.fields[0] === '/sys/fs/cgroup').map(line);

  it('v2: the unified hierarchy, read-only, right after sysfs', () => {
    const steps = compile(withCgroupNs);
    const sys = idx(steps, (s) => s.step === 'mount' && s.fields[2] === 'sysfs');
    expect(line(steps[sys + 1]!)).toBe('mount cgroup2 /sys/fs/cgroup cgroup2 ro,nosuid,nodev,noexec -');
  });

  it('v1: a read-only tmpfs holding each hierarchy, combined ones reachable by each controller', () => {
    const host: CgroupHost = {
      ...v1Host,
      mode: 'hybrid',
      v2: { path: '/sys/fs/cgroup/unified', controllers: [] },
      v1: { ...v1Host.v1!, mounts: { '/sys/fs/cgroup/cpu,cpuacct': ['cpu', 'cpuacct'], '/sys/fs/cgroup/memory': ['memory'], '/sys/fs/cgroup/systemd': ['name=systemd'] } },
    };
    expect(mountLines(compile(withCgroupNs, facts({ cgroup: host })))).toEqual([
      'mount tmpfs /sys/fs/cgroup tmpfs nosuid,nodev,noexec mode=755',
      'mount cgroup /sys/fs/cgroup/cpu,cpuacct cgroup ro,nosuid,nodev,noexec cpu,cpuacct',
      'symlink cpu,cpuacct /sys/fs/cgroup/cpu',
      'symlink cpu,cpuacct /sys/fs/cgroup/cpuacct',
      'mount cgroup /sys/fs/cgroup/memory cgroup ro,nosuid,nodev,noexec memory',
      'mount cgroup /sys/fs/cgroup/systemd cgroup ro,nosuid,nodev,noexec none,name=systemd',
      'mount cgroup2 /sys/fs/cgroup/unified cgroup2 ro,nosuid,nodev,noexec -',
      'readonly /sys/fs/cgroup',
    ]);
  });

  it('v1 tree without mountinfo: hierarchies grouped by directory', () => {
    const steps = compile(withCgroupNs, facts({ cgroup: v1Host }));
    expect(lines(steps, 'mount').filter((l) => l.includes(' cgroup ro'))).toEqual([
      'mount cgroup /sys/fs/cgroup/cpu,cpuacct cgroup ro,nosuid,nodev,noexec cpu,cpuacct',
      'mount cgroup /sys/fs/cgroup/devices cgroup ro,nosuid,nodev,noexec devices',
      'mount cgroup /sys/fs/cgroup/memory cgroup ro,nosuid,nodev,noexec memory',
      'mount cgroup /sys/fs/cgroup/pids cgroup ro,nosuid,nodev,noexec pids',
    ]);
  });

  it('nothing without a cgroup namespace (the host\'s tree would show), nor without /sys', () => {
    expect(mountLines(compile())).toEqual([]);
    const noSys = compile({ ...withCgroupNs, mounts: [{ type: 'standard', fs: 'proc', target: '/proc' }] });
    expect(mountLines(noSys)).toEqual([]);
  });
});

describe('compileLaunchSpec: the seccomp filter kept in the cache dir (seccomp-prepared)', () => {
  const cache = { seccompCache: '/var/cache/haco/seccomp' };
  const mountRule = { action: 'allow' as const, rules: [{ action: 'errno' as const, errno: 1, syscalls: ['mount'], args: [] }] };
  const prepared = (steps: ParsedStep[]) => lines(steps, 'seccomp-prepared');

  it('prepares the filter on the host before the spawn, in a file named by the filter', () => {
    const steps = compile({ seccomp: mountRule }, facts(), cache);
    expect(prepared(steps)).toEqual([expect.stringMatching(/^seccomp-prepared \/var\/cache\/haco\/seccomp\/[0-9a-f]{32}\.bpf$/)]);
    expect(at(steps, 'seccomp-prepared')).toBeLessThan(at(steps, 'spawn'));
    // the rules are still in the spec: the launcher builds from them when the file does not hold
    expect(lines(steps, 'seccomp-rule')).toEqual(['seccomp-rule errno:1 mount -']);
  });

  it('names the same filter the same file, and a different filter another one', () => {
    const first = prepared(compile({ seccomp: mountRule }, facts(), cache));
    expect(prepared(compile({ seccomp: mountRule, process: { args: ['/bin/other'] } }, facts(), cache))).toEqual(first);
    const errno13 = { ...mountRule, rules: [{ ...mountRule.rules[0]!, errno: 13 }] };
    expect(prepared(compile({ seccomp: errno13 }, facts(), cache))).not.toEqual(first);
    expect(prepared(compile({ seccomp: { ...mountRule, action: 'log' } }, facts(), cache))).not.toEqual(first);
    const optional = { ...mountRule, rules: [{ ...mountRule.rules[0]!, optional: true }] };
    expect(prepared(compile({ seccomp: optional }, facts(), cache))).not.toEqual(first);
  });

  it('builds the filter each launch without a cache dir, and prepares nothing without a filter', () => {
    expect(prepared(compile({ seccomp: mountRule }))).toEqual([]);
    const none = parseSpec(compileLaunchSpec({ ...planFixture(), seccomp: undefined }, facts(), cache).text);
    expect(names(none).filter((n) => n.startsWith('seccomp'))).toEqual([]);
  });
});
