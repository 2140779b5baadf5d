import { networkCleanupSteps, networkWireSteps } from '../../../src/network/commands';
import type { NetworkPlan } from '../../../src/plan/types';
import { compileLaunchSpec } from '../../../src/runtime/compile';
import type { HostFacts } from '../../../src/runtime/host-facts';
import { parseSpec } from '../../../src/runtime/spec-format';
import { planFixture } from '../../support/plan-fixture';

const facts: HostFacts = {
  cgroup: { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpu', 'memory', 'pids'] } },
  uid: 0,
  kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: true },
  pathKind: () => 'directory',
};
const network: NetworkPlan = {
  bridge: 'haco0',
  bridgeAddress: '10.88.0.1/24',
  address: '10.88.0.2/24',
  gateway: '10.88.0.1',
  vethHost: 'vh-demo',
  vethGuest: 'eth0',
  createBridge: true,
  cleanup: true,
};

describe('the compiler emits the network steps', () => {
  const plan = planFixture({ namespaces: { unshare: ['mount', 'uts', 'ipc', 'pid', 'net'] }, network });
  const spec = { ...compileLaunchSpec(plan, facts), container: plan.name };
  const steps = parseSpec(spec.text);
  const at = (name: string) => steps.findIndex((s) => s.step === name);

  it('puts every wire command as a hook between spawn and release, in order', () => {
    const hooks = steps.map((s, i) => ({ s, i })).filter(({ s }) => s.step === 'hook');
    expect(hooks.map(({ s }) => s.fields)).toEqual(networkWireSteps(network, spec.container));
    for (const { i } of hooks) {
      expect(i).toBeGreaterThan(at('spawn'));
      expect(i).toBeLessThan(at('release'));
    }
    expect(at('lo-up')).toBeGreaterThan(at('release'));
  });

  it('deletes the host veth as a cleanup-cmd, and comments each step for learners', () => {
    expect(steps.filter((s) => s.step === 'cleanup-cmd').map((s) => s.fields)).toEqual(networkCleanupSteps(network, spec.container));
    expect(at('cleanup-cmd')).toBeLessThan(at('spawn'));
    expect(spec.text).toContain('# inside: default route via 10.88.0.1');
  });

  it('emits nothing network-related without a network', () => {
    const plain = parseSpec(compileLaunchSpec(planFixture(), facts).text);
    expect(plain.some((s) => s.step === 'hook' || s.step === 'cleanup-cmd')).toBe(false);
  });
});

describe('outbound NAT (nat: true)', () => {
  const nat = { ...network, nat: true };
  it('turns forwarding on, then a masquerade rule in a chain of the container\'s own, after the wiring', () => {
    const wire = networkWireSteps(nat, 'demo');
    const tail = wire.slice(-5).map((argv) => argv.slice(-1)[0]);
    expect(tail).toEqual([
      'read -r f < /proc/sys/net/ipv4/ip_forward && [ "$f" = 1 ] || echo 1 > /proc/sys/net/ipv4/ip_forward',
      'add table ip haco',
      'add chain ip haco nat-demo { type nat hook postrouting priority srcnat ; policy accept ; }',
      'flush chain ip haco nat-demo',
      'add rule ip haco nat-demo ip saddr 10.88.0.2 oifname != haco0 masquerade',
    ]);
    expect(networkWireSteps(network, 'demo').some((argv) => argv.join(' ').includes('masquerade'))).toBe(false);
  });

  it('deletes exactly that chain at exit, tolerating that it is gone', () => {
    const cleanup = networkCleanupSteps(nat, 'demo').map((argv) => argv.join(' '));
    expect(cleanup[0]).toContain("'flush chain ip haco nat-demo ; delete chain ip haco nat-demo'");
    expect(networkCleanupSteps(network, 'demo').some((argv) => argv.join(' ').includes('nat-'))).toBe(false);
  });
});
