// `haco start` against the real kernel: the secure defaults. A container defined with nothing but a rootfs
// gets its own network namespace (only lo), haco's default seccomp filter, and a capability set without
// mknod, net_raw and audit_write; each is one switch away (.share('net'), .seccomp(false), .addCaps()).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CAPABILITY_NAMES } from '../../src/plan/names';
import { HACO_BIN, haco } from '../support/cli';
import { describeStart, makeWorkspace, uniqueName, type Workspace } from '../support/rootfs';

jest.setTimeout(60_000);

let ws: Workspace;

/** Runs `script` with sh in a container defined by `chain`; the result carries stderr for the failure message. */
function run(chain: string, script: string): { status: number | null; stdout: string; stderr: string } {
  const r = haco(['start', ws.define(uniqueName('dflt'), chain), '--', 'sh', '-c', script], { env: ws.env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function capBits(status: string, key: string): bigint {
  const m = new RegExp(`^${key}:\\s+([0-9a-f]+)$`, 'm').exec(status);
  if (!m) throw new Error(`no ${key} line in:\n${status}`);
  return BigInt(`0x${m[1]}`);
}

const bit = (name: string) => 1n << BigInt(CAPABILITY_NAMES.indexOf(name as (typeof CAPABILITY_NAMES)[number]));

describeStart('haco start: secure defaults', () => {
  beforeAll(() => {
    ws = makeWorkspace('sec-dflt');
  });
  afterAll(() => ws?.cleanup());

  test('its own network namespace with only lo, up; .share("net") is the host\'s', () => {
    const hostNs = fs.readlinkSync('/proc/self/ns/net');
    const own = run('', 'readlink /proc/self/ns/net; ls /sys/class/net; cat /sys/class/net/lo/operstate /sys/class/net/lo/flags');
    expect({ status: own.status, stderr: own.stderr }).toEqual({ status: 0, stderr: '' });
    const [ns, ...rest] = own.stdout.trim().split('\n');
    expect(ns).toMatch(/^net:\[\d+\]$/);
    expect(ns).not.toBe(hostNs);
    // only lo, and it is up (IFF_UP = 0x1 in the flags)
    expect(rest[0]).toBe('lo');
    expect(rest).toHaveLength(3);
    expect(Number(rest[2]) & 1).toBe(1);
    const shared = run(".share('net')", 'readlink /proc/self/ns/net');
    expect({ status: shared.status, stderr: shared.stderr, ns: shared.stdout.trim() }).toEqual({ status: 0, stderr: '', ns: hostNs });
  });

  test('a listener on the "host"\'s 127.0.0.1 is out of reach; with .share("net") it answers', async () => {
    // The "host" is a network namespace this test creates: haco runs inside it, so the container's
    // default namespace is new and .share('net') means this one. Nothing leaves it.
    const ns = `hdflt${process.pid.toString(36)}`;
    const inNs = (argv: string[], input = '') => spawnSync('nsenter', [`--net=/run/netns/${ns}`, ...argv], { encoding: 'utf8', timeout: 60_000, input, env: { ...process.env, NO_COLOR: '1', ...ws.env } });
    const www = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-dflt-www-'));
    fs.writeFileSync(path.join(www, 'index.html'), 'host-only secret\n');
    const added = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`ip netns add ${ns}: ${added.stderr}`);
    // lo first: 127.0.0.1 exists only once lo is up.
    const up = inNs(['ip', 'link', 'set', 'lo', 'up']);
    let serverErr = '';
    const server = spawn('nsenter', [`--net=/run/netns/${ns}`, 'busybox', 'httpd', '-f', '-p', '127.0.0.1:8089', '-h', www], { stdio: ['ignore', 'ignore', 'pipe'] });
    server.stderr!.on('data', (d: Buffer) => (serverErr += d.toString()));
    try {
      expect({ status: up.status, stderr: up.stderr }).toEqual({ status: 0, stderr: '' });
      const deadline = Date.now() + 10_000;
      for (;;) {
        const probe = inNs(['busybox', 'nc', '127.0.0.1', '8089'], 'GET / HTTP/1.0\r\n\r\n');
        if (probe.stdout.endsWith('host-only secret\n')) break;
        if (Date.now() > deadline) throw new Error(`the test listener did not come up: ${probe.stderr} ${serverErr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // busybox nc as the HTTP client (this busybox's wget crashes on the test machine).
      const fetch = 'printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc 127.0.0.1 8089 | tail -n 1; echo done';
      const own = inNs([HACO_BIN, 'start', ws.define(uniqueName('dflt'), ''), '--', 'sh', '-c', fetch]);
      expect({ stdout: own.stdout, stderr: own.stderr }).toEqual({ stdout: 'done\n', stderr: expect.stringContaining('Connection refused') as unknown as string });
      const shared = inNs([HACO_BIN, 'start', ws.define(uniqueName('dflt'), ".share('net')"), '--', 'sh', '-c', fetch]);
      expect({ stdout: shared.stdout, stderr: shared.stderr }).toEqual({ stdout: 'host-only secret\ndone\n', stderr: '' });
    } finally {
      server.kill('SIGKILL');
      spawnSync('ip', ['netns', 'del', ns]);
      fs.rmSync(www, { recursive: true, force: true });
    }
  });

  test('capabilities: no mknod, net_raw, audit_write; ping fails until .addCaps("net_raw")', () => {
    const r = run('', 'cat /proc/self/status; ping -c 1 -W 1 127.0.0.1; echo "ping=$?"');
    expect(r).toExitWith(0);
    for (const key of ['CapBnd', 'CapEff']) {
      const bits = capBits(r.stdout, key);
      for (const cap of ['mknod', 'net_raw', 'audit_write', 'sys_admin']) expect({ key, cap, held: (bits & bit(cap)) !== 0n }).toEqual({ key, cap, held: false });
      for (const cap of ['chown', 'setuid', 'sys_chroot', 'net_bind_service']) expect({ key, cap, held: (bits & bit(cap)) !== 0n }).toEqual({ key, cap, held: true });
    }
    expect(r.stdout).toMatch(/ping=1\n/);
    expect(r.stderr).toMatch(/ping: permission denied/);
    const withRaw = run(".addCaps('net_raw')", 'ping -c 1 -W 1 127.0.0.1 > /dev/null; echo "ping=$?"');
    expect({ stdout: withRaw.stdout, stderr: withRaw.stderr }).toEqual({ stdout: 'ping=0\n', stderr: '' });
  });

  test('seccomp: filter mode 2 by default; unshare(CLONE_NEWUSER) fails with EPERM; .seccomp(false) gives mode 0', () => {
    const r = run('', 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status; unshare -U true; echo "unshare=$?"');
    expect(r.stdout).toMatch(/^Seccomp:\s+2$/m);
    expect(r.stdout).toMatch(/^NoNewPrivs:\s+1$/m);
    expect(r.stdout).toMatch(/unshare=1\n/);
    expect(r.stderr).toMatch(/unshare\(0x10000000\): Operation not permitted/);
    // Without the filter the same call succeeds: it needs no capability, only the filter stopped it.
    const off = run('.seccomp(false)', 'grep "^Seccomp:" /proc/self/status; unshare -U true; echo "unshare=$?"');
    expect({ stdout: off.stdout, stderr: off.stderr }).toEqual({ stdout: expect.stringMatching(/^Seccomp:\s+0\nunshare=0\n$/) as unknown as string, stderr: '' });
  });

  test('seccomp: the filter kept in the cache dir (seccomp-prepared) still blocks on the next start; an open cache dir is not trusted', () => {
    const file = ws.define(uniqueName('dflt'), '');
    const script = 'grep "^Seccomp:" /proc/self/status; unshare -U true; echo "unshare=$?"';
    const start = () => haco(['start', '--trace', file, '--', 'sh', '-c', script], { env: ws.env });
    const blocked = (r: { stdout: string; stderr: string }) => ({ stdout: r.stdout, denied: /unshare\(0x10000000\): Operation not permitted/.test(r.stderr) });
    const want = { stdout: expect.stringMatching(/^Seccomp:\s+2\nunshare=1\n$/) as unknown as string, denied: true };
    const first = start();
    expect(first).toExitWith(0);
    expect(blocked(first)).toEqual(want);
    const dir = path.join(ws.cache, 'seccomp');
    const kept = fs.readdirSync(dir).filter((f) => f.endsWith('.bpf')).map((f) => path.join(dir, f));
    expect(kept.length).toBeGreaterThan(0);
    for (const f of kept) {
      const st = fs.lstatSync(f);
      expect({ f, regular: st.isFile(), uid: st.uid, mode: (st.mode & 0o777).toString(8) }).toEqual({ f, regular: true, uid: 0, mode: '600' });
    }
    // The second start loads the kept BPF (no libseccomp build), and the kernel still refuses the call.
    const second = start();
    expect(second).toExitWith(0);
    expect(blocked(second)).toEqual(want);
    expect(second.stderr).toMatch(/read\("[^"]*\/seccomp\/[0-9a-f]{32}\.bpf"\) = \d+ BPF instructions/);
    expect(second.stderr).not.toMatch(/seccomp_export_bpf/);
    // A cache dir others could write: the launcher refuses it (nothing read or kept there) and builds the
    // filter from the spec's rules.
    fs.chmodSync(dir, 0o777);
    try {
      const third = start();
      expect(third).toExitWith(0);
      expect(blocked(third)).toEqual(want);
      expect(third.stderr).toMatch(/seccomp is not a directory of this user only it can write/);
      expect(third.stderr).toMatch(/seccomp_init\(errno:1\) = ctx/);
      expect(third.stderr).not.toMatch(/read\("[^"]*\.bpf"\) = \d+ BPF/);
    } finally {
      fs.chmodSync(dir, 0o700);
    }
  });

  test('seccomp follows the capabilities: with sys_admin, mount(2) passes the filter', () => {
    const r = run(".addCaps('sys_admin')", 'mkdir -p /mnt/t && mount -t tmpfs t /mnt/t && echo mounted; grep "^Seccomp:" /proc/self/status');
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^mounted\nSeccomp:\s+2\n$/);
  });

  test('the reaper is not filtered, the command is; everyday busybox tools work under the filter', () => {
    const r = run('.reaper()', 'ps -o pid,args; grep "^Seccomp:" /proc/1/status /proc/self/status; ls / > /dev/null && date > /tmp/d && cat /tmp/d > /dev/null && sleep 0.1 && echo tools-ok');
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^\/proc\/1\/status:Seccomp:\s+0$/m);
    expect(r.stdout).toMatch(/^\/proc\/self\/status:Seccomp:\s+2$/m);
    expect(r.stdout).toContain('tools-ok');
  });
});
