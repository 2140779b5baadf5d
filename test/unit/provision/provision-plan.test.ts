import { DEFAULT_CAPABILITIES } from '../../../src/plan/defaults';
import { PLAN_API_VERSION, type ContainerPlan } from '../../../src/plan/types';
import { validatePlanSchema } from '../../../src/plan/schema';
import { validateContainer } from '../../../src/plan/validate';
import {
  PROVISION_CAPABILITIES,
  PROVISION_ENV,
  provisionPlan,
  provisionSessionName,
} from '../../../src/provision/provision-plan';
import { parseSpec } from '../../../src/runtime/spec-format';
import { compileLaunchSpec } from '../../../src/runtime/compile';
import type { HostFacts } from '../../../src/runtime/host-facts';
import { planFixture } from '../../support/plan-fixture';

const SCRIPT = ['/bin/sh', '-xec', 'apt-get install -y curl'];

/** A locked-down container: everything a provision session must not inherit. */
function strict(): ContainerPlan {
  return planFixture({
    name: 'web',
    process: { args: ['/usr/sbin/nginx'], env: { APP: '1' }, cwd: '/srv', hostname: 'web-1', user: { uid: 1000, gid: 1000, groups: [27] }, daemonize: true, reaper: false },
    rootfs: { path: '/var/lib/haco/web/rootfs', readonly: true },
    namespaces: { unshare: ['mount', 'uts', 'ipc', 'pid', 'net', 'user', 'cgroup'], uidMap: [{ inside: 0, outside: 100000, count: 65536 }], gidMap: [{ inside: 0, outside: 100000, count: 65536 }] },
    mounts: [
      { type: 'standard', fs: 'proc', target: '/proc' },
      { type: 'bind', source: '/srv/data', target: '/data', readonly: false, recursive: true, create: true },
      { type: 'hostFile', source: '/etc/hosts', target: '/etc/hosts' },
    ],
    cgroup: { resources: { memory: { max: 64 << 20 }, pids: { max: 20 } }, raw: { v1: {}, v2: { 'cpu.weight': '50' } } },
    capabilities: { bounding: ['net_bind_service'], effective: ['net_bind_service'], permitted: ['net_bind_service'], inheritable: [], ambient: [] },
    rlimits: [{ resource: 'NOFILE', soft: 16, hard: 16 }],
    seccomp: { action: 'errno', errno: 1, rules: [{ action: 'allow', syscalls: ['read'], args: [] }] },
    noNewPrivileges: true,
    hooks: [{ point: 'beforeStart', command: ['/bin/true'], side: 'host' }],
    restart: { policy: 'always', maxRetries: 3, backoffMs: 500 },
    network: {
      bridge: 'haco0',
      bridgeAddress: '10.88.0.1/24',
      address: '10.88.0.2/24',
      vethHost: 'hv-web',
      vethGuest: 'eth0',
      createBridge: true,
      cleanup: true,
    },
  });
}

