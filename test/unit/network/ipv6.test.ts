import { defineContainer } from 'haco';
import { contains6, formatIpv6, parseCidr6, parseIpv6, subnetText6 } from '../../../src/plan/cidr6';
import { networkCleanupSteps, networkWireSteps } from '../../../src/network/commands';
import { validateNetworkPlan, validatePlanNetworks } from '../../../src/plan/network-validate';
import { buildPlan } from '../../../src/plan/build';
import type { NetworkOptions } from '../../../src/dsl/container';
import type { NetworkPlan } from '../../../src/plan/types';

const tools = { ip: '/usr/sbin/ip', nsenter: '/usr/bin/nsenter', sh: '/bin/sh', nft: '/usr/sbin/nft' };
const v4: NetworkPlan = { bridge: 'hbr0', bridgeAddress: '10.231.0.1/24', address: '10.231.0.2/24', gateway: '10.231.0.1', vethHost: 'vh-web', vethGuest: 'eth0', createBridge: true, cleanup: true };
const net: NetworkPlan = { ...v4, bridgeAddress6: 'fd88::1/64', address6: 'fd88::2/64', gateway6: 'fd88::1' };
const messages = (over: Partial<NetworkPlan>) => validateNetworkPlan({ ...net, ...over }).map((i) => i.message);

describe('IPv6 addresses', () => {
  it('parses and prints addresses (RFC 5952 shortest form), refuses what is not one', () => {
    expect(formatIpv6(parseIpv6('FD88:0:0:0:0:0:0:10')!)).toBe('fd88::10');
    expect(formatIpv6(parseIpv6('2001:db8:0:1:0:0:0:1')!)).toBe('2001:db8:0:1::1');
    expect(formatIpv6(parseIpv6('::')!)).toBe('::');
    for (const bad of ['fd88::1::2', 'fd88::g', '10.0.0.1', '::ffff:1.2.3.4', 'fe80::1%eth0']) expect(parseIpv6(bad)).toBeUndefined();
    expect(parseCidr6('fd88::1')).toBeUndefined();
    expect(parseCidr6('fd88::1/129')).toBeUndefined();
    expect(subnetText6(parseCidr6('fd88::1234/64')!)).toBe('fd88::/64');
    expect(contains6(parseCidr6('fd88::1/64')!, parseIpv6('fd88::ffff:1')!)).toBe(true);
    expect(contains6(parseCidr6('fd88::1/64')!, parseIpv6('fd88:0:0:1::1')!)).toBe(false);
  });
});

