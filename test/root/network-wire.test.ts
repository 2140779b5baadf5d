// The network wire and cleanup commands, run for real as the launcher would run them (HACO_PID set,
// argv executed directly), against `unshare --net sleep` processes standing in for containers.
// Everything happens inside a network namespace this test creates (haco-nettest-RANDOM): the bridge, the
// veths, the pings. The host's own namespace is never touched, and the namespace is deleted at the end.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { networkCleanupSteps, networkWireSteps, temporaryGuestName } from '../../src/network/commands';
import { resolveNetworkTools } from '../../src/network/tools';
import type { NetworkPlan } from '../../src/plan/types';
import { nsId, nsIdOf } from '../support/procs';

jest.setTimeout(60_000);

const isRoot = process.getuid?.() === 0;
const describeRoot = isRoot ? describe : describe.skip;
const NS = `haco-nettest-${randomBytes(4).toString('hex')}`;
const tools = resolveNetworkTools();

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Run argv inside the test namespace (never in the host's). */
function inNs(argv: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync('ip', ['netns', 'exec', NS, ...argv], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 });
  return { status: r.status ?? 128, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function mustInNs(argv: string[], env: Record<string, string> = {}): string {
  const r = inNs(argv, env);
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Run argv inside a stand-in container's own net namespace (entered from the test namespace). */
function inContainer(pid: number, argv: string[]): Run {
  return inNs(['nsenter', `--net=/proc/${pid}/ns/net`, ...argv]);
}

const sleepers: ChildProcess[] = [];

/** A process in a new net namespace created from inside the test namespace: what `spawn` gives the launcher. */
async function standIn(): Promise<number> {
  // Namespaces compared by nsfs inode (stat): the test namespace's bind mount against the child's /proc link.
  const testNs = nsId(`/run/netns/${NS}`);
  // ip netns exec and unshare both exec (no fork), so the child's pid ends up being sleep's.
  const child = spawn('ip', ['netns', 'exec', NS, 'unshare', '--net', 'sleep', '30'], { stdio: 'ignore' });
  sleepers.push(child);
  const pid = child.pid!;
  for (let i = 0; i < 200; i++) {
    try {
      const { readFileSync } = await import('node:fs');
      const own = nsIdOf(pid, 'net');
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep' && own !== undefined && own !== testNs) return pid;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the stand-in container did not start');
}

async function stop(pid: number): Promise<void> {
  const child = sleepers.find((c) => c.pid === pid)!;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** Each step as the launcher runs it: argv as is, HACO_PID in the environment, must exit 0. */
function runSteps(steps: string[][], pid?: number): void {
  for (const argv of steps) {
    const r = inNs(argv, pid === undefined ? {} : { HACO_PID: String(pid) });
    if (r.status !== 0) throw new Error(`step ${JSON.stringify(argv)} failed (${r.status}): ${r.stderr}`);
  }
}

const links = () => mustInNs(['ip', '-o', 'link', 'show']).split('\n').filter(Boolean).map((l) => l.split(': ')[1]!.split('@')[0]!);

const net = (name: string, address: string, extra: Partial<NetworkPlan> = {}): NetworkPlan => ({
  bridge: 'hbr0',
  bridgeAddress: '10.231.0.1/24',
  address,
  gateway: '10.231.0.1',
  vethHost: `vh-${name}`,
  vethGuest: 'eth0',
  createBridge: true,
  cleanup: true,
  ...extra,
});

describeRoot('network wiring in a private test namespace', () => {
  beforeAll(() => {
    const r = spawnSync('ip', ['netns', 'add', NS], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip netns add ${NS}: ${r.stderr}`);
  });

  afterAll(() => {
    for (const c of sleepers) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', NS]);
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(NS);
  });

  it('wires two containers to one bridge: addresses, routes, and they reach each other and the bridge', async () => {
    const a = await standIn();
    const b = await standIn();
    const netA = net('a', '10.231.0.2/24');
    const netB = net('b', '10.231.0.3/24');
    runSteps(networkWireSteps(netA, 'a', tools), a);
    runSteps(networkWireSteps(netB, 'b', tools), b); // the bridge steps find it there and change nothing

    const bridge = JSON.parse(mustInNs(['ip', '-j', '-d', 'addr', 'show', 'dev', 'hbr0'])) as Array<{ operstate: string; addr_info: Array<{ local: string; prefixlen: number }>; linkinfo: { info_kind: string } }>;
    expect(bridge[0]!.linkinfo.info_kind).toBe('bridge');
    expect(bridge[0]!.addr_info.map((i) => `${i.local}/${i.prefixlen}`)).toContain('10.231.0.1/24');
    expect(mustInNs(['bridge', 'link', 'show'])).toMatch(/vh-a.*master hbr0[\s\S]*vh-b.*master hbr0/);
    // The temporary guest names never stay in the namespace the bridge lives in.
    expect(links()).not.toContain(temporaryGuestName(netA));

    const inA = JSON.parse(inContainer(a, ['ip', '-j', 'addr', 'show', 'dev', 'eth0']).stdout) as Array<{ addr_info: Array<{ family: string; local: string }>; flags: string[] }>;
    expect(inA[0]!.flags).toContain('UP');
    expect(inA[0]!.addr_info.filter((i) => i.family === 'inet').map((i) => i.local)).toEqual(['10.231.0.2']);
    expect(inContainer(a, ['ip', 'route', 'show', 'default']).stdout).toContain('default via 10.231.0.1 dev eth0');

    const ping = (pid: number, target: string) => inContainer(pid, ['busybox', 'ping', '-c', '1', '-W', '1', target]);
    expect(ping(a, '10.231.0.3')).toExitWith(0);
    expect(ping(b, '10.231.0.2')).toExitWith(0);
    expect(ping(a, '10.231.0.1')).toExitWith(0);
    expect(inNs(['busybox', 'ping', '-c', '1', '-W', '1', '10.231.0.3'])).toExitWith(0);

    // Cleanup after a container's namespace died: the kernel already removed the pair; the step still succeeds.
    await stop(a);
    for (let i = 0; i < 100 && links().includes('vh-a'); i++) await new Promise((r) => setTimeout(r, 20));
    runSteps(networkCleanupSteps(netA, 'a', tools));
    // Cleanup while the veth still exists deletes it, and running it twice is fine.
    runSteps(networkCleanupSteps(netB, 'b', tools));
    runSteps(networkCleanupSteps(netB, 'b', tools));
    await stop(b);
    expect(links().sort()).toEqual(['hbr0', 'lo']);
  });

  it('refuses a missing bridge when it must not create it, and a bridge name held by another kind of link', async () => {
    const c = await standIn();
    // Without createBridge the first step is the veth, whose `master` step fails on the missing bridge.
    expect(() => runSteps(networkWireSteps(net('c', '10.231.1.2/24', { bridge: 'hbr9', bridgeAddress: '10.231.1.1/24', gateway: '10.231.1.1', createBridge: false }), 'c', tools), c)).toThrow(/master.*hbr9/);
    runSteps(networkCleanupSteps(net('c', '10.231.1.2/24'), 'c', tools));
    mustInNs(['ip', 'link', 'add', 'notbr', 'type', 'veth', 'peer', 'name', 'notbr-p']);
    expect(() => runSteps(networkWireSteps(net('d', '10.231.2.2/24', { bridge: 'notbr', bridgeAddress: '10.231.2.1/24', gateway: '10.231.2.1' }), 'd', tools), c)).toThrow(/notbr exists and is not a bridge/);
    mustInNs(['ip', 'link', 'del', 'notbr']);
    await stop(c);
    expect(links().sort()).toEqual(['hbr0', 'lo']);
  });

  it('a launch whose host veth name is taken fails, and its cleanup leaves the other container\'s veth and port forwards alone', async () => {
    const a = await standIn();
    const b = await standIn();
    const ports = [{ host: 18080, container: 80, protocol: 'tcp' as const }];
    const netA = net('x', '10.231.0.12/24', { ports });
    // "y" chose (or was given) the same host veth name as "x": both want vh-x.
    const netB = net('x', '10.231.0.13/24', { ports: [{ host: 18081, container: 80, protocol: 'tcp' as const }] });
    runSteps(networkWireSteps(netA, 'x', tools), a);
    expect(() => runSteps(networkWireSteps(netB, 'y', tools), b)).toThrow(/File exists/);
    runSteps(networkCleanupSteps(netB, 'y', tools)); // what the failed launch's launcher runs
    expect(links()).toContain('vh-x');
    expect(mustInNs(['ip', '-j', 'link', 'show', 'dev', 'vh-x'])).toContain('"ifalias":"haco:x"');
    expect(mustInNs(['nft', 'list', 'chain', 'ip', 'haco', 'pre-x'])).toContain('dport 18080 dnat to 10.231.0.12:80');
    expect(inNs(['nft', 'list', 'chain', 'ip', 'haco', 'pre-y']).status).not.toBe(0);
    // x's own cleanup removes what x made.
    runSteps(networkCleanupSteps(netA, 'x', tools));
    expect(links()).not.toContain('vh-x');
    expect(inNs(['nft', 'list', 'chain', 'ip', 'haco', 'pre-x']).status).not.toBe(0);
    await stop(a);
    await stop(b);
    mustInNs(['nft', 'delete', 'table', 'ip', 'haco']);
    expect(links().sort()).toEqual(['hbr0', 'lo']);
  });
});
