// .rootfsOwner('idmap') (docs/rootfs.md "Who owns the rootfs"): the plan field, where the launch spec puts
// the idmap-mount steps (after the id maps, before release; one per overlay lower), the validation, and the
// overlay's userxattr in any user namespace.
import { defineContainer, type ContainerBuilder } from 'haco';
import type { CgroupHost } from '../../../src/cgroup/types';
import { buildPlan } from '../../../src/plan/build';
import type { ContainerPlan } from '../../../src/plan/types';
import { validateContainer } from '../../../src/plan/validate';
import { compileLaunchSpec } from '../../../src/runtime/compile';
import type { HostFacts } from '../../../src/runtime/host-facts';
import { parseSpec } from '../../../src/runtime/spec-format';

const v1: CgroupHost = {
  mode: 'hybrid',
  root: '/sys/fs/cgroup',
  v2: { path: '/sys/fs/cgroup/unified', controllers: [] },
  v1: { hierarchies: { cpu: '/sys/fs/cgroup/cpu,cpuacct', memory: '/sys/fs/cgroup/memory', pids: '/sys/fs/cgroup/pids', devices: '/sys/fs/cgroup/devices' }, memswAvailable: false },
};
const facts: HostFacts = {
  cgroup: v1,
  uid: 0,
  kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: false },
  pathKind: () => 'directory',
};

function planOf(builder: ContainerBuilder): ContainerPlan {
  const built = buildPlan('/tmp/idm.haco.ts', [builder]);
  if ('notContainers' in built) throw new Error(built.notContainers);
  return built.plan.containers[0]!;
}

const steps = (c: ContainerPlan) => parseSpec(compileLaunchSpec(c, facts).text).map((s) => [s.step, ...s.fields].join(' '));

describe(".rootfsOwner('idmap')", () => {
  it('a plain directory: one idmap-mount of the rootfs, after the maps and before release', () => {
    const c = planOf(defineContainer('p').rootfs('/srv/p').mapRootTo(231072).rootfsOwner('idmap'));
    expect(c.rootfs.owner).toBe('idmap');
    expect(validateContainer(c)).toEqual([]);
    const s = steps(c);
    expect(s.filter((l) => l.startsWith('idmap-mount'))).toEqual(['idmap-mount /srv/p']);
    const at = (prefix: string) => s.findIndex((l) => l.startsWith(prefix));
    expect(at('gid-map')).toBeLessThan(at('idmap-mount'));
    expect(at('uid-map')).toBeLessThan(at('idmap-mount'));
    expect(at('idmap-mount')).toBeLessThan(at('release'));
    expect(s).toContain('bind-root /srv/p');
  });

  it('layers: each lower is id-mapped, the overlay itself is not; the overlay gets userxattr (a user namespace)', () => {
    const c = planOf(defineContainer('l').rootfs('/srv/l/rootfs', { lower: '/srv/base' }).mapRootTo(231072).rootfsOwner('idmap'));
    const s = steps(c);
    expect(s.filter((l) => l.startsWith('idmap-mount'))).toEqual(['idmap-mount /srv/base']);
    expect(s.filter((l) => l.startsWith('overlay-root'))[0]).toMatch(/ userxattr$/);
  });

  it("'host' (the default) drops it; without a user namespace it is refused", () => {
    expect(planOf(defineContainer('h').mapRootTo(231072).rootfsOwner('idmap').rootfsOwner('host')).rootfs.owner).toBeUndefined();
    const issues = validateContainer(planOf(defineContainer('n').rootfsOwner('idmap')));
    expect(issues.map((i) => i.path)).toEqual(['rootfs.owner']);
    expect(issues[0]!.hint).toContain('.mapRootTo(');
    expect(() => defineContainer('x').rootfsOwner('chown' as 'idmap')).toThrow(/expected 'idmap' or 'host'/);
  });

  it('an overlay without a user namespace keeps trusted xattrs (no userxattr)', () => {
    const s = steps(planOf(defineContainer('r').rootfs('/srv/r/rootfs', { lower: '/srv/base' })));
    expect(s.filter((l) => l.startsWith('overlay-root'))[0]).not.toMatch(/userxattr/);
  });
});
