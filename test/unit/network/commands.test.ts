import { linkDeleteCommand, networkCleanupSteps, networkWireCommands, networkWireSteps, shQuote, temporaryGuestName } from '../../../src/network/commands';
import { networkSpecEntries } from '../../../src/runtime/compile-network';
import type { NetworkPlan } from '../../../src/plan/types';
import { parseSpec, renderSpec } from '../../../src/runtime/spec-format';

const tools = { ip: '/usr/sbin/ip', nsenter: '/usr/bin/nsenter', sh: '/bin/sh' };
const net: NetworkPlan = {
  bridge: 'hbr0',
  bridgeAddress: '10.231.0.1/24',
  address: '10.231.0.2/24',
  gateway: '10.231.0.1',
  vethHost: 'vh-web',
  vethGuest: 'eth0',
  createBridge: true,
  cleanup: true,
};
const inside = (ipArgs: string) => ['/bin/sh', '-c', `exec /usr/bin/nsenter --net=/proc/"$HACO_PID"/ns/net /usr/sbin/ip ${ipArgs}`];

describe('network wire steps', () => {
  it('builds bridge, veth pair, move, rename, address, up and route, in that order', () => {
    const tmp = temporaryGuestName(net);
    expect(networkWireSteps(net, 'web', tools)).toEqual([
      [
        '/bin/sh',
        '-c',
        `/usr/sbin/ip link add hbr0 type bridge 2>/dev/null || [ -n "$(/usr/sbin/ip -o link show type bridge dev hbr0 2>/dev/null)" ] || { echo 'cannot create bridge hbr0, or hbr0 exists and is not a bridge' >&2; exit 1; }`,
      ],
      ['/usr/sbin/ip', 'addr', 'replace', '10.231.0.1/24', 'dev', 'hbr0'],
      ['/usr/sbin/ip', 'link', 'set', 'hbr0', 'up'],
      ['/bin/sh', '-c', `/usr/sbin/ip link add vh-web type veth peer name ${tmp} || exit 1; /usr/sbin/ip link set dev vh-web alias haco:web || { /usr/sbin/ip link del dev vh-web; exit 1; }`],
      ['/usr/sbin/ip', 'link', 'set', 'vh-web', 'master', 'hbr0'],
      ['/usr/sbin/ip', 'link', 'set', 'vh-web', 'up'],
      ['/bin/sh', '-c', `exec /usr/sbin/ip link set ${tmp} netns "$HACO_PID"`],
      inside(`link set ${tmp} name eth0`),
      inside('addr add 10.231.0.2/24 dev eth0'),
      inside('link set eth0 up'),
      inside('route add default via 10.231.0.1 dev eth0'),
    ]);
  });

  it('uses a temporary guest name that is a valid, host-unique interface name', () => {
    const tmp = temporaryGuestName(net);
    expect(tmp).toMatch(/^hg[0-9a-f]{10}$/);
    expect(tmp.length).toBeLessThanOrEqual(15);
    expect(tmp).not.toBe(temporaryGuestName({ ...net, vethHost: 'vh-db' }));
    expect(temporaryGuestName({ ...net, vethGuest: 'eth1' })).toBe(tmp);
  });

  it('leaves an existing bridge alone without createBridge, and omits the route without a gateway', () => {
    const steps = networkWireSteps({ ...net, createBridge: false, gateway: undefined }, 'web', tools);
    expect(steps[0]![2]).toContain('link add vh-web type veth');
    expect(steps.some((s) => s.join(' ').includes('type bridge'))).toBe(false);
    expect(steps.some((s) => s.join(' ').includes('route'))).toBe(false);
    expect(steps).toHaveLength(7);
  });

  it('only uses a shell where $HACO_PID is needed, and every argv[0] is absolute (the launcher uses execv)', () => {
    for (const c of networkWireCommands(net, 'web', tools)) {
      expect(c.argv[0]!.startsWith('/')).toBe(true);
      expect(c.why.length).toBeGreaterThan(0);
      if (c.argv[0] === '/bin/sh') expect(c.argv[2]).toMatch(/HACO_PID|type bridge|alias haco:web/);
    }
  });

  it('quotes anything a shell could split', () => {
    expect(shQuote('eth0')).toBe('eth0');
    expect(shQuote("a b'c")).toBe(`'a b'\\''c'`);
    expect(shQuote('$(reboot)')).toBe("'$(reboot)'");
  });
});

describe('network cleanup steps', () => {
  it('deletes the host veth only when it carries this container\'s tag, succeeding when the kernel already removed it', () => {
    expect(networkCleanupSteps(net, 'web', tools)).toEqual([linkDeleteCommand('vh-web', 'web', tools)]);
    expect(linkDeleteCommand('vh-web', 'web', tools)).toEqual([
      '/bin/sh',
      '-c',
      `/usr/sbin/ip -j link show dev vh-web 2>/dev/null | grep -qF '"ifalias":"haco:web"' || exit 0; /usr/sbin/ip link del dev vh-web 2>/dev/null || ! /usr/sbin/ip link show dev vh-web >/dev/null 2>&1`,
    ]);
  });

  it('emits nothing when cleanup is off', () => {
    expect(networkCleanupSteps({ ...net, cleanup: false }, 'web', tools)).toEqual([]);
  });
});

describe('network spec entries', () => {
  it('become hook and cleanup-cmd steps that survive the spec encoding', () => {
    const { wire, cleanup } = networkSpecEntries(net, 'web', tools);
    const spec = renderSpec([...cleanup, { kind: 'step', step: 'spawn', fields: ['net'] }, ...wire, { kind: 'step', step: 'release', fields: [] }]);
    expect(spec.text).toContain('# inside: address 10.231.0.2/24');
    const steps = parseSpec(spec.text);
    expect(steps[0]).toMatchObject({ step: 'cleanup-cmd', fields: networkCleanupSteps(net, 'web', tools)[0] });
    const hooks = steps.filter((s) => s.step === 'hook').map((s) => s.fields);
    expect(hooks).toEqual(networkWireSteps(net, 'web', tools));
    expect(steps[steps.length - 1]!.step).toBe('release');
  });
});