describe('provisionPlan', () => {
  it('runs the script as root in mount/uts/ipc/pid namespaces, with the container hostname and a clean env', () => {
    const p = provisionPlan(strict(), SCRIPT);
    expect(p.name).toBe(provisionSessionName('web'));
    expect(p.name).toBe('web.provision');
    expect(p.process.args).toEqual(SCRIPT);
    expect(p.process.env).toEqual(PROVISION_ENV);
    expect(p.process.env['DEBIAN_FRONTEND']).toBe('noninteractive');
    expect(p.process.cwd).toBe('/');
    expect(p.process.hostname).toBe('web-1');
    expect(p.process.user).toEqual({ uid: 0, gid: 0, groups: [] });
    expect(p.process.daemonize).toBe(false);
    expect(p.process.reaper).toBe(true);
    expect(p.namespaces.unshare).toEqual(['mount', 'uts', 'ipc', 'pid']);
    expect(p.namespaces.uidMap).toEqual([]);
    expect(p.namespaces.enter).toEqual([]);
    expect(p.network).toBeUndefined();
  });

  it('keeps the rootfs (writable) but drops limits, filters, hooks and the container mounts', () => {
    const p = provisionPlan(strict(), SCRIPT);
    expect(p.rootfs.path).toBe('/var/lib/haco/web/rootfs');
    expect(p.rootfs.readonly).toBe(false);
    expect(p.cgroup).toEqual({ resources: {}, raw: { v1: {}, v2: {} } });
    expect(p.rlimits).toEqual([]);
    expect(p.seccomp).toBeUndefined();
    expect(p.noNewPrivileges).toBe(false);
    expect(p.hooks).toEqual([]);
    expect(p.restart.policy).toBe('no');
    expect(p.mounts).toEqual([
      { type: 'standard', fs: 'proc', target: '/proc' },
      { type: 'standard', fs: 'sys', target: '/sys' },
      { type: 'standard', fs: 'dev', target: '/dev' },
      { type: 'standard', fs: 'devpts', target: '/dev/pts' },
      { type: 'standard', fs: 'shm', target: '/dev/shm' },
      { type: 'standard', fs: 'mqueue', target: '/dev/mqueue' },
      { type: 'hostFile', source: '/etc/resolv.conf', target: '/etc/resolv.conf' },
      { type: 'hostFile', source: '/etc/hosts', target: '/etc/hosts' },
      { type: 'tmpfs', target: '/tmp', mode: '1777', flags: ['nosuid', 'nodev'] },
    ]);
  });

  it('grants the default capabilities plus what package managers need, in every set but ambient', () => {
    const p = provisionPlan(strict(), SCRIPT);
    for (const cap of DEFAULT_CAPABILITIES) expect(PROVISION_CAPABILITIES).toContain(cap);
    for (const cap of ['chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', 'setuid', 'setgid', 'setfcap', 'mknod'] as const) {
      expect(p.capabilities.bounding).toContain(cap);
      expect(p.capabilities.effective).toContain(cap);
    }
    expect(p.capabilities.permitted).toEqual(p.capabilities.bounding);
    expect(p.capabilities.inheritable).toEqual(p.capabilities.bounding);
    expect(p.capabilities.ambient).toEqual([]);
    expect(p.capabilities.bounding).not.toContain('sys_admin');
    expect(p.capabilities.bounding).not.toContain('net_admin');
  });

  it('binds only the host files it is told are bindable', () => {
    const p = provisionPlan(strict(), SCRIPT, { hostFiles: ['/etc/hosts'] });
    expect(p.mounts.filter((m) => m.type === 'hostFile')).toEqual([{ type: 'hostFile', source: '/etc/hosts', target: '/etc/hosts' }]);
    expect(provisionPlan(strict(), SCRIPT, { hostFiles: [] }).mounts.some((m) => m.type === 'hostFile')).toBe(false);
  });

  it('keeps the overlay layers, so the launcher mounts the merged view itself', () => {
    const c = planFixture({ name: 'layered', rootfs: { path: '/r/merged', overlay: { lower: ['/r/l2', '/r/l1'], upper: '/r/upper', work: '/r/work' } } });
    const p = provisionPlan(c, SCRIPT);
    expect(p.rootfs.overlay).toEqual({ lower: ['/r/l2', '/r/l1'], upper: '/r/upper', work: '/r/work' });
    p.rootfs.overlay!.lower.push('/mutated');
    expect(c.rootfs.overlay!.lower).toEqual(['/r/l2', '/r/l1']);
  });

  it('does not change the container plan it derives from', () => {
    const c = strict();
    const before = JSON.stringify(c);
    provisionPlan(c, SCRIPT);
    expect(JSON.stringify(c)).toBe(before);
  });

  it('rejects an empty command', () => {
    expect(() => provisionPlan(strict(), [])).toThrow(/empty command/);
  });

  it('is a valid plan (schema and semantic checks)', () => {
    const p = provisionPlan(strict(), SCRIPT);
    expect(validatePlanSchema({ apiVersion: PLAN_API_VERSION, source: '/x.haco.ts', containers: [p] })).toEqual([]);
    expect(validateContainer(p)).toEqual([]);
  });

  it('compiles to a spec with the overlay, the host binds, the tmpfs /tmp and the reaper', () => {
    const c = planFixture({
      name: 'layered',
      rootfs: { path: '/r/merged', overlay: { lower: ['/r/l1'], upper: '/r/upper', work: '/r/work' } },
      bootstrap: { strategy: 'host', binds: ['/usr', '/lib32'], post: [] },
    });
    const host: HostFacts = {
      cgroup: { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpu', 'memory', 'pids'] } },
      uid: 0,
      kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: true },
      pathKind: (p: string) => (p === '/lib32' ? 'missing' : p.startsWith('/etc/') ? 'file' : 'directory'),
    };
    const spec = compileLaunchSpec(provisionPlan(c, SCRIPT), host, { comments: false });
    const steps = parseSpec(spec.text).map((s) => [s.step, ...s.fields].join(' '));
    expect(steps).toContain('name layered.provision');
    expect(steps).toContain('overlay-root /r/l1 /r/upper /r/work /r/merged');
    expect(steps).toContain('bind /usr /usr ro,rec,optional');
    expect(steps.some((s) => s.startsWith('bind /lib32'))).toBe(false);
    expect(steps).toContain('bind /etc/resolv.conf /etc/resolv.conf ro,file');
    expect(steps).toContain('hostname layered');
    expect(steps).toContain('reaper');
    expect(steps.some((s) => s.startsWith('no-new-privs'))).toBe(false);
    expect(steps.some((s) => s.startsWith('seccomp'))).toBe(false);
    expect(steps[steps.length - 1]).toBe('exec /bin/sh -xec apt-get install -y curl');
  });
});
