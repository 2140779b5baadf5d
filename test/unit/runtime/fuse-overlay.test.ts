// A layered rootfs through fuse-overlayfs (docs/rootfs.md "Layers through FUSE"): the DSL option, the choice
// (asked for, or a rootless container on a kernel before 5.11), the steps and their order, and the refusals
// that name the fix (no fuse-overlayfs, no /dev/fuse, no user namespace; overlay: 'kernel' where it cannot).
import { defineContainer, type ContainerBuilder } from 'haco';
import type { CgroupHost } from '../../../src/cgroup/types';
import { HacoError } from '../../../src/errors';
import { buildPlan } from '../../../src/plan/build';
import type { ContainerPlan } from '../../../src/plan/types';
import { validateContainer } from '../../../src/plan/validate';
import { compileLaunchSpec } from '../../../src/runtime/compile';
import type { FuseFacts, HostFacts, RootlessFacts } from '../../../src/runtime/host-facts';
import { parseSpec } from '../../../src/runtime/spec-format';

const v1: CgroupHost = {
  mode: 'hybrid',
  root: '/sys/fs/cgroup',
  v2: { path: '/sys/fs/cgroup/unified', controllers: [] },
  v1: { hierarchies: { cpu: '/sys/fs/cgroup/cpu,cpuacct', memory: '/sys/fs/cgroup/memory', pids: '/sys/fs/cgroup/pids', devices: '/sys/fs/cgroup/devices' }, memswAvailable: false },
};
const fuseOk: FuseFacts = { program: '/usr/bin/fuse-overlayfs', device: 'ok' };
const oldKernel: RootlessFacts = { fullRange: true, helpers: { uid: '/usr/bin/newuidmap', gid: '/usr/bin/newgidmap' }, userOverlay: false };

function host(extra: Partial<HostFacts> = {}): HostFacts {
  return {
    cgroup: v1,
    uid: 0,
    kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: false },
    pathKind: () => 'directory',
    fuse: fuseOk,
    ...extra,
  };
}

function planOf(builder: ContainerBuilder): ContainerPlan {
  const built = buildPlan('/tmp/fuse.haco.ts', [builder]);
  if ('notContainers' in built) throw new Error(built.notContainers);
  return built.plan.containers[0]!;
}

const steps = (c: ContainerPlan, h: HostFacts) => parseSpec(compileLaunchSpec(c, h).text).map((s) => [s.step, ...s.fields].join(' '));

function refusal(c: ContainerPlan, h: HostFacts): HacoError {
  try {
    compileLaunchSpec(c, h);
  } catch (e) {
    if (e instanceof HacoError) return e;
    throw e;
  }
  throw new Error('compiled, but a refusal was expected');
}

const layered = (overlay?: 'kernel' | 'fuse') => defineContainer('fz').rootfs('/srv/fz/rootfs', { lower: '/srv/base', ...(overlay ? { overlay } : {}) });

