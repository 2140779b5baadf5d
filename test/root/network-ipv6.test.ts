// IPv6 next to IPv4 on a bridged network (.network({ bridgeAddress6, address6 })): `haco start` runs inside a
// network namespace this test creates (nsenter, as network-start.test.ts does), with a second namespace
// playing "outside" that knows no route back to the bridge's v6 subnet. The container has both addresses
// and both default routes, reaches the bridge over IPv6, and reaches "outside" over IPv6 only through the
// masquerade of `nat: true` (nft table ip6 haco), whose chain goes at exit. About 15 s.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { HACO_BIN, REPO } from '../support/cli';
import { describeStart, makeWorkspace, type Workspace } from '../support/rootfs';

jest.setTimeout(90_000);

const tag = randomBytes(3).toString('hex');
const NS = `parity-v6-${tag}`;
const OUT = `parity-v6-${tag}-o`;
const BRIDGE = `pv6${tag}`;

let ws: Workspace;
let env: Record<string, string>;

function inNs(ns: string, argv: string[]): { status: number; stdout: string; stderr: string; command: string[] } {
  const r = spawnSync('nsenter', [`--net=/run/netns/${ns}`, ...argv], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status ?? 128, stdout: r.stdout ?? '', stderr: r.stderr ?? '', command: argv };
}

function hacoIn(args: string[]): { status: number; stdout: string; stderr: string; command: string[] } {
  const r = spawnSync('nsenter', [`--net=/run/netns/${NS}`, HACO_BIN, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env }, encoding: 'utf8', input: '', timeout: 60_000 });
  return { status: r.status ?? 128, stdout: r.stdout ?? '', stderr: r.stderr ?? '', command: ['haco', ...args] };
}

function ip(ns: string, argv: string[]): void {
  const r = inNs(ns, ['ip', ...argv]);
  if (r.status !== 0) throw new Error(`ip ${argv.join(' ')} in ${ns}: ${r.stderr}`);
}

describeStart('haco start: IPv6 next to IPv4 on a bridge, with NAT', () => {
  beforeAll(() => {
    ws = makeWorkspace('parity-v6');
    env = { ...ws.env, HACO_RUN_DIR: path.join(ws.dir, 'run') };
    for (const ns of [NS, OUT]) {
      const r = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`ip netns add ${ns}: ${r.stderr}`);
    }
    // "Outside": 2001:db8:6::/64 between the test namespace (the "host") and OUT, which has no route to fd88:.
    ip(NS, ['link', 'add', 'exo0', 'type', 'veth', 'peer', 'name', 'exo1', 'netns', OUT]);
    ip(NS, ['-6', 'addr', 'add', '2001:db8:6::1/64', 'dev', 'exo0', 'nodad']);
    ip(NS, ['link', 'set', 'exo0', 'up']);
    ip(OUT, ['-6', 'addr', 'add', '2001:db8:6::2/64', 'dev', 'exo1', 'nodad']);
    ip(OUT, ['link', 'set', 'exo1', 'up']);
  });

  afterAll(() => {
    for (const ns of [NS, OUT]) spawnSync('ip', ['netns', 'del', ns]);
    ws?.cleanup();
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(NS);
  });

  test('both addresses and default routes inside; ping6 to the bridge; NAT to "outside"; nothing left at exit', () => {
    const name = `pv6-${tag}`;
    const file = ws.define(
      name,
      `.addCaps('net_raw').network({ bridge: '${BRIDGE}', bridgeAddress: '10.236.0.1/24', address: '10.236.0.2/24', ` +
        `bridgeAddress6: 'fd88:236::1/64', address6: 'fd88:236::2/64', nat: true })`,
    );
    const plan = hacoIn(['plan', '--launch', file]);
    expect(plan).toExitWith(0);
    expect(plan.stdout).toContain(`hook /usr/sbin/ip -6 addr replace fd88:236::1/64 dev ${BRIDGE} nodad`);
    expect(plan.stdout).toContain(`ip6%20saddr%20fd88:236::2%20oifname%20!=%20${BRIDGE}%20masquerade`);

    const script = [
      'ip -6 -o addr show dev eth0 scope global',
      'ip -4 -o addr show dev eth0',
      'ip -6 route show default',
      'ping -6 -c1 -W2 fd88:236::1 >/dev/null && echo bridge6=ok',
      'ping -6 -c1 -W2 2001:db8:6::2 >/dev/null && echo outside6=ok',
      'ping -c1 -W2 10.236.0.1 >/dev/null && echo bridge4=ok',
    ].join('; ');
    const r = hacoIn(['start', file, '--', 'sh', '-c', script]);
    expect(r).toExitWith(0);
    expect(r.stdout).toMatch(/inet6 fd88:236::2\/64 scope global/);
    expect(r.stdout).toMatch(/inet 10\.236\.0\.2\/24/);
    expect(r.stdout).toMatch(/^default via fd88:236::1 dev eth0/m);
    expect(r.stdout).toContain('bridge6=ok');
    expect(r.stdout).toContain('outside6=ok');
    expect(r.stdout).toContain('bridge4=ok');
    // The bridge keeps its addresses (other containers may use it); the container's NAT chain is gone.
    expect(inNs(NS, ['ip', '-6', '-o', 'addr', 'show', 'dev', BRIDGE]).stdout).toContain('fd88:236::1/64');
    expect(inNs(NS, ['nft', 'list', 'table', 'ip6', 'haco']).stdout).not.toContain(`nat-${name}`);
    expect(inNs(NS, ['ip', '-o', 'link', 'show', 'master', BRIDGE]).stdout).toBe('');
  });

  test('without nat the same ping6 to "outside" gets no answer (no route back): the masquerade is what works', () => {
    const name = `pv6n-${tag}`;
    const file = ws.define(
      name,
      `.addCaps('net_raw').network({ bridge: '${BRIDGE}', bridgeAddress: '10.236.0.1/24', address: '10.236.0.3/24', bridgeAddress6: 'fd88:236::1/64', address6: 'fd88:236::3/64' })`,
    );
    const r = hacoIn(['start', file, '--', 'sh', '-c', 'ping -6 -c1 -W2 fd88:236::1 >/dev/null && echo bridge6=ok; ping -6 -c1 -W2 2001:db8:6::2 >/dev/null && echo outside6=ok; true']);
    expect(r).toExitWith(0);
    expect(r.stdout).toContain('bridge6=ok');
    expect(r.stdout).not.toContain('outside6=ok');
  });
});
