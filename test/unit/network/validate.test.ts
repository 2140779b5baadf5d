import { defineContainer } from 'haco';
import type { NetworkOptions } from '../../../src/dsl/container';
import { isInterfaceName, validateNetworkPlan, validatePlanNetworks } from '../../../src/plan/network-validate';
import { buildPlan } from '../../../src/plan/build';
import type { NetworkPlan, Plan } from '../../../src/plan/types';

const base: NetworkPlan = {
  bridge: 'hbr0',
  bridgeAddress: '10.231.0.1/24',
  address: '10.231.0.2/24',
  gateway: '10.231.0.1',
  vethHost: 'vh-a',
  vethGuest: 'eth0',
  createBridge: true,
  cleanup: true,
};
const messages = (net: Partial<NetworkPlan>) => validateNetworkPlan({ ...base, ...net }).map((i) => i.message);

function planOf(...nets: Array<[string, NetworkOptions]>): Plan {
  const built = buildPlan('/tmp/net.haco.ts', nets.map(([name, options]) => defineContainer(name).network(options)));
  if ('notContainers' in built) throw new Error(built.notContainers);
  return built.plan;
}

describe('one container network', () => {
  it('accepts a plain bridged network', () => {
    expect(messages({})).toEqual([]);
  });

  it('refuses a container outside the bridge subnet, with a hint inside it', () => {
    const issues = validateNetworkPlan({ ...base, address: '10.231.1.2/24' });
    expect(issues[0]).toMatchObject({ path: 'network', message: 'address 10.231.1.2/24 is not in the bridge\'s subnet 10.231.0.0/24' });
    expect(issues[0]!.hint).toContain('10.231.0.2/24');
    expect(messages({ address: '10.231.0.2/16' })[0]).toContain('not in the bridge\'s subnet');
  });

  it('refuses the bridge address, network and broadcast addresses', () => {
    expect(messages({ address: '10.231.0.1/24' })).toEqual(['address 10.231.0.1/24 is the bridge\'s own address']);
    expect(messages({ address: '10.231.0.0/24' })).toEqual(['address 10.231.0.0/24 is the network address of 10.231.0.0/24']);
    expect(messages({ address: '10.231.0.255/24' })).toEqual(['address 10.231.0.255/24 is the broadcast address of 10.231.0.0/24']);
    expect(messages({ bridgeAddress: '10.231.0.1/31', address: '10.231.0.0/31' })[0]).toContain('no room for containers');
  });

  it('checks the gateway', () => {
    expect(messages({ gateway: '10.231.9.1' })[0]).toContain('is not in the container\'s subnet');
    expect(messages({ gateway: '10.231.0.2' })[0]).toContain('the container\'s own address');
    expect(messages({ gateway: 'gw' })[0]).toContain('not an IPv4 address');
  });

  it('checks names', () => {
    expect(messages({ vethHost: 'hbr0' })[0]).toContain('same name as the bridge');
    expect(messages({ vethGuest: 'lo' })[0]).toContain('"lo"');
    expect(isInterfaceName('eth0')).toBe(true);
    expect(isInterfaceName('a-sixteen-chars!')).toBe(false);
    expect(isInterfaceName('a:b')).toBe(false);
    expect(isInterfaceName('')).toBe(false);
  });

  it('skips subnet checks for malformed CIDRs (plan/validate reports the syntax)', () => {
    expect(messages({ address: '10.231.0.2' })).toEqual([]);
  });
});

describe('networks across the containers of one file', () => {
  const net = (address: string, extra: Partial<NetworkOptions> = {}): NetworkOptions => ({ bridge: 'hbr0', bridgeAddress: '10.231.0.1/24', address, ...extra });

  it('accepts two containers on one bridge', () => {
    expect(validatePlanNetworks(planOf(['a', net('10.231.0.2/24')], ['b', net('10.231.0.3/24')]))).toEqual([]);
  });

  it('refuses two containers with the same address', () => {
    const issues = validatePlanNetworks(planOf(['a', net('10.231.0.2/24')], ['b', net('10.231.0.2/24')]));
    expect(issues).toEqual([expect.objectContaining({ container: 1, message: 'address 10.231.0.2 is also the address of "a"' })]);
  });

  it('refuses one bridge with two addresses, overlapping bridges, and a shared veth name', () => {
    const plan = planOf(
      ['a', net('10.231.0.2/24', { vethHost: 'vh-x' })],
      ['b', net('10.231.0.3/24', { bridgeAddress: '10.231.0.254/24' })],
      ['c', net('10.231.0.4/25', { bridge: 'hbr1', bridgeAddress: '10.231.0.1/25' })],
      ['d', net('10.231.5.2/24', { bridge: 'hbr2', bridgeAddress: '10.231.5.1/24', vethHost: 'vh-x' })],
    );
    const text = validatePlanNetworks(plan).map((i) => `${i.container}: ${i.message}`);
    expect(text).toEqual([
      '1: bridge hbr0 has address 10.231.0.254/24 here but 10.231.0.1/24 in "a"',
      '2: bridge hbr1 (10.231.0.0/25) overlaps bridge hbr0 (10.231.0.0/24) of "a"',
      '3: vethHost "vh-x" is also used by "a"',
    ]);
  });

  it('is part of plan building, so haco validate reports it with the container', () => {
    const built = buildPlan('/tmp/net.haco.ts', [defineContainer('a').network(net('10.231.3.2/24')), defineContainer('b').network(net('10.231.0.3/24'))]);
    if ('notContainers' in built) throw new Error(built.notContainers);
    expect(built.issues.map((i) => i.message)).toContain("address 10.231.3.2/24 is not in the bridge's subnet 10.231.0.0/24");
  });

  it('gives default veth names that fit in 15 characters', () => {
    const plan = planOf(['a-rather-long-container-name', net('10.231.0.2/24')]);
    expect(plan.containers[0]!.network!.vethHost.length).toBeLessThanOrEqual(15);
  });
});
