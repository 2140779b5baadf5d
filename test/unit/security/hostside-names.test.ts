// Host-side names and modes are decided in TypeScript: the veth/nft names a container gets on the shared
// host, and the modes of haco's own host directories and files that the launch spec asks the launcher for.
import { defineContainer } from 'haco';
import { defaultVethHost, hostNetId, IFNAME_MAX, linkOwnerTag, portChains } from '../../../src/plan/net-names';
import { buildPlan } from '../../../src/plan/build';
import { compileLaunchSpec } from '../../../src/runtime/compile';
import { parseSpec } from '../../../src/runtime/spec-format';
import { CGROUP_LOCK_WAIT_MS, cgroupLockPath, HOST_MODES, octal } from '../../../src/state/paths';
import type { HostFacts } from '../../../src/runtime/host-facts';
import { planFixture } from '../../support/plan-fixture';

const hostFactsFixture = (): HostFacts => ({
  cgroup: { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpu', 'memory', 'pids'] } },
  uid: 0,
  kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: false },
});

const NAMES = ['s-c1', 'sc1', 'a', 'web', 'web.1', 'web_1', 'web-1', 'abcdefghijk', 'abcdefghijkl', 'frontend-blue-1', 'frontend-blue-2', 'front', 'x'.repeat(63), `${'x'.repeat(62)}y`];

describe('host-side network names', () => {
  it('are distinct for distinct container names (s-c1 and sc1 used to collide)', () => {
    for (const f of [defaultVethHost, hostNetId, (n: string) => portChains(n).prerouting, (n: string) => portChains(n).output, linkOwnerTag]) {
      expect(new Set(NAMES.map(f)).size).toBe(NAMES.length);
    }
    expect(defaultVethHost('s-c1')).not.toBe(defaultVethHost('sc1'));
    expect(portChains('s-c1').prerouting).not.toBe(portChains('sc1').prerouting);
  });

  it('fit an interface name (15 bytes) and keep short names readable', () => {
    for (const n of NAMES) {
      expect(defaultVethHost(n).length).toBeLessThanOrEqual(IFNAME_MAX);
      expect(defaultVethHost(n)).toMatch(/^vh-[a-zA-Z0-9_.-]+$/);
      expect(portChains(n).prerouting).toMatch(/^pre-[a-zA-Z0-9_.-]{1,12}$/);
    }
    expect(defaultVethHost('s-c1')).toBe('vh-s-c1');
    expect(defaultVethHost('abcdefghijk')).toBe('vh-abcdefghijk');
  });

  it('cannot meet across the literal and the hashed form (their lengths differ)', () => {
    const long = 'abcdefghijkl';
    const hashed = hostNetId(long);
    expect(hashed).toHaveLength(12);
    // No name of up to 11 characters maps to a 12-character id.
    expect(hostNetId(hashed.slice(0, 11))).toHaveLength(11);
    expect(hostNetId(hashed)).not.toBe(hashed);
  });

  it('are stable: the same name always gives the same names (a restart finds its own veth and chains)', () => {
    expect(defaultVethHost('frontend-blue-1')).toBe(defaultVethHost('frontend-blue-1'));
    expect(defaultVethHost('frontend-blue-1')).toMatch(/^vh-fron[0-9a-f]{8}$/);
  });

  it('the DSL default follows them', () => {
    const built = buildPlan('/tmp/n.haco.ts', [
      defineContainer('s-c1').network({ bridge: 'hbr0', bridgeAddress: '10.231.0.1/24', address: '10.231.0.2/24' }),
      defineContainer('sc1').network({ bridge: 'hbr0', bridgeAddress: '10.231.0.1/24', address: '10.231.0.3/24' }),
    ]);
    if ('notContainers' in built) throw new Error(built.notContainers);
    expect(built.plan.containers.map((c) => c.network!.vethHost)).toEqual(['vh-s-c1', 'vh-sc1']);
  });
});

describe('host-side modes, decided in TypeScript and passed in the spec', () => {
  it('closes the run dir, the state dir and the files haco writes', () => {
    expect(octal(HOST_MODES.top)).toBe('0711');
    expect(octal(HOST_MODES.private)).toBe('0700');
    expect(octal(HOST_MODES.file)).toBe('0600');
    // Nothing is group/world writable or readable except the traverse bit of the top dirs.
    for (const mode of [HOST_MODES.top, HOST_MODES.private, HOST_MODES.mappedGroup, HOST_MODES.file]) expect(mode & 0o066).toBe(0);
  });

  it('puts the cgroup lock in haco\'s own run dir, never in world-writable /run/lock, with a bounded wait', () => {
    const saved = process.env['HACO_CGROUP_LOCK'];
    delete process.env['HACO_CGROUP_LOCK'];
    try {
      expect(cgroupLockPath()).toBe('/run/haco/.cgroup.lock');
      const steps = parseSpec(compileLaunchSpec(planFixture(), hostFactsFixture()).text);
      const fields = (name: string) => steps.filter((s) => s.step === name).map((s) => s.fields.join(' '));
      expect(fields('host-dir')).toEqual(['/run/haco 0711']);
      expect(fields('cgroup-lock')).toEqual([`/run/haco/.cgroup.lock ${CGROUP_LOCK_WAIT_MS}`]);
      expect(steps.findIndex((s) => s.step === 'host-dir')).toBeLessThan(steps.findIndex((s) => s.step === 'cgroup-lock'));
      expect(fields('hint').some((h) => h.startsWith('cgroup-lock ETIMEDOUT') && h.includes('fuser -v /run/haco/.cgroup.lock'))).toBe(true);
    } finally {
      if (saved !== undefined) process.env['HACO_CGROUP_LOCK'] = saved;
    }
  });

  it('asks for a private state dir (under a 0711 run dir) with haco start', () => {
    const steps = parseSpec(
      compileLaunchSpec(planFixture(), hostFactsFixture(), { lifecycle: { stateDir: '/run/haco/demo', keep: true, planJson: '{}', meta: {} } }).text,
    );
    const fields = (name: string) => steps.filter((s) => s.step === name).map((s) => s.fields.join(' '));
    expect(fields('host-dir')).toEqual(['/run/haco 0711']);
    expect(fields('state-dir')).toEqual(['/run/haco/demo keep 0700']);
  });
});
