import { defineContainer } from 'haco';
import { buildPlan } from '../../src/plan/build';
import { validatePlanSchema } from '../../src/plan/schema';
import { applyToggles, hasToggles, ToggleError, togglesFromFlags, type Toggles } from '../../src/plan/toggles';
import type { ContainerPlan } from '../../src/plan/types';

function planOf(exported: unknown): ContainerPlan {
  const built = buildPlan('/tmp/x.haco.ts', exported);
  if ('notContainers' in built) throw new Error(built.notContainers);
  expect(built.issues).toEqual([]);
  return built.plan.containers[0]!;
}

const base = planOf(defineContainer('box').bootstrap((b) => b.host()).cpu('50%').rlimit('nofile', 1024));

function toggled(toggles: Toggles, container = base): ContainerPlan {
  const result = applyToggles(container, toggles);
  expect(validatePlanSchema({ apiVersion: 'haco.dev/v1alpha1', source: '/tmp/x.haco.ts', containers: [result] })).toEqual([]);
  return result;
}

function toggleError(toggles: Toggles, container = base): ToggleError {
  try {
    applyToggles(container, toggles);
  } catch (error) {
    expect(error).toBeInstanceOf(ToggleError);
    return error as ToggleError;
  }
  throw new Error('expected a ToggleError');
}

