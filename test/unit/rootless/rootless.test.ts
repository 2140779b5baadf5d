import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CgroupHost } from '../../../src/cgroup/types';
import { HacoError } from '../../../src/errors';
import { adaptContainer, relocatePath } from '../../../src/rootless/adapt';
import { rootlessCgroupSetup } from '../../../src/rootless/cgroup';
import { rootlessMaps, type RootlessIdentity } from '../../../src/rootless/identity';
import { rootlessNotices } from '../../../src/rootless/notices';
import { subordinateRanges } from '../../../src/rootless/subids';
import { userNamespaceArgv } from '../../../src/rootless/userns-command';
import { compileLaunchSpec } from '../../../src/runtime/compile';
import type { HostFacts } from '../../../src/runtime/host-facts';
import { parseSpec } from '../../../src/runtime/spec-format';
import { planFixture } from '../../support/plan-fixture';

const hybrid: CgroupHost = {
  mode: 'hybrid',
  root: '/sys/fs/cgroup',
  v2: { path: '/sys/fs/cgroup/unified', controllers: [] },
  v1: { hierarchies: { cpu: '/sys/fs/cgroup/cpu,cpuacct', memory: '/sys/fs/cgroup/memory', pids: '/sys/fs/cgroup/pids', devices: '/sys/fs/cgroup/devices' }, memswAvailable: false },
};

const full: RootlessIdentity = { uid: 1001, gid: 1001, user: 'alice', subuid: [{ start: 100000, count: 65536 }], subgid: [{ start: 200000, count: 65536 }], fullRange: true };
const single: RootlessIdentity = { uid: 1002, gid: 1002, user: 'bob', subuid: [], subgid: [], fullRange: false, singleReason: 'bob has no subordinate uids in /etc/subuid' };

function facts(rootless: HostFacts['rootless']): HostFacts {
  return {
    cgroup: hybrid,
    uid: 1001,
    kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: true },
    pathKind: () => 'directory',
    ...(rootless ? { rootless } : {}),
  };
}
const helpers = { uid: '/usr/bin/newuidmap', gid: '/usr/bin/newgidmap' };
const lines = (text: string, step: string) => parseSpec(text).filter((s) => s.step === step).map((s) => [s.step, ...s.fields].join(' '));

describe('rootless: /etc/subuid ranges', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rootless-subids-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the lines of the user, by name or by number, in file order, and nothing else', () => {
    const file = path.join(dir, 'subuid');
    fs.writeFileSync(file, '# comment\nalice:100000:65536\nbob:165536:65536\n1001:300000:10\nalice:bad:1\nalice:5:0\n\n');
    expect(subordinateRanges(file, { name: 'alice', id: 1001 })).toEqual([{ start: 100000, count: 65536 }, { start: 300000, count: 10 }]);
    expect(subordinateRanges(file, { name: 'carol', id: 1003 })).toEqual([]);
    expect(subordinateRanges(path.join(dir, 'missing'), { name: 'alice', id: 1001 })).toEqual([]);
  });
});

describe('rootless: maps and the adapted container', () => {
  it('maps root to the user and 1… to the first subordinate range; a single id without one', () => {
    expect(rootlessMaps(full)).toEqual({
      uidMap: [{ inside: 0, outside: 1001, count: 1 }, { inside: 1, outside: 100000, count: 65536 }],
      gidMap: [{ inside: 0, outside: 1001, count: 1 }, { inside: 1, outside: 200000, count: 65536 }],
    });
    expect(rootlessMaps(single)).toEqual({ uidMap: [{ inside: 0, outside: 1002, count: 1 }], gidMap: [{ inside: 0, outside: 1002, count: 1 }] });
  });

  it('moves /var/lib/haco paths under the user data root and nothing else', () => {
    expect(relocatePath('/var/lib/haco/web/rootfs', '/home/a/.local/share/haco')).toBe('/home/a/.local/share/haco/web/rootfs');
    expect(relocatePath('/var/lib/hacox/web', '/h')).toBe('/var/lib/hacox/web');
    expect(relocatePath('/srv/web', '/h')).toBe('/srv/web');
  });

  it('creates the user namespace first, with the maps, and is idempotent', () => {
    const c = planFixture({ rootfs: { path: '/var/lib/haco/web/rootfs' } });
    const a = adaptContainer(c, full, '/home/a/.local/share/haco');
    expect(a.rootfs.path).toBe('/home/a/.local/share/haco/web/rootfs');
    expect(a.namespaces.unshare[0]).toBe('user');
    expect(a.namespaces.uidMap).toEqual(rootlessMaps(full).uidMap);
    expect(adaptContainer(a, full, '/home/a/.local/share/haco')).toEqual(a);
    // A single-id gid_map can only be written with setgroups denied.
    expect(adaptContainer(c, single, '/h').namespaces.setgroups).toBe('deny');
  });

  it('keeps the maps of a plan that has a user namespace already (newuidmap judges them)', () => {
    const c = planFixture({ namespaces: { unshare: ['user', 'mount', 'pid'], uidMap: [{ inside: 0, outside: 100000, count: 10 }], gidMap: [{ inside: 0, outside: 100000, count: 10 }] } });
    expect(adaptContainer(c, full, '/h').namespaces).toEqual(c.namespaces);
  });
});

