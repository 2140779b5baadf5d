// lxc's busybox template as an ordinary user (docs/rootless.md): lxc-create runs it in a user namespace
// with haco's own maps (lxc.idmap: root = the user, 1… = the subordinate range), so the tree has the
// owners the rootless container sees. A fresh user with subordinate ids; ~5 s.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeTestUser, type TestUser } from '../support/rootless-user';
import { describeStart } from '../support/rootfs';

describeStart('rootless: the lxc busybox template as an ordinary user', () => {
  let user: TestUser;
  let dir: string;
  let file: string;

  beforeAll(() => {
    user = makeTestUser(`hacorllxc${process.pid % 100000}`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rootless-lxc-'));
    fs.chmodSync(dir, 0o755);
    file = path.join(dir, 'lxc.haco.ts');
    fs.writeFileSync(file, "import { defineContainer } from 'haco';\nexport default defineContainer('rl-lxc').rootfs('/var/lib/haco/rl-lxc/rootfs').bootstrap((b) => b.lxc('busybox')).command(['/bin/sh']);\n");
    fs.chmodSync(file, 0o644);
  });

  afterAll(() => {
    user?.remove();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates under the user\'s data dir with lxc.idmap = haco\'s maps, and starts with root = the user', () => {
    const created = user.haco(['create', file]);
    expect(created).toExitWith(0);
    expect(created.stderr).toContain('haco-idmap.conf');
    const rootfs = `${user.home}/.local/share/haco/rl-lxc/rootfs`;
    // Written as the namespace's root: the user's own uid on the host.
    expect(fs.statSync(path.join(rootfs, 'bin/busybox')).uid).toBe(user.uid);
    const r = user.haco(['start', file, '--', 'sh', '-c', 'cat /proc/self/uid_map; stat -c %u /bin/busybox; touch /etc/rl && echo writable']);
    expect(r).toExitWith(0);
    expect(r.stdout.split('\n').map((l) => l.trim().split(/\s+/).join(' '))).toEqual([`0 ${user.uid} 1`, `1 ${user.subuid} 65536`, '0', 'writable', '']);
    expect(user.haco(['destroy', file, '--yes'])).toExitWith(0);
    // Only the template cache stays (cache/lxc, kept on purpose like root's).
    expect(fs.readdirSync(`${user.home}/.local/share/haco`)).toEqual(['cache']);
  });
});
