// Networking end to end through `haco start`, as a user runs it: each test writes a *.haco.ts, and
// bin/haco starts it inside a network namespace this test creates (`nsenter --net=/run/netns/NS`; unlike
// `ip netns exec` it keeps the host's /sys, so /sys/fs/cgroup stays visible for the cgroup steps). The
// bridge, the veths and every packet stay in that namespace; it is deleted at the end, also on failure.
// Two containers on one bridge ping each other and the bridge; a second start with a taken address is
// refused; --trace shows every network command; nothing is left after exit nor after kill -9 of the
// launcher (the cleanup watcher); a forwarded host port (nftables DNAT) reaches httpd in a container; a
// container joining an existing netns sees its interfaces.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { networkCleanupSteps, networkWireSteps, shQuote } from '../../src/network/commands';
import type { NetworkPlan } from '../../src/plan/types';
import { HACO_BIN, REPO } from '../support/cli';
import { describeStart, makeWorkspace, type Workspace } from '../support/rootfs';
import { cmdlineOf, processesInNamespace } from '../support/procs';
import { isAlive, until } from '../support/start';

jest.setTimeout(90_000);

const tag = randomBytes(3).toString('hex');
const NS = `haco-ns-${tag}`;
const JOIN = `haco-ns-${tag}-j`;
/** Plays "outside" for the NAT test: reachable from NS only, with no route back to the bridge's subnet. */
const OUT = `haco-ns-${tag}-o`;
const BRIDGE = `hb${tag}`;
const SUBNET = '10.231.0';

let ws: Workspace;
let env: Record<string, string>;
const started: ChildProcess[] = [];

