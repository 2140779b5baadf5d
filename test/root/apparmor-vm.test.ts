// AppArmor for real, in the qemu VM tier (this host's kernel has no AppArmor): the Debian cloud kernel
// booted with `apparmor=1 security=apparmor`, securityfs mounted, Debian's apparmor_parser (and its
// libraries) in the initramfs. The containers are examples/apparmor.haco.ts itself (its rootfs made in
// the VM by haco-mkrootfs and entered with chroot, instead of the host bootstrap's binds); launch specs
// compiled on the host by compileLaunchSpec() for a host with AppArmor, run by the static launcher in the VM:
//   aa-confined  the DSL's default: the spec's prepare-phase hook loads haco-default from haco's cache
//                file with apparmor_parser, `apparmor-exec` confines the command: /proc/self/attr/current
//                shows it; with CAP_SYS_ADMIN added back, mount(2) is still refused (EACCES, the profile)
//   aa-unconfined the same definition with .apparmor(false): unconfined, and the same mount succeeds
// One boot, ~10-20 s under TCG (apparmor_parser compiles the profile once).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultProfileText } from '../../src/apparmor/default-profile';
import { apparmorCacheDir, defaultProfilePath } from '../../src/apparmor/profile-file';
import type { CgroupHost } from '../../src/cgroup/types';
import { explainContainer } from '../../src/explain/explain';
import { loadDefinition } from '../../src/load/load';
import type { ContainerPlan } from '../../src/plan/types';
import { APPARMOR_PARSER } from '../../src/runtime/compile-apparmor';
import { compileLaunchSpec } from '../../src/runtime/compile';
import type { HostFacts } from '../../src/runtime/host-facts';
import { describeVm, runInVm, withLibraries, type VmAvailability, type VmResult } from '../support/vm';

jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, '..', '..');
const LAUNCHER = path.join(ROOT, 'native', 'build', 'haco-launch-static');
const ROOTFS = '/tmp/rootfs';

function staticLauncher(): VmAvailability {
  const make = spawnSync('make', ['-C', path.join(ROOT, 'native'), '--no-print-directory', 'static'], { encoding: 'utf8' });
  if (make.status !== 0) return { ok: false, reason: `make -C native static failed:\n${make.stdout}${make.stderr}`.slice(0, 4000) };
  if (!fs.existsSync(APPARMOR_PARSER)) return { ok: false, reason: `${APPARMOR_PARSER} not found (apt-get install apparmor)` };
  return { ok: true };
}

const V2_HOST: CgroupHost = { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids'] } };
const FACTS: HostFacts = {
  cgroup: V2_HOST,
  uid: 0,
  kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: true, apparmor: true },
  pathKind: () => 'directory',
};

const EXAMPLE = path.join(ROOT, 'examples', 'apparmor.haco.ts');

/** The example's two containers, with a rootfs haco-mkrootfs makes in the VM (no host binds there). */
async function examplePlans(): Promise<{ confined: ContainerPlan; unconfined: ContainerPlan }> {
  const inVm = (c: ContainerPlan): ContainerPlan => ({ ...c, rootfs: { ...c.rootfs, path: ROOTFS, switchRoot: 'chroot' }, bootstrap: { strategy: 'none', post: [] } });
  const plans = (await loadDefinition(EXAMPLE, { cache: false })).plan.containers;
  const find = (name: string) => {
    const c = plans.find((p) => p.name === name);
    if (!c) throw new Error(`${EXAMPLE} has no container ${name}`);
    return inVm(c);
  };
  return { confined: find('aa-confined'), unconfined: find('aa-unconfined') };
}

function vmScript(): string {
  const run = (key: string) =>
    [
      `rm -rf ${ROOTFS} && haco-mkrootfs ${ROOTFS}`,
      `haco-launch --spec /specs/${key}.spec > /tmp/${key}.log 2>&1; echo "${key}.launcher-rc: $?"`,
      // the example's own output: current=… and mount=…
      `sed "s/^/${key}./" /tmp/${key}.log`,
    ].join('\n');
  return [
    'mount -t securityfs securityfs /sys/kernel/security',
    'echo "enabled=$(cat /sys/module/apparmor/parameters/enabled)"',
    `mkdir -p ${apparmorCacheDir()}`,
    run('default'),
    'echo "loaded=$(grep -c "^haco-default (enforce)" /sys/kernel/security/apparmor/profiles)"',
    run('off'),
  ].join('\n');
}

