import { defineContainer } from 'haco';
import type { HostLink } from '../../../src/network/host';
import { checkHostNetwork, networkPreflight, type HostNetworkFacts } from '../../../src/network/preflight';
import type { RunningNetwork } from '../../../src/network/running';
import { buildPlan } from '../../../src/plan/build';
import type { ContainerPlan } from '../../../src/plan/types';
import { HacoError } from '../../../src/errors';

function container(builder: ReturnType<typeof defineContainer>): ContainerPlan {
  const built = buildPlan('/tmp/net.haco.ts', builder);
  if ('notContainers' in built) throw new Error(built.notContainers);
  return built.plan.containers[0]!;
}
const web = (createBridge = true) => container(defineContainer('web').network({ bridge: 'hbr0', bridgeAddress: '10.231.0.1/24', address: '10.231.0.2/24', createBridge }));
const link = (name: string, extra: Partial<HostLink> = {}): HostLink => ({ name, kind: undefined, master: undefined, up: true, ipv4: [], ...extra });
const facts = (links: HostLink[], running: RunningNetwork[] = [], missing: string[] = []): HostNetworkFacts => ({
  links: [link('lo', { ipv4: ['127.0.0.1/8'] }), ...links],
  running,
  exists: (p) => !missing.includes(p),
});
const codes = (c: ContainerPlan, f: HostNetworkFacts) => checkHostNetwork(c, f).map((p) => p.code);

describe('host network preflight', () => {
  it('passes on a clean host, with or without the bridge', () => {
    expect(codes(web(), facts([]))).toEqual([]);
    expect(codes(web(), facts([link('hbr0', { kind: 'bridge', ipv4: ['10.231.0.1/24'] })]))).toEqual([]);
  });

  it('reports a missing bridge without auto-create, with the command that makes it', () => {
    const [p] = checkHostNetwork(web(false), facts([]));
    expect(p).toMatchObject({ code: 'E_NO_BRIDGE', hint: 'create it: haco net bridge create hbr0 --address 10.231.0.1/24' });
  });

  it('reports a bridge name taken by another kind of link, and a bridge without the subnet', () => {
    expect(codes(web(), facts([link('hbr0', { kind: 'veth' })]))).toEqual(['E_NOT_A_BRIDGE']);
    expect(codes(web(false), facts([link('hbr0', { kind: 'bridge', ipv4: ['10.99.0.1/24'] })]))).toEqual(['E_BRIDGE_SUBNET']);
  });

  it('reports a veth name that already exists, naming the running container that owns it', () => {
    const running: RunningNetwork[] = [{ container: 'old', address: '10.231.0.9/24', bridge: 'hbr0', vethHost: 'vh-web' }];
    const [p] = checkHostNetwork(web(), facts([link('vh-web', { kind: 'veth', master: 'hbr0' })], running));
    expect(p).toMatchObject({ code: 'E_VETH_EXISTS' });
    expect(p!.message).toContain('running container "old"');
  });

  it('reports an address used by a running container or by a host link', () => {
    const running: RunningNetwork[] = [{ container: 'db', address: '10.231.0.2/24', bridge: 'hbr0', vethHost: 'vh-db' }];
    const [p] = checkHostNetwork(web(), facts([], running));
    expect(p).toMatchObject({ code: 'E_ADDRESS_IN_USE', message: 'address 10.231.0.2 of "web" is already used by the running container "db"' });
    expect(codes(web(), facts([link('hbr0', { kind: 'bridge', ipv4: ['10.231.0.1/24', '10.231.0.2/24'] })]))).toEqual(['E_ADDRESS_IN_USE']);
  });

  it('reports missing tools and a missing namespace to join', () => {
    expect(codes(web(), facts([], [], ['/usr/sbin/ip']))).toEqual(['E_NO_TOOL']);
    const joiner = container(defineContainer('j').joinNetns('blue'));
    const [p] = checkHostNetwork(joiner, facts([], [], ['/var/run/netns/blue']));
    expect(p).toMatchObject({ code: 'E_NO_NETNS', hint: 'create it first: ip netns add blue' });
  });

  it('throws one HacoError naming every problem', async () => {
    const probe = { links: async () => [link('hbr0', { kind: 'dummy' }), link('vh-web', { kind: 'veth' })] };
    const error = await networkPreflight(web(), { probe, runDir: '/nonexistent' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HacoError);
    expect((error as HacoError).code).toBe('E_NOT_A_BRIDGE');
    expect((error as HacoError).message).toContain('also: a link named vh-web');
    await expect(networkPreflight(container(defineContainer('plain')), { probe })).resolves.toBeUndefined();
  });
});
