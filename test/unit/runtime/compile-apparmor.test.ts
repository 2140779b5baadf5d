import { defineContainer, type ContainerBuilder } from '../../../src/dsl/container';
import { HacoError } from '../../../src/errors';
import { explainContainer } from '../../../src/explain/explain';
import { buildPlan } from '../../../src/plan/build';
import type { ContainerPlan } from '../../../src/plan/types';
import { summarizePlan } from '../../../src/plan/summary';
import { compileLaunchSpec } from '../../../src/runtime/compile';
import { decideAppArmor } from '../../../src/runtime/compile-apparmor';
import type { HostFacts } from '../../../src/runtime/host-facts';

const facts = (apparmor: boolean): HostFacts => ({
  cgroup: { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpu', 'memory', 'pids'] } },
  uid: 0,
  kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: true, apparmor },
});

function planOf(b: ContainerBuilder): { plan?: ContainerPlan; issues: string[] } {
  const built = buildPlan('/tmp/aa.haco.ts', b);
  if ('notContainers' in built) throw new Error(built.notContainers);
  return { plan: built.plan.containers[0], issues: built.issues.map((i) => i.message) };
}

describe('AppArmor in the plan and the launch spec', () => {
  test('every container gets haco-default by default; false and a loaded name are recorded as such', () => {
    expect(planOf(defineContainer('a')).plan?.apparmor).toEqual({ profile: 'haco-default', builtin: 'default' });
    expect(planOf(defineContainer('a').apparmor(false)).plan?.apparmor).toBeUndefined();
    expect(planOf(defineContainer('a').apparmor('unconfined')).plan?.apparmor).toBeUndefined();
    expect(planOf(defineContainer('a').apparmor('docker-default')).plan?.apparmor).toEqual({ profile: 'docker-default' });
  });

  test('a profile name that is not one word is a definition error', () => {
    expect(planOf(defineContainer('a').apparmor('two words')).issues).toEqual([expect.stringMatching(/not a plain profile name/)]);
  });

  test('with AppArmor: a load hook in the prepare phase and apparmor-exec right before exec', () => {
    const text = compileLaunchSpec(planOf(defineContainer('a')).plan!, facts(true)).text;
    expect(text).toMatch(/^hook \/usr\/sbin\/apparmor_parser -r -W -L \S+ \S+haco-default$/m);
    expect(text).toMatch(/^apparmor-exec haco-default\nseccomp-load\nexec /m);
    const named = compileLaunchSpec(planOf(defineContainer('a').apparmor('docker-default')).plan!, facts(true)).text;
    expect(named).not.toMatch(/apparmor_parser/);
    expect(named).toMatch(/^apparmor-exec docker-default$/m);
  });

  test('without AppArmor: the default is not applied, and the spec comment and explain row say so', () => {
    const plan = planOf(defineContainer('a')).plan!;
    const text = compileLaunchSpec(plan, facts(false)).text;
    expect(text).not.toMatch(/^apparmor-exec|apparmor_parser/m);
    expect(text).toMatch(/^# AppArmor: haco-default, not applied: this kernel has no AppArmor/m);
    const row = explainContainer(plan, facts(false)).sharing.find((r) => r.what.includes('AppArmor'));
    expect(row).toMatchObject({ status: 'shared', detail: expect.stringMatching(/^haco-default, not applied: this kernel has no AppArmor/) });
  });

  test('without AppArmor: a profile the definition names is an error, not a silent drop', () => {
    const plan = planOf(defineContainer('a').apparmor('docker-default')).plan!;
    let err: unknown;
    try {
      compileLaunchSpec(plan, facts(false));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HacoError);
    expect(err).toMatchObject({ code: 'E_APPARMOR_UNAVAILABLE', hint: expect.stringMatching(/haco doctor/) });
  });

  test('haco plan shows the profile as a row, honest about this host, not as a warning', () => {
    const show = (b: ContainerBuilder, apparmor?: boolean) =>
      /^ {2}apparmor +(.*)$/m.exec(summarizePlan({ apiVersion: 'haco.dev/v1alpha1', source: '/x', containers: [planOf(b).plan!] }, { bold: String, dim: String }, apparmor === undefined ? {} : { apparmor }))?.[1];
    expect(show(defineContainer('a'), false)).toBe('haco-default, not applied: this kernel has no AppArmor');
    expect(show(defineContainer('a'), true)).toBe("haco-default (haco's default profile)");
    expect(show(defineContainer('a').apparmor('docker-default'), false)).toMatch(/E_APPARMOR_UNAVAILABLE/);
    expect(show(defineContainer('a').apparmor(false), true)).toBe('unconfined');
    expect(show(defineContainer('a'))).toMatch(/applied where the kernel has AppArmor/);
  });

  test('rootless: the default is not loaded (apparmor_parser needs root), and explain says why', () => {
    const rootless: HostFacts = { ...facts(true), rootless: { fullRange: true, helpers: { uid: '/usr/bin/newuidmap', gid: '/usr/bin/newgidmap' }, userOverlay: true } };
    const plan = planOf(defineContainer('a')).plan!;
    expect(decideAppArmor(plan, rootless)).toMatchObject({ kind: 'skipped', reason: expect.stringMatching(/needs root/) });
    expect(decideAppArmor(plan, facts(true))).toMatchObject({ kind: 'apply', profile: 'haco-default' });
  });
});