function keyed(output: string): Record<string, string> {
  const kv: Record<string, string> = {};
  for (const l of output.split('\n')) {
    const m = /^([a-z.-]+)[=:] ?(.*)$/.exec(l);
    if (m && !(m[1]! in kv)) kv[m[1]!] = m[2]!;
  }
  return kv;
}

describeVm(
  'AppArmor on a kernel that has it (VM tier)',
  () => {
    let r: VmResult;
    let kv: Record<string, string>;
    let DEFAULT: ContainerPlan;
    let SPECS: { default: string; off: string };

    beforeAll(async () => {
      const plans = await examplePlans();
      DEFAULT = plans.confined;
      SPECS = { default: compileLaunchSpec(plans.confined, FACTS).text, off: compileLaunchSpec(plans.unconfined, FACTS).text };
      r = await runInVm({
        files: {
          '/bin/haco-launch': LAUNCHER,
          '/specs/default.spec': { content: SPECS.default },
          '/specs/off.spec': { content: SPECS.off },
          [defaultProfilePath()]: { content: defaultProfileText() },
          ...withLibraries(APPARMOR_PARSER),
        },
        kernelArgs: ['apparmor=1', 'security=apparmor'],
        script: vmScript(),
        timeoutMs: 180_000,
      });
      kv = keyed(r.output);
      if (process.env.HACO_TEST_VERBOSE) console.log(r.output, `boot+run ${r.durationMs} ms, initramfs ${r.initramfsMs} ms`);
    });

    const context = () => ({ output: r.output });

    test('the spec loads haco-default with apparmor_parser before the spawn and confines the command right before exec', () => {
      const lines = SPECS.default.split('\n');
      const load = lines.findIndex((l) => l.startsWith(`hook ${APPARMOR_PARSER} -r -W -L `) && l.endsWith(defaultProfilePath()));
      const spawn = lines.findIndex((l) => l.startsWith('spawn '));
      const exec = lines.findIndex((l) => l.startsWith('exec '));
      expect({ load, spawn }).toEqual({ load: expect.any(Number), spawn: expect.any(Number) });
      expect(load).toBeGreaterThan(-1);
      expect(load).toBeLessThan(spawn);
      expect(lines.slice(exec - 2, exec)).toEqual(['apparmor-exec haco-default', 'seccomp-load']);
      expect(SPECS.off).not.toMatch(/apparmor/);
    });

    test('the kernel has AppArmor, the profile is loaded in enforce mode, the launches succeed', () => {
      expect({ ...context(), kv }).toMatchObject({ kv: { enabled: 'Y', loaded: '1', 'default.launcher-rc': '0', 'off.launcher-rc': '0' } });
    });

    test('the command runs confined: /proc/self/attr/current is haco-default (enforce)', () => {
      expect({ ...context(), kv }).toMatchObject({ kv: { 'default.current': 'haco-default (enforce)', 'off.current': 'unconfined' } });
    });

    test('the profile refuses mount(2) even with CAP_SYS_ADMIN; unconfined, the same mount works', () => {
      expect({ ...context(), kv }).toMatchObject({ kv: { 'default.mount': 'refused', 'off.mount': 'ok' } });
    });

    test('haco explain tells the load and the confinement, and the sharing table says confined', () => {
      const e = explainContainer(DEFAULT, FACTS);
      expect(e.steps.map((s) => s.id)).toEqual(expect.arrayContaining(['apparmor-load', 'apparmor']));
      expect(e.sharing.find((row) => row.what.includes('AppArmor'))).toMatchObject({ status: 'limited', detail: 'confined by the profile haco-default' });
    });
  },
  [staticLauncher],
);
