import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createBridge, removeBridge, listBridges } from '../../../src/network/bridge';
import { parseIpJson, type HostLink } from '../../../src/network/host';
import { runningNetworks } from '../../../src/network/running';
import { procStartTime } from '../../../src/state/proc';

describe('ip -j parsing', () => {
  it('merges links and IPv4 addresses', () => {
    const links = JSON.stringify([
      { ifname: 'lo', flags: ['LOOPBACK', 'UP'] },
      { ifname: 'hbr0', flags: ['BROADCAST', 'UP'], linkinfo: { info_kind: 'bridge' } },
      { ifname: 'vh-a', flags: ['BROADCAST'], master: 'hbr0', linkinfo: { info_kind: 'veth' } },
    ]);
    const addrs = JSON.stringify([
      { ifname: 'hbr0', addr_info: [{ family: 'inet', local: '10.231.0.1', prefixlen: 24 }, { family: 'inet6', local: 'fe80::1', prefixlen: 64 }] },
    ]);
    expect(parseIpJson(links, addrs)).toEqual([
      { name: 'lo', kind: undefined, master: undefined, up: true, ipv4: [] },
      { name: 'hbr0', kind: 'bridge', master: undefined, up: true, ipv4: ['10.231.0.1/24'] },
      { name: 'vh-a', kind: 'veth', master: 'hbr0', up: false, ipv4: [] },
    ]);
  });
});

/** A fake namespace that applies the `ip` commands it is given, to test idempotency without root. */
function fakeHost(initial: HostLink[]) {
  let links = initial.map((l) => ({ ...l, ipv4: [...l.ipv4] }));
  const ran: string[] = [];
  return {
    ran,
    deps: {
      probe: { links: async () => links.map((l) => ({ ...l, ipv4: [...l.ipv4] })) },
      run: async (args: readonly string[]) => {
        ran.push(args.join(' '));
        const [obj, verb, a, b, c] = args;
        if (obj === 'link' && verb === 'add') links.push({ name: a!, kind: b === 'type' ? c : undefined, master: undefined, up: false, ipv4: [] });
        else if (obj === 'addr' && verb === 'replace') links.find((l) => l.name === c)!.ipv4.push(a!);
        else if (obj === 'link' && verb === 'set' && b === 'up') links.find((l) => l.name === a)!.up = true;
        else if (obj === 'link' && verb === 'del') links = links.filter((l) => l.name !== b);
        return '';
      },
    },
  };
}

describe('haco net bridge create / rm', () => {
  it('creates once, then changes nothing', async () => {
    const host = fakeHost([]);
    const first = await createBridge('hbr0', '10.231.0.1/24', host.deps);
    expect(first).toMatchObject({ name: 'hbr0', created: true, addressAdded: true, up: true, addresses: ['10.231.0.1/24'] });
    expect(host.ran).toEqual(['link add hbr0 type bridge', 'addr replace 10.231.0.1/24 dev hbr0', 'link set hbr0 up']);
    const second = await createBridge('hbr0', '10.231.0.1/24', host.deps);
    expect(second).toMatchObject({ created: false, addressAdded: false, commands: [] });
    expect(host.ran).toHaveLength(3);
  });

  it('removes a bridge it created when a later step fails, and keeps one that existed', async () => {
    const host = fakeHost([]);
    const failing = { ...host.deps, run: async (args: readonly string[]) => (args[0] === 'addr' ? Promise.reject(new Error('RTNETLINK answers: Permission denied')) : host.deps.run(args)) };
    await expect(createBridge('hbr0', '10.231.0.1/24', failing)).rejects.toThrow(/Permission denied/);
    expect(host.ran).toEqual(['link add hbr0 type bridge', 'link del hbr0']);
    const existing = fakeHost([{ name: 'hbr1', kind: 'bridge', master: undefined, up: true, ipv4: [] }]);
    const failing2 = { ...existing.deps, run: async (args: readonly string[]) => (args[0] === 'addr' ? Promise.reject(new Error('no')) : existing.deps.run(args)) };
    await expect(createBridge('hbr1', '10.231.1.1/24', failing2)).rejects.toThrow(/no/);
    expect(existing.ran).toEqual([]);
  });

  it('refuses bad names, bad CIDRs, non-bridges and addresses or subnets in use', async () => {
    const host = fakeHost([
      { name: 'eth9', kind: undefined, master: undefined, up: true, ipv4: ['10.231.9.1/24'] },
      { name: 'dum0', kind: 'dummy', master: undefined, up: true, ipv4: [] },
    ]);
    await expect(createBridge('a-name-longer-than-15', '10.231.0.1/24', host.deps)).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(createBridge('hbr0', '10.231.0.1', host.deps)).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(createBridge('hbr0', '10.231.0.1/32', host.deps)).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(createBridge('dum0', '10.231.0.1/24', host.deps)).rejects.toMatchObject({ code: 'E_NOT_A_BRIDGE' });
    await expect(createBridge('hbr0', '10.231.9.1/24', host.deps)).rejects.toMatchObject({ code: 'E_ADDRESS_IN_USE' });
    await expect(createBridge('hbr0', '10.231.9.7/24', host.deps)).rejects.toMatchObject({ code: 'E_SUBNET_IN_USE' });
    expect(host.ran).toEqual([]);
  });

  it('removes idempotently, keeps a busy bridge without --force, never touches other links', async () => {
    const host = fakeHost([
      { name: 'hbr0', kind: 'bridge', master: undefined, up: true, ipv4: [] },
      { name: 'vh-a', kind: 'veth', master: 'hbr0', up: true, ipv4: [] },
      { name: 'dum0', kind: 'dummy', master: undefined, up: true, ipv4: [] },
    ]);
    expect(await listBridges(host.deps)).toEqual([{ name: 'hbr0', up: true, addresses: [], ports: ['vh-a'] }]);
    await expect(removeBridge('hbr0', {}, host.deps)).rejects.toMatchObject({ code: 'E_BRIDGE_BUSY' });
    await expect(removeBridge('dum0', {}, host.deps)).rejects.toMatchObject({ code: 'E_NOT_A_BRIDGE' });
    expect(await removeBridge('hbr0', { force: true }, host.deps)).toMatchObject({ removed: true, detached: ['vh-a'] });
    expect(await removeBridge('hbr0', {}, host.deps)).toMatchObject({ removed: false });
    expect(host.ran).toEqual(['link del dev hbr0']);
  });
});

