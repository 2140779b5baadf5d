// Containers with a network, started for real by the native launcher from a compiled launch spec:
// two containers on one bridge ping each other and the bridge; a container joins an existing netns and
// sees its interfaces; nothing is left behind. The launcher runs inside a network namespace this test
// creates (nsenter --net, which unlike `ip netns exec` keeps /sys/fs/cgroup visible for the cgroup
// steps), so the bridge, the veths and every packet stay in there. Both namespaces are deleted at the end.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineContainer, type ContainerBuilder } from '../../src/index';
import { parseIpJson, type LinkProbe } from '../../src/network/host';
import { checkHostNetwork } from '../../src/network/preflight';
import { buildPlan } from '../../src/plan/build';
import type { ContainerPlan } from '../../src/plan/types';
import { compileLaunchSpec } from '../../src/runtime/compile';
import { detectHostFacts } from '../../src/runtime/host-facts';
import { findLauncher } from '../../src/runtime/launcher-path';

jest.setTimeout(90_000);

const tag = randomBytes(3).toString('hex');
const NS = `haco-nettest-${tag}`;
const JOIN = `haco-nettest-${tag}-j`;
let launcher: string | undefined;
try {
  launcher = findLauncher();
} catch {
  launcher = undefined;
}
const ready = process.getuid?.() === 0 && launcher !== undefined && fs.existsSync('/usr/bin/busybox');
const describeRoot = ready ? describe : describe.skip;

let work = '';
const bridge = { bridge: 'hbr0', bridgeAddress: '10.231.0.1/24' };

