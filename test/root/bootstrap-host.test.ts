import * as fs from 'node:fs';
import * as path from 'node:path';
import { events, makeSandbox, modeOf, type Sandbox } from '../unit/bootstrap/support/sandbox';

describe('bootstrap: host', () => {
  let sb: Sandbox;
  let rootfs: string;
  let file: string;
  beforeAll(() => {
    sb = makeSandbox('host');
    rootfs = path.join(sb.dir, 'h', 'rootfs');
    file = sb.def(
      'host',
      `export default defineContainer('hosty').rootfs(${JSON.stringify(rootfs)}).hostname('hosty').bootstrap((b) => b.host())
        .provision((p) => p.step('probe', 'hostname > /root/probe; awk "BEGIN{print 42}" >> /root/probe; touch /usr/x 2>> /root/probe || echo ro >> /root/probe'));`,
    );
  });
  afterAll(() => sb.remove());

  it('creates the skeleton instantly and provisions with the host binaries', () => {
    const started = Date.now();
    const r = sb.run(['create', file]);
    expect(r.stderr).toContain('[provision.probe]');
    expect(r).toExitWith(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.stdout.trim()).toBe(rootfs);

    for (const dir of ['etc', 'var', 'var/tmp', 'root', 'home', 'proc', 'sys', 'dev', 'run', 'usr']) expect(fs.statSync(path.join(rootfs, dir)).isDirectory()).toBe(true);
    expect(modeOf(path.join(rootfs, 'tmp'))).toBe(0o1777);
    expect(modeOf(path.join(rootfs, 'var/tmp'))).toBe(0o1777);
    expect(modeOf(path.join(rootfs, 'root'))).toBe(0o700);
    // /usr is an empty mount point: the launcher binds the host's read-only at start.
    expect(fs.readdirSync(path.join(rootfs, 'usr'))).toEqual([]);
    // Merged-/usr hosts: /bin is the same symlink as on the host, not a second mount point.
    for (const link of ['bin', 'lib', 'sbin']) {
      const host = fs.lstatSync(`/${link}`);
      if (host.isSymbolicLink()) expect(fs.readlinkSync(path.join(rootfs, link))).toBe(fs.readlinkSync(`/${link}`));
    }
    expect(fs.readFileSync(path.join(rootfs, 'etc/hostname'), 'utf8')).toBe('hosty\n');
    expect(fs.readFileSync(path.join(rootfs, 'etc/passwd'), 'utf8')).toMatch(/^root:x:0:0:/);
    expect(fs.readFileSync(path.join(rootfs, 'etc/hosts'), 'utf8')).toContain('hosty');
    for (const f of ['group', 'nsswitch.conf', 'resolv.conf', 'ld.so.cache']) expect(fs.existsSync(path.join(rootfs, 'etc', f))).toBe(true);
    expect(fs.lstatSync(path.join(rootfs, 'etc/alternatives')).isDirectory()).toBe(true);

    // Inside: the container's hostname, host's awk through /etc/alternatives, and /usr read-only.
    expect(fs.readFileSync(path.join(rootfs, 'root/probe'), 'utf8')).toMatch(/^hosty\n42\n[\s\S]*ro\n$/);
    // Nothing of the namespace session is left mounted.
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(rootfs);
    // The record lives in the state dir, not in the rootfs.
    expect(fs.existsSync(path.join(sb.state, 'hosty/provisioned.json'))).toBe(true);
    expect(fs.readdirSync(path.join(sb.dir, 'h'))).toEqual(['rootfs']);
  });

  it('starts for real: the host programs read-only under its own /etc and hostname', () => {
    const r = sb.start(file, ['/bin/sh', '-c', 'hostname; cat /root/probe | head -2; grep -c hosty /etc/hosts; touch /usr/x 2>/dev/null || echo usr-ro; exit 9']);
    expect(r).toExitWith(9);
    expect(r.stdout).toBe('hosty\nhosty\n42\n1\nusr-ro\n');
    expect(sb.leftovers('hosty')).toEqual([]);
    expect(fs.readdirSync(path.join(rootfs, 'usr'))).toEqual([]);
  });

  it('is idempotent: a second create keeps the rootfs and skips unchanged steps', () => {
    fs.writeFileSync(path.join(rootfs, 'root/keep'), 'mine');
    const r = sb.run(['create', file, '--json']);
    expect(r).toExitWith(0);
    const ev = events(r.stdout);
    expect(ev.find((e) => e['event'] === 'end' && e['phase'] === 'provision.probe')).toMatchObject({ outcome: 'skipped' });
    expect(ev.find((e) => e['event'] === 'result')).toMatchObject({ what: 'kept', rootfs });
    expect(fs.readFileSync(path.join(rootfs, 'root/keep'), 'utf8')).toBe('mine');
  });

  it('--force rebuilds it and runs the steps again', () => {
    const r = sb.run(['create', file, '--force']);
    expect(r).toExitWith(0);
    expect(fs.existsSync(path.join(rootfs, 'root/keep'))).toBe(false);
    expect(r.stderr).toContain('+ hostname');
    expect(fs.readdirSync(path.join(sb.dir, 'h'))).toEqual(['rootfs']);
  });
});
