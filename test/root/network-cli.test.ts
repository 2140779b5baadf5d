// `haco net bridge create/rm` and `haco net ls`, run through bin/haco inside a network namespace this
// test creates (ip netns exec), so the bridges exist only in there. The namespace is deleted at the end.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HACO_BIN, REPO } from '../support/cli';

jest.setTimeout(60_000);

const NS = `haco-nettest-${randomBytes(4).toString('hex')}`;
const ready = process.getuid?.() === 0 && fs.existsSync(path.join(REPO, 'dist/oclif.js'));
const describeRoot = ready ? describe : describe.skip;

function haco(...args: string[]): { status: number; stdout: string; stderr: string } {
  const env = { ...process.env, NO_COLOR: '1' };
  const r = spawnSync('ip', ['netns', 'exec', NS, HACO_BIN, ...args], { encoding: 'utf8', env, cwd: REPO, timeout: 30_000 });
  return { status: r.status ?? 128, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
const inNs = (...argv: string[]) => spawnSync('ip', ['netns', 'exec', NS, ...argv], { encoding: 'utf8' });

describeRoot('haco net bridge', () => {
  beforeAll(() => {
    const r = spawnSync('ip', ['netns', 'add', NS], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip netns add ${NS}: ${r.stderr}`);
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', NS]);
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(NS);
  });

  it('creates a bridge with its address, idempotently, and shows the commands', () => {
    const first = haco('net', 'bridge', 'create', 'hbr0', '--address', '10.231.4.1/24');
    expect(first.stderr).toBe('');
    expect(first).toExitWith(0);
    expect(first.stdout).toContain('+ ip link add hbr0 type bridge');
    expect(first.stdout).toContain('bridge hbr0 10.231.4.1/24 up: created');
    const again = haco('net', 'bridge', 'create', 'hbr0', '--address', '10.231.4.1/24', '--json');
    expect(again).toExitWith(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ name: 'hbr0', created: false, addressAdded: false, up: true, addresses: ['10.231.4.1/24'], commands: [] });
    expect(inNs('ip', '-o', '-4', 'addr', 'show', 'dev', 'hbr0').stdout).toContain('10.231.4.1/24');
  });

  it('lists bridges with their ports', () => {
    inNs('ip', 'link', 'add', 'vh-t', 'type', 'veth', 'peer', 'name', 'vg-t');
    inNs('ip', 'link', 'set', 'vh-t', 'master', 'hbr0');
    const ls = haco('net', 'ls', '--json');
    expect(JSON.parse(ls.stdout)).toEqual([{ name: 'hbr0', up: true, addresses: ['10.231.4.1/24'], ports: ['vh-t'] }]);
    expect(haco('net', 'ls').stdout).toMatch(/hbr0\s+up\s+10\.231\.4\.1\/24\s+vh-t/);
  });

  it('refuses bad input with a code, a hint and a meaningful exit status', () => {
    const long = haco('net', 'bridge', 'create', 'a-much-too-long-name', '--address', '10.231.5.1/24', '--json');
    expect(long).toExitWith(2);
    expect(JSON.parse(long.stdout)).toMatchObject({ error: { code: 'E_USAGE' } });
    const overlap = haco('net', 'bridge', 'create', 'hbr1', '--address', '10.231.4.200/25');
    expect(overlap).toExitWith(5);
    expect(overlap.stderr).toMatch(/overlaps 10\.231\.4\.0\/24 on hbr0[\s\S]*hint/);
    const notBridge = haco('net', 'bridge', 'rm', 'vh-t');
    expect(notBridge).toExitWith(5);
    expect(notBridge.stderr).toContain('not a bridge');
    const busy = haco('net', 'bridge', 'rm', 'hbr0');
    expect(busy).toExitWith(5);
    expect(busy.stderr).toContain('still has ports: vh-t');
  });

  it('removes a bridge, and removing it again is fine', () => {
    inNs('ip', 'link', 'del', 'vh-t');
    const rm = haco('net', 'bridge', 'rm', 'hbr0');
    expect(rm).toExitWith(0);
    expect(rm.stdout).toContain('bridge hbr0 removed');
    const again = haco('net', 'bridge', 'rm', 'hbr0', '--json');
    expect(again).toExitWith(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ removed: false });
    expect(inNs('ip', '-o', 'link').stdout.trim().split('\n')).toHaveLength(1);
  });
});