function inNs(argv: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('ip', ['netns', 'exec', NS, ...argv], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status ?? 128, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
const links = () => inNs(['ip', '-o', 'link', 'show']).stdout.split('\n').filter(Boolean).map((l) => l.split(': ')[1]!.split('@')[0]!);

/** ip -j read inside the test namespace, for the host checks. */
const nsProbe: LinkProbe = {
  async links() {
    return parseIpJson(inNs(['ip', '-j', '-d', 'link', 'show']).stdout, inNs(['ip', '-j', 'addr', 'show']).stdout);
  },
};

function plan(builder: ContainerBuilder): ContainerPlan {
  const built = buildPlan(path.join(work, 'net.haco.ts'), builder);
  if ('notContainers' in built) throw new Error(built.notContainers);
  expect(built.issues).toEqual([]);
  return built.plan.containers[0]!;
}

// net_raw: the containers ping (a raw ICMP socket), which haco's default capability set leaves out.
const container = (name: string, command: string[]) => defineContainer(`hnt-${tag}-${name}`).rootfs(path.join(work, 'root')).command(command).addCaps('net_raw');

const launched: Array<{ kill(signal: NodeJS.Signals): void }> = [];

interface Launched {
  done: Promise<{ status: number | null; output: string }>;
  kill(signal: NodeJS.Signals): void;
}

/** Compile the container and hand the spec to the launcher, inside the test namespace. */
function launch(c: ContainerPlan): Launched {
  const specFile = path.join(work, `${c.name}.spec`);
  fs.writeFileSync(specFile, compileLaunchSpec(c, detectHostFacts()).text);
  const child = spawn('nsenter', [`--net=/run/netns/${NS}`, launcher!, '--trace', '--spec', specFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  launched.push(child);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return {
    done: new Promise((resolve) => child.on('close', (status) => resolve({ status, output }))),
    kill: (signal) => child.kill(signal),
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describeRoot('containers on a bridge, started by the launcher', () => {
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-net-'));
    const root = path.join(work, 'root');
    for (const d of ['bin', 'proc', 'sys', 'dev', 'etc', 'tmp']) fs.mkdirSync(path.join(root, d), { recursive: true });
    fs.copyFileSync('/usr/bin/busybox', path.join(root, 'bin/busybox'));
    fs.chmodSync(path.join(root, 'bin/busybox'), 0o755);
    for (const t of ['sh', 'ping', 'ip', 'sleep', 'cat']) fs.symlinkSync('busybox', path.join(root, 'bin', t));
    for (const ns of [NS, JOIN]) {
      const r = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`ip netns add ${ns}: ${r.stderr}`);
    }
  });

  afterAll(() => {
    for (const child of launched) child.kill('SIGKILL');
    for (const ns of [NS, JOIN]) spawnSync('ip', ['netns', 'del', ns]);
    if (work) fs.rmSync(work, { recursive: true, force: true });
    const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    expect(left).not.toContain(NS);
  });

  it('two containers on one bridge reach each other and the bridge; nothing is left after exit', async () => {
    const a = plan(container('a', ['/bin/sh', '-c', 'trap "exit 0" TERM; sleep 30 & wait']).network({ ...bridge, address: '10.231.0.2/24', vethHost: `vh-${tag}a` }));
    const first = launch(a);
    await until(() => links().includes(`vh-${tag}a`) && inNs(['busybox', 'ping', '-c', '1', '-W', '1', '10.231.0.2']).status === 0, 'container a on the bridge');

    // A second container with a veth name that exists, or the address of a running container, is refused
    // before anything is created (the running list is what /run/haco/NAME/ state would say).
    const clash = plan(container('x', ['/bin/true']).network({ ...bridge, address: '10.231.0.2/24', vethHost: `vh-${tag}a` }));
    const running = [{ container: a.name, address: '10.231.0.2/24', bridge: 'hbr0', vethHost: `vh-${tag}a` }];
    const problems = checkHostNetwork(clash, { links: await nsProbe.links(), running, exists: fs.existsSync }).map((p) => p.code);
    expect(problems).toEqual(['E_VETH_EXISTS', 'E_ADDRESS_IN_USE']);

    const b = plan(container('b', ['/bin/sh', '-c', 'ping -c 1 -W 1 10.231.0.2 && ping -c 1 -W 1 10.231.0.1 && ip -o addr show eth0']).network({ ...bridge, address: '10.231.0.3/24', vethHost: `vh-${tag}b` }));
    const second = await launch(b).done;
    expect(second.output).toContain('inet 10.231.0.3/24');
    expect(second).toExitWith(0);

    first.kill('SIGTERM');
    const firstDone = await first.done;
    // PID 1 of a pid namespace ignores signals it has no handler for: the trap makes it exit.
    expect(firstDone).toExitWith(0);
    await until(() => links().every((l) => !l.startsWith('vh-') && !l.startsWith('hg')), 'the veths to go');
    expect(links().sort()).toEqual(['hbr0', 'lo']);
  });

  it('a wire step failing halfway leaves no veth behind (the launcher runs the cleanup steps)', async () => {
    // No preflight here on purpose: the bridge is missing and must not be created, so `master` fails.
    const c = plan(container('f', ['/bin/true']).network({ bridge: 'hbr9', bridgeAddress: '10.231.9.1/24', address: '10.231.9.2/24', createBridge: false, vethHost: `vh-${tag}f` }));
    const out = await launch(c).done;
    expect(out).toExitWith(125);
    expect(out.output).toContain('hook');
    expect(links().filter((l) => l.startsWith('vh-') || l.startsWith('hg'))).toEqual([]);
  });

  it('a container joining an existing netns sees its interfaces', async () => {
    // dummy may not be available as a module; a veth pair works everywhere.
    const r = spawnSync('ip', ['netns', 'exec', JOIN, 'ip', 'link', 'add', 'jv0', 'type', 'veth', 'peer', 'name', 'jv1'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const c = plan(container('j', ['/bin/sh', '-c', 'ip -o link']).joinNetns(JOIN));
    expect(checkHostNetwork(c, { links: [], running: [], exists: fs.existsSync })).toEqual([]);
    const out = await launch(c).done;
    expect(out).toExitWith(0);
    expect(out.output).toMatch(/jv0@jv1/);
    expect(out.output).not.toContain('hbr0');
    // The container left the namespace as it was.
    expect(spawnSync('ip', ['netns', 'exec', JOIN, 'ip', '-o', 'link'], { encoding: 'utf8' }).stdout).toMatch(/jv0[\s\S]*jv1/);
  });
});