describe('applyToggles', () => {
  it('returns the same plan when nothing is toggled, and never changes its input', () => {
    const before = structuredClone(base);
    expect(applyToggles(base, {})).toBe(base);
    toggled({ share: ['pid'], cpu: '30%', dropCaps: ['chown'] });
    expect(base).toEqual(before);
  });

  it('shares and unshares namespaces, keeping the kernel order', () => {
    expect(toggled({ share: ['pid'] }).namespaces.unshare).toEqual(['mount', 'uts', 'ipc', 'net']);
    expect(toggled({ share: ['net'] }).namespaces.unshare).toEqual(['mount', 'uts', 'ipc', 'pid']);
    expect(toggled({ unshare: ['time', 'cgroup'] }).namespaces.unshare).toEqual(['mount', 'uts', 'ipc', 'pid', 'net', 'cgroup', 'time']);
    expect(toggled({ unshare: ['NET'] }, toggled({ share: ['net'] })).namespaces.unshare).toContain('net');
  });

  it('explains an unknown namespace with a did-you-mean, naming the flag', () => {
    const e = toggleError({ unshare: ['pdi'] });
    expect(e.message).toBe('command-line flag --unshare: unknown namespace "pdi"');
    expect(e.hint).toContain('did you mean "pid"?');
    expect(e.exitCode).toBe(2);
  });

  it('re-validates: sharing mount fails like .share("mount") does, blaming --share', () => {
    const e = toggleError({ share: ['mount'] });
    expect(e.issues).toEqual([
      expect.objectContaining({ flag: '--share', path: 'namespaces.unshare', message: expect.stringContaining('its own mount namespace') }),
    ]);
    expect(e.message).toMatch(/^command-line flag --share: /);
  });

  it('refuses a namespace that is both shared and unshared', () => {
    expect(toggleError({ share: ['net'], unshare: ['net'] }).message).toContain('both shared and unshared');
  });

  it('unsharing user without a map gives the validator\'s error; --map-root fixes it', () => {
    const e = toggleError({ unshare: ['user'] });
    expect(e.issues[0]).toMatchObject({ flag: '--unshare', message: expect.stringContaining('no uid map') });
    const mapped = toggled({ unshare: ['user'], mapRoot: 100000 });
    expect(mapped.namespaces.uidMap).toEqual([{ inside: 0, outside: 100000, count: 65536 }]);
    expect(toggled({ mapRoot: 200000 }).namespaces.unshare).toContain('user');
  });

  it('sharing user drops the maps; sharing net drops the bridge', () => {
    const c = planOf(
      defineContainer('n')
        .mapRootTo(100000)
        .network({ bridge: 'haco0', bridgeAddress: '10.88.0.1/24', address: '10.88.0.2/24' }),
    );
    const shared = toggled({ share: ['user', 'net'] }, c);
    expect(shared.namespaces.uidMap).toEqual([]);
    expect(shared.network).toBeUndefined();
  });

  it('sharing uts keeps the host hostname (no sethostname on the host)', () => {
    const c = planOf(defineContainer('h').hostname('box'));
    expect(toggled({ share: ['uts'] }, c).process.hostname).toBe('h');
    const e = toggleError({ share: ['uts'], hostname: 'x' }, c);
    expect(e.issues[0]).toMatchObject({ flag: '--hostname', path: 'process.hostname' });
  });

  it('sets the hostname', () => {
    expect(toggled({ hostname: 'x' }).process.hostname).toBe('x');
  });

  it('parses CPU like the DSL: percent of one CPU, CPUs, max', () => {
    expect(toggled({ cpu: '30%' }).cgroup.resources.cpu).toEqual({ periodUs: 100000, quotaUs: 30000 });
    expect(toggled({ cpu: '1.5' }).cgroup.resources.cpu?.quotaUs).toBe(150000);
    expect(toggled({ cpu: 'max' }).cgroup.resources.cpu?.quotaUs).toBe('max');
    expect(toggleError({ cpu: 'lots' }).issues[0]).toMatchObject({ flag: '--cpu', message: expect.stringContaining('not a percentage') });
    expect(toggleError({ cpu: '0.5%' }).issues[0]).toMatchObject({ flag: '--cpu', message: expect.stringContaining('below the kernel') });
  });

  it('parses memory with the DSL size parser', () => {
    expect(toggled({ memory: '64M' }).cgroup.resources.memory?.max).toBe(64 * 2 ** 20);
    expect(toggled({ memory: '1048576' }).cgroup.resources.memory?.max).toBe(2 ** 20);
    expect(toggled({ memory: 'max' }).cgroup.resources.memory?.max).toBe('max');
    const e = toggleError({ memory: '64MB' });
    expect(e.message).toContain('--memory: "64MB" is not a size (did you mean "64M"? haco sizes are binary)');
  });

  it('sets pids and re-validates the value', () => {
    expect(toggled({ pids: '20' }).cgroup.resources.pids).toEqual({ max: 20 });
    expect(toggled({ pids: 'max' }).cgroup.resources.pids).toEqual({ max: 'max' });
    expect(toggleError({ pids: '0' }).issues[0]).toMatchObject({ flag: '--pids', path: 'cgroup.resources.pids' });
    expect(toggleError({ pids: 'few' }).issues[0]!.flag).toBe('--pids');
  });

  it('drops and adds capabilities in any spelling', () => {
    const c = toggled({ dropCaps: ['CAP_CHOWN', 'net_raw'], addCaps: ['SYS_ADMIN'] });
    expect(c.capabilities.bounding).not.toContain('chown');
    expect(c.capabilities.bounding).not.toContain('net_raw');
    expect(c.capabilities.bounding).toContain('sys_admin');
    expect(c.capabilities.effective).toEqual(c.capabilities.bounding);
    const e = toggleError({ dropCaps: ['sys_admn'] });
    expect(e.issues[0]).toMatchObject({ flag: '--drop-cap', message: 'unknown capability "sys_admn"', hint: 'did you mean "sys_admin"?' });
  });

  it('keeps a non-root init to its ambient capabilities', () => {
    const c = planOf(defineContainer('u').user(1000).capabilities({ ambient: ['net_bind_service'] }));
    const t = toggled({ dropCaps: ['net_bind_service'] }, c);
    expect(t.capabilities.ambient).toEqual([]);
    expect(t.capabilities.effective).toEqual([]);
  });

  it('sets rlimits: replaces the same resource, adds others, validates names and order', () => {
    const c = toggled({ rlimits: ['nofile=4096', 'RLIMIT_NPROC=64:128', 'core=unlimited'] });
    expect(c.rlimits).toEqual([
      { resource: 'NOFILE', soft: 4096, hard: 4096 },
      { resource: 'NPROC', soft: 64, hard: 128 },
      { resource: 'CORE', soft: 'unlimited', hard: 'unlimited' },
    ]);
    expect(toggleError({ rlimits: ['nofle=10'] }).hint).toBe('did you mean "nofile"?');
    expect(toggleError({ rlimits: ['nofile=20:10'] }).message).toContain('--rlimit: rlimit nofile: soft 20 is above hard 10');
    expect(toggleError({ rlimits: ['nofile'] }).message).toContain('is not NAME=SOFT[:HARD]');
  });

  it('reports every bad toggle at once', () => {
    const e = toggleError({ cpu: 'x', memory: 'y', pids: 'z' });
    expect(e.issues.map((i) => i.flag)).toEqual(['--cpu', '--memory', '--pids']);
  });
});

describe('togglesFromFlags', () => {
  it('maps oclif flag names and splits comma lists', () => {
    const t = togglesFromFlags({ share: ['pid,ipc'], unshare: ['net'], 'drop-cap': ['sys_admin', 'chown'], 'add-cap': ['net_admin'], 'map-root': 1000, cpu: '30%', memory: '64M', pids: '20', hostname: 'x', rlimit: ['nofile=1024'] });
    expect(t).toEqual({
      share: ['pid', 'ipc'],
      unshare: ['net'],
      dropCaps: ['sys_admin', 'chown'],
      addCaps: ['net_admin'],
      mapRoot: 1000,
      cpu: '30%',
      memory: '64M',
      pids: '20',
      hostname: 'x',
      rlimits: ['nofile=1024'],
    });
    expect(hasToggles(togglesFromFlags({}))).toBe(false);
    expect(hasToggles(t)).toBe(true);
  });
});
