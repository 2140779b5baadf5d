import { defineContainer } from 'haco';
import { parseMountInfo, lxcfsMounted } from '../../../src/lxcfs/mount';
import { buildPlan } from '../../../src/plan/build';
import { LXCFS_FILES, lxcfsProblems } from '../../../src/plan/lxcfs';
import { validateContainer } from '../../../src/plan/validate';
import { compileLaunchSpec } from '../../../src/runtime/compile';
import { parseSpec } from '../../../src/runtime/spec-format';
import { explainSteps } from '../../../src/explain/steps';
import { hostFacts } from '../../support/host-facts';
import { planFixture } from '../../support/plan-fixture';
import type { ContainerBuilder } from '../../../src/dsl/container';

function planOf(builder: ContainerBuilder) {
  const built = buildPlan('/tmp/lx.haco.ts', [builder]);
  if ('notContainers' in built) throw new Error(built.notContainers);
  return built.plan.containers[0]!;
}

const MOUNTINFO = [
  '22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw',
  '95 22 0:45 / /var/lib/lxcfs rw,nosuid,nodev,relatime shared:50 - fuse.lxcfs lxcfs rw,user_id=0,group_id=0,allow_other',
  '96 22 0:46 / /tmp/with\\040space rw - tmpfs tmpfs rw',
].join('\n');

describe('lxcfs mount detection', () => {
  it('reads the type after the " - " separator, whatever the optional fields, and unescapes paths', () => {
    expect(parseMountInfo(MOUNTINFO).map((m) => [m.mountpoint, m.fstype])).toEqual([
      ['/proc', 'proc'],
      ['/var/lib/lxcfs', 'fuse.lxcfs'],
      ['/tmp/with space', 'tmpfs'],
    ]);
    expect(lxcfsMounted('/var/lib/lxcfs', MOUNTINFO)).toBe(true);
    expect(lxcfsMounted('/tmp/with space', MOUNTINFO)).toBe(false);
    expect(lxcfsMounted('/srv/lxcfs', MOUNTINFO)).toBe(false);
  });
});

describe('.lxcfs()', () => {
  it('binds every lxcfs file by default, from /var/lib/lxcfs', () => {
    const c = planOf(defineContainer('lx').lxcfs());
    expect(c.lxcfs).toEqual({ mountpoint: '/var/lib/lxcfs', files: [...LXCFS_FILES] });
    expect(validateContainer(c)).toEqual([]);
  });

  it('takes a mountpoint and a subset; refuses files lxcfs does not provide and unknown options', () => {
    const c = planOf(defineContainer('lx').lxcfs({ mountpoint: '/srv/lxcfs', files: ['/proc/meminfo', '/proc/kcore'] }));
    expect(lxcfsProblems(c)).toEqual([[expect.stringContaining('lxcfs does not provide "/proc/kcore"'), expect.stringContaining('/proc/meminfo')]]);
    expect(() => defineContainer('lx').lxcfs({ mountpount: '/x' } as never)).toThrow(/mountpount/);
  });

  it('needs the /proc (and /sys) mounts it binds over', () => {
    const c = planOf(defineContainer('lx').lxcfs());
    const noSys = { ...c, mounts: c.mounts.filter((m) => !(m.type === 'standard' && m.fs === 'sys')) };
    expect(lxcfsProblems(noSys).map(([m]) => m)).toEqual(['lxcfs binds over /sys, but the container has no /sys mount']);
    expect(lxcfsProblems({ ...noSys, lxcfs: { mountpoint: '/var/lib/lxcfs', files: ['/proc/meminfo'] } })).toEqual([]);
  });
});

describe('compiled launch spec', () => {
  it('binds each file read-only over its own, after /proc and /sys are mounted and before the switch', () => {
    const c = planFixture({ lxcfs: { mountpoint: '/var/lib/lxcfs', files: ['/proc/meminfo', '/sys/devices/system/cpu/online'] } });
    const steps = parseSpec(compileLaunchSpec(c, hostFacts()).text);
    const binds = steps.filter((s) => s.step === 'bind' && s.fields[0]!.startsWith('/var/lib/lxcfs'));
    expect(binds.map((s) => s.fields)).toEqual([
      ['/var/lib/lxcfs/proc/meminfo', '/proc/meminfo', 'ro,file'],
      ['/var/lib/lxcfs/sys/devices/system/cpu/online', '/sys/devices/system/cpu/online', 'ro,file'],
    ]);
    const at = (p: (s: (typeof steps)[number]) => boolean) => steps.findIndex(p);
    const first = at((s) => s === binds[0]);
    expect(at((s) => s.step === 'mount' && s.fields[2] === 'proc')).toBeLessThan(first);
    expect(at((s) => s.step === 'mount' && s.fields[2] === 'sysfs')).toBeLessThan(first);
    expect(at((s) => s.step === 'pivot-root')).toBeGreaterThan(first);
    expect(parseSpec(compileLaunchSpec(planFixture(), hostFacts()).text).some((s) => s.fields[0]?.startsWith('/var/lib/lxcfs'))).toBe(false);
  });

  it('haco explain tells the binds as a section of their own', () => {
    const c = planFixture({ lxcfs: { mountpoint: '/var/lib/lxcfs', files: ['/proc/meminfo'] } });
    const section = explainSteps(c, hostFacts()).steps.find((s) => s.id === 'lxcfs');
    expect(section?.title).toBe("Show the container's limits in 1 file of /proc (lxcfs)");
    expect(section?.spec).toEqual(['bind /var/lib/lxcfs/proc/meminfo /proc/meminfo ro,file']);
  });
});
