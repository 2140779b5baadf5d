import { defineContainer } from 'haco';
import { buildPlan } from '../../src/plan/build';
import { validatePlanSchema } from '../../src/plan/schema';
import { type ContainerBuilder } from '../../src/dsl/container';
import { builderFromPlan } from '../../src/dsl/from-plan';
import { applyToggles, hasToggles, TOGGLE_FLAGS, ToggleError, togglesFromFlags, type Toggles } from '../../src/dsl/toggles';
import { toggleFlags } from '../../src/commands/support/toggle-flags';
import { planFromDrafts } from '../../src/plan/build';
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
    expect(e).toExitWith(2);
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
    expect(e.message).toContain('--memory: memory max: "64MB" is not a size (did you mean "64M"? haco sizes are binary)');
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

/**
 * One implementation (issue 11.1): every command-line toggle is the DSL call of the same name replayed on
 * the plan, so the plan of `FILE --TOGGLE` must be the plan of the file with that call added at its end.
 */
describe('each toggle equals its DSL call', () => {
  const plain = defineContainer('box').bootstrap((b) => b.host()).cpu('50%').rlimit('nofile', 1024);
  const mapped = plain.mapRootTo(100000);
  const bridged = plain.network({ bridge: 'haco0', bridgeAddress: '10.88.0.1/24', address: '10.88.0.2/24', ports: [{ host: 8080, container: 80 }] });
  const named = plain.hostname('web');
  const shifted = plain.timeOffsets({ boottime: 86400 });
  const joined = plain.joinNetns('blue');
  const nonRoot = plain.user(1000).capabilities({ ambient: ['net_bind_service'] });
  const ownSeccomp = plain.seccomp((s) => s.block(['mkdir']).defaultAction({ errno: 'EACCES' }));
  const noSeccomp = plain.seccomp(false);
  const dropped = plain.dropCaps('chown');

  const cases: Array<[string, ContainerBuilder, Toggles, (c: ContainerBuilder) => ContainerBuilder]> = [
    ['--share pid', plain, { share: ['pid'] }, (c) => c.share('pid')],
    ['--share pid,ipc,uts', plain, { share: ['pid', 'ipc', 'uts'] }, (c) => c.share('pid', 'ipc', 'uts')],
    ['--share user (drops the id maps)', mapped, { share: ['user'] }, (c) => c.share('user')],
    ['--share net (drops the bridged network)', bridged, { share: ['net'] }, (c) => c.share('net')],
    ['--share net on a joined netns (the join stays)', joined, { share: ['net'] }, (c) => c.share('net')],
    ['--share uts (drops a chosen hostname)', named, { share: ['uts'] }, (c) => c.share('uts')],
    ['--share time (drops the clock offsets)', shifted, { share: ['time'] }, (c) => c.share('time')],
    ['--unshare cgroup,time', plain, { unshare: ['cgroup', 'time'] }, (c) => c.unshare('cgroup', 'time')],
    ['--unshare net (replaces a joined netns)', joined, { unshare: ['net'] }, (c) => c.unshare('net')],
    ['--unshare NET (any case)', plain.share('net'), { unshare: ['NET'] }, (c) => c.unshare('net')],
    ['--unshare user --map-root', plain, { unshare: ['user'], mapRoot: 100000 }, (c) => c.unshare('user').mapRootTo(100000)],
    ['--map-root', plain, { mapRoot: 200000 }, (c) => c.mapRootTo(200000)],
    ['--map-root on a mapped container', mapped, { mapRoot: 300000 }, (c) => c.mapRootTo(300000)],
    ['--hostname', plain, { hostname: 'x' }, (c) => c.hostname('x')],
    ['--hostname over a chosen one', named, { hostname: 'api' }, (c) => c.hostname('api')],
    ['--cpu 30%', plain, { cpu: '30%' }, (c) => c.cpu('30%')],
    ['--cpu 1.5', plain, { cpu: '1.5' }, (c) => c.cpu({ max: 1.5 })],
    ['--cpu max', plain, { cpu: 'max' }, (c) => c.cpu({ max: 'max' })],
    ['--cpu on a custom period', plain.cpu({ periodUs: 50000 }), { cpu: '20%' }, (c) => c.cpu('20%')],
    ['--memory 64M', plain, { memory: '64M' }, (c) => c.memory('64M')],
    ['--memory 1048576', plain, { memory: '1048576' }, (c) => c.memory(1048576)],
    ['--memory max', plain.memory({ max: '1G', swap: '0' }), { memory: 'max' }, (c) => c.memory('max')],
    ['--pids 20', plain, { pids: '20' }, (c) => c.pids(20)],
    ['--pids max', plain.pids(10), { pids: 'max' }, (c) => c.pids('max')],
    ['--drop-cap CAP_CHOWN,net_bind_service', plain, { dropCaps: ['CAP_CHOWN', 'net_bind_service'] }, (c) => c.dropCaps('CAP_CHOWN', 'net_bind_service')],
    ['--drop-cap an ambient capability', nonRoot, { dropCaps: ['net_bind_service'] }, (c) => c.dropCaps('net_bind_service')],
    ['--add-cap sys_admin (seccomp follows)', plain, { addCaps: ['SYS_ADMIN'] }, (c) => c.addCaps('SYS_ADMIN')],
    ['--add-cap a dropped capability', dropped, { addCaps: ['chown'] }, (c) => c.addCaps('chown')],
    ['--add-cap keeps the own seccomp rules', ownSeccomp, { addCaps: ['sys_admin'] }, (c) => c.addCaps('sys_admin')],
    ['--add-cap without a seccomp filter', noSeccomp, { addCaps: ['sys_admin'] }, (c) => c.addCaps('sys_admin')],
    ['--add-cap and --drop-cap', plain, { addCaps: ['net_admin'], dropCaps: ['kill'] }, (c) => c.addCaps('net_admin').dropCaps('kill')],
    ['--rlimit', plain, { rlimits: ['nofile=4096', 'RLIMIT_NPROC=64:128', 'core=unlimited'] }, (c) => c.rlimit('nofile', 4096).rlimit('nproc', 64, 128).rlimit('core', 'unlimited')],
    ['-e', plain, { env: ['A=1', 'B=x=y, z', 'A=2'] }, (c) => c.env({ A: '2', B: 'x=y, z' })],
    ['-v', plain, { volumes: ['/tmp:/data:ro', '/etc:/host-etc:rw'] }, (c) => c.bind('/tmp', '/data', { readonly: true }).bind('/etc', '/host-etc', { readonly: false })],
  ];

  it.each(cases)('%s', (_name, def, toggles, call) => {
    expect(applyToggles(planOf(def), toggles)).toEqual(planOf(call(def)));
  });

  it('covers every toggle flag, and the command line offers exactly these flags', () => {
    const used = new Set(cases.flatMap(([, , t]) => Object.keys(t)));
    expect([...used].sort()).toEqual(Object.keys(TOGGLE_FLAGS).sort());
    // --env-file is read into -e entries by togglesFromFlags: not a toggle of its own.
    expect(Object.keys(toggleFlags).map((f) => `--${f}`).filter((f) => f !== '--env-file').sort()).toEqual(Object.values(TOGGLE_FLAGS).sort());
  });

  it('fails where the DSL call fails, with the same message', () => {
    const dslMessage = (def: ContainerBuilder) => {
      const built = buildPlan('/tmp/x.haco.ts', def);
      if ('notContainers' in built) throw new Error(built.notContainers);
      return built.issues.map((i) => i.message);
    };
    for (const [toggles, call] of [
      [{ share: ['mount'] }, (c: ContainerBuilder) => c.share('mount')],
      [{ unshare: ['user'] }, (c: ContainerBuilder) => c.unshare('user')],
      [{ cpu: '0.5%' }, (c: ContainerBuilder) => c.cpu('0.5%')],
      [{ share: ['uts'], hostname: 'x' }, (c: ContainerBuilder) => c.share('uts').hostname('x')],
      [{ dropCaps: ['sys_admn'] }, (c: ContainerBuilder) => c.dropCaps('sys_admn' as 'sys_admin')],
      [{ rlimits: ['nofile=20:10'] }, (c: ContainerBuilder) => c.rlimit('nofile', 20, 10)],
    ] as const) {
      expect(toggleError(toggles as Toggles, planOf(plain)).issues.map((i) => i.message)).toEqual(dslMessage(call(plain)));
    }
  });

  it('a plan rebuilt as a definition builds the same plan (the replay starts from what the file says)', () => {
    for (const def of [plain, mapped, bridged, named, shifted, joined, nonRoot, ownSeccomp, noSeccomp, dropped]) {
      const plan = planOf(def);
      const again = planFromDrafts('/tmp/x.haco.ts', [builderFromPlan(plan).toDraft()]);
      expect(again.issues).toEqual([]);
      expect(again.plan.containers[0]).toEqual(plan);
    }
  });
});