describe('rootless: the launch spec', () => {
  const limited = () => planFixture({ cgroup: { resources: { memory: { max: 256 * 1024 * 1024 }, pids: { max: 64 } } } });

  it('has the helpers write the maps, and no cgroup step at all, with the reason in the spec', () => {
    const c = adaptContainer(limited(), full, '/h');
    const text = compileLaunchSpec(c, facts({ fullRange: true, helpers, userOverlay: true })).text;
    expect(lines(text, 'id-map-helper')).toEqual(['id-map-helper /usr/bin/newuidmap 0:1001:1,1:100000:65536', 'id-map-helper /usr/bin/newgidmap 0:1001:1,1:200000:65536']);
    const steps = parseSpec(text).map((s) => s.step);
    for (const step of ['uid-map', 'gid-map', 'setgroups', 'cgroup-mkdir', 'cgroup-write', 'cgroup-join', 'cgroup-lock', 'cleanup-cgroup', 'cgroup-devices']) expect(steps).not.toContain(step);
    expect(steps.indexOf('id-map-helper')).toBeGreaterThan(steps.indexOf('spawn'));
    expect(steps.indexOf('id-map-helper')).toBeLessThan(steps.indexOf('release'));
    expect(text).toContain('rootless: .memory(), .pids() not applied: this is a cgroup hybrid host');
  });

  it('writes a single-id map itself (an unprivileged process may map its own id)', () => {
    const text = compileLaunchSpec(adaptContainer(planFixture(), single, '/h'), facts({ fullRange: false, helpers, userOverlay: true })).text;
    expect(lines(text, 'id-map-helper')).toEqual([]);
    expect(lines(text, 'setgroups')).toEqual(['setgroups deny']);
    expect(lines(text, 'uid-map')).toEqual(['uid-map 0:1002:1']);
  });

  it("mounts an overlay rootfs with userxattr, and refuses overlay: 'kernel' where the kernel cannot (never a read-only fallback)", () => {
    const c = adaptContainer(planFixture({ rootfs: { path: '/h/o/rootfs', overlay: { lower: ['/h/base/rootfs'], upper: '/h/o/upper', work: '/h/o/work' } } }), full, '/h');
    const text = compileLaunchSpec(c, facts({ fullRange: true, helpers, userOverlay: true })).text;
    expect(lines(text, 'overlay-root')).toEqual(['overlay-root /h/base/rootfs /h/o/upper /h/o/work /h/o/rootfs userxattr']);
    // A refusal at start names the cause instead of a bare EINVAL (no read-only fallback there either).
    expect(lines(text, 'hint').filter((l) => l.startsWith('hint overlay-root EINVAL'))[0]).toContain('supports user.* xattrs');
    let error: unknown;
    try {
      compileLaunchSpec({ ...c, rootfs: { ...c.rootfs, overlay: { ...c.rootfs.overlay!, mounter: 'kernel' } } }, facts({ fullRange: true, helpers, userOverlay: false }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HacoError);
    expect((error as HacoError).code).toBe('E_ROOTLESS_OVERLAY');
  });

  it('says what it skips: the limits asked for, the single-id map; nothing when there is nothing to say', () => {
    expect(rootlessCgroupSetup('x', planFixture().cgroup, hybrid).notes).toEqual([]);
    const notices = rootlessNotices(limited(), single, hybrid);
    expect(notices).toHaveLength(2);
    expect(notices[0]).toContain('single-id user namespace: bob has no subordinate uids');
    expect(notices[1]).toContain('limits not applied: .memory(), .pids()');
    expect(rootlessNotices(planFixture(), full, hybrid)).toEqual([]);
  });

  it('binds the host /proc when the user namespace shares the host pid namespace (it may not mount one)', () => {
    const shared = adaptContainer(planFixture({ namespaces: { unshare: ['mount', 'uts', 'ipc', 'net'] } }), full, '/h');
    const text = compileLaunchSpec(shared, facts({ fullRange: true, helpers, userOverlay: true })).text;
    expect(lines(text, 'bind').filter((l) => l.startsWith('bind /proc '))).toEqual(['bind /proc /proc rec']);
    expect(lines(text, 'mount').filter((l) => l.includes(' proc '))).toEqual([]);
    const own = compileLaunchSpec(adaptContainer(planFixture(), full, '/h'), facts({ fullRange: true, helpers, userOverlay: true })).text;
    expect(lines(own, 'mount').filter((l) => l.startsWith('mount proc '))).toHaveLength(1);
  });

  it('runs a host command as the namespace root with the same maps (unshare through newuidmap)', () => {
    expect(userNamespaceArgv(full)).toEqual(['unshare', '--map-root-user', '--map-users=100000,1,65536', '--map-groups=200000,1,65536', '--']);
    expect(userNamespaceArgv(single)).toEqual(['unshare', '--map-root-user', '--']);
  });
});
