import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { watchOutput } from '../support/watch-output';
import { isStaticElf } from '../../src/bootstrap/busybox';
import { HACO_BIN } from '../support/cli';
import { makeSandbox, modeOf, type Sandbox } from '../unit/bootstrap/support/sandbox';

describe('bootstrap: busybox', () => {
  let sb: Sandbox;
  let rootfs: string;
  let file: string;
  beforeAll(() => {
    sb = makeSandbox('busybox');
    rootfs = path.join(sb.dir, 'bb', 'rootfs');
    file = sb.def(
      'bb',
      `export default defineContainer('bb').rootfs(${JSON.stringify(rootfs)}).bootstrap((b) => b.busybox().post('stamp', 'echo post > "$ROOTFS/etc/stamp"'))
        .provision((p) => p.file('./motd.txt', '/etc/motd', { mode: '0640' })
          .step('inside', 'ls /bin/ls; echo $$ > /root/pid; cat /proc/1/comm > /root/init; ls /dev > /root/dev')
          .step('later', 'echo later > /root/later'));`,
    );
    fs.writeFileSync(path.join(sb.dir, 'motd.txt'), 'hello\n');
  });
  afterAll(() => sb.remove());

  it('builds a static busybox tree with applet links and a minimal /etc', () => {
    const r = sb.run(['create', file]);
    expect(r.stderr).toContain('[provision.inside] + ls /bin/ls');
    expect(r).toExitWith(0);
    expect(isStaticElf(path.join(rootfs, 'bin/busybox'))).toBe(true);
    expect(fs.readlinkSync(path.join(rootfs, 'bin/sh'))).toBe('busybox');
    expect(fs.readlinkSync(path.join(rootfs, 'usr/bin/awk'))).toBe('../../bin/busybox');
    expect(fs.readdirSync(path.join(rootfs, 'bin')).length).toBeGreaterThan(50);
    expect(modeOf(path.join(rootfs, 'tmp'))).toBe(0o1777);
    expect(fs.readFileSync(path.join(rootfs, 'etc/passwd'), 'utf8')).toContain('root:x:0:0:root:/root:/bin/sh');
    expect(fs.readFileSync(path.join(rootfs, 'etc/hostname'), 'utf8')).toBe('bb\n');
    expect(fs.readFileSync(path.join(rootfs, 'etc/stamp'), 'utf8')).toBe('post\n');
    // provision: files first (mode kept), then steps in their own pid namespace (sh is PID 1's child).
    expect(fs.readFileSync(path.join(rootfs, 'etc/motd'), 'utf8')).toBe('hello\n');
    expect(modeOf(path.join(rootfs, 'etc/motd'))).toBe(0o640);
    expect(Number(fs.readFileSync(path.join(rootfs, 'root/pid'), 'utf8'))).toBeLessThan(10);
    expect(fs.readFileSync(path.join(rootfs, 'root/dev'), 'utf8')).toContain('null');
    // the session's mounts died with it
    expect(fs.readdirSync(path.join(rootfs, 'dev'))).toEqual([]);
    expect(fs.readdirSync(path.join(rootfs, 'proc'))).toEqual([]);
  });

  it('starts for real: busybox applets, the provisioned files, its hostname; exits with the command status', () => {
    const r = sb.start(file, ['/bin/sh', '-c', 'busybox | head -1; hostname; cat /etc/motd /etc/stamp; echo pid=$$; ls /dev/null; exit 42']);
    expect(r.stderr).toBe('');
    expect(r).toExitWith(42);
    expect(r.stdout).toMatch(/^BusyBox v[\d.]+/);
    // pid=2: a foreground start has a tiny init as PID 1 (haco start --no-init: the command is PID 1).
    expect(r.stdout).toContain('bb\nhello\npost\npid=2\n/dev/null\n');
    expect(sb.leftovers('bb')).toEqual([]);
    expect(fs.readdirSync(path.join(rootfs, 'proc'))).toEqual([]);
  });

  it('a failing step stops provision with its exit code; fixed, only it and later steps run', () => {
    const broken = sb.def(
      'bb-broken',
      `export default defineContainer('bb').rootfs(${JSON.stringify(rootfs)}).bootstrap((b) => b.busybox())
        .provision((p) => p.step('inside', 'ls /bin/ls; echo $$ > /root/pid; cat /proc/1/comm > /root/init; ls /dev > /root/dev').step('fails', 'echo about to fail; exit 7').step('after', 'touch /root/after'));`,
    );
    const r = sb.run(['provision', broken]);
    expect(r).toExitWith(7);
    expect(r.stderr).toContain('[provision.fails] about to fail');
    expect(r.stderr).toMatch(/provision step "fails" of "bb" failed with exit code 7/);
    expect(fs.existsSync(path.join(rootfs, 'root/after'))).toBe(false);
    // the failed session left no mount, no cgroup, nothing in /dev or /proc of the tree
    expect(sb.leftovers('bb')).toEqual([]);
    expect(fs.readdirSync(path.join(rootfs, 'dev'))).toEqual([]);
    expect(fs.readdirSync(path.join(rootfs, 'proc'))).toEqual([]);
    const record = JSON.parse(fs.readFileSync(path.join(sb.state, 'bb/provisioned.json'), 'utf8')) as { steps: Record<string, unknown> };
    expect(Object.keys(record.steps).sort()).toEqual(['inside', 'later']);

    const again = sb.run(['provision', file, '--only', 'later', '--always']);
    expect(again).toExitWith(0);
    expect(again.stderr).toContain('[provision.later] + echo later');
    expect(again.stderr).not.toContain('[provision.inside]');
  });

  it('Ctrl-C during a step stops the launcher and the step; no mount, cgroup or process is left', async () => {
    const slow = sb.def('bb-slow', `export default defineContainer('bbslow').rootfs(${JSON.stringify(rootfs)}).bootstrap((b) => b.busybox())
      .provision((p) => p.step('slow', 'echo started; sleep 31; touch /root/slept'));`);
    const child = spawn(HACO_BIN, ['provision', slow], {
      cwd: sb.dir,
      detached: true,
      env: { ...process.env, HACO_STATE_ROOT: sb.state, HACO_NO_CACHE: '1', CI: 'true', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run = watchOutput(child, ['haco', 'provision', slow]);
    try {
      await run.waitFor('[provision.slow] started', 15_000);
      process.kill(-child.pid!, 'SIGINT');
      const closed = await run.closed(15_000);
      expect({ code: closed.status, signal: closed.signal }).toEqual({ code: 130, signal: null });
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    const stderr = run.stderr();
    expect(stderr).toContain('provision step "slow" of "bbslow" was interrupted by SIGINT');
    expect(sb.leftovers('bbslow')).toEqual([]);
    expect(fs.existsSync(path.join(rootfs, 'root/slept'))).toBe(false);
    // No process of the step is left: leftovers() found no cgroup bbslow.provision, which cannot be removed while it holds one.
  }, 30_000);

  it('--only with an unknown step is a clear error', () => {
    const r = sb.run(['provision', file, '--only', 'nope']);
    expect(r).toExitWith(5);
    expect(r.stderr).toContain('has no provision step "nope"');
  });

  it('an unwritable rootfs location is a clear error and leaves nothing', () => {
    const blocker = path.join(sb.dir, 'a-file');
    fs.writeFileSync(blocker, '');
    const bad = sb.def('bad', `export default defineContainer('bad').rootfs(${JSON.stringify(path.join(blocker, 'x/rootfs'))}).bootstrap((b) => b.busybox());`);
    const r = sb.run(['create', bad]);
    expect(r).toExitWith(5);
    expect(r.stderr).toContain('E_ROOTFS_PARENT');
    expect(fs.statSync(blocker).isFile()).toBe(true);
  });
});