describe("layers through fuse-overlayfs (.rootfs(p, { lower, overlay: 'fuse' }))", () => {
  it('asked for: fuse-overlay after the maps, before release; fuse-root instead of overlay-root', () => {
    const c = planOf(layered('fuse').mapRootTo(231072));
    expect(c.rootfs.overlay?.mounter).toBe('fuse');
    expect(validateContainer(c)).toEqual([]);
    const s = steps(c, host());
    const fuse = s.filter((l) => l.startsWith('fuse-overlay '));
    expect(fuse).toEqual(['fuse-overlay /srv/fz/rootfs /usr/bin/fuse-overlayfs -f -o lowerdir=/srv/base,upperdir=/srv/fz/upper,workdir=/srv/fz/work']);
    const at = (prefix: string) => s.findIndex((l) => l.startsWith(prefix));
    expect(at('uid-map')).toBeLessThan(at('fuse-overlay'));
    expect(at('gid-map')).toBeLessThan(at('fuse-overlay'));
    expect(at('fuse-overlay')).toBeLessThan(at('release'));
    expect(at('propagation /')).toBeLessThan(at('fuse-root'));
    expect(at('fuse-root')).toBeLessThan(at('pivot-root'));
    expect(s).toContain('fuse-root /srv/fz/rootfs');
    expect(s.some((l) => l.startsWith('overlay-root'))).toBe(false);
    // The daemon is the container's root: upper and work are handed to it first, as for the kernel's overlay.
    expect(s).toContain('hook /bin/chown 231072:231072 /srv/fz/upper');
  });

  it('rootless on a kernel before 5.11: fuse-overlayfs by default; the kernel only where it can', () => {
    const rootless = host({ uid: 1001, rootless: oldKernel });
    const c = planOf(layered().mapRootTo(231072));
    expect(steps(c, rootless).filter((l) => l.startsWith('fuse-'))).toEqual([expect.stringMatching(/^fuse-overlay \/srv\/fz\/rootfs /), 'fuse-root /srv/fz/rootfs']);
    const newer = steps(c, host({ uid: 1001, rootless: { ...oldKernel, userOverlay: true } }));
    expect(newer.some((l) => l.startsWith('fuse-'))).toBe(false);
    expect(newer.filter((l) => l.startsWith('overlay-root'))[0]).toMatch(/ userxattr$/);
    // Root without a user namespace: the kernel's overlayfs, whatever the kernel.
    expect(steps(planOf(layered()), host()).filter((l) => l.startsWith('overlay-root'))).toHaveLength(1);
  });

  it("refuses overlay: 'kernel' where the kernel cannot (never a read-only rootfs)", () => {
    const e = refusal(planOf(layered('kernel').mapRootTo(231072)), host({ uid: 1001, rootless: oldKernel }));
    expect(e.code).toBe('E_ROOTLESS_OVERLAY');
    expect(e.hint).toContain("overlay: 'kernel'");
  });

  it('names the fix: no fuse-overlayfs, no /dev/fuse, /dev/fuse not ours, no user namespace', () => {
    const c = planOf(layered('fuse').mapRootTo(231072));
    const noTool = refusal(c, host({ fuse: { device: 'ok' } }));
    expect(noTool.code).toBe('E_NO_TOOL');
    expect(noTool.hint).toContain('fuse-overlayfs');
    const missing = refusal(c, host({ fuse: { ...fuseOk, device: 'missing' } }));
    expect(missing.code).toBe('E_FUSE_OVERLAY');
    expect(missing.message).toContain('/dev/fuse does not exist');
    expect(missing.hint).toContain('modprobe fuse');
    const denied = refusal(c, host({ fuse: { ...fuseOk, device: 'denied' } }));
    expect(denied.message).toContain('cannot be opened read-write');
    expect(denied.hint).toContain('chmod 0666 /dev/fuse');
    const noUserNs = refusal(planOf(layered('fuse')), host());
    expect(noUserNs.code).toBe('E_FUSE_OVERLAY');
    expect(noUserNs.hint).toContain('.mapRootTo(');
  });

  it('the option needs layers, and takes only kernel or fuse', () => {
    const c = planOf(defineContainer('nl').rootfs('/srv/nl', { overlay: 'fuse' }));
    expect(c.rootfs.overlay).toBeUndefined();
    expect(() => buildPlanOrThrow(defineContainer('nl').rootfs('/srv/nl', { overlay: 'fuse' }))).toThrow(/without lower layers/);
    expect(() => buildPlanOrThrow(defineContainer('b').rootfs('/srv/b', { lower: '/srv/base', overlay: 'fast' as 'fuse' }))).toThrow(/kernel|fuse|mounter/);
  });
});

function buildPlanOrThrow(builder: ContainerBuilder): void {
  const built = buildPlan('/tmp/fuse.haco.ts', [builder]);
  if ('notContainers' in built) throw new Error(built.notContainers);
  if (built.issues.length > 0) throw new Error(built.issues.map((i) => i.message).join('; '));
}
