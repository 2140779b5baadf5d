// Port forwarding: nftables DNAT commands computed from the plan, their cleanup, validation, the DSL
// default protocol and the launch spec.
import { defineContainer } from 'haco';
import { networkCleanupSteps, networkWireSteps, portForwardCommands } from '../../../src/network/commands';
import { checkHostNetwork } from '../../../src/network/preflight';
import { validateNetworkPlan, validatePlanNetworks } from '../../../src/plan/network-validate';
import { buildPlan } from '../../../src/plan/build';
import type { NetworkPlan, Plan } from '../../../src/plan/types';

const tools = { ip: '/usr/sbin/ip', nsenter: '/usr/bin/nsenter', sh: '/bin/sh', nft: '/usr/sbin/nft' };
const net: NetworkPlan = {
  bridge: 'hbr0',
  bridgeAddress: '10.231.0.1/24',
  address: '10.231.0.2/24',
  gateway: '10.231.0.1',
  vethHost: 'vh-web',
  vethGuest: 'eth0',
  createBridge: true,
  cleanup: true,
  ports: [
    { host: 8080, container: 80, protocol: 'tcp' },
    { host: 5353, container: 53, protocol: 'udp' },
  ],
};

function plan(...defs: ReturnType<typeof defineContainer>[]): Plan {
  const built = buildPlan('/tmp/ports.haco.ts', defs);
  if ('notContainers' in built) throw new Error(built.notContainers);
  return built.plan;
}

describe('port forwards', () => {
  it('adds the table, two chains per container and one DNAT rule per port and chain, after the veth', () => {
    const wire = networkWireSteps(net, 'web', tools);
    const nft = wire.filter((argv) => argv[0] === '/usr/sbin/nft');
    expect(nft).toEqual([
      ['/usr/sbin/nft', 'add table ip haco'],
      ['/usr/sbin/nft', 'add chain ip haco pre-web { type nat hook prerouting priority dstnat ; policy accept ; }'],
      ['/usr/sbin/nft', 'flush chain ip haco pre-web'],
      ['/usr/sbin/nft', 'add chain ip haco out-web { type nat hook output priority -100 ; policy accept ; }'],
      ['/usr/sbin/nft', 'flush chain ip haco out-web'],
      ['/usr/sbin/nft', 'add rule ip haco pre-web fib daddr type local tcp dport 8080 dnat to 10.231.0.2:80'],
      ['/usr/sbin/nft', 'add rule ip haco out-web fib daddr type local tcp dport 8080 dnat to 10.231.0.2:80'],
      ['/usr/sbin/nft', 'add rule ip haco pre-web fib daddr type local udp dport 5353 dnat to 10.231.0.2:53'],
      ['/usr/sbin/nft', 'add rule ip haco out-web fib daddr type local udp dport 5353 dnat to 10.231.0.2:53'],
    ]);
    // The forwards come last: the container's address exists by then.
    expect(wire.slice(-nft.length)).toEqual(nft);
    expect(portForwardCommands({ ...net, ports: [] }, 'web', tools)).toEqual([]);
    expect(portForwardCommands({ ...net, ports: undefined }, 'web', tools)).toEqual([]);
  });

  it('cleanup deletes both chains (tolerating that they are gone) even with cleanup: false', () => {
    const del = (chain: string) => [
      '/bin/sh',
      '-c',
      `/usr/sbin/nft 'flush chain ip haco ${chain} ; delete chain ip haco ${chain}' 2>/dev/null || ! /usr/sbin/nft list chain ip haco ${chain} >/dev/null 2>&1`,
    ];
    expect(networkCleanupSteps(net, 'web', tools)).toEqual([del('pre-web'), del('out-web'), expect.arrayContaining(['/bin/sh'])]);
    expect(networkCleanupSteps({ ...net, cleanup: false }, 'web', tools)).toEqual([del('pre-web'), del('out-web')]);
    expect(networkCleanupSteps({ ...net, ports: undefined, cleanup: false }, 'web', tools)).toEqual([]);
  });

  it('the DSL defaults the protocol to tcp and leaves ports out when there are none', () => {
    const p = plan(
      defineContainer('a').network({ bridge: 'hbr0', bridgeAddress: '10.231.0.1/24', address: '10.231.0.2/24', ports: [{ host: 8080, container: 80 }] }),
      defineContainer('b').network({ bridge: 'hbr0', bridgeAddress: '10.231.0.1/24', address: '10.231.0.3/24' }),
    );
    expect(p.containers[0]!.network!.ports).toEqual([{ host: 8080, container: 80, protocol: 'tcp' }]);
    expect(p.containers[1]!.network).not.toHaveProperty('ports');
  });

  it('validates port numbers, protocols and duplicates, in one container and across the file', () => {
    const issues = validateNetworkPlan({
      ...net,
      ports: [
        { host: 0, container: 80, protocol: 'tcp' },
        { host: 8080, container: 70000, protocol: 'tcp' },
        { host: 8081, container: 80, protocol: 'sctp' as 'tcp' },
        { host: 8080, container: 81, protocol: 'tcp' },
        { host: 8080, container: 81, protocol: 'udp' },
      ],
    });
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ['network.ports[0]', 'host port 0 is not a port number'],
      ['network.ports[1]', 'container port 70000 is not a port number'],
      ['network.ports[2]', 'protocol "sctp" is not tcp or udp'],
      ['network.ports[3]', 'tcp host port 8080 is forwarded twice (also network.ports[1])'],
    ]);
    const p = plan(
      defineContainer('a').network({ bridge: 'hbr0', bridgeAddress: '10.231.0.1/24', address: '10.231.0.2/24', ports: [{ host: 8080, container: 80 }] }),
      defineContainer('b').network({ bridge: 'hbr0', bridgeAddress: '10.231.0.1/24', address: '10.231.0.3/24', ports: [{ host: 8080, container: 80 }, { host: 8080, container: 80, protocol: 'udp' }] }),
    );
    expect(validatePlanNetworks(p).map((i) => [i.container, i.message])).toEqual([[1, 'tcp host port 8080 is also forwarded to "a"']]);
  });

  it('the preflight asks for nft only when ports are forwarded', () => {
    const c = plan(defineContainer('a').network({ bridge: 'hbr0', bridgeAddress: '10.231.0.1/24', address: '10.231.0.2/24', ports: [{ host: 8080, container: 80 }] })).containers[0]!;
    const exists = (p: string) => p !== '/usr/sbin/nft';
    expect(checkHostNetwork(c, { links: [], running: [], exists }, tools).map((p) => [p.code, p.hint])).toEqual([['E_NO_TOOL', 'apt-get install nftables']]);
    expect(checkHostNetwork({ ...c, network: { ...c.network!, ports: undefined } }, { links: [], running: [], exists }, tools)).toEqual([]);
  });
});