describe('running containers state', () => {
  it('reads networks from /run/haco/NAME (the supervisor\'s state + plan.json), skipping dead or reused pids and foreign files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-run-'));
    try {
      const write = (name: string, file: string, content: string) => {
        fs.mkdirSync(path.join(dir, name), { recursive: true });
        fs.writeFileSync(path.join(dir, name, file), content);
      };
      const me = `supervisor=${process.pid}\nsupervisor_start=${procStartTime(process.pid)}\npid=${process.pid}\npid_start=${procStartTime(process.pid)}\n`;
      write('alive', 'state', `name=alive\nstatus=running\n${me}`);
      write('alive', 'plan.json', JSON.stringify({ network: { address: '10.231.0.2/24', bridge: 'hbr0', vethHost: 'vh-alive' } }));
      write('planned', 'state', `name=planned\nstatus=starting\n${me}`);
      write('planned', 'plan.json', JSON.stringify({ network: { address: '10.231.0.3/24', bridge: 'hbr0', vethHost: 'vh-planned' } }));
      write('dead', 'state', `name=dead\nstatus=running\nsupervisor=${2 ** 22 + 1}\n`);
      write('dead', 'plan.json', JSON.stringify({ network: { address: '10.231.0.4/24' } }));
      // Our pid, but another start time: the pid was reused, the container is gone.
      write('reused', 'state', `name=reused\nstatus=running\nsupervisor=${process.pid}\nsupervisor_start=1\n`);
      write('reused', 'plan.json', JSON.stringify({ network: { address: '10.231.0.5/24' } }));
      write('junk', 'state', `name=junk\nstatus=running\n${me}`);
      write('junk', 'plan.json', '{not json');
      write('nonet', 'state', `name=nonet\nstatus=running\n${me}`);
      write('nonet', 'plan.json', JSON.stringify({ name: 'nonet' }));
      expect(runningNetworks(dir)).toEqual([
        { container: 'alive', address: '10.231.0.2/24', bridge: 'hbr0', vethHost: 'vh-alive' },
        { container: 'planned', address: '10.231.0.3/24', bridge: 'hbr0', vethHost: 'vh-planned' },
      ]);
      expect(runningNetworks(path.join(dir, 'missing'))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the launcher\'s layout: plan.json for the network, the state file for whether it runs; HACO_RUN_DIR', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-run-'));
    const saved = process.env['HACO_RUN_DIR'];
    try {
      const container = (name: string, address: string, state: string) => {
        fs.mkdirSync(path.join(dir, name), { recursive: true });
        fs.writeFileSync(path.join(dir, name, 'plan.json'), JSON.stringify({ name, network: { address, bridge: 'hbr0', vethHost: `vh-${name}` } }));
        fs.writeFileSync(path.join(dir, name, 'state'), state);
      };
      const start = procStartTime(process.pid);
      container('up', '10.231.0.2/24', `name=up\nstatus=running\nsupervisor=${process.pid}\nsupervisor_start=${start}\npid=${process.pid}\npid_start=${start}\n`);
      container('done', '10.231.0.3/24', `name=done\nstatus=exited\nsupervisor=${process.pid}\npid=0\nexit_code=0\n`);
      container('killed', '10.231.0.4/24', `name=killed\nstatus=running\nsupervisor=${2 ** 22 + 1}\npid=${2 ** 22 + 2}\n`);
      const expected = [{ container: 'up', address: '10.231.0.2/24', bridge: 'hbr0', vethHost: 'vh-up' }];
      expect(runningNetworks(dir)).toEqual(expected);
      process.env['HACO_RUN_DIR'] = dir;
      expect(runningNetworks()).toEqual(expected);
    } finally {
      if (saved === undefined) delete process.env['HACO_RUN_DIR'];
      else process.env['HACO_RUN_DIR'] = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