describe('IPv6 network validation', () => {
  it('accepts a v6 pair next to v4, and v4 alone', () => {
    expect(messages({})).toEqual([]);
    expect(validateNetworkPlan(v4)).toEqual([]);
  });

  it('refuses half a pair, a container outside the v6 subnet, the bridge\'s own address and a gateway outside', () => {
    expect(messages({ address6: undefined })).toEqual(['IPv6 needs both bridgeAddress6 and address6 (only bridgeAddress6 is given)']);
    expect(messages({ address6: 'fd89::2/64' })).toEqual([
      "address6 fd89::2/64 is not in the bridge's IPv6 subnet fd88::/64",
      "gateway6 fd88::1 is not in the container's IPv6 subnet fd89::/64",
    ]);
    expect(messages({ address6: 'fd88::1/64' })).toContain("address6 fd88::1/64 is the bridge's own address");
    expect(messages({ gateway6: 'fd89::1' })).toEqual(["gateway6 fd89::1 is not in the container's IPv6 subnet fd88::/64"]);
    expect(messages({ address6: 'fd88::zz/64' })[0]).toMatch(/^address6 "fd88::zz\/64" is not an IPv6 CIDR/);
  });

  it('refuses two containers with one v6 address, and one bridge given two v6 addresses', () => {
    const planOf = (...nets: Array<[string, NetworkOptions]>) => {
      const built = buildPlan('/tmp/v6.haco.ts', nets.map(([name, o]) => defineContainer(name).network(o)));
      if ('notContainers' in built) throw new Error(built.notContainers);
      return built.plan;
    };
    const o = (address: string, address6: string, bridgeAddress6 = 'fd88::1/64'): NetworkOptions => ({ bridge: 'hbr0', bridgeAddress: '10.231.0.1/24', address, bridgeAddress6, address6 });
    expect(validatePlanNetworks(planOf(['a', o('10.231.0.2/24', 'fd88::2/64')], ['b', o('10.231.0.3/24', 'fd88::2/64')])).map((i) => i.message)).toEqual([
      'address6 fd88::2 is also the IPv6 address of "a"',
    ]);
    expect(validatePlanNetworks(planOf(['a', o('10.231.0.2/24', 'fd88::2/64')], ['b', o('10.231.0.3/24', 'fd88::3/64', 'fd88::9/64')])).map((i) => i.message)).toEqual([
      'bridge hbr0 has IPv6 address fd88::9/64 here but fd88::1/64 in "a"',
    ]);
  });

  it('the DSL defaults gateway6 to the bridge\'s v6 address', () => {
    const built = buildPlan('/tmp/v6.haco.ts', [defineContainer('a').network({ bridge: 'hbr0', bridgeAddress: '10.231.0.1/24', address: '10.231.0.2/24', bridgeAddress6: 'fd88::1/64', address6: 'fd88::2/64' })]);
    if ('notContainers' in built) throw new Error(built.notContainers);
    expect(built.plan.containers[0]!.network).toMatchObject({ bridgeAddress6: 'fd88::1/64', address6: 'fd88::2/64', gateway6: 'fd88::1' });
  });
});

describe('IPv6 wire and cleanup steps', () => {
  const inside = (ipArgs: string) => ['/bin/sh', '-c', `exec /usr/bin/nsenter --net=/proc/"$HACO_PID"/ns/net /usr/sbin/ip ${ipArgs}`];

  it('gives the bridge and the container their v6 address (nodad) and the container its v6 default route', () => {
    const steps = networkWireSteps(net, 'web', tools);
    expect(steps).toContainEqual(['/usr/sbin/ip', '-6', 'addr', 'replace', 'fd88::1/64', 'dev', 'hbr0', 'nodad']);
    const addr = steps.findIndex((s) => s.join(' ') === inside('-6 addr add fd88::2/64 dev eth0 nodad').join(' '));
    const route = steps.findIndex((s) => s.join(' ') === inside('-6 route add default via fd88::1 dev eth0').join(' '));
    const up = steps.findIndex((s) => s.join(' ') === inside('link set eth0 up').join(' '));
    expect(up).toBeGreaterThan(0);
    expect(addr).toBeGreaterThan(up);
    expect(route).toBeGreaterThan(addr);
    expect(networkWireSteps(v4, 'web', tools).some((s) => s.includes('-6') || s.join(' ').includes(' -6 '))).toBe(false);
  });

  it('with nat: a v6 masquerade in ip6 haco, forwarding on; its chain is deleted at exit', () => {
    const steps = networkWireSteps({ ...net, nat: true }, 'web', tools).map((s) => s.join(' '));
    expect(steps).toContain('/usr/sbin/nft add rule ip6 haco nat-web ip6 saddr fd88::2 oifname != hbr0 masquerade');
    expect(steps.some((s) => s.includes('/proc/sys/net/ipv6/conf/all/forwarding'))).toBe(true);
    const cleanup = networkCleanupSteps({ ...net, nat: true }, 'web', tools).map((s) => s.join(' '));
    expect(cleanup.some((s) => s.includes('delete chain ip6 haco nat-web'))).toBe(true);
    expect(cleanup.some((s) => s.includes('delete chain ip haco nat-web'))).toBe(true);
    expect(networkWireSteps({ ...v4, nat: true }, 'web', tools).some((s) => s.join(' ').includes('ip6'))).toBe(false);
  });
});