/** `ip …` (or any command) inside a namespace of this test. */
function inNs(ns: string, argv: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('nsenter', [`--net=/run/netns/${ns}`, ...argv], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status ?? 128, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Link names in the test namespace (without the @peer suffix). */
const links = (): string[] =>
  inNs(NS, ['ip', '-o', 'link', 'show'])
    .stdout.split('\n')
    .filter(Boolean)
    .map((l) => l.split(': ')[1]!.split('@')[0]!);
const veths = (): string[] => links().filter((l) => l.startsWith('vh') || l.startsWith('hg'));

/** `haco ARGS` inside the test namespace, waiting for it. */
function hacoIn(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('nsenter', [`--net=/run/netns/${NS}`, HACO_BIN, ...args], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    input: '',
    timeout: 60_000,
  });
  return { status: r.status ?? 128, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

interface Background {
  /** nsenter execs bin/haco, which execs the launcher: one pid from start to end. */
  pid: number;
  output(): string;
  waitFor(text: string): Promise<void>;
  exited: Promise<number | null>;
}

/** `haco ARGS` inside the test namespace in the background. */
function hacoInBackground(args: string[]): Background {
  const child = spawn('nsenter', [`--net=/run/netns/${NS}`, HACO_BIN, ...args], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  let done = false;
  void exited.then(() => (done = true));
  return {
    pid: child.pid!,
    output: () => output,
    exited,
    async waitFor(text) {
      await until(`"${text}" from haco (output so far: ${output})`, () => {
        if (output.includes(text)) return true;
        if (done) throw new Error(`haco exited before printing "${text}":\n${output}`);
        return undefined;
      }, 30_000);
    },
  };
}

/** A definition with a network on the test's bridge. */
function define(name: string, host: number, extra: Record<string, unknown> = {}): { file: string; name: string } {
  const full = `hn-${tag}-${name}`;
  const network = { bridge: BRIDGE, bridgeAddress: `${SUBNET}.1/24`, address: `${SUBNET}.${host}/24`, vethHost: `vh${tag}${name}`, ...extra };
  // net_raw: the containers ping each other (a raw ICMP socket; haco's default set leaves it out).
  return { file: ws.define(full, `.network(${JSON.stringify(network)}).addCaps('net_raw')`), name: full };
}

/** A container that stays up until SIGTERM (PID 1 of a pid namespace ignores signals it does not handle). */
const WAIT_FOR_TERM = ['sh', '-c', 'trap "exit 0" TERM; echo ready; sleep 60 & wait'];

describeStart(
  'haco start: networking inside a test network namespace',
  () => {
    beforeAll(() => {
      ws = makeWorkspace('net-start');
      env = { ...ws.env, HACO_RUN_DIR: path.join(ws.dir, 'run') };
      for (const ns of [NS, JOIN, OUT]) {
        const r = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`ip netns add ${ns}: ${r.stderr}`);
      }
    });

    afterAll(() => {
      for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const ns of [NS, JOIN, OUT]) spawnSync('ip', ['netns', 'del', ns]);
      ws?.cleanup();
      expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(NS);
    });

    test('two containers on one bridge reach each other and the bridge; a taken address is refused; nothing is left after exit', async () => {
      const a = define('a', 2);
      const first = hacoInBackground(['start', a.file, '--', ...WAIT_FOR_TERM]);
      await first.waitFor('ready');
      expect(links()).toEqual(expect.arrayContaining([BRIDGE, `vh${tag}a`]));
      // The address of a running container (its state dir says so) is refused before anything is built.
      const clash = define('x', 2);
      const refused = hacoIn(['start', clash.file, '--', 'true']);
      expect(refused).not.toExitWith(0);
      expect(refused.stderr).toContain('E_ADDRESS_IN_USE');
      expect(refused.stderr).toContain(a.name);
      expect(veths()).toEqual([`vh${tag}a`]);

      const b = define('b', 3);
      const second = hacoIn(['start', b.file, '--', 'sh', '-c', `ping -c 1 -W 2 ${SUBNET}.2 && ping -c 1 -W 2 ${SUBNET}.1 && ip -o addr show eth0 && ip route`]);
      expect(second.stderr).toBe('');
      expect(second).toExitWith(0);
      expect(second.stdout).toContain(`1 packets received`);
      expect(second.stdout).toContain(`inet ${SUBNET}.3/24`);
      expect(second.stdout).toContain(`default via ${SUBNET}.1 dev eth0`);
      // The host side (the test namespace) reaches the running container through the bridge.
      expect(inNs(NS, ['ping', '-c', '1', '-W', '2', `${SUBNET}.2`])).toExitWith(0);

      process.kill(first.pid, 'SIGTERM');
      expect(await first.exited).toBe(0);
      await until('the veths to go', () => (veths().length === 0 ? true : undefined));
      expect(links().sort()).toEqual([BRIDGE, 'lo']);
      expect(fs.readdirSync(env['HACO_RUN_DIR']!)).toEqual([]);
    });

    test('--trace shows every network command, whole and shell-quoted, wire and cleanup', () => {
      const c = define('t', 4);
      const r = hacoIn(['start', c.file, '--trace', '--', 'true']);
      expect(r).toExitWith(0);
      const net: NetworkPlan = {
        bridge: BRIDGE,
        bridgeAddress: `${SUBNET}.1/24`,
        address: `${SUBNET}.4/24`,
        gateway: `${SUBNET}.1`,
        vethHost: `vh${tag}t`,
        vethGuest: 'eth0',
        createBridge: true,
        cleanup: true,
      };
      const traced = r.stderr.split('\n').filter((l) => l.startsWith('[haco] fork() + setpgid(0, 0) + execv('));
      for (const argv of networkWireSteps(net, c.name)) expect(traced).toContain(`[haco] fork() + setpgid(0, 0) + execv("${argv[0]}", ...)   /* hook: ${argv.map(shQuote).join(' ')} */`);
      for (const argv of networkCleanupSteps(net, c.name)) expect(traced).toContain(`[haco] fork() + setpgid(0, 0) + execv("${argv[0]}", ...)   /* cleanup-cmd: ${argv.map(shQuote).join(' ')} */`);
      expect(veths()).toEqual([]);
    });

    test('a failing network command is reported whole', () => {
      // A link already named like the temporary guest end makes `ip link add … peer name hg…` fail.
      // The preflight only knows vethHost, so this one reaches the launcher.
      const c = define('f', 5);
      const plan = JSON.parse(hacoIn(['plan', c.file, '--json']).stdout) as { containers: Array<{ network: NetworkPlan }> };
      const wire = networkWireSteps(plan.containers[0]!.network, c.name);
      const add = wire.find((argv) => argv.join(' ').includes('type veth'))!;
      const guest = /peer name (\S+)/.exec(add.join(' '))![1]!;
      expect(inNs(NS, ['ip', 'link', 'add', guest, 'type', 'veth', 'peer', 'name', `hz${tag}`])).toExitWith(0);
      try {
        const r = hacoIn(['start', c.file, '--', 'true']);
        expect(r).toExitWith(125);
        expect(r.stderr).toContain(`hook ${add.map(shQuote).join(' ')}: exited with status`);
        expect(veths().filter((l) => l !== guest)).toEqual([]);
      } finally {
        inNs(NS, ['ip', 'link', 'del', guest]);
      }
    });

    test('kill -9 of the launcher: the cleanup watcher removes the veth and the state', async () => {
      const k = define('k', 6);
      const run = hacoInBackground(['start', k.file, '--', 'sleep', '60']);
      await until('the container on the bridge', () => (inNs(NS, ['ping', '-c', '1', '-W', '1', `${SUBNET}.6`]).status === 0 ? true : undefined), 30_000);
      expect(veths()).toEqual([`vh${tag}k`]);
      process.kill(run.pid, 'SIGKILL');
      await run.exited;
      await until(`the veth to go after kill -9 (links: ${veths().join(' ')})`, () => (veths().length === 0 ? true : undefined), 15_000);
      await until('the state dir to go', () => (fs.readdirSync(env['HACO_RUN_DIR']!).length === 0 ? true : undefined), 15_000);
      // The container (sleep 60) is gone too, not left running in the test namespace.
      // Looked for by namespace (the test's own netns, compared by nsfs inode), not by a host-wide pgrep.
      const sleepers = processesInNamespace(`/run/netns/${NS}`, 'net').filter((pid) => isAlive(pid) && cmdlineOf(pid) === 'sleep 60');
      expect(sleepers).toEqual([]);
      // The address is free again: the same definition starts.
      const again = hacoIn(['start', k.file, '--', 'true']);
      expect(again.stderr).toBe('');
      expect(again).toExitWith(0);
    });

    test('the preflight refuses a missing bridge and a leftover veth before anything is created', () => {
      const nb = define('n', 7, { bridge: `hn${tag}`, bridgeAddress: '10.231.7.1/24', address: '10.231.7.2/24', createBridge: false });
      const r = hacoIn(['start', nb.file, '--', 'true']);
      expect(r).not.toExitWith(0);
      expect(r.stderr).toContain('E_NO_BRIDGE');
      expect(r.stderr).toContain(`haco net bridge create hn${tag} --address 10.231.7.1/24`);

      const lv = define('l', 8);
      expect(inNs(NS, ['ip', 'link', 'add', `vh${tag}l`, 'type', 'veth', 'peer', 'name', `hy${tag}`])).toExitWith(0);
      try {
        const r2 = hacoIn(['start', lv.file, '--', 'true']);
        expect(r2).not.toExitWith(0);
        expect(r2.stderr).toContain('E_VETH_EXISTS');
        expect(r2.stderr).toContain(`ip link del vh${tag}l`);
      } finally {
        inNs(NS, ['ip', 'link', 'del', `vh${tag}l`]);
      }
      expect(veths()).toEqual([]);
      expect(links()).not.toContain(`hn${tag}`);
    });

    test('a forwarded port reaches busybox httpd in the container; the nft chains go at exit', async () => {
      fs.mkdirSync(path.join(ws.rootfs, 'www'), { recursive: true });
      fs.writeFileSync(path.join(ws.rootfs, 'www/index.html'), `hello from ${tag}\n`);
      const w = define('w', 9, { ports: [{ host: 8080, container: 80 }] });
      const plan = hacoIn(['plan', w.file, '--launch']);
      expect(plan.stdout).toContain(`hook /usr/sbin/nft add%20rule%20ip%20haco%20out-${w.name}%20fib%20daddr%20type%20local%20tcp%20dport%208080%20dnat%20to%20${SUBNET}.9:80`);
      const web = hacoInBackground(['start', w.file, '--', 'sh', '-c', 'trap "exit 0" TERM; httpd -f -p 80 -h /www & echo ready; wait']);
      await web.waitFor('ready');
      const chains = inNs(NS, ['nft', 'list', 'table', 'ip', 'haco']).stdout;
      expect(chains).toContain(`chain pre-${w.name}`); // named after the container (src/network/names.ts)
      expect(chains).toContain(`tcp dport 8080 dnat to ${SUBNET}.9:80`);
      // From the test namespace (the "host" here) to its own bridge address on the host port.
      const get = () => {
        const r = spawnSync('nsenter', [`--net=/run/netns/${NS}`, '/bin/busybox', 'nc', '-w', '2', `${SUBNET}.1`, '8080'], { input: 'GET / HTTP/1.0\r\n\r\n', encoding: 'utf8', timeout: 10_000 });
        return { status: r.status === 0 && r.stdout.startsWith('HTTP/1.') ? 0 : 1, stdout: r.stdout.split('\r\n\r\n')[1] ?? '' };
      };
      const body = await until('httpd to answer on the host port', () => {
        const r = get();
        return r.status === 0 ? r.stdout : undefined;
      }, 15_000);
      expect(body).toBe(`hello from ${tag}\n`);
      process.kill(web.pid, 'SIGTERM');
      expect(await web.exited).toBe(0);
      const after = inNs(NS, ['nft', 'list', 'table', 'ip', 'haco']).stdout;
      expect(after).not.toContain('chain');
      expect(get().status).not.toBe(0);
      await until('the veth to go', () => (veths().length === 0 ? true : undefined));
    });

    test('nat: true lets the container reach an "outside" namespace with the host\'s address; the rule goes at exit', async () => {
      // NS (the "host") ↔ OUT over a veth pair; OUT knows nothing of the bridge subnet.
      const wire = [
        ['ip', 'link', 'add', `ox${tag}`, 'type', 'veth', 'peer', 'name', `oy${tag}`],
        ['ip', 'link', 'set', `oy${tag}`, 'netns', OUT],
        ['ip', 'addr', 'add', '198.51.100.1/24', 'dev', `ox${tag}`],
        ['ip', 'link', 'set', `ox${tag}`, 'up'],
      ];
      for (const argv of wire) expect({ argv, ...inNs(NS, argv) }).toMatchObject({ status: 0 });
      for (const argv of [['ip', 'addr', 'add', '198.51.100.2/24', 'dev', `oy${tag}`], ['ip', 'link', 'set', `oy${tag}`, 'up'], ['ip', 'link', 'set', 'lo', 'up']]) {
        expect({ argv, ...inNs(OUT, argv) }).toMatchObject({ status: 0 });
      }
      const n = define('n', 11, { nat: true });
      const plan = hacoIn(['plan', n.file, '--launch']);
      expect(plan.stdout).toContain(`hook /usr/sbin/nft add%20rule%20ip%20haco%20nat-${n.name}%20ip%20saddr%20${SUBNET}.11%20oifname%20!=%20${BRIDGE}%20masquerade`);
      const out = hacoIn(['start', n.file, '--', 'ping', '-c', '1', '-W', '2', '198.51.100.2']);
      expect({ status: out.status, stderr: out.stderr }).toEqual({ status: 0, stderr: '' });
      expect(out.stdout).toContain('1 packets received');
      expect(inNs(NS, ['/bin/busybox', 'cat', '/proc/sys/net/ipv4/ip_forward']).stdout.trim()).toBe('1');
      expect(inNs(NS, ['nft', 'list', 'table', 'ip', 'haco']).stdout).not.toContain(`nat-${n.name}`);
      // Forwarding is still on, but without NAT the reply has no way back: it is the masquerade that works.
      const plain = define('p', 12);
      const lost = hacoIn(['start', plain.file, '--', 'ping', '-c', '1', '-W', '2', '198.51.100.2']);
      expect(lost.status).not.toBe(0);
      expect(lost.stdout).toContain('0 packets received');
      inNs(NS, ['ip', 'link', 'del', `ox${tag}`]);
      await until('the veths to go', () => (veths().length === 0 ? true : undefined));
    });

    test('a container joining an existing netns sees its interfaces and leaves them as they were', () => {
      expect(inNs(JOIN, ['ip', 'link', 'add', 'jv0', 'type', 'veth', 'peer', 'name', 'jv1'])).toExitWith(0);
      const name = `hn-${tag}-j`;
      // ip netns add makes /run/netns/NAME; /var/run is a link to /run, and joinNetns(name) uses /var/run/netns.
      const file = ws.define(name, `.joinNetns(${JSON.stringify(JOIN)})`);
      const r = hacoIn(['start', file, '--', 'sh', '-c', 'ip -o link; readlink /proc/self/ns/net']);
      expect(r.stderr).toBe('');
      expect(r).toExitWith(0);
      expect(r.stdout).toMatch(/jv0@jv1/);
      expect(r.stdout).not.toContain(BRIDGE);
      expect(r.stdout.trim().split('\n').pop()).toBe(inNs(JOIN, ['readlink', '/proc/self/ns/net']).stdout.trim());
      const after = inNs(JOIN, ['ip', '-o', 'link']).stdout;
      expect(after).toMatch(/jv0@jv1/);
      expect(after).toMatch(/jv1@jv0/);

      const missing = ws.define(`${name}m`, `.joinNetns('haco-ns-${tag}-missing')`);
      const refused = hacoIn(['start', missing, '--', 'true']);
      expect(refused).not.toExitWith(0);
      expect(refused.stderr).toContain('E_NO_NETNS');
      expect(refused.stderr).toContain(`ip netns add haco-ns-${tag}-missing`);
    });
  },
  [
    () => (spawnSync('nsenter', ['--version']).status === 0 ? undefined : 'nsenter (util-linux) is missing'),
    () => (fs.existsSync('/usr/sbin/nft') ? undefined : 'nft is missing (apt-get install nftables)'),
  ],
);
